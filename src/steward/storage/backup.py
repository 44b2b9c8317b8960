"""Backups of the whole database: SQLite's online backup API, PostgreSQL's pg_dump/pg_restore.

A SQLite backup is a consistent copy taken while the server runs (readers and writers carry on).
A PostgreSQL backup is a custom-format ``pg_dump`` archive; restoring replaces every table with
``pg_restore --clean``. Both keep the audit log whole, so the chain verifies after a restore.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from steward.errors import ConfigurationError, InvalidInput
from steward.storage.db import Database, sqlite_path

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        if not candidates:
            raise ConfigurationError(f"{name} is not installed (Debian package postgresql-client)")
        found = str(candidates[-1])
    return found


def _libpq_url(db: Database) -> str:
    return make_url(db.url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(db: Database, out: Path) -> Path:
    """Write a backup of the database to ``out`` (which must not exist yet)."""
    if out.exists():
        raise InvalidInput(f"{out} already exists: choose a new file name")
    if not out.parent.is_dir():
        raise InvalidInput(f"{out.parent} is not a folder")
    if db.dialect == "sqlite":
        source = sqlite_path(db.url)
        if source is None:
            raise InvalidInput("an in-memory SQLite database cannot be backed up")
        with sqlite3.connect(source) as src, sqlite3.connect(out) as dst:
            src.backup(dst)
        return out
    result = subprocess.run(
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(out),
         "--dbname", _libpq_url(db)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        out.unlink(missing_ok=True)
        raise ConfigurationError(f"pg_dump failed: {result.stderr.strip().splitlines()[-1]}")
    return out


def restore(db: Database, source: Path) -> None:
    """Replace the database's contents with a backup made by :func:`backup`."""
    if not source.is_file():
        raise InvalidInput(f"{source}: no such file")
    head = source.read_bytes()[:16]
    if db.dialect == "sqlite":
        if head != SQLITE_MAGIC:
            raise InvalidInput(f"{source} is not a SQLite backup")
        target = sqlite_path(db.url)
        if target is None:
            raise InvalidInput("cannot restore into an in-memory SQLite database")
        with sqlite3.connect(source) as src:
            try:
                src.execute("SELECT 1 FROM alembic_version").fetchone()
            except sqlite3.DatabaseError:
                raise InvalidInput(f"{source} is not a Steward database backup") from None
        db.dispose()
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return
    if not head.startswith(PGDUMP_MAGIC):
        raise InvalidInput(f"{source} is not a pg_dump custom-format archive")
    db.dispose()
    result = subprocess.run(
        [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
         "--dbname", _libpq_url(db), str(source)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ConfigurationError(f"pg_restore failed: {result.stderr.strip().splitlines()[-1]}")
