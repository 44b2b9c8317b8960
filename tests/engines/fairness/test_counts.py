"""The one pass's calibration bin is scikit-learn's, exactly, for every kind of score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from steward.engines.backends import open_table
from steward.engines.fairness._counts import (
    CALIBRATION_BINS,
    NO_BIN,
    CountSpec,
    calibration_edges,
    read_cells,
)


def tricky_scores() -> list[float | None]:
    """Every edge, its neighbours one and two ulps away, and the values outside [0, 1]."""
    edges = calibration_edges().tolist()
    values: list[float | None] = [None, float("nan"), float("inf"), float("-inf"), -0.0, 0.0,
                                  -1e-300, 5e-324, -5e-324, 1.5, 2.0, -0.05, -0.1, -7.0, 1e300,
                                  -1e300, 0.30000000000000004, 0.7000000000000001]
    for edge in edges + [i / 10 for i in range(11)] + [i * 0.1 for i in range(11)]:
        low = high = edge
        for _ in range(3):
            values += [low, high]
            low, high = np.nextafter(low, -np.inf), np.nextafter(high, np.inf)
    rng = np.random.default_rng(1)
    values += rng.random(2_000).tolist() + np.round(rng.random(1_000), 3).tolist()
    return values


def expected_bins(scores: list[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bin (``searchsorted`` on the inner edges), NO_BIN when unscored, and
    whether the score lies outside [0, 1]."""
    inner = calibration_edges()[1:-1]
    bins, outside = [], []
    for s in scores:
        if s is None or np.isnan(s):
            bins.append(NO_BIN)
            outside.append(False)
            continue
        bins.append(int(np.clip(np.searchsorted(inner, s), 0, CALIBRATION_BINS - 1)))
        outside.append(bool(s < 0 or s > 1))
    return np.array(bins), np.array(outside)


def check(table: Any, scores: list[float | None]) -> None:
    spec = CountSpec(groups=("i",), decision="d", score="s")
    cells = read_cells(table, spec)
    order = np.argsort(np.array([row[0] for row in cells.values]))
    bins, outside = expected_bins(scores)
    assert cells.bins[order].tolist() == bins.tolist()
    assert (cells.counts["score_outside"][order] > 0).tolist() == outside.tolist()


def test_calibration_bin_is_exact_on_duckdb() -> None:
    scores = tricky_scores()
    data = pa.table({"i": np.arange(len(scores)), "d": np.ones(len(scores), dtype=np.int8),
                     "s": pa.array(scores, pa.float64(), from_pandas=True)})
    with open_table(data) as table:
        check(table, scores)


def test_calibration_bin_of_integer_scores() -> None:
    scores = [-3, -1, 0, 1, 2, None]
    data = pa.table({"i": np.arange(len(scores)), "d": np.ones(len(scores), dtype=np.int8),
                     "s": pa.array(scores, pa.int64())})
    with open_table(data) as table:
        check(table, [None if s is None else float(s) for s in scores])


@pytest.mark.spark
def test_calibration_bin_is_exact_on_spark(spark: Any) -> None:
    scores = tricky_scores()
    data = pa.table({"i": np.arange(len(scores)), "d": np.ones(len(scores), dtype=np.int8),
                     "s": pa.array(scores, pa.float64(), from_pandas=True)})
    with open_table(data.to_pandas(), backend="spark", spark=spark) as table:
        check(table, scores)


class CountingTable:
    """A table that counts the queries run on it (the cheap pass, or it and the exact one)."""

    def __init__(self, table: Any) -> None:
        self.table, self.queries = table, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)

    def query(self, sql: str, **options: Any) -> Any:
        self.queries += 1
        return self.table.query(sql, **options)

    def query_columns(self, sql: str, **options: Any) -> Any:
        self.queries += 1
        return self.table.query_columns(sql, **options)


def per_group_bin(cells: Any) -> dict[tuple[Any, int], tuple[int, int]]:
    """Rows and rows outside [0, 1] per (group, bin), summed over the cells."""
    out: dict[tuple[Any, int], tuple[int, int]] = {}
    for i, value in enumerate(cells.values):
        key = (value[0], int(cells.bins[i]))
        rows, outside = out.get(key, (0, 0))
        out[key] = (rows + int(cells.counts["rows"][i]),
                    outside + int(cells.counts["score_outside"][i]))
    return out


def expected_per_group_bin(groups: list[int], scores: list[float | None]) -> dict[
    tuple[Any, int], tuple[int, int]
]:
    bins, outside = expected_bins(scores)
    out: dict[tuple[Any, int], tuple[int, int]] = {}
    for group, b, o in zip(groups, bins.tolist(), outside.tolist(), strict=True):
        rows, n_out = out.get((group, b), (0, 0))
        out[(group, b)] = (rows + 1, n_out + int(o))
    return out


def shared_cells(scores: list[float | None], groups: int = 3) -> pa.Table:
    """Many scores per group, so that the pass's cells hold scores of several values."""
    return pa.table({"g": np.arange(len(scores)) % groups,
                     "d": np.ones(len(scores), dtype=np.int8),
                     "s": pa.array(scores, pa.float64(), from_pandas=True)})


def nice_scores() -> list[float | None]:
    """Decimal scores, missing ones and ones outside [0, 1]: no cell of the cheap pass holds
    two bins. (Those that do: an edge within rounding of ``CEIL(s * 10)``, such as ``3 * 0.1``,
    or a score in (-0.1, 0) beside a 0 — both keyed 0.)"""
    rng = np.random.default_rng(2)
    return ([None, float("nan"), float("inf"), float("-inf"), -0.0, 0.0, 1.0, 1e300, -1e300,
             -0.1, -0.15, 1.05, 2.5, 5e-324, 1 + 2**-52]
            + [k / 1000 for k in range(-250, -99)] + [k / 1000 for k in range(0, 1051)]
            + [k / 10 for k in range(-3, 14) if k != 0] + rng.random(3_000).tolist())


def check_shared(table: Any, scores: list[float | None], *, queries: int) -> None:
    counting = CountingTable(table)
    cells = read_cells(counting, CountSpec(groups=("g",), decision="d", score="s"))
    groups = (np.arange(len(scores)) % 3).tolist()
    assert per_group_bin(cells) == expected_per_group_bin(groups, scores)
    assert counting.queries == queries


def test_cheap_pass_bins_decimal_scores_exactly_in_one_query() -> None:
    scores = nice_scores()
    with open_table(shared_cells(scores)) as table:
        check_shared(table, scores, queries=1)


def test_a_cell_straddling_two_bins_runs_the_exact_pass() -> None:
    for odd in ([0.30000000000000004], [0.7000000000000001], [-0.05], [-5e-324]):
        scores = nice_scores() + odd * 3
        with open_table(shared_cells(scores)) as table:
            check_shared(table, scores, queries=2)
    scores = tricky_scores()
    with open_table(shared_cells(scores)) as table:
        check_shared(table, scores, queries=2)


@pytest.mark.spark
def test_cheap_pass_on_spark(spark: Any) -> None:
    scores = nice_scores()
    with open_table(shared_cells(scores).to_pandas(), backend="spark", spark=spark) as table:
        check_shared(table, scores, queries=1)
    scores = tricky_scores()
    with open_table(shared_cells(scores).to_pandas(), backend="spark", spark=spark) as table:
        check_shared(table, scores, queries=2)


def decisions_file(tmp_path: Any, *, name: str = "decisions.parquet", **columns: Any) -> Any:
    import pyarrow.parquet as pq

    rng = np.random.default_rng(9)
    n = 3_000
    data = {"g": pa.array(rng.choice(["a", "b", None], n)),
            "d": pa.array(rng.integers(0, 2, n), pa.int8()),
            "y": pa.array(rng.integers(0, 2, n), pa.int8()),
            "s": pa.array(np.round(rng.random(n), 3))}
    data.update(columns)
    path = tmp_path / name
    pq.write_table(pa.table(data), path, row_group_size=1_000)
    return path


def cells_as_dict(cells: Any) -> dict[Any, dict[str, Any]]:
    out: dict[Any, dict[str, Any]] = {}
    for i, value in enumerate(cells.values):
        entry = out.setdefault((value, int(cells.bins[i])), {})
        for name, counts in cells.counts.items():
            entry[name] = entry.get(name, 0) + counts[i]
    return out


def test_a_proven_binary_decision_and_label_share_one_key(tmp_path: Any) -> None:
    """Parquet statistics that prove the decision and the label 0/1 without NULLs let the pass
    group by one key for both, and scores proven in [0, 1] need only their maxima; the cells
    are the same as with two keys and both extremes."""
    import pyarrow.parquet as pq

    from steward.engines.fairness._query import PassPlan, plan_pass, run_pass

    spec = CountSpec(groups=("g",), decision="d", label="y", score="s")
    path = decisions_file(tmp_path)
    with open_table(path) as table:
        stats = table.column_statistics(["d", "y", "s", "g", "nope"])
        assert stats["d"].no_nulls and (stats["d"].low, stats["d"].high) == (0, 1)
        assert 0 <= stats["s"].low <= stats["s"].high <= 1
        assert not stats["g"].no_nulls and "nope" not in stats
        first = run_pass(table, spec)
        assert first.plan == PassPlan(packed=True, upper_only=True)
        packed = read_cells(table, spec, first=first)
    with open_table(pq.read_table(path)) as table:  # Arrow: no statistics
        assert plan_pass(table, spec) == PassPlan()
        plain = read_cells(table, spec)
    expected = cells_as_dict(plain)
    assert cells_as_dict(packed).keys() == expected.keys()
    for key, entry in cells_as_dict(packed).items():
        for name, value in entry.items():
            assert value == pytest.approx(expected[key][name], rel=1e-12), name


@pytest.mark.parametrize("column", [
    pa.array([0, 1, None] * 1_000, pa.int8()),  # a NULL
    pa.array([0, 1, 2] * 1_000, pa.int8()),  # not 0/1
    pa.array([0.0, 1.0, 1.0] * 1_000),  # floating: statistics cannot prove 0/1
])
def test_statistics_that_prove_nothing_keep_two_keys(tmp_path: Any, column: Any) -> None:
    from steward.engines.fairness._query import plan_pass

    spec = CountSpec(groups=("g",), decision="d", label="y")
    with open_table(decisions_file(tmp_path, y=column)) as table:
        assert not plan_pass(table, spec).packed


def test_boolean_columns_without_nulls_are_binary(tmp_path: Any) -> None:
    from steward.engines.fairness._query import plan_pass

    path = decisions_file(tmp_path, d=pa.array([True, False, True] * 1_000),
                          y=pa.array([True, None, False] * 1_000))
    spec = CountSpec(groups=("g",), decision="d", label="y")
    with open_table(path) as table:
        stats = table.column_statistics(["d", "y"])
        assert stats["d"].no_nulls and not stats["y"].no_nulls
        assert not plan_pass(table, spec).packed
    csv = tmp_path / "decisions.csv"
    csv.write_text("g,d,y\na,0,1\nb,1,0\n")
    with open_table(csv) as table:
        assert table.column_statistics(["d", "y"]) == {}


def test_packed_boolean_keys(tmp_path: Any) -> None:
    from steward.engines.fairness._query import run_pass

    path = decisions_file(tmp_path, d=pa.array([True, False, True] * 1_000),
                          y=pa.array([True, True, False] * 1_000))
    spec = CountSpec(groups=("g",), decision="d", label="y")
    with open_table(path) as table:
        first = run_pass(table, spec)
        assert first.plan.packed
        cells = read_cells(table, spec, first=first)
    assert int(cells.counts["selected"].sum()) == 2_000
    assert int(cells.counts["tp"].sum()) == 1_000
    assert int(cells.counts["positives"].sum()) == 2_000


def unit_scores() -> list[float | None]:
    """Tricky scores within [0, 1] (edges and their neighbours, decimals), NULL and NaN."""
    return [s for s in tricky_scores() if s is None or s != s or 0 <= s <= 1]


def test_scores_proven_in_the_unit_interval_are_binned_exactly_from_maxima(
        tmp_path: Any) -> None:
    """With the scores' statistics in [0, 1], the pass keys them by CEIL(s * 9.999999999999)
    and returns only each cell's largest score: every bin is still numpy's, exactly; cells whose
    largest score lies within ~1e-13 above an edge run the exact pass."""
    import pyarrow.parquet as pq

    from steward.engines.fairness._query import run_pass

    scores = unit_scores()
    table_data = shared_cells(scores)
    path = tmp_path / "unit.parquet"
    pq.write_table(table_data, path, row_group_size=1_000)
    spec = CountSpec(groups=("g",), decision="d", score="s")
    with open_table(path) as table:
        assert run_pass(table, spec).plan.upper_only
        counting = CountingTable(table)
        cells = read_cells(counting, spec)
    groups = (np.arange(len(scores)) % 3).tolist()
    assert per_group_bin(cells) == expected_per_group_bin(groups, scores)
    assert counting.queries == 2  # an edge's upper neighbour is there: the exact pass ran
    decimal = [s for s in nice_scores() if s is None or s != s or 0 <= s <= 1]
    path = tmp_path / "decimal.parquet"
    pq.write_table(shared_cells(decimal), path, row_group_size=1_000)
    with open_table(path) as table:
        counting = CountingTable(table)
        cells = read_cells(counting, spec)
    groups = (np.arange(len(decimal)) % 3).tolist()
    assert per_group_bin(cells) == expected_per_group_bin(groups, decimal)
    assert counting.queries == 1  # decimal scores, edges included: one pass


def test_scores_outside_the_unit_interval_keep_both_extremes(tmp_path: Any) -> None:
    import pyarrow.parquet as pq

    from steward.engines.fairness._query import plan_pass

    path = tmp_path / "wide.parquet"
    pq.write_table(shared_cells([0.5, 1.5, 0.2]), path)
    with open_table(path) as table:
        assert not plan_pass(table, CountSpec(groups=("g",), decision="d", score="s")).upper_only
