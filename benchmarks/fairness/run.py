"""Steward's fairness audit against Fairlearn's MetricFrame and a hand-written DuckDB query.

Generates a decision table with DuckDB (three group columns, a score, a decision and a label),
then runs each contender as its own process and measures its wall time and peak RSS
(``os.wait4``): Steward's full audit (every metric, Wilson interval, test, intersection,
judgement and the JSON), one hand-written DuckDB ``GROUP BY``, and Fairlearn ``MetricFrame``s
over the same groups (on a smaller sample, scaled linearly, because it is linear and slow).
Steward's and the site's bytecode is compiled first (``compileall``), as an installed package
would have it: where ``PYTHONDONTWRITEBYTECODE`` is set, a module edited since its last
``.pyc`` would otherwise be compiled again by every run of the audit (~0.05 s each).
Prints the ratios from this one run, or with ``--repeat N`` the medians of N runs of each
contender (run in turn, so that load from other processes falls on all of them alike). Beside
the wall time it prints each process's CPU time (user + sys): on a shared machine the wall time
moves with the load, the CPU time much less.

Usage::

    uv run python benchmarks/fairness/run.py                      # 10M rows, Fairlearn on 1M
    uv run python benchmarks/fairness/run.py --skip-fairlearn --keep-data --repeat 5
    uv run python benchmarks/fairness/run.py --rows 1000000000 --skip-fairlearn --keep-data
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bytecode import precompile  # noqa: E402

HERE = Path(__file__).resolve().parent
GROUPS = ["gender", "age_band", "region"]

GENERATE = """
COPY (
  SELECT
    CASE WHEN h1 < 49 THEN 'F' WHEN h1 < 97 THEN 'M' WHEN h1 < 99 THEN 'X' END AS gender,
    (['18-24','25-34','35-44','45-54','55-64','65+'])[1 + CAST(h2 % 6 AS INTEGER)] AS age_band,
    'r' || lpad(CAST(h3 % 20 AS VARCHAR), 2, '0') AS region,
    score,
    CAST(score >= 0.5 AS TINYINT) AS decision,
    CAST((h4 % 1000) / 1000.0 < score AS TINYINT) AS label
  FROM (
    SELECT *, round((h5 % 1000) / 1000.0 * CASE WHEN h1 < 49 THEN 0.85 ELSE 1.0 END, 3) AS score
    FROM (
      SELECT hash(i) % 100 AS h1, hash(i + 1000000007) AS h2, hash(i + 2000000014) AS h3,
             hash(i + 3000000021) AS h4, hash(i + 4000000028) AS h5
      FROM range({rows}) t(i)
    )
  )
) TO '{path}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
"""

STEWARD = """
import json, sys, time
start = time.perf_counter()
from steward.engines.fairness import audit_fairness
score = "score" if sys.argv[2] == "score" else None
result = audit_fairness(sys.argv[1], groups={groups!r}, decision="decision", label="label",
                        score=score, intersections=True)
text = result.to_json()  # the JSON contract, written as the CLI and API write it
print(json.dumps({{"seconds": time.perf_counter() - start, "verdict": result.verdict,
                  "groups": len(result.groups()), "intersections": sum(
                      len(s.counts.labels) for s in result.scopes if s.level == "intersection"),
                  "json_bytes": len(text), "rows": result.rows}}))
"""

HAND_WRITTEN = """
import json, sys, time
start = time.perf_counter()
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = con.execute(
    "SELECT gender, age_band, region, COUNT(*), SUM(decision), SUM(label), "
    "SUM(decision * label) FROM read_parquet(?) GROUP BY ALL", [sys.argv[1]]).fetchall()
print(json.dumps({"seconds": time.perf_counter() - start, "cells": len(rows)}))
"""

# The same cells Steward's one pass returns (with the score's calibration bin), hand-written.
HAND_WRITTEN_CELLS = """
import json, sys, time
start = time.perf_counter()
import duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = con.execute(
    "SELECT gender, age_band, region, decision, label, "
    "LEAST(9, CAST(FLOOR(score * 10) AS INTEGER)) AS bin, COUNT(*), SUM(score) "
    "FROM read_parquet(?) GROUP BY ALL", [sys.argv[1]]).fetchall()
print(json.dumps({"seconds": time.perf_counter() - start, "cells": len(rows)}))
"""

FAIRLEARN = """
import json, sys, time
start = time.perf_counter()
import pandas as pd
from fairlearn.metrics import (MetricFrame, count, false_negative_rate, false_positive_rate,
                               selection_rate, true_positive_rate)
from sklearn.metrics import accuracy_score, precision_score
frame = pd.read_parquet(sys.argv[1])
frame = frame.fillna({{"gender": "(missing)"}})
metrics = {{"selection_rate": selection_rate, "tpr": true_positive_rate,
            "fpr": false_positive_rate, "fnr": false_negative_rate,
            "precision": lambda y, p: precision_score(y, p, zero_division=0),
            "accuracy": accuracy_score, "n": count}}
out = {{}}
for columns in [[g] for g in {groups!r}] + [{groups!r}]:
    mf = MetricFrame(metrics=metrics, y_true=frame["label"], y_pred=frame["decision"],
                     sensitive_features=frame[columns])
    out[":".join(columns)] = (mf.by_group.shape, float(mf.difference()["selection_rate"]),
                              float(mf.ratio()["selection_rate"]))
print(json.dumps({{"seconds": time.perf_counter() - start, "scopes": len(out)}}))
"""


def measure(code: str, *args: str) -> dict:
    """Run ``code`` in a fresh Python process; its wall and CPU time, peak RSS and printed
    JSON."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                               text=True)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    output = process.stdout.read() if process.stdout else ""
    if status != 0:
        raise SystemExit(f"benchmark process failed ({status}): {output}")
    last = output.strip().splitlines()[-1]
    report = json.loads(last[last.index("{"):])  # after any progress bar on the same line
    report.update(wall_seconds=wall, cpu_seconds=usage.ru_utime + usage.ru_stime,
                  peak_rss_mb=usage.ru_maxrss / 1024)
    return report


def median_reports(reports: list[dict]) -> dict:
    """The last report with the median of each measured figure."""
    merged = dict(reports[-1])
    for key in ("wall_seconds", "cpu_seconds", "peak_rss_mb"):
        merged[key] = statistics.median(r[key] for r in reports)
    return merged


def line(name: str, report: dict, note: str = "") -> str:
    return (f"{name}: {report['wall_seconds']:8.2f} s  {report['peak_rss_mb']:7.0f} MB  "
            f"(CPU {report['cpu_seconds']:.2f} s){note}")


def ratio(name: str, a: dict, b: dict) -> str:
    return (f"  {name}: time {a['wall_seconds'] / b['wall_seconds']:.2f}x, "
            f"CPU {a['cpu_seconds'] / b['cpu_seconds']:.2f}x, "
            f"memory {a['peak_rss_mb'] / b['peak_rss_mb']:.2f}x")


def generate(path: Path, rows: int) -> float:
    """Write the table in a child process: a child's peak RSS (``ru_maxrss``) starts from its
    parent's at fork, so this process must stay small for the measurements that follow."""
    start = time.perf_counter()
    code = "import duckdb, sys; duckdb.connect().execute(sys.argv[1])"
    subprocess.run([sys.executable, "-c", code, GENERATE.format(rows=rows, path=path)],
                   check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--fairlearn-rows", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--skip-fairlearn", action="store_true")
    parser.add_argument("--keep-data", action="store_true", help="reuse generated files")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each contender N times in turn and report the medians")
    options = parser.parse_args()
    precompile()
    options.data_dir.mkdir(parents=True, exist_ok=True)
    path = options.data_dir / f"decisions_{options.rows}.parquet"
    if not (options.keep_data and path.exists()):
        seconds = generate(path, options.rows)
        print(f"generated {options.rows:,} rows in {seconds:.1f} s "
              f"({path.stat().st_size / 1e6:.0f} MB)")
    contenders = {
        "steward": (STEWARD.format(groups=GROUPS), str(path), "score"),
        "unscored": (STEWARD.format(groups=GROUPS), str(path), "none"),
        "hand": (HAND_WRITTEN, str(path)),
        "cells": (HAND_WRITTEN_CELLS, str(path)),
    }
    runs: dict[str, list[dict]] = {name: [] for name in contenders}
    for _ in range(max(1, options.repeat)):
        for name, (code, *args) in contenders.items():
            runs[name].append(measure(code, *args))
    steward, unscored, hand, cells = (median_reports(runs[name]) for name in contenders)
    if options.repeat > 1:
        print(f"medians of {options.repeat} runs of each:")
    print(line("steward full audit ", steward, f"  ({steward['groups']} groups, "
               f"{steward['intersections']} intersections, verdict {steward['verdict']})"))
    print(line("steward, no score  ", unscored,
               "  (decision and label only: the hand-written query's inputs)"))
    print(line("hand-written duckdb", hand))
    print(line("hand-written cells ", cells,
               "  (same cells as Steward's pass: + decision, label, score bin, score sum)"))
    print(ratio("steward / hand-written", steward, hand))
    print(ratio("steward, no score / hand-written", unscored, hand))
    print(ratio("steward / hand-written cells", steward, cells))
    if options.repeat > 1:
        each = [f"{s['wall_seconds'] / h['wall_seconds']:.2f}"
                for s, h in zip(runs["steward"], runs["hand"], strict=True)]
        print(f"  steward / hand-written, each run: {', '.join(each)}")
    print(f"  steward throughput: {options.rows / steward['wall_seconds'] / 1e6:.1f} M rows/s")
    if options.skip_fairlearn:
        return
    sample = options.data_dir / f"decisions_{options.fairlearn_rows}.parquet"
    if not (options.keep_data and sample.exists()):
        generate(sample, options.fairlearn_rows)
    fairlearn = measure(FAIRLEARN.format(groups=GROUPS), str(sample))
    scale = options.rows / options.fairlearn_rows
    scaled_time = fairlearn["wall_seconds"] * scale
    scaled_rss = fairlearn["peak_rss_mb"] * scale
    print(f"fairlearn ({options.fairlearn_rows:,} rows, measured): "
          f"{fairlearn['wall_seconds']:8.2f} s  {fairlearn['peak_rss_mb']:7.0f} MB")
    print(f"fairlearn scaled x{scale:g} (linear): {scaled_time:8.1f} s  {scaled_rss:7.0f} MB")
    print(f"  fairlearn (scaled) / steward: time {scaled_time / steward['wall_seconds']:.0f}x, "
          f"memory {scaled_rss / steward['peak_rss_mb']:.1f}x")
    print(f"  fairlearn (measured, {options.fairlearn_rows:,} rows) / steward ({options.rows:,}"
          f" rows): memory {fairlearn['peak_rss_mb'] / steward['peak_rss_mb']:.1f}x")


if __name__ == "__main__":
    main()
