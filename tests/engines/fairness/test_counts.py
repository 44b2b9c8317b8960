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
