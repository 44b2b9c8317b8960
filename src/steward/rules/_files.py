"""What every rule loader shares: the package's own YAML files, plugins' paths, folders expanded,
and one YAML document read into a validated model with a one-line error naming the file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.metadata import entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from steward.errors import InvalidInput

RULE_SUFFIXES = (".yaml", ".yml")
Source = Path | Traversable
M = TypeVar("M", bound=BaseModel)


def builtin_files(folder: str) -> list[Traversable]:
    """The YAML files shipped in ``steward/rules/<folder>``, in name order."""
    root = files("steward.rules") / folder
    return sorted((f for f in root.iterdir() if f.is_file() and f.name.endswith(RULE_SUFFIXES)),
                  key=lambda f: f.name)


def plugin_paths(group: str, *, what: str) -> list[Path]:
    """Paths returned by the callables registered under an entry-point ``group``."""
    paths: list[Path] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            hook: Callable[[], Iterable[str | Path]] = point.load()
            paths.extend(Path(p) for p in hook())
        except Exception as exc:  # a broken plugin must not surface as a traceback
            raise InvalidInput(f"{what} plugin {point.name!r} ({point.value}) failed: {exc}") \
                from None
    return paths


def expand(paths: Iterable[Path], *, what: str = "risk rule") -> list[Path]:
    """Files as given, folders replaced by their YAML files in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in RULE_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidInput(f"{path}: {what} file not found")
    return found


def read_model(source: Source, model: type[M], *, label: str | None, expected: str) -> M:
    """Parse one YAML file into ``model`` (an empty file gives the model's defaults)."""
    name = label or str(source)
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise InvalidInput(f"{name}: not valid YAML ({where}{problem})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{name}: cannot be read ({exc})") from None
    if data is None:
        return model()
    if not isinstance(data, dict):
        raise InvalidInput(f"{name}: expected {expected}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"{name}: {describe(exc, data)}") from None


def describe(exc: ValidationError, data: dict[str, Any]) -> str:
    """The first validation error as ``rules[2] 'some.id'.condition: message``."""
    first = exc.errors()[0]
    parts: list[str] = []
    node: Any = data
    for part in first["loc"]:
        if isinstance(part, int):
            if not parts:
                parts.append("")
            parts[-1] += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                parts[-1] += f" {node['id']!r}"
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{'.'.join(parts) or 'file'}: {message}"
