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


MESSY = ["", " ", "\t", " Alice@Example.COM\t", "\x1c bob \x1f", "x" * 55, "Y" * 56, "z" * 119,
         "ünïcødé@例え.jp ", "\u3000Ünï@x.de\u00a0", "İstanbul@x.tr", "MiXeD\r\n", None]


def test_the_kernel_normalises_as_python_does() -> None:
    """ASCII trimmed and lower-cased as it is read; anything else keyed in Python."""
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("numba")
    from steward.engines.consent.subjects import hmac_arrow

    want = [None if v is None else subject_hash(b"key", v) for v in MESSY]
    assert hmac_arrow(b"key", pa.array(MESSY), normalise=True).to_pylist() == want


def test_sql_normalises_as_python_does() -> None:
    """SQL's trim strips only spaces unless told which characters: every str.isspace one."""
    from steward.engines.consent.subjects import WHITESPACE, normalised_sql

    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == WHITESPACE
    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR)")
    plain = [v for v in MESSY if v is not None and v != "İstanbul@x.tr"]  # lower() differs there
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in plain])
    got = [r[0] for r in con.execute(f"SELECT {normalised_sql('s')} FROM t").fetchall()]
    assert got == [v.strip().lower() for v in plain]


@pytest.mark.parametrize("portable", [True, False])
def test_each_kernel_equals_python_hmac(portable: bool) -> None:
    """The portable compression and the one on the SHA extensions (where the CPU has them)."""
    np = pytest.importorskip("numpy")
    pytest.importorskip("numba")
    from steward.engines.consent import _sha256, _sha256_ni

    if not portable and not _sha256_ni.available():
        pytest.skip("this CPU has no SHA extensions")
    kernel = _sha256.hmac_rows if portable else _sha256_ni.hmac_rows
    values = [("x" * n).encode() for n in range(130)]
    data = np.frombuffer(b"".join(values), dtype=np.uint8)
    offsets = np.frombuffer(np.cumsum([0, *map(len, values)], dtype=np.int32).tobytes(),
                            dtype=np.int32)
    words = np.empty((4, len(values)), dtype=np.uint64)
    pending = np.zeros(len(values), dtype=np.uint8)
    inner, outer = _sha256.midstates(b"k" * 70)
    kernel(data, offsets, 0, len(values), inner, outer, words, False, pending)
    assert [w.astype(">u8").tobytes().hex() for w in words.T] == [
        hmac.new(b"k" * 70, v, hashlib.sha256).hexdigest() for v in values]


def test_key_words_are_the_hex_keys_words() -> None:
    """The integers the kernel path joins on equal those the snapshot derives in SQL."""
    pa = pytest.importorskip("pyarrow")
    pytest.importorskip("numba")
    from steward.engines.consent.subjects import key_words_arrow, key_words_sql

    words = key_words_arrow(b"key", pa.array(MESSY), normalise=True)
    con = duckdb.connect()
    con.register("t", pa.table({"h": [None if v is None else subject_hash(b"key", v)
                                      for v in MESSY]}))
    want = con.execute(f"SELECT {', '.join(key_words_sql('h'))} FROM t").fetchall()
    assert [tuple(w[i].as_py() for w in words) for i in range(len(MESSY))] == want
