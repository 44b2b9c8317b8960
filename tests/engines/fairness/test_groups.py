"""Roll-ups of cells into the groups of a scope."""

from __future__ import annotations

import numpy as np

from steward.engines.fairness._groups import group_sums


def test_group_sums_equal_add_at_for_counts_and_floats() -> None:
    rng = np.random.default_rng(4)
    index = rng.integers(0, 37, size=5000)
    counts = rng.integers(0, 1_000_000, size=5000)
    scores = rng.random(5000) * 1000
    for values in (counts, scores):
        expected = np.zeros(40, dtype=values.dtype)
        np.add.at(expected, index, values)
        summed = group_sums(index, values, 40)
        assert summed.dtype == values.dtype
        assert np.array_equal(summed, expected)  # bit for bit: the same order of additions
