"""Subject keys: the HMAC-SHA256 of a normalised identifier, in Python and inside SQL.

A consent subject (an e-mail address, a customer id) is keyed as
``HMAC-SHA256(key, lower(trim(identifier)))`` in lowercase hex. The same value is computed
inside DuckDB or Spark SQL for whole audience files, with the standard HMAC construction
spelled out in SQL: ``sha256((K ^ opad) || sha256((K ^ ipad) || message))``. Neither engine has
an HMAC function, but both have SHA-256 over binary and binary concatenation, so the SQL
result is bit for bit the HMAC (the tests hold it to :mod:`hmac`), vectorised and parallel,
with no per-row Python. :func:`hmac_arrow` and :func:`key_words_arrow` key a whole Arrow column
with a compiled kernel that starts from the key's two pad blocks already hashed and, on CPUs
with SHA extensions, hashes in hardware: a tenth of the SQL's CPU per row on large audiences,
for under a second of start-up. Normalising (:func:`normalise`) trims every character
:meth:`str.isspace` names, in SQL too (:func:`normalised_sql`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

BLOCK = 64
Dialect = Literal["duckdb", "spark"]


def normalise(identifier: str) -> str:
    """Trimmed and lower-cased, as keyed."""
    return identifier.strip().lower()


def subject_hash(key: bytes, identifier: str) -> str:
    """The subject key of ``identifier`` (64 hex characters)."""
    return hmac.new(key, normalise(identifier).encode("utf-8"), hashlib.sha256).hexdigest()


KEY_WORDS = 4
"""A subject key as numbers: its 32 bytes as four big-endian unsigned 64-bit words
(:func:`key_words_arrow`, :func:`key_words_sql`). Joining on four integers costs DuckDB less
than half of joining on 64-character text."""


def _words(key: bytes, values: Any, *, threads: int | None,
           normalise: bool) -> tuple[Any, Any, int]:
    """The HMAC of each string of an Arrow array as :data:`KEY_WORDS` words (a
    ``(KEY_WORDS, rows)`` uint64 array), the array's validity buffer and null count, by the
    compiled kernel on ``threads`` threads (default: the cores, at most four); rows the kernel
    leaves to Python are keyed here."""
    import numpy as np
    import pyarrow as pa

    kernel = _kernel()
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if values.type != pa.string():
        values = values.cast(pa.string())
    if values.offset:
        values = pa.concat_arrays([values])  # a copy starting at offset 0
    rows = len(values)
    if rows * 64 >= 2**31:
        raise ValueError("hash at most 33 million identifiers per array")
    validity, offsets_buffer, data_buffer = values.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int32)[:rows + 1]
    data = (np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer is not None
            else np.zeros(1, dtype=np.uint8))
    words = np.empty((KEY_WORDS, rows), dtype=np.uint64)
    pending = np.zeros(rows, dtype=np.uint8)
    inner, outer = _midstates(key)
    workers = max(1, min(threads or os.cpu_count() or 1, 4, rows // 10_000 or 1))
    bounds = [rows * i // workers for i in range(workers + 1)]

    def run(part: int) -> None:
        kernel(data, offsets, bounds[part], bounds[part + 1], inner, outer, words, normalise,
               pending)

    if workers == 1:
        run(0)
    else:
        with ThreadPoolExecutor(workers) as pool:  # the kernel releases the GIL
            list(pool.map(run, range(workers)))
    for i in np.flatnonzero(pending).tolist():
        words[:, i] = np.frombuffer(bytes.fromhex(subject_hash(key, values[i].as_py())),
                                    dtype=">u8")
    return words, validity, values.null_count


def hmac_arrow(key: bytes, values: Any, *, threads: int | None = None,
               normalise: bool = False) -> Any:
    """The subject keys (lowercase hex) of an Arrow string array, nulls kept null: the
    compiled kernel (:mod:`._sha256`, or :mod:`._sha256_ni` on CPUs with SHA extensions) on
    ``threads`` threads. Bit for bit :func:`subject_hash`; needs numba.

    The values must be normalised already, unless ``normalise``: then the kernel trims and
    lower-cases ASCII identifiers as it reads them (what DuckDB's ``lower(trim(…))`` would
    cost a second per 10M rows for), and the few with other characters are keyed in Python,
    exactly as :func:`normalise` says."""
    import numpy as np
    import pyarrow as pa

    words, validity, nulls = _words(key, values, threads=threads, normalise=normalise)
    rows = words.shape[1]
    octets = words.T.astype(">u8", order="C").view(np.uint8).reshape(rows, 32)
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    text = np.empty((rows, 64), dtype=np.uint8)
    text[:, 0::2] = digits[octets >> 4]
    text[:, 1::2] = digits[octets & 0xF]
    positions = pa.py_buffer(np.arange(0, 64 * (rows + 1), 64, dtype=np.int32))
    return pa.StringArray.from_buffers(rows, positions, pa.py_buffer(text), validity, nulls)


def key_words_arrow(key: bytes, values: Any, *, threads: int | None = None,
                    normalise: bool = False) -> list[Any]:
    """The subject keys of an Arrow string array as :data:`KEY_WORDS` Arrow uint64 arrays
    (the words of :func:`key_words_sql`), null where the value is null. As
    :func:`hmac_arrow`, without text; the arrays share the kernel's buffers."""
    import pyarrow as pa

    words, validity, nulls = _words(key, values, threads=threads, normalise=normalise)
    rows = words.shape[1]
    return [pa.Array.from_buffers(pa.uint64(), rows, [validity, pa.py_buffer(words[j])],
                                  null_count=nulls) for j in range(KEY_WORDS)]


def key_words_sql(expression: str) -> list[str]:
    """DuckDB SQL for the :data:`KEY_WORDS` words of the hex subject key ``expression``."""
    return [f"CAST('0x' || substr({expression}, {1 + 16 * j}, 16) AS UBIGINT)"
            for j in range(KEY_WORDS)]


def _kernel() -> Any:
    """The HMAC row kernel: on the CPU's SHA extensions where it has them (about five times
    less CPU per subject), else the portable one."""
    from steward.engines.consent import _sha256_ni

    if _sha256_ni.available():
        return _sha256_ni.hmac_rows
    from steward.engines.consent import _sha256

    return _sha256.hmac_rows


def _midstates(key: bytes) -> tuple[Any, Any]:
    from steward.engines.consent import _sha256

    return _sha256.midstates(key)


def kernel_available() -> bool:
    """True when the compiled HMAC kernel can be used (numba is installed)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _pads(key: bytes) -> tuple[str, str]:
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    return (bytes(b ^ 0x36 for b in key).hex(), bytes(b ^ 0x5C for b in key).hex())


WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
"""Every character :meth:`str.strip` strips (``str.isspace``), so SQL trims as Python does."""


def normalised_sql(expression: str, *, dialect: Dialect = "duckdb") -> str:
    """SQL for :func:`normalise` of the text ``expression``: trimmed of :data:`WHITESPACE` (SQL's
    ``trim`` alone strips only spaces, so an identifier ending in a tab or a no-break space
    would key differently from the same one given to the API) and lower-cased."""
    if dialect == "duckdb":
        # Trimming a set of characters costs DuckDB six times plain lower(): only values whose
        # first or last character could be a space (a code point up to 32, 133, 160 or from
        # 5760 on) are trimmed; the rest are only lower-cased.
        text = f"CAST({expression} AS VARCHAR)"
        chars = " || ".join(f"chr({ord(c)})" for c in WHITESPACE)
        ends = [f"ord({text}[{at}])" for at in (1, -1)]
        plain = " AND ".join(f"{end} > 32 AND {end} NOT IN (133, 160) AND {end} < 5760"
                             for end in ends)
        return f"CASE WHEN {plain} THEN lower({text}) ELSE lower(trim({text}, {chars})) END"
    chars = "".join(f"\\u{ord(c):04x}" for c in WHITESPACE)
    return f"lower(trim(BOTH '{chars}' FROM CAST({expression} AS STRING)))"


def hmac_sql(key: bytes, expression: str, *, dialect: Dialect = "duckdb",
             normalised: bool = False) -> str:
    """SQL computing the subject key of the text ``expression`` (lowercase hex).

    ``normalised`` says the expression is already trimmed and lower-cased.
    """
    ipad, opad = _pads(key)
    text = expression if normalised else normalised_sql(expression, dialect=dialect)
    if dialect == "duckdb":
        inner = f"unhex(sha256(unhex('{ipad}') || encode({text})))"
        return f"sha256(unhex('{opad}') || {inner})"
    inner = f"unhex(sha2(concat(unhex('{ipad}'), encode({text}, 'UTF-8')), 256))"
    return f"sha2(concat(unhex('{opad}'), {inner}), 256)"
