"""Global Privacy Control: the ``Sec-GPC`` request header.

The GPC specification defines one valid header value, ``Sec-GPC: 1``, meaning the person asks
not to have their data sold or shared. Any other value, or no header, is no signal: the
specification says to treat it as if the header were absent. Inside a GPP string the same
signal travels in a section's GPC sub-segment (see :attr:`.gpp.GPPString.gpc`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

HEADER = "Sec-GPC"


def parse_sec_gpc(value: str | None) -> bool:
    """True when a ``Sec-GPC`` header value signals GPC (exactly ``1``, spaces allowed)."""
    return value is not None and value.strip(" \t") == "1"


def gpc_from_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> bool:
    """True when request headers carry ``Sec-GPC: 1``; header names are case-insensitive.

    ``headers`` is a mapping or ``(name, value)`` pairs (e.g. ASGI or WSGI headers); when the
    header is repeated, every value must be ``1``.
    """
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    values = [v for k, v in pairs if k.lower() == HEADER.lower()]
    return bool(values) and all(parse_sec_gpc(v) for v in values)
