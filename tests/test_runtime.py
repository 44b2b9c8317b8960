"""Process defaults set when Steward is imported (steward._runtime), each in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

VARIABLE = "OPENBLAS_THREAD_TIMEOUT"


def _after_import(code: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != VARIABLE} | env
    shown = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport os; print(os.environ.get({VARIABLE!r}))"],
        env=environment, capture_output=True, text=True, check=True)
    return shown.stdout.strip()


def test_importing_steward_makes_idle_openblas_workers_sleep_at_once() -> None:
    assert _after_import("import steward") == "4"


def test_a_given_timeout_is_kept() -> None:
    assert _after_import("import steward", **{VARIABLE: "20"}) == "20"


def test_nothing_is_set_once_numpy_is_loaded() -> None:
    pytest.importorskip("numpy")
    assert _after_import("import numpy\nimport steward") == "None"

