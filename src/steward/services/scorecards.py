"""Balanced scorecards per AI system and for the portfolio: performance beside responsibility.

**Performance** is every KPI ingested for the system (:mod:`steward.services.kpis`), per month.
**Responsibility** is read from the records other capabilities keep, each with its source:

========================  ============================================================
measure                   source
========================  ============================================================
fairness                  latest ``fairness_audit`` evidence: its verdict and worst
                          selection-rate ratio (history: every audit)
consent_coverage          latest ``audience_filter`` evidence (consent ledger): consented
                          share of the audience
disclosure_compliance     content items of the system that are AI-generated (or chat):
                          share with no ``disclosure.*`` finding, last N days
training_data_anonymized  latest ``dataset_anonymization`` evidence (privacy): its verdict
open_obligations          the system's obligations in force and still open
open_incidents            incidents open or mitigating (high/critical make it red)
owner_training            the owner's required training modules that are current
attestation_rate          people who attested the policy version in force (organisation)
drift                     latest ``drift_check`` evidence: drift share and verdict
========================  ============================================================

A measure whose source has no data is **not measured**: it shows no number and does not count
in the score. Targets, weights and the bands of the overall score are the policy pack's
``scorecard.*`` thresholds (see :mod:`steward.engines.scorecard` for how a target reads).
The portfolio's responsibility measures roll the systems' up (pooled rates, the worst ratio,
totals against targets scaled by the number of systems measured).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from steward.core.roles import ANY_READER
from steward.engines.scorecard import Measure, Score, Target, combine, score, worst
from steward.errors import NotFound
from steward.services import auditors, kpis, policy, training
from steward.services.runtime import Unit
from steward.storage.orm import AISystem, ContentItem, Evidence, Incident

FAIRNESS_KIND = "fairness_audit"
DRIFT_KIND = "drift_check"
CONSENT_KIND = "audience_filter"
ANONYMIZATION_KIND = "dataset_anonymization"
OPEN_INCIDENT_STATUSES = ("open", "mitigating")
SEVERE = ("high", "critical")
VERDICT_STATUS = {"pass": "green", "warn": "amber", "review": "amber", "fail": "red",
                  "block": "red", "drift": "red"}
DEFAULT_BANDS = [0.8, 0.5]
DEFAULT_EVIDENCE_DAYS = 90

RESPONSIBILITY: dict[str, tuple[str, str, str]] = {
    # key: (label, threshold suffix, direction)
    "fairness": ("Fairness (worst selection-rate ratio)", "fairness_ratio_min", "min"),
    "consent_coverage": ("Consent coverage of the audience", "consent_coverage_min", "min"),
    "disclosure_compliance": ("AI disclosure compliance", "disclosure_compliance_min", "min"),
    "training_data_anonymized": ("Training data anonymized", "", "min"),
    "open_obligations": ("Open obligations", "open_obligations_max", "max"),
    "open_incidents": ("Open incidents", "open_incidents_max", "max"),
    "owner_training": ("Owner's training current", "owner_training_min", "min"),
    "attestation_rate": ("Policy attestation rate", "attestation_rate_min", "min"),
    "drift": ("Data drift (share of columns drifted)", "drift_share_max", "max"),
}
"""The responsibility measures, their labels, the threshold naming each target, its direction."""


class _Policy:
    """The ``scorecard.*`` thresholds of the policy in force, read once."""

    def __init__(self, unit: Unit) -> None:
        force = policy.in_force(unit)
        self.version = force.version
        self.values: Mapping[str, Any] = force.pack.thresholds

    def number(self, name: str, default: float) -> float:
        value = self.values.get(f"scorecard.{name}", default)
        return float(value) if isinstance(value, int | float) and not isinstance(
            value, bool) else default

    def target(self, name: str, direction: str) -> Target | None:
        value = self.values.get(f"scorecard.{name}")
        return None if value is None else Target.parse(value, direction)  # type: ignore[arg-type]

    def weight(self, key: str) -> float:
        return max(0.0, self.number(f"weight.{key}", 1.0))

    def kpi_target(self, metric: str) -> Target | None:
        for direction in ("min", "max"):
            found = self.target(f"kpi.{metric}_{direction}", direction)
            if found is not None:
                return found
        return None

    @property
    def bands(self) -> Target:
        return self.target("overall_min", "min") or Target.parse(DEFAULT_BANDS, "min")  # type: ignore[return-value]

    @property
    def additive(self) -> list[str]:
        value = self.values.get("scorecard.kpi.additive") or []
        return [str(v) for v in value] if isinstance(value, list) else []

    @property
    def evidence_days(self) -> int:
        return int(self.number("evidence_max_age_days", DEFAULT_EVIDENCE_DAYS))


# --- responsibility measures of one system ------------------------------------------------------


def _month(moment: datetime) -> str:
    return f"{moment:%Y-%m}"


def _monthly_last(points: Iterable[tuple[datetime, float | None]]) -> tuple[tuple[str, float], ...]:
    """The last value of each month, oldest month first."""
    months: dict[str, float] = {}
    for moment, value in sorted(points, key=lambda p: p[0]):
        if value is not None:
            months[_month(moment)] = value
    return tuple(months.items())


def _evidence(unit: Unit, system_id: int, kind: str) -> list[Evidence]:
    return list(unit.session.scalars(
        select(Evidence).where(Evidence.system_id == system_id, Evidence.kind == kind)
        .order_by(Evidence.created_at, Evidence.id)).all())


def _responsibility(rules: _Policy, key: str, **fields: Any) -> Measure:
    label, threshold, direction = RESPONSIBILITY[key]
    target = rules.target(threshold, direction) if threshold else None
    return Measure(key=key, label=label, group="responsibility", target=target,
                   weight=rules.weight(key), better=direction, **fields)  # type: ignore[arg-type]


def _stale_note(item: Evidence, now: datetime) -> str | None:
    if item.stale_at and item.stale_at <= now:
        return f"the latest evidence ({item.created_at:%Y-%m-%d}) is stale"
    return None


def _fairness(unit: Unit, rules: _Policy, system: AISystem, now: datetime) -> Measure:
    items = _evidence(unit, system.id, FAIRNESS_KIND)
    if not items:
        return _responsibility(rules, "fairness", source="no fairness audit recorded",
                               note="not measured: run `steward audit fairness --system "
                                    f"{system.id}`", unit="index")

    def ratio(item: Evidence) -> float | None:
        ratios = [v for v in ((item.summary or {}).get("worst_selection_rate_ratio") or {})
                  .values() if isinstance(v, int | float)]
        return min(ratios) if ratios else None

    latest = items[-1]
    forced = VERDICT_STATUS.get(latest.verdict or "")
    note = _stale_note(latest, now)
    if note and forced == "green":
        forced = "amber"
    return _responsibility(
        rules, "fairness", value=ratio(latest), unit="index", forced_status=forced,
        history=_monthly_last((i.created_at, ratio(i)) for i in items),
        source=f"fairness audit {latest.id} of {latest.created_at:%Y-%m-%d}: "
               f"verdict {latest.verdict}",
        note=note, detail={"verdict": latest.verdict, "evidence_id": latest.id,
                           "audits": len(items)})


def _figure(document: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = document.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _coverage(item: Evidence) -> float | None:
    """The consented share from an ``audience_filter`` result, by the names a filter reports."""
    for document in (item.summary or {}, item.payload or {}):
        share = _figure(document, "coverage", "consent_coverage", "consented_share")
        if share is not None:
            return share
        consented = _figure(document, "allowed", "consented_count", "consented", "kept")
        total = _figure(document, "rows", "size", "audience_size", "total", "input_count")
        if consented is not None and total:
            return consented / total
    return None


def _consent(unit: Unit, rules: _Policy, system: AISystem, now: datetime) -> Measure:
    items = _evidence(unit, system.id, CONSENT_KIND)
    if not items:
        return _responsibility(rules, "consent_coverage", unit="ratio",
            source="no consent-ledger audience filter (audience_filter evidence) recorded",
            note="not measured")
    latest = items[-1]
    value = _coverage(latest)
    return _responsibility(rules, "consent_coverage", value=value, unit="ratio",
        history=_monthly_last((i.created_at, _coverage(i)) for i in items),
        source=f"audience filter {latest.id} of {latest.created_at:%Y-%m-%d}",
        note=_stale_note(latest, now) if value is not None else
        "not measured: the audience filter reports no consented and total counts",
        detail={"evidence_id": latest.id})


def _disclosure(unit: Unit, rules: _Policy, system: AISystem, now: datetime) -> Measure:
    items = unit.session.execute(select(ContentItem.created_at, ContentItem.meta,
                                        ContentItem.channel, ContentItem.findings)
                                 .where(ContentItem.system_id == system.id)).all()
    months: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    since = now - timedelta(days=rules.evidence_days)
    recent = [0, 0]
    for created_at, meta, channel, findings in items:
        if not ((meta or {}).get("ai_generated") or channel == "chat"):
            continue
        ok = not any(str(f.get("rule", "")).startswith("disclosure.") for f in findings or [])
        month = months[_month(created_at)]
        month[0] += ok
        month[1] += 1
        if created_at >= since:
            recent[0] += ok
            recent[1] += 1
    history = tuple((m, ok / n) for m, (ok, n) in sorted(months.items()))
    if not recent[1]:
        return _responsibility(rules, "disclosure_compliance", unit="ratio", history=history,
            source=f"no AI-generated content of this system scanned in the last "
                   f"{rules.evidence_days} days", note="not measured")
    return _responsibility(
        rules, "disclosure_compliance", value=recent[0] / recent[1], unit="ratio",
        history=history,
        source=f"{recent[1]} AI-generated item(s) scanned in the last {rules.evidence_days} "
               f"days, {recent[0]} with no disclosure finding",
        detail={"items": recent[1], "compliant": recent[0]})


def _anonymization(unit: Unit, rules: _Policy, system: AISystem, now: datetime) -> Measure:
    items = _evidence(unit, system.id, ANONYMIZATION_KIND)
    if not items:
        return _responsibility(rules, "training_data_anonymized", unit="bool",
            source="no dataset anonymization (privacy) evidence recorded", note="not measured")
    latest = items[-1]
    forced = VERDICT_STATUS.get(latest.verdict or "")
    summary = latest.summary or {}
    return _responsibility(rules, "training_data_anonymized", unit="bool", forced_status=forced,
        value=None if forced is None else (1.0 if forced == "green" else 0.0),
        source=f"anonymization evidence {latest.id} of {latest.created_at:%Y-%m-%d}: verdict "
               f"{latest.verdict}",
        note=_stale_note(latest, now) if forced else "not measured: the evidence has no verdict",
        detail={"evidence_id": latest.id,
                "k_anonymity": _figure(summary, "k_anonymity", "k"),
                "l_diversity": _figure(summary, "l_diversity", "l")})


def _obligations(unit: Unit, rules: _Policy, system: AISystem) -> Measure:
    today = date.today()
    open_ = [o for o in system.obligations if o.status == "open" and o.applies_from <= today]
    in_force = [o for o in system.obligations if o.status != "withdrawn"
                and o.applies_from <= today]
    if system.tier is None:
        return _responsibility(rules, "open_obligations", unit="count",
                               source="the system has not been risk-classified",
                               note="not measured")
    return _responsibility(rules, "open_obligations", value=float(len(open_)), unit="count",
        source=f"{len(open_)} of {len(in_force)} obligations in force are open",
        detail={"open": [o.obligation_id for o in open_], "in_force": len(in_force)})


def _incidents(unit: Unit, rules: _Policy, system: AISystem) -> Measure:
    rows = unit.session.scalars(select(Incident).where(
        Incident.system_id == system.id)).all()
    open_ = [i for i in rows if i.status in OPEN_INCIDENT_STATUSES]
    severe = [i for i in open_ if i.severity in SEVERE]
    opened = _monthly_count(i.created_at for i in rows)
    return _responsibility(rules, "open_incidents", value=float(len(open_)), unit="count",
        forced_status="red" if severe else None, history=opened,
        source=f"{len(open_)} open ({len(severe)} high or critical), {len(rows)} in all",
        detail={"open": [i.id for i in open_], "severe": [i.id for i in severe],
                "history_is": "incidents opened per month"})


def _monthly_count(moments: Iterable[datetime]) -> tuple[tuple[str, float], ...]:
    months: dict[str, float] = defaultdict(float)
    for moment in moments:
        months[_month(moment)] += 1
    return tuple(sorted(months.items()))


def _owner_training(unit: Unit, rules: _Policy, system: AISystem) -> Measure:
    statuses = training.statuses_for(unit, system.owner)
    if not statuses:
        return _responsibility(rules, "owner_training", unit="ratio",
                               source=f"no training module applies to {system.owner.username}",
                               note="not measured")
    current = [s for s in statuses if s.status in ("current", "expiring")]
    expiring = [s for s in statuses if s.status == "expiring"]
    return _responsibility(
        rules, "owner_training", value=len(current) / len(statuses), unit="ratio",
        forced_status="amber" if expiring and len(current) == len(statuses) else None,
        source=f"{system.owner.username}: {len(current)} of {len(statuses)} required modules "
               f"current", detail={"gaps": [f"{s.module} ({s.status})" for s in statuses
                                            if s.status != "current"]})


def _attestation(unit: Unit, rules: _Policy) -> Measure:
    status = policy.attestation_status(unit)
    required = len(status["attested"]) + len(status["missing"])
    if status["version"] is None or not required:
        return _responsibility(rules, "attestation_rate", unit="ratio",
                               source="no published policy version to attest" if
                               status["version"] is None else "no one must attest",
                               note="not measured")
    return _responsibility(
        rules, "attestation_rate", value=len(status["attested"]) / required,
        unit="ratio",
        source=f"{len(status['attested'])} of {required} people attested policy version "
               f"{status['version']} (organisation-wide)",
        detail={"version": status["version"], "missing": len(status["missing"])})


def _drift(unit: Unit, rules: _Policy, system: AISystem, now: datetime) -> Measure:
    items = _evidence(unit, system.id, DRIFT_KIND)
    if not items:
        return _responsibility(rules, "drift", unit="ratio",
                               source="no drift check recorded", note="not measured")
    latest = items[-1]

    def share(item: Evidence) -> float | None:
        return _figure(item.summary or {}, "drift_share")

    note = _stale_note(latest, now)
    forced = VERDICT_STATUS.get(latest.verdict or "")
    if note and forced == "green":
        forced = "amber"
    return _responsibility(rules, "drift", value=share(latest), unit="ratio", forced_status=forced,
        history=_monthly_last((i.created_at, share(i)) for i in items),
        source=f"drift check {latest.id} of {latest.created_at:%Y-%m-%d}: verdict "
               f"{latest.verdict}", note=note,
        detail={"verdict": latest.verdict, "evidence_id": latest.id, "checks": len(items)})


# --- performance measures ----------------------------------------------------------------------


def _performance(unit: Unit, rules: _Policy, system_ids: list[int], *,
                 portfolio: bool = False) -> list[Measure]:
    """One measure per KPI metric; in the portfolio a summed metric's per-system target is
    multiplied by the number of systems reporting it."""
    series = kpis.monthly(unit, system_ids=system_ids, extra_additive=rules.additive)
    reporting = kpis.reporting_systems(unit, system_ids) if portfolio else {}
    out = []
    for metric, points in series.items():
        info = kpis.metric_info(metric)
        target = rules.kpi_target(metric)
        summed = info.aggregate == "sum" or metric in rules.additive
        scale = reporting.get(metric, 1)
        if target is not None and summed and scale > 1:
            target = replace(target, green=target.green * scale, red=target.red * scale)
        out.append(Measure(
            key=f"kpi.{metric}", label=info.label, group="performance", value=points[-1][1],
            target=target, history=tuple(points), unit=info.unit,
            weight=max(0.0, rules.number(f"kpi_weight.{metric}", 1.0)),
            better=info.better or (target.direction if target else None),  # type: ignore[arg-type]
            source=f"KPIs, {points[-1][0]} ({'sum' if summed else 'mean'} of the month)",
            note=None if target else "no target in the policy"))
    return out


# --- scorecards --------------------------------------------------------------------------------


def _scores(measures: list[Measure], rules: _Policy) -> dict[str, Score]:
    performance = score([m for m in measures if m.group == "performance"], bands=rules.bands)
    responsibility = score([m for m in measures if m.group == "responsibility"],
                           bands=rules.bands)
    overall = combine([(performance, rules.number("group_weight.performance", 0.4)),
                       (responsibility, rules.number("group_weight.responsibility", 0.6))],
                      bands=rules.bands)
    return {"performance": performance, "responsibility": responsibility, "overall": overall}


def _system_measures(unit: Unit, rules: _Policy, system: AISystem, now: datetime,
                     attestation: Measure) -> list[Measure]:
    return [
        *_performance(unit, rules, [system.id]),
        _fairness(unit, rules, system, now), _consent(unit, rules, system, now),
        _disclosure(unit, rules, system, now), _anonymization(unit, rules, system, now),
        _obligations(unit, rules, system), _incidents(unit, rules, system),
        _owner_training(unit, rules, system), attestation, _drift(unit, rules, system, now),
    ]


def _card(system: AISystem, measures: list[Measure], rules: _Policy,
          now: datetime) -> dict[str, Any]:
    scores = _scores(measures, rules)
    return {
        "system": {"id": system.id, "name": system.name, "stage": system.stage,
                   "tier": system.tier, "owner": system.owner.username,
                   "business_unit": system.business_unit, "purpose": system.purpose},
        "policy_version": rules.version, "generated_at": now.isoformat(),
        "measures": [m.to_dict() for m in measures],
        "scores": {k: v.to_dict() for k, v in scores.items()},
    }


def system_scorecard(unit: Unit, system_id: int) -> dict[str, Any]:
    """One system's scorecard: its measures with targets, trends and statuses, and its scores."""
    unit.require(ANY_READER, "read scorecards")
    system = unit.session.get(AISystem, system_id)
    if system is None:
        raise NotFound(f"no AI system with id {system_id}")
    auditors.check_visible(unit, system_id, log_view="scorecard")
    rules = _Policy(unit)
    now = datetime.now(UTC)
    card = _card(system, _system_measures(unit, rules, system, now, _attestation(unit, rules)),
                 rules, now)
    card["campaigns"] = kpis.campaigns(unit, system_id)
    return card


def _visible_systems(unit: Unit) -> list[AISystem]:
    query = select(AISystem).order_by(AISystem.name)
    visible = auditors.visible_system_ids(unit)
    if visible is not None:
        query = query.where(AISystem.id.in_(visible or {-1}))
    return list(unit.session.scalars(query).all())


def portfolio_scorecard(unit: Unit) -> dict[str, Any]:
    """Every active system's scorecard rolled up, and the portfolio's own measures."""
    unit.require(ANY_READER, "read scorecards")
    rules = _Policy(unit)
    now = datetime.now(UTC)
    everything = _visible_systems(unit)
    active = [s for s in everything if s.stage != "retired"]
    attestation = _attestation(unit, rules)
    cards = []
    per_key: dict[str, list[Measure]] = defaultdict(list)
    for system in active:
        measures = _system_measures(unit, rules, system, now, attestation)
        cards.append(_card(system, measures, rules, now))
        for m in measures:
            if m.group == "responsibility":
                per_key[m.key].append(m)
    measures = [*_performance(unit, rules, [s.id for s in active], portfolio=True),
                *_rolled_up(unit, rules, per_key, attestation)]
    scores = _scores(measures, rules)
    by_stage: dict[str, int] = defaultdict(int)
    by_tier: dict[str, int] = defaultdict(int)
    for system in everything:
        by_stage[system.stage] += 1
        by_tier[system.tier or "unclassified"] += 1
    return {
        "policy_version": rules.version, "generated_at": now.isoformat(),
        "systems": len(everything), "active_systems": len(active),
        "by_stage": dict(by_stage), "by_tier": dict(by_tier),
        "measures": [m.to_dict() for m in measures],
        "scores": {k: v.to_dict() for k, v in scores.items()},
        "system_cards": [{"system": c["system"], "scores": c["scores"],
                          "statuses": {m["key"]: m["status"] for m in c["measures"]
                                       if m["group"] == "responsibility"}}
                         for c in cards],
    }


def _rolled_up(unit: Unit, rules: _Policy, per_key: dict[str, list[Measure]],
               attestation: Measure) -> list[Measure]:
    out = []
    for key, (_label, _threshold, direction) in RESPONSIBILITY.items():
        if key == "attestation_rate":
            out.append(attestation)
            continue
        measured = [m for m in per_key.get(key, []) if m.measured]
        total = len(per_key.get(key, []))
        base = _responsibility(rules, key, unit=per_key[key][0].unit if per_key.get(key)
                               else "ratio")
        if not measured:
            out.append(replace(base, source=f"measured on none of {total} active systems",
                               note="not measured"))
            continue
        values = [m.value for m in measured if m.value is not None]
        forced = worst(m.forced_status for m in measured if m.forced_status) \
            if any(m.forced_status for m in measured) else None
        if forced == "not_measured":
            forced = None
        target = base.target
        if base.unit == "count":
            value: float | None = float(sum(values))
            if target is not None:
                target = replace(target, green=target.green * len(measured),
                                 red=target.red * len(measured))
        elif key in ("fairness", "consent_coverage"):
            value = min(values) if values else None  # the weakest system decides
        elif key == "drift":
            value = max(values) if values else None
        else:
            value = sum(values) / len(values) if values else None
        history = _merge_history([m.history for m in measured],
                                 summed=base.unit == "count",
                                 pick=min if direction == "min" else max)
        out.append(replace(
            base, value=value, target=target, forced_status=forced, history=history,
            source=f"measured on {len(measured)} of {total} active systems",
            detail={"measured": len(measured), "systems": total,
                    "red": sum(m.status == "red" for m in measured)}))
    return out


def _merge_history(histories: list[tuple[tuple[str, float], ...]], *, summed: bool,
                   pick: Any) -> tuple[tuple[str, float], ...]:
    months: dict[str, list[float]] = defaultdict(list)
    for history in histories:
        for month, value in history:
            months[month].append(value)
    return tuple((m, sum(v) if summed else pick(v)) for m, v in sorted(months.items()))


def stale_evidence(unit: Unit) -> list[dict[str, Any]]:
    """The latest evidence of each kind on each visible system that is stale now."""
    unit.require(ANY_READER, "read evidence")
    now = datetime.now(UTC)
    ids = {s.id: s.name for s in _visible_systems(unit) if s.stage != "retired"}
    latest: dict[tuple[int, str], Evidence] = {}
    for item in unit.session.scalars(select(Evidence).where(
            Evidence.system_id.in_(list(ids) or [-1])).order_by(Evidence.created_at,
                                                                  Evidence.id)).all():
        latest[(item.system_id or 0, item.kind)] = item
    return [{"system_id": sid, "system": ids[sid], "kind": kind, "evidence_id": item.id,
             "stale_at": item.stale_at.isoformat() if item.stale_at else None}
            for (sid, kind), item in sorted(latest.items())
            if item.stale_at and item.stale_at <= now]
