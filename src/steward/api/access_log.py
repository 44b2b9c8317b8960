"""The access log, without the people in it.

uvicorn logs every request's path and query string. The consent lookup carries a person's
identifier (an e-mail address, a customer id) in its path — ``/api/v1/consent/{subject}`` and
``…/{subject}/check`` — and the dashboard's consent page in its query (``?subject=``), while
Steward promises to keep identifiers only as a keyed hash. :class:`RedactIdentifiers` replaces
them with ``{subject}`` in uvicorn's access records before any handler writes them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from fastapi import FastAPI

from steward.api.fast import literal_segments

PREFIX = "/api/v1/consent/"
PLACEHOLDER = "{subject}"
_QUERY = re.compile(r"([?&]subject=)[^&#]*")


class RedactIdentifiers(logging.Filter):
    """Rewrites uvicorn access records (args: client, method, path, version, status)."""

    def __init__(self, fixed: Iterable[str]) -> None:
        super().__init__()
        self.fixed = frozenset(fixed)

    def redact(self, path: str) -> str:
        """``path`` with any identifier in a consent path or ``subject=`` query replaced."""
        if path.startswith(PREFIX):
            rest = path[len(PREFIX):]
            cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
            if rest[:cut] and rest[:cut] not in self.fixed:
                path = PREFIX + PLACEHOLDER + rest[cut:]
        return _QUERY.sub(lambda m: m.group(1) + PLACEHOLDER, path)

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], self.redact(args[2]), *args[3:])
        return True


def install(app: FastAPI) -> None:
    """Filter uvicorn's access log for this process; the consent routes' fixed names (``decode``,
    ``purposes`` …) are read from the app, so every other first segment is an identifier."""
    fixed = literal_segments(app, PREFIX)
    logger = logging.getLogger("uvicorn.access")
    for old in [f for f in logger.filters if isinstance(f, RedactIdentifiers)]:
        logger.removeFilter(old)
    logger.addFilter(RedactIdentifiers(fixed))
