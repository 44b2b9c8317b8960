"""The policy pack as data: its models, parsing from YAML or a mapping, and the canonical form."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from steward.core import cel
from steward.core.risk import Citation
from steward.core.roles import Role

Severity = Literal["block", "warn", "info"]
AppliesTo = Literal["content", "system", "audience", "dataset", "model", "audit"]
GateStage = Literal["pilot", "production"]
IncidentSeverity = Literal["low", "medium", "high", "critical"]
AlertSeverity = Literal["warning", "critical"]

SEVERITIES: tuple[str, ...] = ("block", "warn", "info")
APPLIES_TO: tuple[str, ...] = ("content", "system", "audience", "dataset", "model", "audit")
GATE_STAGES: tuple[str, ...] = ("pilot", "production")

FACT_ROOTS: dict[str, tuple[str, ...]] = {
    "content": ("content", "system"),
    "system": ("system",),
    "audience": ("audience", "system"),
    "dataset": ("dataset", "system"),
    "model": ("model", "system"),
    "audit": ("result", "system"),
}
"""The names of the facts a rule's condition may read, by what the rule applies to."""

GATE_ROOTS: tuple[str, ...] = ("system",)
"""The facts a gate's ``when`` may read."""

RULE_THRESHOLDS = "thresholds"
PACK_THRESHOLDS = "settings"
RESERVED_NAMES: tuple[str, ...] = (RULE_THRESHOLDS, PACK_THRESHOLDS)
"""Names the engine supplies to every condition: the rule's and the pack's thresholds."""

_ID = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"
_SLUG = r"^[a-z][a-z0-9_]*$"
_TEMPLATE_OPEN, _TEMPLATE_CLOSE = "{{", "}}"

Name = Annotated[str, Field(pattern=_ID, max_length=120)]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
ThresholdValue = Scalar | list[Scalar]
RoleName = Annotated[str, Field(min_length=1)]


class PolicyError(ValueError):
    """A policy pack (or a use of one) is malformed; the message is one line naming the place."""


def _roles(values: list[str], *, approve: bool) -> list[str]:
    known = {r.value for r in Role}
    out: list[str] = []
    for value in values:
        if value not in known:
            raise ValueError(f"unknown role {value!r} (known: {', '.join(sorted(known))})")
        if approve and value == Role.AUDITOR.value:
            raise ValueError("the auditor role is read-only and cannot approve")
        if value not in out:
            out.append(value)
    return out


def template_parts(text: str) -> list[tuple[bool, str]]:
    """``"a {{ x }} b"`` → ``[(False, "a "), (True, "x"), (False, " b")]``."""
    parts: list[tuple[bool, str]] = []
    rest = text
    while _TEMPLATE_OPEN in rest:
        before, _, after = rest.partition(_TEMPLATE_OPEN)
        expr, found, rest = after.partition(_TEMPLATE_CLOSE)
        if not found:
            raise ValueError(f"message: has an unclosed {_TEMPLATE_OPEN!r}")
        if before:
            parts.append((False, before))
        parts.append((True, expr.strip()))
    if rest:
        parts.append((False, rest))
    return parts


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyRule(_Model):
    """One rule: when ``condition`` (CEL over the facts) is true, the rule fires.

    Conditions describe the violation. ``thresholds`` are the rule's own numbers, read in CEL as
    ``thresholds.<name>``; the pack's thresholds are read as ``settings.<name>``. ``message``
    may embed CEL in ``{{ }}`` to show the offending values.
    """

    id: Name
    title: str = Field(min_length=1, max_length=300)
    rationale: str = Field(min_length=1)
    citation: Citation
    applies_to: AppliesTo
    severity: Severity
    condition: str = Field(min_length=1)
    thresholds: dict[Name, ThresholdValue] = Field(default_factory=dict)
    message: str | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _compiles(self) -> PolicyRule:
        # settings.* entries are checked against the pack by PolicyPack.
        names = (*FACT_ROOTS[self.applies_to], *RESERVED_NAMES)
        paths = {RULE_THRESHOLDS: tuple(self.thresholds)}
        try:
            cel.nest(self.thresholds)
        except cel.CelError as exc:
            raise ValueError(f"thresholds: {exc}") from None
        try:
            cel.compile_condition(self.condition, names=names, paths=paths)
        except cel.CelError as exc:
            raise ValueError(f"condition: {exc}") from None
        for is_expr, part in template_parts(self.message or ""):
            if is_expr:
                try:
                    cel.compile_expression(part, names=names, paths=paths)
                except cel.CelError as exc:
                    raise ValueError(f"message: {{{{ {part} }}}} {exc}") from None
        return self

    @cached_property
    def compiled(self) -> cel.Condition:
        return cel.compile_condition(self.condition)

    @cached_property
    def compiled_message(self) -> list[tuple[bool, str, cel.Expression | None]]:
        return [(is_expr, part, cel.compile_expression(part) if is_expr else None)
                for is_expr, part in template_parts(self.message or "")]


class ExtraApproval(_Model):
    """Roles whose approval a gate also needs when ``when`` (CEL over ``system``) holds."""

    roles: list[RoleName] = Field(min_length=1)
    when: str = Field(min_length=1)

    @field_validator("roles", mode="after")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return _roles(values, approve=True)

    @field_validator("when", mode="after")
    @classmethod
    def _compiles(cls, source: str) -> str:
        return _gate_condition(source)


class EvidenceSpec(_Model):
    """Evidence a gate needs: its ``kind``, at most ``max_age_days`` old, an accepted verdict."""

    kind: Annotated[str, Field(pattern=_SLUG, max_length=64)]
    title: str = Field(min_length=1)
    max_age_days: int | None = Field(default=None, ge=1)
    accepted_verdicts: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    when: str | None = None
    citation: Citation | None = None

    @field_validator("when", mode="after")
    @classmethod
    def _compiles(cls, source: str | None) -> str | None:
        return None if source is None else _gate_condition(source)


def _gate_condition(source: str) -> str:
    try:
        cel.compile_condition(source, names=(*GATE_ROOTS, PACK_THRESHOLDS))
    except cel.CelError as exc:
        raise ValueError(str(exc)) from None
    return source


class Gate(_Model):
    """What moving a system into a stage needs."""

    approvals: list[RoleName] = Field(default_factory=list)
    extra_approvals: list[ExtraApproval] = Field(default_factory=list)
    obligations_met: bool = True
    training_required: bool = True
    evidence: list[EvidenceSpec] = Field(default_factory=list)

    @field_validator("approvals", mode="after")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return _roles(values, approve=True)

    @field_validator("evidence", mode="after")
    @classmethod
    def _unique_kinds(cls, items: list[EvidenceSpec]) -> list[EvidenceSpec]:
        kinds = [e.kind for e in items]
        duplicates = sorted({k for k in kinds if kinds.count(k) > 1})
        if duplicates:
            raise ValueError(f"duplicate evidence kind(s): {', '.join(duplicates)}")
        return items


class Attestation(_Model):
    """Who must attest that they have read a published version."""

    roles: list[RoleName] = Field(default_factory=list)

    @field_validator("roles", mode="after")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return _roles(values, approve=False)


class Incidents(_Model):
    """How incidents are handled under this policy."""

    suspend_system_on_severity: IncidentSeverity | None = "critical"
    notify_roles: list[RoleName] = Field(default_factory=list)
    open_on_alert_severity: AlertSeverity | None = None
    """Monitoring alerts of this severity or above open an incident even when their monitor
    does not ask for one (``None``: only monitors that ask)."""

    @field_validator("notify_roles", mode="after")
    @classmethod
    def _known(cls, values: list[str]) -> list[str]:
        return _roles(values, approve=False)


class PolicyPack(_Model):
    """A policy pack: thresholds, attestation, incident settings, stage gates and rules."""

    title: str = Field(min_length=1, max_length=500)
    description: str = ""
    thresholds: dict[Name, ThresholdValue] = Field(default_factory=dict)
    attestation: Attestation = Field(default_factory=Attestation)
    incidents: Incidents = Field(default_factory=Incidents)
    gates: dict[GateStage, Gate] = Field(default_factory=dict)
    rules: list[PolicyRule] = Field(default_factory=list)

    @field_validator("rules", mode="after")
    @classmethod
    def _unique_ids(cls, rules: list[PolicyRule]) -> list[PolicyRule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise ValueError(f"rule {rule.id!r}: id: duplicate rule id")
            seen.add(rule.id)
        return rules

    @field_validator("thresholds", mode="after")
    @classmethod
    def _nestable(cls, values: dict[str, Any]) -> dict[str, Any]:
        try:
            cel.nest(values)
        except cel.CelError as exc:
            raise ValueError(str(exc)) from None
        return dict(sorted(values.items()))

    @model_validator(mode="after")
    def _settings_exist(self) -> PolicyPack:
        known = {PACK_THRESHOLDS: tuple(self.thresholds)}
        for rule in self.rules:
            sources = [("condition", rule.condition)] + [
                ("message", part) for is_expr, part in template_parts(rule.message or "")
                if is_expr
            ]
            for field, source in sources:
                try:
                    cel.compile_expression(source, paths=known)
                except cel.CelError as exc:
                    raise ValueError(f"rule {rule.id!r}: {field}: {exc}") from None
        for stage, gate in self.gates.items():
            whens = [(f"extra_approvals[{i}]", e.when) for i, e in enumerate(gate.extra_approvals)]
            whens += [(f"evidence[{i}] {e.kind!r}", e.when) for i, e in enumerate(gate.evidence)
                      if e.when is not None]
            for where, source in whens:
                try:
                    cel.compile_expression(source, paths=known)
                except cel.CelError as exc:
                    raise ValueError(f"gates.{stage}.{where}.when: {exc}") from None
        return self

    # -- read-only views the services use ------------------------------------------------------

    @property
    def attestation_roles(self) -> list[str]:
        """Roles whose members must attest that they read this version."""
        return list(self.attestation.roles)

    @cached_property
    def settings(self) -> dict[str, Any]:
        """The pack's thresholds nested by their dotted names, as conditions see ``settings``."""
        return cel.nest(self.thresholds)

    def rule(self, rule_id: str) -> PolicyRule:
        """The rule with this id (KeyError when there is none)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def rules_for(self, applies_to: str) -> list[PolicyRule]:
        """The enabled rules that apply to ``applies_to``, in pack order."""
        if applies_to not in APPLIES_TO:
            raise PolicyError(
                f"applies_to must be one of {', '.join(APPLIES_TO)}, not {applies_to!r}")
        return [r for r in self.rules if r.enabled and r.applies_to == applies_to]

    def to_dict(self) -> dict[str, Any]:
        """The canonical form: JSON values, fixed key order, defaults left out."""
        return self.model_dump(mode="json", exclude_defaults=True)

    def to_yaml(self) -> str:
        """The canonical form as YAML (what is stored and diffed)."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True, width=100)


def parse_pack(source: str | Mapping[str, Any]) -> PolicyPack:
    """A policy pack from YAML text or a mapping; :class:`PolicyError` (one line) if malformed.

    Every condition is compiled and checked here: its names, the thresholds it reads, the
    functions it calls, and that its value can be true or false.
    """
    if isinstance(source, str):
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}: " if mark is not None else ""
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise PolicyError(f"not valid YAML ({where}{problem})") from None
    else:
        data = source
    if not isinstance(data, Mapping):
        raise PolicyError("a policy pack must be a mapping with a title and rules")
    try:
        return PolicyPack.model_validate(dict(data))
    except ValidationError as exc:
        raise PolicyError(_describe(exc, data)) from None


def _describe(exc: ValidationError, data: Mapping[str, Any]) -> str:
    """The first problem as ``rule 'some.id' severity: message`` or ``gates.pilot.x: message``."""
    first = exc.errors()[0]
    loc = list(first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    if any(_union_member(part) for part in loc[1:]):
        loc = loc[:next(i for i, part in enumerate(loc) if i and _union_member(part))]
        message = THRESHOLD_TYPE
    elif first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "missing"
    elif first["type"] not in ("value_error", "assertion_error"):
        given = first.get("input")
        if isinstance(given, str | int | float | bool) and repr(given) not in message:
            message = f"{message} (got {given!r})"
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = data.get("rules")
        item = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
        rule_id = item.get("id") if isinstance(item, Mapping) else None
        name = f"rule {rule_id!r}" if isinstance(rule_id, str) else f"rules[{loc[1]}]"
        field = _join(loc[2:])
        return f"{name}: {field}: {message}" if field else f"{name}: {message}"
    where = _join(loc)
    if not where or message.startswith("rule "):
        return message
    return f"{where}: {message}"


THRESHOLD_TYPE = "must be a number, text, true/false or a list of them"


def _union_member(part: Any) -> bool:
    """Whether a location part names a member of the threshold value union, not a field."""
    return part in ("bool", "int", "float", "str") or str(part).startswith("list[")


def _join(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif "[" in str(part) or "function-after" in str(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out
