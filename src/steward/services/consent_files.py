"""Consent work on files that arrive through the API and the web page.

The CLI reads and writes any local path (:mod:`.consent_audience`, :mod:`.consent_rights`). The
API and the web name files under the data directory (``STEWARD_DATA_DIR``, relative to it), send
an upload, or list identifiers, and here:

- a path to read lies under the data directory, outside its ``keys/``, ``vault/`` and
  ``consent/`` folders (keys, sealed token values and the ledger's snapshot are never data);
- a filtered audience is written under ``<data_dir>/audiences`` only (the allowed rows, and the
  refused rows with their reason when asked), never over the file it was filtered from;
- opt-outs in bulk come from a file under the data directory, an upload (kept only while it is
  imported), or a list of identifiers;
- error messages name files as the caller named them, never by the server's own paths.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from steward.errors import InvalidInput, StewardError
from steward.services import auditors, consent, consent_audience, consent_keys, consent_rights
from steward.services.data_paths import PRIVATE_PATH, confined, data_files
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

AUDIENCES = "audiences"
UPLOAD_SUFFIXES = (".csv", ".parquet", ".txt")
MAX_SUBJECTS = 10_000
MAX_UPLOAD_BYTES = 100 * 1024 * 1024

NOT_A_TABLE = "{path}: name a file or folder inside the data directory"
OUTPUT_OUTSIDE = "{path}: audience files are written under audiences/ in the data directory"
OUTPUT_IS_SOURCE = "{path}: an output cannot replace the audience it was filtered from"
BAD_UPLOAD = "{name}: upload a .csv, .parquet or .txt file"
UPLOAD_TOO_LARGE = "the upload is larger than {mb} MB"
NO_SUBJECTS = "give at least one identifier"
TOO_MANY_SUBJECTS = f"at most {MAX_SUBJECTS:,} identifiers at once: send a file instead"


def _root(unit: Unit) -> Path:
    return Path(unit.settings.data_dir).resolve()


@contextmanager
def _named_as_given(folder: Path) -> Iterator[None]:
    """Strip ``folder`` from the messages of errors raised inside (paths become relative)."""
    try:
        yield
    except StewardError as exc:
        prefix = f"{folder}/"
        if prefix in exc.message:
            exc.message = exc.message.replace(prefix, "")
            exc.args = (exc.message,)
        raise


def readable(unit: Unit, path: str) -> Path:
    """A file, folder or glob to read: under the data directory, outside its private folders."""
    root = _root(unit)
    resolved = confined(root, path)
    parts = resolved.relative_to(root).parts
    if not parts:
        raise InvalidInput(NOT_A_TABLE.format(path=path))
    if any(c in parts[0] for c in "*?["):
        raise InvalidInput(PRIVATE_PATH.format(path=path))
    return resolved


def _output(root: Path, given: str | None, default: str) -> Path:
    """Where an audience file goes: ``given`` (relative to the data directory or to
    ``audiences/``) or ``default``, under ``<data_dir>/audiences`` either way."""
    folder = root / AUDIENCES
    if not given:
        return folder / default
    candidate = Path(given)
    if not candidate.is_absolute() and candidate.parts[:1] != (AUDIENCES,):
        candidate = Path(AUDIENCES) / candidate
    try:
        target = confined(root, str(candidate))
    except InvalidInput:
        raise InvalidInput(OUTPUT_OUTSIDE.format(path=given)) from None
    if folder not in target.parents:
        raise InvalidInput(OUTPUT_OUTSIDE.format(path=given))
    return target


def audience_files(unit: Unit) -> list[dict[str, Any]]:
    """CSV and Parquet files an audience can be filtered from, newest first (relative paths)."""
    unit.require(consent_audience.FILTER_AUDIENCES, "list data files")
    return data_files(_root(unit))


def audience_systems(unit: Unit) -> list[dict[str, Any]]:
    """The AI systems that declare consent purposes (those an audience can be filtered for)."""
    unit.require(consent_audience.FILTER_AUDIENCES, "list AI systems")
    query = select(AISystem).order_by(AISystem.name)
    visible = auditors.visible_system_ids(unit)
    if visible is not None:
        query = query.where(AISystem.id.in_(visible or {-1}))
    return [{"id": s.id, "name": s.name, "stage": s.stage, "purposes": list(s.consent_purposes)}
            for s in unit.session.scalars(query) if s.consent_purposes]


def filter_file(unit: Unit, *, source: str, system_id: int | None = None,
                purpose: str | None = None, subject_column: str = "subject",
                jurisdiction_column: str | None = None, hashed: bool = False,
                out: str | None = None, denied: str | None = None, write_denied: bool = False,
                criteria: Sequence[str] = (), backend: str = "duckdb") -> dict[str, Any]:
    """Filter an audience file under the data directory for a system's purposes or one purpose.

    The allowed rows go to ``out`` (default ``audiences/<name>-allowed-<time>.parquet``); the
    refused rows, with ``consent_reason``, to ``denied`` (or a default path when
    ``write_denied``). The answer is :func:`.consent_audience.filter_audience`'s, with
    ``source`` and ``outputs`` relative to the data directory.
    """
    unit.require(consent_audience.FILTER_AUDIENCES, "filter audiences")
    root = _root(unit)
    with _named_as_given(root):
        path = readable(unit, source)
        shown = str(path.relative_to(root))
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", path.name.split(".")[0]).strip("-") or "audience"
        stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(2)}"
        allowed_out = _output(root, out, f"{stem}-allowed-{stamp}.parquet")
        denied_out = (_output(root, denied, f"{stem}-refused-{stamp}.parquet")
                      if denied or write_denied else None)
        for target, given in ((allowed_out, out), (denied_out, denied)):
            if target is not None and target == path:
                raise InvalidInput(OUTPUT_IS_SOURCE.format(path=given))
        result = consent_audience.filter_audience(
            unit, str(path), subject_column=subject_column, system_id=system_id,
            purpose=purpose, allowed_out=allowed_out, denied_out=denied_out,
            jurisdiction_column=jurisdiction_column or None, hashed=hashed, backend=backend,
            name=shown, criteria=[c.strip() for c in criteria if c.strip()])
    outputs = {kind: str(Path(written).relative_to(root))
               for kind, written in result["outputs"].items()}
    return {**result, "source": shown, "outputs": outputs}


def opt_out_file(unit: Unit, path: str, *, purposes: Sequence[str] = (),
                 status: str = "withdrawn", subject_column: str = "subject",
                 jurisdiction: str | None = None,
                 occurred_at: str | datetime | None = None) -> dict[str, Any]:
    """Opt out everyone in a file under the data directory (see
    :func:`.consent_rights.bulk_opt_out`); ``file`` in the answer is relative to it."""
    unit.require(consent.RECORD_CONSENT, "record consent")
    root = _root(unit)
    with _named_as_given(root):
        source = readable(unit, path)
        result = consent_rights.bulk_opt_out(
            unit, source, purposes=purposes, status=status, subject_column=subject_column,
            jurisdiction=jurisdiction or None, occurred_at=occurred_at)
    return {**result, "file": str(source.relative_to(root))}


def opt_out_subjects(unit: Unit, subjects: Sequence[str], *, purposes: Sequence[str] = (),
                     status: str = "withdrawn", jurisdiction: str | None = None,
                     occurred_at: str | datetime | None = None) -> dict[str, Any]:
    """Opt out a list of identifiers (e-mail addresses or customer ids), as a bulk opt-out."""
    unit.require(consent.RECORD_CONSENT, "record consent")
    listed = [consent_keys.check_identifier(s) for s in subjects]
    if not listed:
        raise InvalidInput(NO_SUBJECTS)
    if len(listed) > MAX_SUBJECTS:
        raise InvalidInput(TOO_MANY_SUBJECTS)
    import pyarrow as pa
    import pyarrow.parquet as pq

    with tempfile.TemporaryDirectory(prefix="steward-opt-out-") as folder:
        path = Path(folder) / "identifiers.parquet"
        pq.write_table(pa.table({"subject": pa.array(listed, pa.string())}), path)
        with _named_as_given(Path(folder)):
            result = consent_rights.bulk_opt_out(
                unit, path, purposes=purposes, status=status, subject_column="subject",
                jurisdiction=jurisdiction or None, occurred_at=occurred_at)
    return {**result, "file": None, "subjects": len(listed)}


def opt_out_upload(unit: Unit, filename: str, stream: IO[bytes], *,
                   purposes: Sequence[str] = (), status: str = "withdrawn",
                   subject_column: str = "subject", jurisdiction: str | None = None,
                   occurred_at: str | datetime | None = None,
                   max_bytes: int = MAX_UPLOAD_BYTES) -> dict[str, Any]:
    """Opt out everyone in an uploaded file (CSV/Parquet with a subject column, or text with one
    identifier per line); the upload is kept only while it is imported."""
    unit.require(consent.RECORD_CONSENT, "record consent")
    name = Path(filename or "").name
    if Path(name).suffix.lower() not in UPLOAD_SUFFIXES:
        raise InvalidInput(BAD_UPLOAD.format(name=name or "the file"))
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)[-100:]
    with tempfile.TemporaryDirectory(prefix="steward-opt-out-") as folder:
        target = Path(folder) / safe
        written = 0
        with target.open("wb") as handle:
            while chunk := stream.read(1024 * 1024):
                written += len(chunk)
                if written > max_bytes:
                    raise InvalidInput(UPLOAD_TOO_LARGE.format(mb=max_bytes // (1024 * 1024)))
                handle.write(chunk)
        with _named_as_given(Path(folder)):
            result = consent_rights.bulk_opt_out(
                unit, target, purposes=purposes, status=status, subject_column=subject_column,
                jurisdiction=jurisdiction or None, occurred_at=occurred_at)
    return {**result, "file": name}
