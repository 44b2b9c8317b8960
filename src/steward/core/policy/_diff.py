"""What changed between two versions of a pack, and the changelog that says so."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from steward.core.policy._model import PolicyPack, PolicyRule

_ABSENT = object()


@dataclass(frozen=True)
class FieldChange:
    """One field's value before and after (``None`` on a side where it is absent)."""

    field: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class RuleChange:
    """A rule kept under the same id whose fields changed."""

    id: str
    title: str
    fields: list[FieldChange]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class PackDiff:
    """Rules added, removed and changed; gate and settings changes (title, thresholds, ...)."""

    added: list[PolicyRule] = field(default_factory=list)
    removed: list[PolicyRule] = field(default_factory=list)
    changed: list[RuleChange] = field(default_factory=list)
    gates_changed: list[FieldChange] = field(default_factory=list)
    settings_changed: list[FieldChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.gates_changed
                    or self.settings_changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [r.model_dump(mode="json", exclude_defaults=True) for r in self.added],
            "removed": [r.model_dump(mode="json", exclude_defaults=True) for r in self.removed],
            "changed": [c.to_dict() for c in self.changed],
            "gates_changed": [c.to_dict() for c in self.gates_changed],
            "settings_changed": [c.to_dict() for c in self.settings_changed],
        }


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested mappings as ``{"a.b": leaf}``; lists and scalars are leaves."""
    if not isinstance(value, Mapping) or not value:
        return {prefix: value} if prefix else {}
    out: dict[str, Any] = {}
    for key, item in value.items():
        out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    return out


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[FieldChange]:
    old, new = _flatten(before), _flatten(after)
    keys = list(old) + [k for k in new if k not in old]
    return [FieldChange(k, old.get(k), new.get(k)) for k in keys
            if old.get(k, _ABSENT) != new.get(k, _ABSENT)]


def _full(rule: PolicyRule) -> dict[str, Any]:
    return rule.model_dump(mode="json")


def _gates(pack: PolicyPack) -> dict[str, Any]:
    """Gates with evidence keyed by kind, so a changed freshness reads as one field."""
    out: dict[str, Any] = {}
    for stage, gate in pack.gates.items():
        data = gate.model_dump(mode="json")
        data["evidence"] = {e.pop("kind"): e for e in data["evidence"]}
        out[stage] = data
    return out


def _settings(pack: PolicyPack) -> dict[str, Any]:
    return {
        "title": pack.title,
        "description": pack.description,
        "thresholds": {name: value for name, value in pack.thresholds.items()},
        "attestation": pack.attestation.model_dump(mode="json"),
        "incidents": pack.incidents.model_dump(mode="json"),
    }


def diff_packs(old: PolicyPack, new: PolicyPack) -> PackDiff:
    """What changed from ``old`` to ``new``, field by field (rules matched by id)."""
    old_rules = {r.id: r for r in old.rules}
    new_rules = {r.id: r for r in new.rules}
    changed = []
    for rule_id, rule in new_rules.items():
        if rule_id in old_rules:
            fields = _changes(_full(old_rules[rule_id]), _full(rule))
            if fields:
                changed.append(RuleChange(rule_id, rule.title, fields))
    settings_old, settings_new = _settings(old), _settings(new)
    # Threshold names are dotted already: flatten them as one level, not by their dots.
    threshold_changes = [
        FieldChange(f"thresholds.{name}", settings_old["thresholds"].get(name),
                    settings_new["thresholds"].get(name))
        for name in sorted(set(old.thresholds) | set(new.thresholds))
        if old.thresholds.get(name, _ABSENT) != new.thresholds.get(name, _ABSENT)
    ]
    del settings_old["thresholds"], settings_new["thresholds"]
    return PackDiff(
        added=[r for r in new.rules if r.id not in old_rules],
        removed=[r for r in old.rules if r.id not in new_rules],
        changed=changed,
        gates_changed=_changes(_gates(old), _gates(new)),
        settings_changed=_changes(settings_old, settings_new) + threshold_changes,
    )


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _change_line(change: FieldChange, indent: str = "") -> str:
    return f"{indent}- {change.field}: {_value(change.before)} → {_value(change.after)}"


def _cites(rule: PolicyRule) -> str:
    return f"{rule.citation.instrument}, {rule.citation.article}"


def render_changelog(diff: PackDiff, version_label: str) -> str:
    """A Markdown changelog for the version called ``version_label``."""
    lines = [f"## Policy {version_label}", ""]
    if diff.is_empty:
        return "\n".join([*lines, "No changes.", ""])
    if diff.added:
        lines += ["### Added rules", ""]
        lines += [f"- `{r.id}` — {r.title} ({r.severity}, applies to {r.applies_to}; "
                  f"{_cites(r)})" for r in diff.added]
        lines.append("")
    if diff.removed:
        lines += ["### Removed rules", ""]
        lines += [f"- `{r.id}` — {r.title}" for r in diff.removed]
        lines.append("")
    if diff.changed:
        lines += ["### Changed rules", ""]
        for change in diff.changed:
            lines.append(f"- `{change.id}` — {change.title}")
            lines += [_change_line(f, "  ") for f in change.fields]
        lines.append("")
    if diff.gates_changed:
        lines += ["### Stage gates", ""]
        lines += [_change_line(f) for f in diff.gates_changed]
        lines.append("")
    if diff.settings_changed:
        lines += ["### Settings", ""]
        lines += [_change_line(f) for f in diff.settings_changed]
        lines.append("")
    return "\n".join(lines)
