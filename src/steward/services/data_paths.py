"""Paths to data files given by people: the CLI may read any local path, while the API and the
web may only read under ``STEWARD_DATA_DIR`` (``confine=True``), and never its private folders:
``keys/`` (secrets), ``vault/`` (sealed token values) and ``consent/`` (the ledger's snapshot)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from steward.errors import InvalidInput
from steward.services.runtime import Unit

OUTSIDE_DATA_DIR = "{path}: only files under the data directory may be read here"
PRIVATE_FOLDERS = frozenset({"keys", "vault", "consent"})
DATA_SUFFIXES = (".csv", ".parquet")
MAX_LISTED_FILES = 200
PRIVATE_PATH = "{path}: the data directory's keys, vault and consent folders cannot be read here"


def confined(data_dir: Path, path: str) -> Path:
    """Resolve ``path`` (relative to the data directory) and refuse anything outside it."""
    if "\x00" in path:
        raise InvalidInput(f"{path!r}: a path cannot hold a NUL character")
    root = Path(data_dir).resolve()
    candidate = Path(path)
    resolved = (candidate if candidate.is_absolute() else root / candidate).resolve()
    if resolved != root and root not in resolved.parents:
        raise InvalidInput(OUTSIDE_DATA_DIR.format(path=path))
    if resolved != root and resolved.relative_to(root).parts[0] in PRIVATE_FOLDERS:
        raise InvalidInput(PRIVATE_PATH.format(path=path))
    return resolved


def resolve(unit: Unit, path: str, *, confine: bool) -> str:
    """The path to read: confined to the data directory when asked."""
    return str(confined(unit.settings.data_dir, path)) if confine else path


def shown(unit: Unit, path: str, *, confine: bool) -> str:
    """The path as a person should see it (relative to the data directory when confined)."""
    if not confine:
        return path
    resolved = confined(unit.settings.data_dir, path)
    return str(resolved.relative_to(Path(unit.settings.data_dir).resolve()))


def data_files(data_dir: Path, *, limit: int = MAX_LISTED_FILES) -> list[dict[str, Any]]:
    """CSV and Parquet files under the data directory, outside its private folders, newest
    first: ``path`` (relative to it), ``bytes`` and ``modified_at``."""
    root = Path(data_dir).resolve()
    if not root.is_dir():
        return []
    found = [(p, p.stat()) for p in root.rglob("*") if p.suffix.lower() in DATA_SUFFIXES
             and p.is_file() and p.relative_to(root).parts[0] not in PRIVATE_FOLDERS]
    found.sort(key=lambda item: item[1].st_mtime, reverse=True)
    return [{"path": str(p.relative_to(root)), "bytes": st.st_size,
             "modified_at": datetime.fromtimestamp(st.st_mtime, UTC).isoformat()}
            for p, st in found[:limit]]
