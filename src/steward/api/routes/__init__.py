"""API routers, one module per domain (same names as ``services``, ``cli`` and ``web``)."""
