"""Find and read content rule files: built-in YAML, plugins', then the organisation's own.

The same order and merge as the risk rules (:mod:`steward.rules.loader`): files are read in this
order and merged by ``id``, so an organisation changes a built-in rule by reusing its id, switches
one off with ``enabled: false``, and adds banned terms or required phrases as new rules:

1. the built-in ``content/*.yaml`` shipped inside this package;
2. files contributed by installed plugins through the ``steward.content_rules`` entry points;
3. ``extra_paths``: the organisation's own files or folders (``STEWARD_RULES_DIR/content``).

Any problem raises :class:`~steward.errors.InvalidInput` with one line naming the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from pydantic import ValidationError

from steward.engines.content import ContentRule, ContentRuleFile
from steward.errors import InvalidInput
from steward.rules.loader import RULE_SUFFIXES, _describe, expand

PLUGIN_GROUP = "steward.content_rules"

Source = Path | Traversable


def builtin_content_files() -> list[Traversable]:
    folder = files("steward.rules") / "content"
    return sorted((f for f in folder.iterdir() if f.is_file() and f.name.endswith(RULE_SUFFIXES)),
                  key=lambda f: f.name)


def plugin_content_paths() -> list[Path]:
    paths: list[Path] = []
    for point in sorted(entry_points(group=PLUGIN_GROUP), key=lambda p: p.name):
        try:
            hook: Callable[[], Iterable[str | Path]] = point.load()
            paths.extend(Path(p) for p in hook())
        except Exception as exc:  # a broken plugin must not surface as a traceback
            raise InvalidInput(
                f"content rule plugin {point.name!r} ({point.value}) failed: {exc}") from None
    return paths


def read_content_file(source: Source, *, label: str | None = None) -> ContentRuleFile:
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
        return ContentRuleFile()
    if not isinstance(data, dict):
        raise InvalidInput(f"{name}: expected a mapping with a 'rules' list")
    try:
        return ContentRuleFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(f"{name}: {_describe(exc, data)}") from None


def load_content_rules(*, extra_paths: Sequence[Path] = (), plugins: bool = True
                       ) -> list[ContentRule]:
    """Built-in content rules, then plugins' (when ``plugins``), then ``extra_paths``, by id."""
    sources: list[tuple[Source, str]] = [
        (f, f"built-in content/{f.name}") for f in builtin_content_files()]
    if plugins:
        sources += [(p, str(p)) for p in expand(plugin_content_paths())]
    sources += [(p, str(p)) for p in expand(extra_paths)]
    merged: dict[str, ContentRule] = {}
    for source, label in sources:
        for rule in read_content_file(source, label=label).rules:
            merged[rule.id] = rule
    return list(merged.values())
