"""Web pages, one module per domain (same names as ``services``, ``api/routes`` and ``cli``)."""
