"""Find and read risk rule files: the built-in YAML, plugins', then the organisation's own.

Files are read in this order and merged by ``id`` (a later rule or obligation replaces an earlier
one), so an organisation overrides a built-in rule by reusing its id:

1. the built-in ``risk/*.yaml`` shipped inside this package (read with :mod:`importlib.resources`,
   so it works from a wheel or a zip);
2. files contributed by installed plugins: each entry point in the ``steward.risk_rules`` group is
   a callable returning paths to YAML files or folders of them;
3. ``extra_paths``: the organisation's own files or folders (a folder contributes its ``*.yaml``
   and ``*.yml`` files in name order).

A file holds an ``obligations`` list and a ``rules`` list (see :mod:`steward.core.risk`). Any
problem raises :class:`~steward.errors.InvalidInput` with one line naming the file and the problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from steward.core.risk import RuleError, RuleFile, RuleSet
from steward.errors import InvalidInput

PLUGIN_GROUP = "steward.risk_rules"
RULE_SUFFIXES = (".yaml", ".yml")

Source = Path | Traversable


def builtin_rule_files() -> list[Traversable]:
    """The built-in risk rule files, in name order."""
    folder = files("steward.rules") / "risk"
    return sorted(
        (f for f in folder.iterdir() if f.is_file() and f.name.endswith(RULE_SUFFIXES)),
        key=lambda f: f.name,
    )


def plugin_rule_paths() -> list[Path]:
    """Rule files and folders contributed through the ``steward.risk_rules`` entry points."""
    paths: list[Path] = []
    for point in sorted(entry_points(group=PLUGIN_GROUP), key=lambda p: p.name):
        try:
            hook: Callable[[], Iterable[str | Path]] = point.load()
            paths.extend(Path(p) for p in hook())
        except Exception as exc:  # a broken plugin must not surface as a traceback
            raise InvalidInput(
                f"risk rule plugin {point.name!r} ({point.value}) failed: {exc}"
            ) from None
    return paths


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders replaced by their YAML files in name order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in RULE_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidInput(f"{path}: risk rule file not found")
    return found


def read_rule_file(source: Source, *, label: str | None = None) -> RuleFile:
    """Parse and validate one rule file; ``label`` names it in errors (default: its path)."""
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
        return RuleFile()
    if not isinstance(data, dict):
        raise InvalidInput(f"{name}: expected a mapping with 'rules' and/or 'obligations'")
    try:
        return RuleFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"{name}: {_describe(exc, data)}") from None


def load_risk_rules(*, extra_paths: Sequence[Path] = (), plugins: bool = True) -> RuleSet:
    """The built-in risk rules, then plugins' (when ``plugins``), then ``extra_paths``, merged."""
    sources: list[tuple[Source, str]] = [
        (f, f"built-in risk/{f.name}") for f in builtin_rule_files()
    ]
    if plugins:
        sources += [(p, str(p)) for p in expand(plugin_rule_paths())]
    sources += [(p, str(p)) for p in expand(extra_paths)]
    parsed = [(read_rule_file(source, label=label), label) for source, label in sources]
    origin = {rule.id: label for rule_file, label in parsed for rule in rule_file.rules}
    try:
        return RuleSet.from_files(rule_file for rule_file, _ in parsed)
    except RuleError as exc:
        raise InvalidInput(f"{origin.get(exc.rule_id or '', 'risk rules')}: {exc}") from None


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    """The first validation error as ``rules[2] 'some.id'.condition: message``."""
    first = exc.errors()[0]
    parts: list[str] = []
    node: Any = data
    for part in first["loc"]:
        if isinstance(part, int):
            parts[-1] += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id"), str):
                parts[-1] += f" {node['id']!r}"
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{'.'.join(parts) or 'file'}: {message}"
