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

from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

from steward.engines.content import ContentRule, ContentRuleFile
from steward.rules._files import Source, builtin_files, expand, plugin_paths, read_model

PLUGIN_GROUP = "steward.content_rules"


def builtin_content_files() -> list[Traversable]:
    return builtin_files("content")


def plugin_content_paths() -> list[Path]:
    return plugin_paths(PLUGIN_GROUP, what="content rule")


def read_content_file(source: Source, *, label: str | None = None) -> ContentRuleFile:
    return read_model(source, ContentRuleFile, label=label,
                      expected="a mapping with a 'rules' list")


def load_content_rules(*, extra_paths: Sequence[Path] = (), plugins: bool = True
                       ) -> list[ContentRule]:
    """Built-in content rules, then plugins' (when ``plugins``), then ``extra_paths``, by id."""
    sources: list[tuple[Source, str]] = [
        (f, f"built-in content/{f.name}") for f in builtin_content_files()]
    if plugins:
        sources += [(p, str(p)) for p in expand(plugin_content_paths(), what="content rule")]
    sources += [(p, str(p)) for p in expand(extra_paths, what="content rule")]
    merged: dict[str, ContentRule] = {}
    for source, label in sources:
        for rule in read_content_file(source, label=label).rules:
            merged[rule.id] = rule
    return list(merged.values())
