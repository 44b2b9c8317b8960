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


@pytest.mark.parametrize("key", [b"k" * 44, b"short", b"long" * 40])
def test_compiled_kernel_equals_python_hmac(key: bytes) -> None:
    """Every length across the one- and two-block boundaries (55, 56, 64, 119 bytes), Unicode,
    nulls, a sliced array and a chunked one, on one thread and on several."""
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("numba")
    from steward.engines.consent.subjects import hmac_arrow

    values = ["", *("x" * n for n in range(1, 200)), *(i.strip().lower() for i in IDS), None,
              *(f"u{n}@example.com" for n in range(30_000))]
    want = [None if v is None else subject_hash(key, v) for v in values]
    array = pa.array(values, pa.string())
    for threads in (1, 3):
        assert hmac_arrow(key, array, threads=threads).to_pylist() == want
    assert hmac_arrow(key, array.slice(7, 100)).to_pylist() == want[7:107]
    chunked = pa.chunked_array([array.slice(0, 50), array.slice(50)])
    assert hmac_arrow(key, chunked).to_pylist() == want
    assert hmac_arrow(key, array.cast(pa.large_string())).null_count == 1
