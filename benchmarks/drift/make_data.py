"""Generate the drift benchmark tables: reference and current, N rows x 20 columns, as Parquet.

14 numeric columns (normal, log-normal, uniform, exponential, integer counts, a 0/1 flag) and
6 categorical (string) columns. In the current table, columns ``num_00``-``num_04`` and
``cat_00``-``cat_01`` are shifted; the rest come from the same distributions (different draws).

    python benchmarks/drift/make_data.py [--rows 1000000] [--out benchmarks/drift/data]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

NUMERIC = 14
CATEGORICAL = 6
SHIFTED_NUMERIC = 5
SHIFTED_CATEGORICAL = 2


def _numeric(rng: np.random.Generator, i: int, n: int, shifted: bool) -> np.ndarray:
    kind = i % 7
    s = 1.0 if shifted else 0.0
    if kind == 0:
        return rng.normal(50 + 5 * s, 10, n)
    if kind == 1:
        return rng.lognormal(3 + 0.3 * s, 0.5, n)
    if kind == 2:
        return rng.uniform(0, 100 + 30 * s, n)
    if kind == 3:
        return rng.exponential(2 + 0.6 * s, n)
    if kind == 4:
        return rng.poisson(4 + 1.5 * s, n).astype(np.int64)
    if kind == 5:
        return (rng.random(n) < 0.3 + 0.2 * s).astype(np.int64)
    return rng.gamma(2 + s, 3, n)


def _categorical(rng: np.random.Generator, i: int, n: int, shifted: bool) -> pa.Array:
    k = (4, 12, 40)[i % 3]
    weights = np.linspace(1, 3, k)
    if shifted:
        weights = weights[::-1].copy()
        weights[0] *= 2
    codes = rng.choice(k, size=n, p=weights / weights.sum())
    labels = pa.array([f"c{i}_{j:02d}" for j in range(k)])
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), labels)


def table(rows: int, *, current: bool, seed: int) -> pa.Table:
    rng = np.random.default_rng(seed)
    columns: dict[str, pa.Array | np.ndarray] = {}
    for i in range(NUMERIC):
        columns[f"num_{i:02d}"] = _numeric(rng, i, rows, current and i < SHIFTED_NUMERIC)
    for i in range(CATEGORICAL):
        array = _categorical(rng, i, rows, current and i < SHIFTED_CATEGORICAL)
        columns[f"cat_{i:02d}"] = array.cast(pa.string())
    return pa.table(columns)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, current, seed in (("reference", False, 1), ("current", True, 2)):
        path = args.out / f"{name}.parquet"
        pq.write_table(table(args.rows, current=current, seed=seed), path)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
