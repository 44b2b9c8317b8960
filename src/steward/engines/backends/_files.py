"""Input files: resolve a path, directory or glob to Parquet/CSV files, and hash them.

Hashing runs in a background thread while the backend reads the same files (``hashlib`` releases
the GIL on large buffers), so the fingerprint costs little extra wall time.
"""

from __future__ import annotations

import glob
import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from steward.engines.backends._base import (
    EMPTY_FILE,
    FILE_NOT_FOUND,
    MIXED_FORMATS,
    NO_FILES_MATCH,
    UNSUPPORTED_FORMAT,
    FileDigest,
)
from steward.errors import InvalidInput

FileFormat = Literal["parquet", "csv"]

_PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
_CSV_SUFFIXES = (".csv", ".tsv", ".csv.gz", ".tsv.gz", ".csv.zst", ".txt")
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class FileSet:
    """The files one source names, all of one format."""

    files: tuple[Path, ...]
    format: FileFormat
    description: str


def file_format(path: Path) -> FileFormat | None:
    """``parquet`` or ``csv`` from the file name, ``None`` when it is neither."""
    name = path.name.lower()
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(_CSV_SUFFIXES):
        return "csv"
    return None


def resolve_files(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> FileSet:
    """Turn a path, a directory (its Parquet/CSV files, recursively) or a glob into a FileSet.

    Raises
    ------
    InvalidInput
        When nothing matches, a file is missing, or a file is neither Parquet nor CSV.
    """
    if isinstance(source, (str, os.PathLike)):
        items = [source]
        description = str(source)
    else:
        items = list(source)
        description = ", ".join(str(item) for item in items[:3]) + (" …" if len(items) > 3 else "")
    files: list[Path] = []
    for item in items:
        files.extend(_expand(str(item)))
    formats = {file_format(f) for f in files}
    if None in formats:
        bad = next(f for f in files if file_format(f) is None)
        raise InvalidInput(UNSUPPORTED_FORMAT.format(path=bad), path=str(bad))
    if len(formats) > 1:
        raise InvalidInput(MIXED_FORMATS.format(pattern=description), path=description)
    fmt: FileFormat = formats.pop()  # type: ignore[assignment]
    return FileSet(files=tuple(files), format=fmt, description=description)


def _expand(item: str) -> list[Path]:
    path = Path(item).expanduser()
    if glob.has_magic(item):
        found = sorted(Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file())
        found = [p for p in found if file_format(p) is not None]
        if not found:
            raise InvalidInput(NO_FILES_MATCH.format(pattern=item), path=item)
        return found
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and file_format(p) is not None)
        if not found:
            raise InvalidInput(NO_FILES_MATCH.format(pattern=item), path=item)
        return found
    if not path.is_file():
        raise InvalidInput(FILE_NOT_FOUND.format(path=item), path=item)
    if path.stat().st_size == 0:
        raise InvalidInput(EMPTY_FILE.format(path=item), path=item)
    return [path]


class _Cancelled(Exception):
    """Raised inside a digest thread whose result is no longer wanted."""


def sha256_file(path: Path, *, stop: threading.Event | None = None) -> FileDigest:
    """SHA-256 of one file, read in 4 MiB chunks (until ``stop`` is set, if given)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if stop is not None and stop.is_set():
                raise _Cancelled
            digest.update(chunk)
            size += len(chunk)
    return FileDigest(path=str(path), bytes=size, sha256=digest.hexdigest())


class BackgroundDigests:
    """Hash files in a daemon thread; :meth:`result` waits for it and re-raises its error.

    Backends start it before they import their engine, so the hashing (which releases the GIL)
    runs on a core the single-threaded start-up leaves idle; :meth:`cancel` stops it between
    chunks when the files turn out to be unreadable.
    """

    def __init__(self, files: Sequence[Path]) -> None:
        self._files = tuple(files)
        self._result: tuple[FileDigest, ...] | None = None
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="steward-sha256", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = tuple(sha256_file(f, stop=self._stop) for f in self._files)
        except BaseException as error:  # noqa: BLE001 - handed to the caller in result()
            self._error = error

    def cancel(self) -> None:
        """Stop hashing (between chunks) and wait for the thread; its result is dropped."""
        self._stop.set()
        self._thread.join()

    def result(self) -> tuple[FileDigest, ...]:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result
