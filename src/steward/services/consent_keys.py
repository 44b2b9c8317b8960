"""The organisation's consent keys: the subject HMAC key and the key for kept identifiers.

The subject key comes from ``STEWARD_SUBJECT_KEY`` or from ``<data_dir>/keys/subject.key``,
generated on first use (32 random bytes, base64url, file mode 0600). It never comes from a
request. Identifiers are kept (encrypted with Fernet: AES-128-CBC + HMAC-SHA256) only when
``STEWARD_CONSENT_KEEP_SUBJECTS`` is true, under ``STEWARD_SUBJECT_ENCRYPTION_KEY`` or
``<data_dir>/keys/subject-encryption.key``. Losing the subject key makes the ledger
unsearchable by identifier: back up the keys folder with the database.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

from steward.config import Settings
from steward.engines.consent.subjects import subject_hash
from steward.errors import ConfigurationError, InvalidInput

SUBJECT_KEY_FILE = "subject.key"
ENCRYPTION_KEY_FILE = "subject-encryption.key"
MAX_IDENTIFIER = 320
EMPTY_SUBJECT = "the subject identifier is empty"
LONG_SUBJECT = f"the subject identifier is longer than {MAX_IDENTIFIER} characters"


def _key_file(settings: Settings, name: str, make: bytes) -> bytes:
    folder = Path(settings.data_dir) / "keys"
    path = folder / name
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: read theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(make)
    value = path.read_bytes().strip()
    if not value:
        raise ConfigurationError(f"the key file {path} is empty")
    return value


def subject_key(settings: Settings) -> bytes:
    """The HMAC key for subjects (bytes)."""
    if settings.subject_key:
        if len(settings.subject_key) < 32:
            raise ConfigurationError("STEWARD_SUBJECT_KEY must be at least 32 characters")
        return settings.subject_key.encode("utf-8")
    return _key_file(settings, SUBJECT_KEY_FILE,
                     base64.urlsafe_b64encode(secrets.token_bytes(32)))


def check_identifier(identifier: str) -> str:
    text = (identifier or "").strip()
    if not text:
        raise InvalidInput(EMPTY_SUBJECT)
    if len(text) > MAX_IDENTIFIER:
        raise InvalidInput(LONG_SUBJECT)
    return text


def key_of(settings: Settings, identifier: str) -> str:
    """The subject key (hex HMAC) of an identifier."""
    return subject_hash(subject_key(settings), check_identifier(identifier))


def _fernet(settings: Settings):  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet

    if settings.subject_encryption_key:
        raw = settings.subject_encryption_key.encode("utf-8")
    else:
        raw = _key_file(settings, ENCRYPTION_KEY_FILE, Fernet.generate_key())
    try:
        return Fernet(raw)
    except ValueError:
        raise ConfigurationError("the subject encryption key must be a Fernet key "
                                 "(32 bytes, base64url)") from None


def encrypt_identifier(settings: Settings, identifier: str) -> str | None:
    """The identifier encrypted, or None when the organisation does not keep identifiers."""
    if not settings.consent_keep_subjects:
        return None
    return _fernet(settings).encrypt(identifier.strip().encode("utf-8")).decode("ascii")


def decrypt_identifier(settings: Settings, token: str) -> str:
    return _fernet(settings).decrypt(token.encode("ascii")).decode("utf-8")
