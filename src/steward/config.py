"""Settings, read from ``STEWARD_*`` environment variables (and an optional ``.env`` file).

Settings are built by :func:`load_settings` and passed down explicitly; there is no module-level
instance, so tests can build as many apps with as many configurations as they like.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from steward.errors import ConfigurationError

PLACEHOLDER_SECRET = "dev-insecure-change-me"  # noqa: S105 - the placeholder we refuse in production
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """Everything Steward reads from its environment."""

    model_config = SettingsConfigDict(
        env_prefix="STEWARD_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///steward.db"
    data_dir: Path = Path("steward-data")
    secret_key: str = PLACEHOLDER_SECRET
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    session_minutes: int = Field(default=480, ge=1, description="web session lifetime")
    token_days: int = Field(default=365, ge=1, description="default API token lifetime")
    monitor_interval: float = Field(
        default=0, ge=0, le=86400,
        description="seconds between monitor rounds run inside `steward serve` (0: none; run "
                    "`steward monitor run` from cron instead)")
    annex_iii_applies_from: date = Field(
        default=date(2027, 12, 2),
        description="when EU AI Act Annex III obligations apply (Digital Omnibus date by default)",
    )
    rules_dir: Path | None = Field(
        default=None, description="a folder of the organisation's own rule YAML files"
    )
    behind_tls: bool = False
    smtp_host: str | None = Field(default=None, description="send notifications by e-mail")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "steward@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    subject_key: str | None = Field(
        default=None, description="HMAC key for consent subjects (else <data_dir>/keys/subject.key)"
    )
    subject_encryption_key: str | None = Field(
        default=None, description="Fernet key for kept identifiers (else a key file in keys/)"
    )
    consent_keep_subjects: bool = Field(
        default=False, description="keep consent subjects' identifiers, encrypted"
    )
    consent_gpc_precedence: Literal["latest", "gpc"] = Field(
        default="latest", description="latest: a later opt-in overrides GPC; gpc: GPC always wins"
    )
    pseudonym_key: SecretStr | None = Field(
        default=None, description="privacy pseudonym key (else <data_dir>/keys/pseudonym.key)"
    )
    vault_key: SecretStr | None = Field(
        default=None, description="privacy token vault key (else <data_dir>/keys/vault.key)"
    )

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    def check(self) -> Settings:
        """Refuse settings that are unsafe for the environment they run in."""
        if self.environment != "development" and (
            self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < MIN_SECRET_LENGTH
        ):
            raise ConfigurationError(
                f"STEWARD_SECRET_KEY must be set to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters when STEWARD_ENVIRONMENT={self.environment}"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, with keyword overrides taking precedence."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigurationError(
            f"invalid setting STEWARD_{where.upper()}: {first['msg']}") from None
    return settings.check()
