"""Alembic environment: runs on the connection Steward hands it (``steward.storage.migrate``)."""

from __future__ import annotations

from alembic import context

from steward.storage.orm import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - Steward always passes its connection
    raise RuntimeError("run migrations through `steward db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
