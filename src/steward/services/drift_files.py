"""Drift between files, or a file and a stored profile folder, with no database.

``steward monitor drift REF CUR`` without ``--system`` records nothing, so it needs neither the
database nor the policy: this module imports only the drift engine, which keeps that command's
start-up to the engine's own (it is what the drift benchmark measures against Evidently). On a
system, :func:`steward.services.monitor.run_drift_check` records the check as evidence and takes
its thresholds from the policy in force.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from steward.engines.drift import ReferenceProfile, check_drift


def is_profile_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder holding a saved reference profile."""
    return Path(path).is_dir() and (Path(path) / "profile.json").is_file()


def compare(reference: str | Path, current: str | Path, *,
            columns: Sequence[str] | None = None,
            thresholds: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The engine's JSON result for a reference table or profile folder against a table."""
    source: Any = ReferenceProfile.load(reference) if is_profile_folder(reference) else reference
    return check_drift(source, current, columns=columns, thresholds=thresholds).to_dict()
