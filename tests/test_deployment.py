"""The production set-up cannot be run here (no Docker engine): lint it instead."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_passes_hadolint() -> None:
    exe = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([exe, "--config", str(ROOT / ".hadolint.yaml"),
                             str(ROOT / "Dockerfile")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_unprivileged_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert "\nUSER 10001\n" in text and "HEALTHCHECK" in text
    assert "uv sync --locked --no-dev" in text
    assert "STEWARD_ENVIRONMENT=production" in text


def test_compose_file_is_consistent() -> None:
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "migrate", "steward", "proxy"}
    env = services["steward"]["environment"]
    assert env["STEWARD_DATABASE_URL"].startswith("postgresql+psycopg://")
    # secrets only from the environment, never written in the file
    for value in env.values():
        assert "${" in value or not any(k in value.lower() for k in ("secret", "password"))
    assert services["steward"]["depends_on"]["migrate"]["condition"] == \
        "service_completed_successfully"
    for name, service in services.items():
        assert "image" in service, name
        for dependency in service.get("depends_on", {}):
            assert dependency in services
    assert set(compose["volumes"]) >= {"db-data", "steward-data"}
