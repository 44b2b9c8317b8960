"""Reading the documents commands take (YAML, JSON, CSV), with one-line errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from steward.errors import InvalidInput

MAX_BYTES = 50 * 1024 * 1024


def read_text(path: str) -> str:
    """A file's text (``-`` for standard input)."""
    if path == "-":
        return sys.stdin.read()
    file = Path(path)
    if not file.is_file():
        raise InvalidInput(f"{path}: no such file")
    if file.stat().st_size > MAX_BYTES:
        raise InvalidInput(f"{path}: larger than 50 MB")
    try:
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path}: not UTF-8 text") from None


def read_document(path: str) -> Any:
    """Parse a YAML (or JSON, which is YAML) document."""
    text = read_text(path)
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InvalidInput(f"{path}: {problem}{where}") from None
    if document is None:
        raise InvalidInput(f"{path}: the document is empty")
    return document


def read_mapping(path: str) -> dict[str, Any]:
    document = read_document(path)
    if not isinstance(document, dict):
        raise InvalidInput(f"{path}: expected a mapping of keys to values at the top level")
    return document
