"""Opening tables on DuckDB: sources, fingerprints, literals and bad input."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from steward.engines.backends import (
    COLUMN_NOT_FOUND,
    COLUMN_NOT_FOUND_HINT,
    FILE_NOT_FOUND,
    MIXED_FORMATS,
    NO_FILES_MATCH,
    UNKNOWN_BACKEND,
    UNSUPPORTED_FORMAT,
    UNSUPPORTED_SOURCE,
    Table,
    number_literal,
    open_table,
)
from steward.errors import InvalidInput

DATA = pa.table({"g": ["a", "b", None, "a"], "x": [1, 2, 3, 4], "f": [True, False, True, None]})


def total(table: Table) -> int:
    return table.query(f"SELECT SUM({table.quote('x')}) FROM {table.relation}")[0][0]


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    parquet = tmp_path / "one.parquet"
    pq.write_table(DATA, parquet)
    (tmp_path / "parts").mkdir()
    pq.write_table(DATA.slice(0, 2), tmp_path / "parts" / "p0.parquet")
    pq.write_table(DATA.slice(2), tmp_path / "parts" / "p1.parquet")
    csv = tmp_path / "one.csv"
    pacsv.write_csv(DATA, csv)
    return {"parquet": parquet, "dir": tmp_path / "parts", "csv": csv}


def test_files_are_read_in_place(files: dict[str, Path]) -> None:
    sources = [files["parquet"], str(files["csv"]), files["dir"],
               str(files["dir"] / "*.parquet"), [files["dir"] / "p0.parquet",
                                                  files["dir"] / "p1.parquet"]]
    for source in sources:
        with open_table(source) as table:
            assert total(table) == 10
            assert table.kinds["g"] == "string" and table.kinds["x"] == "numeric"


def test_in_memory_sources() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE people AS SELECT * FROM range(5) t(x)")
    for source, expected in [(DATA, 10), (DATA.to_pandas(), 10),
                             (duckdb.sql("SELECT 7 AS x"), 7)]:
        with open_table(source) as table:
            assert total(table) == expected
    with open_table("people", connection=con) as table:
        assert total(table) == 10
    assert con.execute("SELECT COUNT(*) FROM people").fetchone() == (5,)  # still open


def test_fingerprint_hashes_files(files: dict[str, Path]) -> None:
    with open_table(files["parquet"]) as table:
        fingerprint = table.fingerprint(rows=4)
    assert fingerprint.sha256 == hashlib.sha256(files["parquet"].read_bytes()).hexdigest()
    assert fingerprint.columns == (("g", "VARCHAR"), ("x", "BIGINT"), ("f", "BOOLEAN"))
    with open_table(files["dir"]) as table:
        many = table.fingerprint(rows=4)
    lines = "".join(f"{f.sha256}  {f.path}\n" for f in many.files)
    assert len(many.files) == 2
    assert many.sha256 == hashlib.sha256(lines.encode()).hexdigest()
    with open_table(files["parquet"], hash_files=False) as table:
        assert table.fingerprint(rows=4).sha256 is None
    with open_table(DATA) as table:
        assert table.fingerprint(rows=4).to_dict()["sha256"] is None


@pytest.mark.parametrize("value", [0.1, 0.30000000000000004, 1e-300, -2.5e17, 52.0])
def test_number_literal_is_exact(value: float) -> None:
    assert duckdb.connect().execute(f"SELECT {number_literal(value)}").fetchone() == (value,)


def test_bad_files(tmp_path: Path, files: dict[str, Path]) -> None:
    missing = tmp_path / "absent.parquet"
    with pytest.raises(InvalidInput) as error:
        open_table(missing)
    assert str(error.value) == FILE_NOT_FOUND.format(path=missing)
    with pytest.raises(InvalidInput) as error:
        open_table(str(tmp_path / "nothing*.parquet"))
    assert str(error.value) == NO_FILES_MATCH.format(pattern=tmp_path / "nothing*.parquet")
    notes = tmp_path / "notes.json"
    notes.write_text("{}")
    with pytest.raises(InvalidInput) as error:
        open_table(notes)
    assert str(error.value) == UNSUPPORTED_FORMAT.format(path=notes)
    with pytest.raises(InvalidInput) as error:
        open_table([files["parquet"], files["csv"]])
    assert str(error.value) == MIXED_FORMATS.format(
        pattern=f"{files['parquet']}, {files['csv']}")
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InvalidInput) as error:
        open_table(broken)
    assert str(error.value).startswith(f"cannot read {broken}: ")
    assert "\n" not in str(error.value)


def test_malformed_csv_is_reported_on_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("g,x\na,1\nb,2\n" + "c,not a number\n" * 3000)
    with open_table(bad) as table:
        # The sniffer may type x as text; the decision check then names the column.
        assert table.kinds["x"] in ("string", "numeric")
    bad.write_bytes(b"g,x\n\xff\xfe\x00\x01,1\n")
    with pytest.raises(InvalidInput) as error, open_table(bad) as table:
        table.query(f"SELECT COUNT(*) FROM {table.relation}")
    assert str(error.value).startswith(f"cannot read {bad}") or \
        str(error.value).startswith(f"reading {bad} failed")
    assert "\n" not in str(error.value)


def test_unknown_columns_are_named(files: dict[str, Path]) -> None:
    with open_table(files["parquet"]) as table:
        table.require_columns(["g", "x"])
        with pytest.raises(InvalidInput) as error:
            table.require_columns(["xx"])
        assert str(error.value) == COLUMN_NOT_FOUND_HINT.format(
            column="xx", source=files["parquet"], hint="x")
        with pytest.raises(InvalidInput) as error:
            table.require_columns(["income"])
        assert str(error.value) == COLUMN_NOT_FOUND.format(
            column="income", source=files["parquet"], available="g, x, f")


def test_unknown_backend_and_source() -> None:
    with pytest.raises(InvalidInput) as error:
        open_table(DATA, backend="polars")  # type: ignore[arg-type]
    assert str(error.value) == UNKNOWN_BACKEND.format(backend="polars")
    with pytest.raises(InvalidInput) as error:
        open_table({"x": [1]})
    assert str(error.value) == UNSUPPORTED_SOURCE.format(kind="builtins dict", spark="")


def test_duckdb_path_imports_no_spark_or_scipy(files: dict[str, Path]) -> None:
    code = (
        "import sys\n"
        "from steward.engines.fairness import audit_fairness\n"
        f"audit_fairness({str(files['parquet'])!r}, groups=['g'], decision='f')\n"
        "heavy = [m for m in ('pyspark', 'scipy', 'pandas', 'sklearn') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_pandas_is_accepted_without_being_required() -> None:
    frame = pd.DataFrame({"x": [1, 2]})
    with open_table(frame) as table:
        assert total(table) == 3


def test_duckdb_tracks_progress_without_printing_a_bar() -> None:
    with open_table(DATA) as table:
        settings = table.query(
            "SELECT current_setting('enable_progress_bar'), "
            "current_setting('enable_progress_bar_print')")
    assert settings == [(True, False)]


def test_an_empty_file_is_refused_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from steward.engines.backends import open_table
    from steward.errors import InvalidInput

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match="the file is empty"):
        open_table(str(empty))


def test_an_unreadable_file_stops_its_digest(tmp_path: Path) -> None:
    """The SHA-256 starts before DuckDB opens the files; when they cannot be opened, the
    digest thread is stopped and joined rather than left hashing in the background."""
    import threading

    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet" * 1000)
    with pytest.raises(InvalidInput):
        open_table(broken)
    assert not [t for t in threading.enumerate() if t.name == "steward-sha256"]


def test_a_cancelled_digest_stops_between_chunks(tmp_path: Path) -> None:
    import threading

    from steward.engines.backends._files import BackgroundDigests, _Cancelled, sha256_file

    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (9 << 20))  # three chunks
    stop = threading.Event()
    stop.set()
    with pytest.raises(_Cancelled):
        sha256_file(big, stop=stop)
    digests = BackgroundDigests([big])
    digests.cancel()
    assert not any(t.name == "steward-sha256" for t in threading.enumerate())
    assert sha256_file(big).sha256 == hashlib.sha256(big.read_bytes()).hexdigest()


@pytest.mark.parametrize("select", [
    "SELECT 'a' AS s, 1 AS i, 1.5::DOUBLE AS d, true AS b UNION ALL "
    "SELECT NULL, NULL, NULL, NULL",  # numpy's conversion: the same values
    "SELECT 1.50::DECIMAL(4, 2) AS m, DATE '2026-12-05' AS day, "
    "TIMESTAMP '2026-12-05 10:00:00' AS at, 170141183460469231731687303715884105727::HUGEINT "
    "AS big",  # row by row
    "SELECT 'a' AS s, 1 AS i WHERE false",  # no rows
])
def test_query_columns_are_query_transposed(select: str) -> None:
    with open_table(pa.table({"x": [1]})) as table:
        rows = table.query(select)
        columns = table.query_columns(select)
    width = len(rows[0]) if rows else 2
    assert columns == [[row[i] for row in rows] for i in range(width)]
    for column, expected in zip(columns, zip(*rows, strict=True), strict=False):
        assert [type(value) for value in column] == [type(value) for value in expected]


def test_prepare_results_loads_what_a_result_with_nulls_needs(tmp_path: Path) -> None:
    """DuckDB hands a column holding NULLs over as a masked array; preparing imports numpy.ma
    ahead of the result (checked in a fresh process, where nothing imported it yet)."""
    path = tmp_path / "nulls.parquet"
    pq.write_table(pa.table({"x": [1, None]}), path)
    code = (
        "import sys\n"
        "from steward.engines.backends import open_table\n"
        f"with open_table({str(path)!r}) as table:\n"
        "    assert 'numpy.ma' not in sys.modules\n"
        "    table.prepare_results()\n"
        "    assert 'numpy.ma' in sys.modules\n"
        "    assert table.query_columns(f'SELECT x FROM {table.relation}') == [[1, None]]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
