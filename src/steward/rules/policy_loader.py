"""Read policy packs: the built-in default (``policy/default.yaml``) and packs in files.

The default pack ships inside this package and is read with :mod:`importlib.resources`, so it
works from a wheel or a zip. The schema is documented in :mod:`steward.core.policy`. Any problem
raises :class:`~steward.errors.InvalidInput` with one line naming the file and the problem.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from steward.core.policy import PolicyError, PolicyPack, parse_pack
from steward.errors import InvalidInput

DEFAULT_PACK = "default.yaml"


def default_pack_text() -> str:
    """The YAML text of the built-in default policy pack."""
    return (files("steward.rules") / "policy" / DEFAULT_PACK).read_text(encoding="utf-8")


def default_pack() -> PolicyPack:
    """The built-in default policy pack, parsed."""
    return read_pack(default_pack_text(), label=f"built-in policy/{DEFAULT_PACK}")


def read_pack(text: str, *, label: str) -> PolicyPack:
    """Parse pack text; ``label`` names it in errors."""
    try:
        return parse_pack(text)
    except PolicyError as exc:
        raise InvalidInput(f"{label}: {exc}") from None


def load_pack_file(path: str | Path) -> PolicyPack:
    """Read and parse the policy pack at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{path}: policy pack file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot be read ({exc})") from None
    return read_pack(text, label=str(path))
