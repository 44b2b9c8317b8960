"""The drift statistics equal NumPy/SciPy computed by the issue's definitions, to 1e-6."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance

from steward.engines.drift import ReferenceProfile, check_drift

TOL = 1e-6
SHIFTED = {"income", "visits", "segment"}


def _tables(n_ref: int, n_cur: int, seed: int = 7) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)

    def make(n: int, shift: bool) -> pa.Table:
        s = 1.0 if shift else 0.0
        segments = np.array(["a", "b", "c", "d"])
        weights = np.array([0.1, 0.2, 0.3, 0.4])
        return pa.table({
            "income": rng.normal(50 + 6 * s, 10, n),              # shifted numeric
            "age": rng.normal(40, 12, n),                          # stable numeric
            "visits": rng.poisson(3 + 2 * s, n),                   # shifted, integer ties
            "score": rng.uniform(0, 1, n),                         # stable numeric
            "flag": (rng.random(n) < 0.3).astype(np.int64),        # stable 0/1 (duplicate edges)
            "segment": rng.choice(segments, n, p=weights[::-1] if shift else weights),
            "channel": rng.choice(np.array(["email", "web", "sms"]), n),  # stable categorical
        })

    return make(n_ref, False), make(n_cur, True)


def expected(ref: pa.Table, cur: pa.Table, column: str) -> dict[str, float | None]:
    """The issue's definitions, written directly with NumPy and SciPy."""
    r, c = ref[column].to_numpy(), cur[column].to_numpy()
    if r.dtype.kind in "OUS":
        cats = sorted(set(r) | set(c))
        p = np.maximum(np.array([(r == k).sum() for k in cats]) / len(r), 1e-4)
        q = np.maximum(np.array([(c == k).sum() for k in cats]) / len(c), 1e-4)
        return {"psi": float(np.sum((q - p) * np.log(q / p))),
                "js_distance": float(jensenshannon(p, q, base=2)),
                "ks_statistic": None, "ks_pvalue": None, "wasserstein_norm": None}
    r, c = r.astype(float), c.astype(float)
    edges = np.quantile(r, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    p = np.maximum(np.bincount(np.searchsorted(edges, r, side="left"), minlength=10) / len(r),
                   1e-4)
    q = np.maximum(np.bincount(np.searchsorted(edges, c, side="left"), minlength=10) / len(c),
                   1e-4)
    ks = ks_2samp(r, c)
    return {"psi": float(np.sum((q - p) * np.log(q / p))),
            "js_distance": float(jensenshannon(p, q, base=2)),
            "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
            "wasserstein_norm": float(wasserstein_distance(r, c) / np.std(r))}


def _assert_matches(report: dict, ref: pa.Table, cur: pa.Table) -> None:
    assert [c["column"] for c in report["columns"]] == ref.column_names
    for row in report["columns"]:
        want = expected(ref, cur, row["column"])
        for key, value in want.items():
            if value is None:
                assert row[key] is None, (row["column"], key)
            else:
                assert row[key] == pytest.approx(value, abs=TOL), (row["column"], key)
    assert {c["column"] for c in report["columns"] if c["drifted"]} == SHIFTED
    assert report["drift_share"] == pytest.approx(len(SHIFTED) / ref.num_columns)
    assert report["dataset_drift"] is False


@pytest.mark.parametrize(("n_ref", "n_cur"), [(3000, 2500), (30000, 24000)],
                         ids=["exact-ks", "asymptotic-ks"])
def test_direct_check_matches_numpy_and_scipy(n_ref: int, n_cur: int) -> None:
    ref, cur = _tables(n_ref, n_cur)
    _assert_matches(check_drift(ref, cur).to_dict(), ref, cur)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_and_saved_profile_match(tmp_path: Path, fmt: str) -> None:
    ref, cur = _tables(20000, 15000, seed=11)
    paths = []
    for name, table in (("ref", ref), ("cur", cur)):
        path = tmp_path / f"{name}.{fmt}"
        (pq.write_table if fmt == "parquet" else pacsv.write_csv)(table, path)
        paths.append(path)
    direct = check_drift(*paths).to_dict()
    _assert_matches(direct, ref, cur)
    ReferenceProfile.build(paths[0]).save(tmp_path / "profile")
    profile = ReferenceProfile.load(tmp_path / "profile")
    assert profile.exact
    stored = check_drift(profile, paths[1]).to_dict()
    _assert_matches(stored, ref, cur)
    assert stored["columns"] == direct["columns"]


def test_sampled_profile_stays_within_its_documented_bounds() -> None:
    ref, cur = _tables(40000, 30000, seed=3)
    k = 2000
    sampled = check_drift(ReferenceProfile.build(ref, sample_size=k), cur).to_dict()
    assert sampled["ks_exact"] is False
    for row in sampled["columns"]:
        want = expected(ref, cur, row["column"])
        assert row["psi"] == pytest.approx(want["psi"], abs=TOL)
        assert row["js_distance"] == pytest.approx(want["js_distance"], abs=TOL)
        if row["kind"] == "numeric":
            r = ref[row["column"]].to_numpy().astype(float)
            assert abs(row["ks_statistic"] - want["ks_statistic"]) <= 1 / (k - 1) + TOL
            bound = (r.max() - r.min()) / (k - 1) / np.std(r)
            assert abs(row["wasserstein_norm"] - want["wasserstein_norm"]) <= bound + TOL
    assert {c["column"] for c in sampled["columns"] if c["drifted"]} == SHIFTED


def test_columns_option_and_dataset_drift() -> None:
    ref, cur = _tables(5000, 5000)
    report = check_drift(ref, cur, columns=["income", "segment", "age"])
    assert [c["column"] for c in report.columns] == ["income", "segment", "age"]
    assert report.drift_share == pytest.approx(2 / 3)
    assert report.dataset_drift is True
    stricter = report.rejudge(report.thresholds.__class__(dataset_share=0.9))
    assert stricter.dataset_drift is False
    assert stricter.drifted_columns == report.drifted_columns
