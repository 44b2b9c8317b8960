"""SQL for each transformation, in the dialects of DuckDB and Spark.

Every step but ``redact`` is one SQL expression, so the whole table is transformed by one
``SELECT`` that the backend runs in parallel, out of core, without Python in the loop.

The keyed pseudonym is HMAC-SHA256 (RFC 2104) written with the engines' own SHA-256::

    HMAC(K, m) = SHA256((K0 xor opad) || SHA256((K0 xor ipad) || m))

where ``K0`` is the key padded to SHA-256's 64-byte block (hashed first when longer). DuckDB's
``sha256`` and Spark's ``sha2(…, 256)`` both hash BLOBs and return hex, which ``unhex`` turns back
into the 32 bytes the outer hash needs. The result equals Python's ``hmac.new(K, m, sha256)``
(a test checks it), runs on the backend's threads and on Spark unchanged. We measured the
alternatives on the same 1M e-mail addresses: a vectorised DuckDB Arrow UDF calling ``hashlib``
and a streaming pyarrow + ``hashlib`` loop cost about the same per row on one core but hold the
GIL, so they cannot use more cores and cannot run inside Spark's JVM; the SQL form scales with
the backend's threads (see ``benchmarks/privacy/README.md``).

On DuckDB the padded keys are connection variables (``getvariable``), so the SQL text never holds
them; on Spark they are hex literals in the query (keep Spark's SQL logging off for such jobs).
``tokenize`` is the same HMAC under the vault's token key (its own variables), prefixed ``tok_``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from typing import Literal

from steward.engines.privacy._plan import (
    Drop,
    Generalize,
    Keep,
    Mask,
    Noise,
    Pseudonym,
    Redact,
    Step,
    Tokenize,
    TopBottom,
)

Dialect = Literal["duckdb", "spark"]
TOKEN_HEX = 32
"""Tokens are the first 32 hex characters (128 bits) of the HMAC: collisions are negligible
(about 1e-23 for 1e8 distinct values), so tokens are one-to-one in practice."""
TOKEN_PREFIX = "tok_"
"""Vault tokens start with this, so a token is never mistaken for a pseudonym (and vice versa)."""
PSEUDONYM_VARIABLE = "steward_hmac"
TOKEN_VARIABLE = "steward_token"
_BLOCK = 64

US_CENSUS_REGIONS: dict[str, tuple[str, ...]] = {
    "Northeast": ("CT", "ME", "MA", "NH", "RI", "VT", "NJ", "NY", "PA"),
    "Midwest": ("IL", "IN", "MI", "OH", "WI", "IA", "KS", "MN", "MO", "NE", "ND", "SD"),
    "South": ("DE", "FL", "GA", "MD", "NC", "SC", "VA", "DC", "WV", "AL", "KY", "MS", "TN", "AR",
              "LA", "OK", "TX"),
    "West": ("AZ", "CO", "ID", "MT", "NV", "NM", "UT", "WY", "AK", "CA", "HI", "OR", "WA"),
}
US_STATE_NAMES: dict[str, str] = {
    "ALABAMA": "AL", "ALASKA": "AK", "ARIZONA": "AZ", "ARKANSAS": "AR", "CALIFORNIA": "CA",
    "COLORADO": "CO", "CONNECTICUT": "CT", "DELAWARE": "DE", "DISTRICT OF COLUMBIA": "DC",
    "FLORIDA": "FL", "GEORGIA": "GA", "HAWAII": "HI", "IDAHO": "ID", "ILLINOIS": "IL",
    "INDIANA": "IN", "IOWA": "IA", "KANSAS": "KS", "KENTUCKY": "KY", "LOUISIANA": "LA",
    "MAINE": "ME", "MARYLAND": "MD", "MASSACHUSETTS": "MA", "MICHIGAN": "MI", "MINNESOTA": "MN",
    "MISSISSIPPI": "MS", "MISSOURI": "MO", "MONTANA": "MT", "NEBRASKA": "NE", "NEVADA": "NV",
    "NEW HAMPSHIRE": "NH", "NEW JERSEY": "NJ", "NEW MEXICO": "NM", "NEW YORK": "NY",
    "NORTH CAROLINA": "NC", "NORTH DAKOTA": "ND", "OHIO": "OH", "OKLAHOMA": "OK", "OREGON": "OR",
    "PENNSYLVANIA": "PA", "RHODE ISLAND": "RI", "SOUTH CAROLINA": "SC", "SOUTH DAKOTA": "SD",
    "TENNESSEE": "TN", "TEXAS": "TX", "UTAH": "UT", "VERMONT": "VT", "VIRGINIA": "VA",
    "WASHINGTON": "WA", "WEST VIRGINIA": "WV", "WISCONSIN": "WI", "WYOMING": "WY",
}


def us_region_map() -> dict[str, str]:
    """State code or name (upper case) to its US Census region."""
    regions = {code: region for region, codes in US_CENSUS_REGIONS.items() for code in codes}
    return {**regions, **{name: regions[code] for name, code in US_STATE_NAMES.items()}}


def key_pads(key: bytes) -> tuple[bytes, bytes]:
    """(K0 xor ipad, K0 xor opad) for HMAC-SHA256."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    padded = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)


def key_id(key: bytes) -> str:
    """A public fingerprint of the key (12 hex), to tell which key made a table's tokens."""
    import hmac

    return hmac.new(key, b"steward-pseudonym-key-id", hashlib.sha256).hexdigest()[:12]


def token(key: bytes, value: str) -> str:
    """The token the SQL computes for an already normalized value."""
    import hmac

    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:TOKEN_HEX]


def _string(dialect: Dialect, column: str) -> str:
    return f"CAST({column} AS STRING)"


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _regexp_replace(dialect: Dialect, value: str, pattern: str, replacement: str) -> str:
    flags = ", 'g'" if dialect == "duckdb" else ""
    return f"regexp_replace({value}, '{pattern}', {_sql_text(replacement)}{flags})"


def _number(value: float) -> str:
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def normalized(dialect: Dialect, column: str, how: str) -> str:
    text = _string(dialect, column)
    if how == "none":
        return text
    if how == "lower":
        return f"lower(trim({text}))"
    if how == "digits":
        return _regexp_replace(dialect, text, "[^0-9]", "")
    return f"trim({text})"


def hmac_sql(dialect: Dialect, value: str, key: bytes | None = None, *,
             variable: str = PSEUDONYM_VARIABLE) -> str:
    """HMAC-SHA256 of a text expression as lower-case hex, cut to :data:`TOKEN_HEX` (on DuckDB
    the key is read from the connection variables named after ``variable``)."""
    if dialect == "duckdb":
        ipad, opad = f"getvariable('{variable}_ipad')", f"getvariable('{variable}_opad')"
        inner = f"unhex(sha256({ipad} || encode({value})))"
        return f"substr(sha256({opad} || {inner}), 1, {TOKEN_HEX})"
    assert key is not None, "Spark needs the key in the query"
    ipad_bytes, opad_bytes = key_pads(key)
    ipad, opad = f"unhex('{ipad_bytes.hex()}')", f"unhex('{opad_bytes.hex()}')"
    inner = f"unhex(sha2(concat({ipad}, encode({value}, 'UTF-8')), 256))"
    return f"substr(sha2(concat({opad}, {inner}), 256), 1, {TOKEN_HEX})"


def duckdb_key_statements(key: bytes, *, variable: str = PSEUDONYM_VARIABLE) -> list[str]:
    ipad, opad = key_pads(key)
    return [f"SET VARIABLE {variable}_ipad = unhex('{ipad.hex()}')",
            f"SET VARIABLE {variable}_opad = unhex('{opad.hex()}')"]


def duckdb_key_resets(*, variable: str = PSEUDONYM_VARIABLE) -> list[str]:
    return [f"RESET VARIABLE {variable}_ipad", f"RESET VARIABLE {variable}_opad"]


def token_sql(dialect: Dialect, column: str, step: Tokenize, token_key: bytes | None = None
              ) -> str:
    """The vault token of a column (``tok_`` + HMAC under the token key)."""
    digest = hmac_sql(dialect, normalized(dialect, column, step.normalize), token_key,
                      variable=TOKEN_VARIABLE)
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE concat('{TOKEN_PREFIX}', {digest}) END"


def _band_label(low: float | None, high: float | None) -> str:
    def fmt(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else repr(float(v))

    integral = all(v is None or float(v).is_integer() for v in (low, high))
    if low is None:
        return f"<{fmt(high)}"  # type: ignore[arg-type]
    if high is None:
        return f"{fmt(low)}+"
    return f"{fmt(low)}-{fmt(high - 1)}" if integral else f"[{fmt(low)}, {fmt(high)})"


def _generalize(dialect: Dialect, column: str, step: Generalize, kind: str) -> str:
    if step.to is not None:
        day = f"TRY_CAST({column} AS DATE)" if kind != "temporal" else f"CAST({column} AS DATE)"
        year = f"CAST(year({day}) AS STRING)"
        if step.to == "year":
            return year
        if step.to == "decade":
            return (f"CASE WHEN {day} IS NULL THEN NULL ELSE "
                    f"concat(CAST(CAST(floor(year({day}) / 10) * 10 AS BIGINT) AS STRING), 's') "
                    f"END")
        return (f"CASE WHEN {day} IS NULL THEN NULL ELSE "
                f"concat({year}, '-', lpad(CAST(month({day}) AS STRING), 2, '0')) END")
    if step.width is not None or step.bands is not None:
        value = f"TRY_CAST({column} AS DOUBLE)" if kind != "numeric" else \
            f"CAST({column} AS DOUBLE)"
        if step.width is not None:
            low = f"floor({value} / {step.width}) * {step.width}"
            return (f"CASE WHEN {value} IS NULL THEN NULL ELSE "
                    f"concat(CAST(CAST({low} AS BIGINT) AS STRING), '-', "
                    f"CAST(CAST({low} + {step.width - 1} AS BIGINT) AS STRING)) END")
        bands = list(step.bands or [])
        cases = [f"WHEN {value} IS NULL THEN NULL",
                 f"WHEN {value} < {_number(bands[0])} THEN "
                 f"{_sql_text(_band_label(None, bands[0]))}"]
        for low, high in zip(bands, bands[1:], strict=False):
            cases.append(f"WHEN {value} < {_number(high)} THEN "
                         f"{_sql_text(_band_label(low, high))}")
        cases.append(f"ELSE {_sql_text(_band_label(bands[-1], None))}")
        return "CASE " + " ".join(cases) + " END"
    if step.digits is not None:
        text = (f"lpad(CAST(CAST({column} AS BIGINT) AS STRING), 5, '0')" if kind == "numeric"
                else f"trim({_string(dialect, column)})")
        return f"left({text}, {step.digits})"
    mapping: Mapping[str, str] = us_region_map() if step.regions else (step.map or {})
    key = f"upper(trim({_string(dialect, column)}))" if step.regions else \
        f"trim({_string(dialect, column)})"
    cases = [f"WHEN {column} IS NULL THEN NULL"]
    cases += [f"WHEN {key} = {_sql_text(k)} THEN {_sql_text(v)}" for k, v in mapping.items()]
    return "CASE " + " ".join(cases) + f" ELSE {_sql_text(step.other)} END"


def _mask(dialect: Dialect, column: str, step: Mask) -> str:
    text = _string(dialect, column)
    keep = step.keep_first + step.keep_last
    all_masked = _regexp_replace(dialect, text, "[A-Za-z0-9]", step.char)
    middle = _regexp_replace(
        dialect, f"substr({text}, {step.keep_first + 1}, length({text}) - {keep})",
        "[A-Za-z0-9]", step.char)
    head = f"left({text}, {step.keep_first})" if step.keep_first else "''"
    tail = f"right({text}, {step.keep_last})" if step.keep_last else "''"
    return (f"CASE WHEN length({text}) <= {keep} THEN {all_masked} "
            f"ELSE concat({head}, {middle}, {tail}) END")


def _noise(dialect: Dialect, column: str, step: Noise) -> str:
    gaussian = ("randn()" if dialect == "spark"
                else "(sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()))")
    value = f"CAST({column} AS DOUBLE)"
    noisy = (f"{value} * (1 + {_number(step.scale)} * {gaussian})" if step.relative
             else f"{value} + {_number(step.scale)} * {gaussian}")
    if step.round is not None:
        noisy = f"round({noisy}, {step.round})"
    return f"CASE WHEN {column} IS NULL THEN NULL ELSE {noisy} END"


def _top_bottom(column: str, step: TopBottom) -> str:
    value = f"CAST({column} AS DOUBLE)"
    cases = [f"WHEN {column} IS NULL THEN NULL"]
    if step.low is not None:
        cases.append(f"WHEN {value} < {_number(step.low)} THEN {_number(step.low)}")
    if step.high is not None:
        cases.append(f"WHEN {value} > {_number(step.high)} THEN {_number(step.high)}")
    return "CASE " + " ".join(cases) + f" ELSE {value} END"


def expression(dialect: Dialect, column: str, step: Step, *, kind: str = "string",
               key: bytes | None = None, token_key: bytes | None = None) -> str | None:
    """The SQL expression for one column's step (``column`` already quoted); ``None`` for
    ``drop``. ``redact`` passes the text through for the Python stage. ``key`` and
    ``token_key`` are needed on Spark only (DuckDB reads them from connection variables)."""
    if isinstance(step, Drop):
        return None
    if isinstance(step, Keep | Redact):
        return column
    if isinstance(step, Pseudonym):
        return hmac_sql(dialect, normalized(dialect, column, step.normalize), key)
    if isinstance(step, Tokenize):
        return token_sql(dialect, column, step, token_key)
    if isinstance(step, Mask):
        return _mask(dialect, column, step)
    if isinstance(step, Generalize):
        return _generalize(dialect, column, step, kind)
    if isinstance(step, TopBottom):
        return _top_bottom(column, step)
    if isinstance(step, Noise):
        return _noise(dialect, column, step)
    raise AssertionError(f"no SQL for {step!r}")  # pragma: no cover


def finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)
