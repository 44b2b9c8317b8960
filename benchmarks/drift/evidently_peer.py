"""The Evidently peer: its default DataDriftPreset on the same two Parquet files.

Runs in its own environment (Evidently needs pandas<3; never a Steward dependency):

    data/evidently-venv/bin/python evidently_peer.py REF CUR
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DO_NOT_TRACK", "1")

import pandas as pd  # noqa: E402
from evidently import Report  # noqa: E402
from evidently.presets import DataDriftPreset  # noqa: E402


def main() -> None:
    reference = pd.read_parquet(sys.argv[1])
    current = pd.read_parquet(sys.argv[2])
    snapshot = Report([DataDriftPreset()]).run(current, reference)
    result = snapshot.dict()
    drifted = []
    for metric in result.get("metrics", []):
        name = str(metric.get("metric_name", ""))
        value = metric.get("value")
        if name.startswith("ValueDrift") and isinstance(value, int | float):
            column = name.split("column=")[1].split(",")[0] if "column=" in name else name
            threshold = metric.get("config", {}).get("threshold")
            drifted.append({"column": column, "value": value, "threshold": threshold})
    print(json.dumps({"metrics": len(result.get("metrics", [])), "columns": drifted}))


if __name__ == "__main__":
    main()
