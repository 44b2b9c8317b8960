"""Storage: the SQLAlchemy 2 ORM, Alembic migrations, repositories and the audit log.

Only ``services`` use this package. One ``Database`` object (built from settings, never a module
global) owns the engine; every unit of work is one transaction, and the audit-log entry for a change
is written in the same transaction as the change itself.
"""
