"""Privacy benchmark: Steward against presidio-structured on the same customer table.

Each contender runs as its own process (wall time and peak RSS from ``os.wait4``):

- **Steward**: ``scan`` (discovery on a 1,000-row sample), ``plan_for`` and ``anonymize_table``
  with the generated plan — keyed pseudonyms, generalization, suppression, free-text redaction;
- **Presidio**: ``PandasAnalysisBuilder`` with the regex-only analyzer on the same sample size,
  then ``StructuredEngine`` hashing every detected column (``presidio_side.py``, run with
  ``uv run --no-project --with presidio-structured --with presidio-analyzer``: never a project
  dependency).

Then Presidio's regex-only analyzer reads every text cell of Steward's output: any e-mail, phone
number, card, IBAN, SSN or IP it finds there that is a raw value of the input is a leak. The
script prints the ratio and the leak count::

    uv run python benchmarks/privacy/run.py --rows 20000
    uv run python benchmarks/privacy/run.py --scale 100000000   # the scale run: Steward only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PRESIDIO = ["uv", "run", "--no-project", "--python", "3.11", "--with", "presidio-structured",
            "--with", "presidio-analyzer", "python", str(HERE / "presidio_side.py")]

STEWARD = """
import json, sys, time
from steward.engines.privacy import anonymize_table, plan_for, scan
started = time.perf_counter()
found = scan(sys.argv[1], sample=int(sys.argv[3]))
discovered = time.perf_counter()
plan = plan_for(sys.argv[1], sample=int(sys.argv[3]))
planned = time.perf_counter()
result = anonymize_table(sys.argv[1], plan, out=sys.argv[2], key=b"benchmark-key-0123456789")
done = time.perf_counter()
print(json.dumps({"discovery_s": discovered - started, "plan_s": planned - discovered,
                  "anonymize_s": done - planned, "total_s": done - started,
                  "rows_out": result.rows_out, "redactions": result.redactions,
                  "columns": {c.name: [c.pii_class, c.pii_type] for c in found.columns}}))
"""


def _rss_run(command: list[str]) -> tuple[dict, float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    out_chunks = process.stdout.read()  # type: ignore[union-attr]
    err_chunks = process.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status:
        sys.exit(f"{' '.join(command[:3])} failed:\n{err_chunks[-2000:]}")
    return json.loads(out_chunks.strip().splitlines()[-1]), seconds, int(usage.ru_maxrss / 1024)


def leaks(raw_path: Path, found: list[dict]) -> list[dict]:
    """Presidio detections in Steward's output that are raw values of the input."""
    import pyarrow.parquet as pq

    raw = pq.read_table(raw_path)
    values: set[str] = set()
    for column in raw.column_names:
        if str(raw.schema.field(column).type) in ("string", "large_string"):
            values.update(v.lower() for v in raw.column(column).to_pylist() if v)
    digits = {"".join(ch for ch in v if ch.isdigit()) for v in values}
    digits.discard("")
    bad = []
    for hit in found:
        text = hit["text"].lower()
        plain = "".join(ch for ch in text if ch.isdigit())
        if text in values or any(text in v for v in values if "@" in v) or (
                len(plain) >= 7 and plain in digits):
            bad.append(hit)
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--scale", type=int, default=0,
                        help="instead: time Steward alone on a generated table of this size")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    if args.scale:
        table = DATA / f"customers-{args.scale}.parquet"
        if not table.exists():
            subprocess.run([sys.executable, str(HERE / "make_table.py"), "--rows",
                            str(args.scale), "--out", str(table)], check=True)
        out = DATA / f"anonymized-{args.scale}.parquet"
        out.unlink(missing_ok=True)
        result, seconds, rss = _rss_run([sys.executable, "-c", STEWARD, str(table), str(out),
                                         str(args.sample)])
        print(f"steward, {args.scale:,} rows: {seconds:.1f} s wall, {rss} MB peak "
              f"(discovery {result['discovery_s']:.1f} s, plan {result['plan_s']:.1f} s, "
              f"anonymize {result['anonymize_s']:.1f} s; "
              f"{args.scale / result['anonymize_s'] / 1e6:.2f} M rows/s)")
        print(json.dumps(result["redactions"]))
        return

    import pyarrow.parquet as pq

    from steward.engines.privacy.synthetic import synthetic_customers

    table = DATA / f"bench-{args.rows}.parquet"
    pq.write_table(synthetic_customers(args.rows, seed=2026), table)
    steward_out = DATA / f"bench-{args.rows}-steward.parquet"
    presidio_out = DATA / f"bench-{args.rows}-presidio.parquet"
    for path in (steward_out, presidio_out):
        path.unlink(missing_ok=True)
    ours, ours_s, ours_mb = _rss_run([sys.executable, "-c", STEWARD, str(table), str(steward_out),
                                      str(args.sample)])
    theirs, theirs_s, theirs_mb = _rss_run([*PRESIDIO, str(table), str(presidio_out),
                                            str(args.sample)])
    print(f"table: {args.rows:,} customers, 15 columns; discovery on {args.sample:,} rows")
    print(f"steward : {ours_s:7.2f} s process, {ours_mb:5d} MB (discovery "
          f"{ours['discovery_s']:.2f} s, plan {ours['plan_s']:.2f} s, anonymize "
          f"{ours['anonymize_s']:.2f} s)")
    print(f"presidio: {theirs_s:7.2f} s process, {theirs_mb:5d} MB (discovery "
          f"{theirs['discovery_s']:.2f} s, anonymize {theirs['anonymize_s']:.2f} s; "
          f"process includes its environment start)")
    work_ours = ours["discovery_s"] + ours["anonymize_s"]
    work_theirs = theirs["discovery_s"] + theirs["anonymize_s"]
    print(f"  presidio / steward, discovery + anonymization: {work_theirs / work_ours:.1f}x; "
          f"discovery alone {theirs['discovery_s'] / ours['discovery_s']:.1f}x")
    print(f"  presidio found: {json.dumps(theirs['columns'])}")
    print(f"  steward found : {json.dumps({c: v for c, v in ours['columns'].items() if v[1]})}")
    found, _, _ = _rss_run([*PRESIDIO, "--check", str(steward_out)])
    bad = leaks(table, found)
    by_type: dict[str, int] = {}
    for hit in found:
        by_type[hit["entity"]] = by_type.get(hit["entity"], 0) + 1
    print(f"  presidio on steward's output: {len(found)} detections {by_type}; "
          f"raw identifiers among them: {len(bad)}")
    for hit in bad[:10]:
        print(f"    LEAK {hit}")
    control = DATA / f"bench-{args.rows}-control.parquet"
    pq.write_table(pq.read_table(table).slice(0, 2000), control)
    seen, _, _ = _rss_run([*PRESIDIO, "--check", str(control)])
    by_type = {}
    for hit in seen:
        by_type[hit["entity"]] = by_type.get(hit["entity"], 0) + 1
    print(f"  control, presidio on the first 2,000 raw rows: {len(seen)} detections {by_type}; "
          f"raw identifiers among them: {len(leaks(table, seen))}")


if __name__ == "__main__":
    main()
