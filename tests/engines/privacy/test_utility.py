"""The utility summary's PSI and Jensen-Shannon distance per column equal NumPy's PSI and
``scipy.spatial.distance.jensenshannon(base=2)`` by the drift engine's definitions (reference
deciles as bins, categories, proportions floored at 1e-4), to 1e-6."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy.spatial.distance import jensenshannon

from steward.engines.backends import open_table
from steward.engines.privacy import anonymize_table, parse_plan, utility

FLOOR = 1e-4


def _numeric(before: list[float | None], after: list[float | None]) -> tuple[float, float]:
    ref = np.array([v for v in before if v is not None and np.isfinite(v)], dtype=float)
    cur = np.array([v for v in after if v is not None and np.isfinite(v)], dtype=float)
    edges = np.quantile(ref, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    bins = np.concatenate(([-np.inf], edges, [np.inf]))
    pairs = list(zip(bins[:-1], bins[1:], strict=True))
    p = np.array([np.sum((ref > lo) & (ref <= hi)) for lo, hi in pairs]) / len(ref)
    q = np.array([np.sum((cur > lo) & (cur <= hi)) for lo, hi in pairs]) / len(cur)
    return _measures(p, q)


def _categorical(before: list[object], after: list[object]) -> tuple[float, float]:
    ref = [str(v) for v in before if v is not None]
    cur = [str(v) for v in after if v is not None]
    names = sorted(set(ref) | set(cur))
    p = np.array([ref.count(n) for n in names]) / len(ref)
    q = np.array([cur.count(n) for n in names]) / len(cur)
    return _measures(p, q)


def _measures(p: np.ndarray, q: np.ndarray) -> tuple[float, float]:
    p, q = np.maximum(p, FLOOR), np.maximum(q, FLOOR)
    return float(np.sum((q - p) * np.log(q / p))), float(jensenshannon(p, q, base=2))


@pytest.fixture
def table() -> pa.Table:
    rng = np.random.default_rng(7)
    n = 4000
    region = rng.choice(["north", "south", "east", "west", "island"], n,
                        p=[0.4, 0.3, 0.2, 0.0985, 0.0015])
    age = rng.integers(18, 90, n)
    income = rng.lognormal(10.5, 0.6, n).round(0)
    spend = rng.normal(300, 80, n)
    spend[::97] = np.nan
    return pa.table({"region": region, "age": age, "income": income,
                     "spend": pa.array([None if i % 50 == 0 else v for i, v in enumerate(spend)],
                                       pa.float64()),
                     "segment": rng.choice(["a", "b", "c"], n), "email": [
                         f"p{i}@example.com" for i in range(n)]})


def test_psi_and_js_equal_numpy_and_scipy(table: pa.Table, tmp_path: Path) -> None:
    plan = parse_plan({
        "k": 20, "quasi_identifiers": ["region", "age"], "suppress_small_classes": True,
        "columns": {"age": {"transform": "generalize", "width": 10},
                    "income": {"transform": "top_bottom", "low": 20000, "high": 60000},
                    "email": {"transform": "pseudonym"}}})
    done = anonymize_table(table, plan, out=tmp_path / "out.parquet", key=b"k" * 32)
    after = pq.read_table(done.output)
    assert 0 < after.num_rows < table.num_rows  # suppression moved the distributions
    with open_table(table) as a, open_table(tmp_path / "out.parquet") as b:
        summary = utility(a, b, done.columns, steps=plan.columns)

    def column(t: pa.Table, name: str) -> list:  # type: ignore[type-arg]
        return t.column(name).to_pylist()

    def band(v: int) -> str:
        low = v // 10 * 10
        return f"{low}-{low + 9}"

    expected = {
        "region": _categorical(column(table, "region"), column(after, "region")),
        "segment": _categorical(column(table, "segment"), column(after, "segment")),
        "spend": _numeric(column(table, "spend"), column(after, "spend")),
        "income": _numeric(column(table, "income"), column(after, "income")),
        "age": _categorical([band(v) for v in column(table, "age")], column(after, "age")),
    }
    for name, (psi, js) in expected.items():
        entry = summary[name]
        assert entry["psi"] == pytest.approx(psi, abs=1e-6), name
        assert entry["js_distance"] == pytest.approx(js, abs=1e-6), name
    assert "island" not in column(after, "region")  # the rare region was suppressed away
    assert summary["region"]["psi"] > 0.001
    assert {summary[c]["compared"] for c in ("spend", "income")} == {"deciles"}
    assert {summary[c]["compared"] for c in ("region", "segment", "age")} == {"categories"}
    assert summary["email"]["compared"] is None and summary["email"]["psi"] is None


def test_unchanged_columns_have_zero_distance(table: pa.Table, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    plan = parse_plan({"suppress_small_classes": False, "columns": {"segment": "keep"}})
    done = anonymize_table(table, plan, out=tmp_path / "same.parquet", key=None)
    with open_table(table) as a, open_table(tmp_path / "same.parquet") as b:
        summary = utility(a, b, done.columns, steps=plan.columns)
        for name in ("region", "age", "income", "spend", "segment", "email"):
            assert summary[name]["psi"] == pytest.approx(0, abs=1e-12)
            assert summary[name]["js_distance"] == pytest.approx(0, abs=1e-6)
        monkeypatch.setattr("steward.engines.privacy._distance.MAX_CATEGORIES", 1000)
        fewer = utility(a, b, done.columns, steps=plan.columns)
    assert fewer["email"]["compared"] is None and fewer["email"]["psi"] is None
    assert fewer["email"]["distance_note"] == "more than 1,000 categories"
    assert fewer["region"]["compared"] == "categories"
