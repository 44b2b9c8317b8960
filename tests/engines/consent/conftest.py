"""The IAB reference oracle for the consent conformance tests.

The oracle is ``oracle/oracle.mjs`` run with ``node`` over the npm packages pinned in
``oracle/package.json`` (install them with ``npm ci --prefix tests/engines/consent/oracle``).
Without them the conformance tests skip, except on CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ORACLE_DIR = Path(__file__).parent / "oracle"
DATA_DIR = Path(__file__).parent / "data"
SETUP = "npm ci --prefix tests/engines/consent/oracle"


class Oracle:
    """Runs the reference libraries: decode strings, or generate random valid ones."""

    def __init__(self, node: str) -> None:
        self.node = node

    def _run(self, *args: str, stdin: str = "") -> list:
        try:
            return self._run_once(*args, stdin=stdin)
        except RuntimeError:  # one retry: a shared CI machine can kill a node process
            return self._run_once(*args, stdin=stdin)

    def _run_once(self, *args: str, stdin: str = "") -> list:
        done = subprocess.run(
            [self.node, str(ORACLE_DIR / "oracle.mjs"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=ORACLE_DIR,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"oracle failed: {done.stderr.strip()[-2000:]}")
        return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]

    def decode(self, strings: list[str]) -> list[dict]:
        return self._run("decode", stdin="".join(json.dumps(s) + "\n" for s in strings))

    def generate(self, kind: str, n: int, seed: int) -> list[str]:
        return self._run(f"generate-{kind}", str(n), str(seed))


@pytest.fixture(scope="session")
def oracle() -> Oracle:
    node = shutil.which("node")
    installed = (ORACLE_DIR / "node_modules" / "@iabtcf" / "core").is_dir() and (
        ORACLE_DIR / "node_modules" / "@iabgpp" / "cmpapi"
    ).is_dir()
    if node is None or not installed:
        why = "node is not on PATH" if node is None else f"oracle not installed (run `{SETUP}`)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"consent conformance oracle unavailable on CI: {why}")
        pytest.skip(why)
    return Oracle(node)


@pytest.fixture(scope="session")
def published_strings() -> list[dict]:
    """Strings from the reference libraries' own test suites, with where each came from."""
    path = DATA_DIR / "published_strings.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
