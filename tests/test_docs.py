"""The docs are tested: the CLI reference is generated from the commands and must be current,
and every setting is documented in the README."""

import subprocess
import sys
from pathlib import Path

from steward.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "cli_reference.py"),
                             "--check"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, "docs/cli.md is stale: run scripts/cli_reference.py"


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [f"STEWARD_{name.upper()}" for name in Settings.model_fields
               if f"STEWARD_{name.upper()}" not in readme]
    assert missing == []
