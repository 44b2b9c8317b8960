"""Subject keys: the SQL HMAC is bit for bit Python's HMAC-SHA256, on DuckDB."""

import hashlib
import hmac

import duckdb
import pytest

from steward.engines.consent.subjects import hmac_sql, subject_hash

IDS = ["Alice@Example.com ", "bob", "ünïcødé@例え.jp", "x" * 300]


@pytest.mark.parametrize("key", [b"k" * 32, b"short", b"long" * 40])
def test_duckdb_hmac_equals_python_hmac(key: bytes) -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[i] for i in IDS])
    got = [r[0] for r in con.execute(f"SELECT {hmac_sql(key, 's')} FROM t").fetchall()]
    want = [hmac.new(key, i.strip().lower().encode(), hashlib.sha256).hexdigest() for i in IDS]
    assert got == want == [subject_hash(key, i) for i in IDS]
