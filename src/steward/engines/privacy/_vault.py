"""The token vault: what makes a ``tokenize`` column reversible, for the people allowed to.

A ``tokenize`` step writes ``tok_`` and 32 hex characters of HMAC-SHA256 of the value under the
*token key* — deterministic per key and one-to-one, like a keyed pseudonym, and computed by the
same SQL (:func:`._sql.token_sql`). Each run that tokenizes also writes a **vault file**: one
entry per distinct (token, column) with the value sealed by AES-256-GCM. Revealing a token
reads the entry back and opens it; who may do that, and the audit entry each reveal leaves, is
the service's business (:mod:`steward.services.privacy`).

Keys. One vault secret (never the pseudonym key, never in a plan) gives, by HKDF-SHA256 with
distinct labels, the token key, the encryption key and a public key id (12 hex). Every run
draws a random run id; its entries are sealed with a run key derived from the encryption key
and that id, so the AES-GCM limit of 2^32 random nonces applies per run, not over the life of
the vault. Each entry's additional data is its token, so an entry cannot be moved under another
token without failing to open. Pseudonyms stay irreversible: their key is another secret, and
a token (``tok_``…) is never equal to a pseudonym of the same value.

Why a Parquet file per run, not a database table. A run over 100 million customers has up to
100 million entries: inserting them through the ORM would take hours and swell the governance
database (SQLite by default), while a Parquet file is written while the data streams past,
at about a microsecond per distinct value for the encryption (one core, measured on e-mail
addresses; on Spark it runs on the executors). Entries are sorted by token in row groups of
65,536, so a reveal reads only the row groups whose token range holds the token asked for. A
run's vault file lies beside its output in the data directory, is backed up with it, and
deleting it makes that run's tokens irreversible (crypto-shredding by file). What the database
keeps is the audit trail: the run (with its vault file) and every reveal.

Vault file columns: ``token``, ``column``, ``run``, ``key_id``, ``sealed`` (12-byte nonce,
ciphertext, 16-byte tag).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from steward.engines.backends import Table
from steward.engines.privacy._plan import Plan, Tokenize
from steward.engines.privacy._sql import TOKEN_HEX, TOKEN_PREFIX, normalized, token_sql
from steward.errors import InvalidInput, NotFound

NONCE_BYTES = 12
BATCH_ROWS = 65_536
VAULT_COLUMNS = ("token", "column", "run", "key_id", "sealed")
BAD_TOKEN = "{token!r} is not a vault token (tok_ and 32 lower-case hex digits)"
UNKNOWN_TOKENS = "no vault entry for {tokens}"
OTHER_KEY = ("{token} was made with vault key {key_id}, not the key in use ({current}); "
             "restore that key to reveal it")
BROKEN_ENTRY = ("the vault entry for {token} in {file} does not open with the vault key "
                "(the file was altered or copied from another vault)")
NO_VAULT = "the plan tokenizes {columns} but no vault was given"
VAULT_EXISTS = "the vault file {path} already exists"
_TOKEN = re.compile(rf"^{TOKEN_PREFIX}[0-9a-f]{{{TOKEN_HEX}}}$")
_LABELS = {"token": b"steward vault token key", "encryption": b"steward vault encryption key",
           "id": b"steward vault key id"}


def _hkdf(secret: bytes, info: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


@dataclass(frozen=True)
class VaultKey:
    """The keys derived from the vault secret (the secret itself is not kept)."""

    token_key: bytes = field(repr=False)
    encryption_key: bytes = field(repr=False)
    key_id: str

    @classmethod
    def derive(cls, secret: bytes) -> VaultKey:
        if not secret:
            raise InvalidInput("the vault key is empty")
        return cls(token_key=_hkdf(secret, _LABELS["token"]),
                   encryption_key=_hkdf(secret, _LABELS["encryption"]),
                   key_id=_hkdf(secret, _LABELS["id"]).hex()[:12])

    def run_key(self, run: str) -> bytes:
        """The AES-256-GCM key of one run's entries."""
        return _hkdf(self.encryption_key, b"steward vault run " + run.encode("ascii"))


@dataclass(frozen=True)
class VaultTarget:
    """Where one run writes its vault entries, and with which key."""

    key: VaultKey
    path: Path
    run: str = field(default_factory=lambda: os.urandom(16).hex())


@dataclass(frozen=True)
class Revealed:
    """One token opened: the value it stands for, the column and the vault file it came from."""

    token: str
    value: str
    column: str
    file: str


def vault_token(key: VaultKey, value: str) -> str:
    """The token the SQL computes for an already normalized value."""
    import hashlib
    import hmac

    digest = hmac.new(key.token_key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return TOKEN_PREFIX + digest[:TOKEN_HEX]


def check_token(text: str) -> str:
    """A token as given (surrounding blanks removed), or one-line :class:`InvalidInput`."""
    token = (text or "").strip()
    if not _TOKEN.match(token):
        raise InvalidInput(BAD_TOKEN.format(token=token[:60]))
    return token


def seal(run_key: bytes, tokens: Sequence[str], values: Sequence[str]) -> list[bytes]:
    """Each value encrypted with AES-256-GCM under ``run_key``, its token as additional data."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    encrypt = AESGCM(run_key).encrypt
    nonces = os.urandom(NONCE_BYTES * len(tokens))
    sealed = []
    for i, (token, value) in enumerate(zip(tokens, values, strict=True)):
        nonce = nonces[i * NONCE_BYTES:(i + 1) * NONCE_BYTES]
        sealed.append(nonce + encrypt(nonce, value.encode("utf-8"), token.encode("ascii")))
    return sealed


def unseal(run_key: bytes, token: str, sealed: bytes) -> str | None:
    """The value of one entry, or ``None`` when it does not open (wrong key, altered)."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        plain = AESGCM(run_key).decrypt(bytes(sealed[:NONCE_BYTES]), bytes(sealed[NONCE_BYTES:]),
                                        token.encode("ascii"))
    except (InvalidTag, ValueError):
        return None
    return plain.decode("utf-8")


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def vault_sql(table: Table, plan: Plan, *, token_key: bytes | None = None) -> str:
    """One SELECT of the distinct (token, column, value) of every tokenized column, by token."""
    q = table.quote
    parts = []
    for column in plan.using("tokenize"):
        step = plan.columns[column]
        assert isinstance(step, Tokenize)
        value = normalized(table.backend, q(column), step.normalize)
        token = token_sql(table.backend, q(column), step, token_key)
        parts.append(f"SELECT DISTINCT {token} AS {q('token')}, {_sql_text(column)} AS "
                     f"{q('column')}, {value} AS {q('value')} FROM {table.relation} "
                     f"WHERE {q(column)} IS NOT NULL")
    union = " UNION ALL ".join(parts)
    return f"SELECT * FROM ({union}) AS entries ORDER BY {q('token')}"


def vault_schema() -> Any:
    import pyarrow as pa

    return pa.schema([("token", pa.string()), ("column", pa.string()), ("run", pa.string()),
                      ("key_id", pa.string()), ("sealed", pa.binary())])


def sealer(target: VaultTarget) -> Any:
    """A function from record batches of (token, column, value) to vault entry batches (a plain
    closure over the run key, so Spark can ship it to its executors)."""
    run_key, run, key_id = target.key.run_key(target.run), target.run, target.key.key_id

    def seal_batch(batch: Any) -> Any:
        import pyarrow as pa

        tokens = batch.column(0).to_pylist()
        values = batch.column(2).to_pylist()
        rows = len(tokens)
        return pa.RecordBatch.from_arrays(
            [batch.column(0).cast(pa.string()), batch.column(1).cast(pa.string()),
             pa.array([run] * rows, pa.string()), pa.array([key_id] * rows, pa.string()),
             pa.array(seal(run_key, tokens, values), pa.binary())], schema=vault_schema())

    return seal_batch


def write_vault_duckdb(con: Any, sql: str, target: VaultTarget, *,
                       batch_rows: int = BATCH_ROWS) -> int:
    """Stream the entries of ``sql`` (DuckDB, key variables already set) into the vault file."""
    import pyarrow.parquet as pq

    seal_batch = sealer(target)
    entries = 0
    with pq.ParquetWriter(str(target.path), vault_schema(), compression="zstd") as writer:
        for batch in con.sql(sql).to_arrow_reader(batch_rows):
            if batch.num_rows:
                writer.write_batch(seal_batch(batch))
                entries += batch.num_rows
    return entries


def write_vault_spark(session: Any, sql: str, target: VaultTarget) -> int:
    """The same on Spark: sealed on the executors, written as a directory of Parquet parts."""
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    seal_batch = sealer(target)

    def run(batches: Iterable[Any]) -> Iterator[Any]:
        for batch in batches:
            yield seal_batch(batch)

    schema = StructType([StructField(n, BinaryType() if n == "sealed" else StringType(), True)
                         for n in VAULT_COLUMNS])
    session.sql(sql).mapInArrow(run, schema).write.parquet(str(target.path))
    return int(session.read.parquet(str(target.path)).count())


def vault_files(folder: Path) -> list[Path]:
    """Every vault Parquet file (or Spark part) under ``folder``."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*.parquet") if p.is_file())


def _entries(files: Sequence[Path], tokens: Sequence[str]) -> list[tuple[Any, ...]]:
    import duckdb

    listing = "[" + ", ".join(_sql_text(str(f)) for f in files) + "]"
    wanted = ", ".join(_sql_text(t) for t in tokens)  # checked: tok_ and hex only
    con = duckdb.connect()
    try:
        return con.execute(
            f'SELECT token, "column", run, key_id, sealed, filename FROM read_parquet('
            f"{listing}, filename = true) WHERE token IN ({wanted}) ORDER BY filename"
        ).fetchall()
    except duckdb.Error as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InvalidInput(f"the vault cannot be read: {first}") from None
    finally:
        con.close()


def reveal(files: Sequence[Path], tokens: Sequence[str], key: VaultKey) -> list[Revealed]:
    """The values behind ``tokens`` (each checked, duplicates once), in the order asked.

    Raises :class:`InvalidInput` for a malformed token, a token made with another vault key or
    an entry that does not open; :class:`NotFound` naming the tokens no vault file holds.
    Nothing is returned unless every token opens.
    """
    wanted = list(dict.fromkeys(check_token(t) for t in tokens))
    if not wanted:
        raise InvalidInput("name at least one token to reveal")
    rows = _entries(files, wanted) if files else []
    found: dict[str, tuple[Any, ...]] = {}
    foreign: dict[str, str] = {}
    for row in rows:
        if row[3] == key.key_id:
            found.setdefault(row[0], row)
        else:
            foreign.setdefault(row[0], row[3])
    missing = [t for t in wanted if t not in found]
    for token in missing:
        if token in foreign:
            raise InvalidInput(OTHER_KEY.format(token=token, key_id=foreign[token],
                                                current=key.key_id))
    if missing:
        raise NotFound(UNKNOWN_TOKENS.format(tokens=", ".join(missing)))
    run_keys: dict[str, bytes] = {}
    out = []
    for token in wanted:
        _, column, run, _, sealed, filename = found[token]
        run_key = run_keys.setdefault(run, key.run_key(run))
        value = unseal(run_key, token, sealed)
        if value is None:
            raise InvalidInput(BROKEN_ENTRY.format(token=token, file=Path(filename).name))
        out.append(Revealed(token=token, value=value, column=column, file=filename))
    return out
