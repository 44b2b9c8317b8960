from pathlib import Path

import pytest

from steward.config import PLACEHOLDER_SECRET, load_settings
from steward.errors import ConfigurationError


def test_defaults_are_the_embedded_sqlite_database(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("STEWARD_DATABASE_URL", "STEWARD_ENVIRONMENT", "STEWARD_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///steward.db"
    assert settings.port == 8000
    assert settings.data_dir == Path("steward-data")


def test_environment_variables_use_the_steward_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_PORT", "9123")
    monkeypatch.setenv("STEWARD_DATA_DIR", "/tmp/elsewhere")
    settings = load_settings()
    assert settings.port == 9123
    assert settings.data_dir == Path("/tmp/elsewhere")


@pytest.mark.parametrize("environment", ["production", "test"])
def test_placeholder_secret_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ConfigurationError, match="STEWARD_SECRET_KEY"):
        load_settings(environment=environment, secret_key=PLACEHOLDER_SECRET)
    with pytest.raises(ConfigurationError, match="at least 32"):
        load_settings(environment=environment, secret_key="short")


def test_placeholder_secret_is_allowed_in_development() -> None:
    assert load_settings(environment="development").secret_key == PLACEHOLDER_SECRET


def test_invalid_values_give_one_line_naming_the_setting() -> None:
    with pytest.raises(ConfigurationError) as info:
        load_settings(port=0)
    assert "STEWARD_PORT" in str(info.value)
    with pytest.raises(ConfigurationError, match="STEWARD_DATABASE_URL"):
        load_settings(database_url="mysql://x")
