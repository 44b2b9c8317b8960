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

from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path

from steward.core.risk import RuleError, RuleFile, RuleSet
from steward.errors import InvalidInput
from steward.rules._files import (
    RULE_SUFFIXES,
    Source,
    builtin_files,
    describe,
    expand,
    plugin_paths,
    read_model,
)

PLUGIN_GROUP = "steward.risk_rules"
_describe = describe  # kept for callers of the earlier private name
__all__ = ["RULE_SUFFIXES", "builtin_rule_files", "expand", "load_risk_rules",
           "plugin_rule_paths", "read_rule_file"]


def builtin_rule_files() -> list[Traversable]:
    """The built-in risk rule files, in name order."""
    return builtin_files("risk")


def plugin_rule_paths() -> list[Path]:
    """Rule files and folders contributed through the ``steward.risk_rules`` entry points."""
    return plugin_paths(PLUGIN_GROUP, what="risk rule")


def read_rule_file(source: Source, *, label: str | None = None) -> RuleFile:
    """Parse and validate one rule file; ``label`` names it in errors (default: its path)."""
    return read_model(source, RuleFile, label=label,
                      expected="a mapping with 'rules' and/or 'obligations'")


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
