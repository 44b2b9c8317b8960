"""The REST API face: FastAPI routes under ``/api/v1``, thin over the services.

Every route declares who may call it with :func:`steward.api.deps.allow`; errors of every kind
leave as RFC 9457 ``application/problem+json``.
"""
