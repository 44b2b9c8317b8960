"""Steward's drift check against Evidently's default DataDriftPreset, each as its own process.

Generates (once) two Parquet tables of 1M rows x 20 columns (``make_data.py``), then measures,
for each contender, the whole process: CPU seconds (user + system, all threads), wall seconds
and peak RSS (``os.wait4`` on the child):

- ``evidently``: ``DataDriftPreset()`` in its own virtual environment (``pandas<3``);
- ``steward``: ``steward monitor drift REF CUR --format json`` (reads both tables);
- ``steward-profile``: ``steward monitor drift CUR --profile DIR --format json`` against a
  reference profile stored beforehand (the profile is built once, and timed separately);
- ``steward-profile-db``: the same by profile name on an AI system, recording the evidence in a
  SQLite database (``--profile NAME --system ID``).

Both environments get their bytecode compiled first (``compileall``), as an installed package
would have it: where ``PYTHONDONTWRITEBYTECODE`` is set, every import would otherwise compile
source again and count against both contenders. Prints the ratios from this one run. Usage::

    uv run python benchmarks/drift/run.py [--rows 1000000] [--skip-evidently]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bytecode import precompile  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EVIDENTLY_VENV = HERE / "data" / "evidently-venv"
STEWARD = str(Path(sys.executable).parent / "steward")
EXPECTED = ["num_00", "num_01", "num_02", "num_03", "num_04", "cat_00", "cat_01"]

BUILD_PROFILE = """
import sys
from steward.engines.drift import ReferenceProfile
ReferenceProfile.build(sys.argv[1]).save(sys.argv[2])
"""


def measure(argv: list[str], *, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run one process to the end; its CPU time, wall time, peak RSS, exit status and stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE,
                                env={**os.environ, **(env or {})})
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read().decode() if proc.stderr else ""
        out.seek(0)
        stdout = out.read().decode()
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall,
            "rss_gb": usage.ru_maxrss / 1024 / 1024, "rc": proc.returncode, "stdout": stdout,
            "stderr": err.strip().splitlines()[-1:] if err.strip() else []}


def ensure_data(rows: int) -> tuple[Path, Path]:
    data = HERE / "data"
    ref, cur = data / "reference.parquet", data / "current.parquet"
    marker = data / "rows.txt"
    if not (ref.exists() and cur.exists() and marker.exists()
            and marker.read_text().strip() == str(rows)):
        subprocess.run([sys.executable, str(HERE / "make_data.py"), "--rows", str(rows),
                        "--out", str(data)], check=True)
        marker.write_text(str(rows))
    return ref, cur


def ensure_evidently() -> Path:
    python = EVIDENTLY_VENV / "bin" / "python"
    if not python.exists():
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": str(EVIDENTLY_VENV)}
        subprocess.run(["uv", "venv", "-q", "-p", "3.11", str(EVIDENTLY_VENV)], check=True,
                       env=env)
        subprocess.run(["uv", "pip", "install", "-q", "evidently", "pandas<3", "pyarrow"],
                       check=True, env=env)
    return python


def site_packages(python: Path) -> Path:
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def steward_db(work: Path, ref: Path) -> dict[str, str]:
    """A SQLite database with one AI system and the reference profile stored on it."""
    env = {"STEWARD_DATABASE_URL": f"sqlite:///{work / 'steward.db'}",
           "STEWARD_DATA_DIR": str(work / "data"), "STEWARD_ENVIRONMENT": "development"}
    full = {**os.environ, **env}
    (work / "system.yaml").write_text("name: Offer propensity\npurpose: card offers\n"
                                      "owner: dan\nai_kinds: [predictive_model]\n")
    for argv in (["users", "add", "dan", "--roles", "data_science", "--password",
                  "benchmark-password-1"],
                 ["systems", "create", str(work / "system.yaml")],
                 ["monitor", "profile", str(ref), "--system", "1", "--name", "baseline"]):
        subprocess.run([STEWARD, *argv], check=True, env=full, stdout=subprocess.DEVNULL)
    return env


def drifted(result: dict[str, object]) -> list[str]:
    try:
        return json.loads(str(result["stdout"]))["drifted_columns"]
    except (ValueError, KeyError):
        return []


def row(name: str, r: dict[str, object], base: dict[str, object] | None) -> str:
    ratio = ""
    if base is not None:
        ratio = (f"  {float(base['cpu_s']) / float(r['cpu_s']):6.1f}x less CPU"  # type: ignore[arg-type]
                 f"  {float(r['rss_gb']) / float(base['rss_gb']):5.2f} of the memory")  # type: ignore[arg-type]
    return (f"{name:20s} {float(r['cpu_s']):7.2f} CPU-s {float(r['wall_s']):7.2f} s wall "  # type: ignore[arg-type]
            f"{float(r['rss_gb']):5.2f} GB  exit {r['rc']}{ratio}")  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-evidently", action="store_true")
    args = parser.parse_args()
    ref, cur = ensure_data(args.rows)
    results: dict[str, dict[str, object]] = {}
    own = Path(sys.executable)
    precompile(own, site_packages(own), ROOT / "src" / "steward")
    if not args.skip_evidently:
        python = ensure_evidently()
        precompile(python, site_packages(python))
        results["evidently"] = measure([str(python), str(HERE / "evidently_peer.py"), str(ref),
                                        str(cur)], env={"DO_NOT_TRACK": "1"})
    results["steward"] = measure([STEWARD, "monitor", "drift", str(ref), str(cur),
                                  "--format", "json"])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results["profile (once)"] = measure([sys.executable, "-c", BUILD_PROFILE, str(ref),
                                             str(work / "profile")])
        results["steward-profile"] = measure([STEWARD, "monitor", "drift", str(cur),
                                              "--profile", str(work / "profile"),
                                              "--format", "json"])
        env = steward_db(work, ref)
        results["steward-profile-db"] = measure([STEWARD, "monitor", "drift", str(cur),
                                                 "--profile", "baseline", "--system", "1",
                                                 "--format", "json"], env=env)
    base = results.get("evidently")
    print(f"drift on {args.rows:,} + {args.rows:,} rows x 20 columns "
          f"({os.cpu_count()} cores; CPU-s = user + system of the whole process)")
    for name, result in results.items():
        print(row(name, result, None if name in ("evidently", "profile (once)") else base))
        if result["rc"] not in (0, 1):
            print(f"  failed: {result['stderr']}")
    for name in ("steward", "steward-profile", "steward-profile-db"):
        found = drifted(results[name])
        print(f"{name}: drifted columns {'as generated' if found == EXPECTED else found}")
    if base is not None:
        direct = float(base["cpu_s"]) / float(results["steward"]["cpu_s"])  # type: ignore[arg-type]
        stored = float(base["cpu_s"]) / float(results["steward-profile"]["cpu_s"])  # type: ignore[arg-type]
        memory = float(results["steward"]["rss_gb"]) / float(base["rss_gb"])  # type: ignore[arg-type]
        print(f"targets: direct >= 5x ({direct:.1f}x), memory <= 1/3 ({memory:.2f}), "
              f"stored profile >= 20x ({stored:.1f}x)")


if __name__ == "__main__":
    main()
