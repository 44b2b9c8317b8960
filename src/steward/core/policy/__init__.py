"""The policy pack: the organisation's rules for AI in marketing, as versioned data.

A **policy pack** is one YAML document. Its **rules** judge the facts about a piece of content, a
system, an audience, a dataset, a model or an engine's audit result; each rule cites its source
and has a severity. :func:`evaluate` returns a :class:`Decision`: the rules that **fired** (whose
condition held) and the outcome, the worst severity among them — ``block`` > ``warn`` > ``pass``;
an ``info`` rule is reported but never changes the outcome. Its **gates** say what moving a
system into pilot or production needs (:func:`gate_requirement`); its **thresholds** are the
named numbers the engines use; :func:`diff_packs` and :func:`render_changelog` describe what a
new version changes. Everything here is pure: storing versions, publishing them and asking for
attestations is the services' job.

Conditions are CEL (the Common Expression Language, run by ``cel-python``; never Python
``eval``) and describe the **violation**: a rule fires when its condition is true. Each is
compiled and checked when the pack is parsed: the names it reads, the thresholds it names, the
functions it calls, and that it can give true or false. A rule whose condition reads a fact that
is absent (or null where a value is needed) is **skipped**, not fired, and listed with the reason
in ``Decision.skipped`` — write ``x != true`` rather than ``!x`` to treat a null as "not done".

The YAML schema
---------------
::

    title: Responsible AI marketing policy          # required
    description: ...
    thresholds:                                      # named values; CEL reads them as settings.*
      fairness.selection_rate_ratio_min: 0.8         # numbers, text, true/false, or lists of them
      consent.profiling_purposes: [profiling, ...]
    attestation: {roles: [marketing, legal, ...]}    # who attests each published version
    incidents: {suspend_system_on_severity: critical, notify_roles: [committee]}
    gates:                                           # pilot and/or production
      production:
        approvals: [committee, legal, privacy]       # roles (steward.core.roles, not auditor)
        extra_approvals:                             # more roles when `when` holds for the system
          - {roles: [data_science], when: "'predictive_model' in system.ai_kinds"}
        obligations_met: true                        # risk obligations due by then met or waived
        training_required: true                      # the owners' training is current
        evidence:
          - kind: fairness_audit                     # an evidence kind (slug), once per gate
            title: A passing bias audit within 90 days
            max_age_days: 90                         # optional: any age
            accepted_verdicts: [pass, warn]          # optional: any verdict
            when: "..."                              # optional CEL over system: always
            citation: {instrument: ..., article: ..., url: https://...}   # optional
    rules:
      - id: fairness.four_fifths                     # lower-case dotted, unique
        title: ...
        rationale: ...                               # why the rule exists
        citation: {instrument: ..., article: ..., url: https://...}
        applies_to: audit                            # content|system|audience|dataset|model|audit
        severity: block                              # block|warn|info
        condition: "result.groups.exists(g, g.selection_rate_ratio < thresholds.min_ratio)"
        thresholds: {min_ratio: 0.8}                 # optional: the rule's own, as thresholds.*
        message: "ratio {{ ... }}"                   # optional: CEL in {{ }}; default the title
        enabled: true                                # optional

Inside a condition (and a message's ``{{ }}``), ``settings.<name>`` reads a pack threshold
(``settings.fairness.min_group_size``), ``thresholds.<name>`` one of the rule's own, and the facts
are read by the names below. A gate's ``when`` reads ``system`` and ``settings``. Integers and
doubles compare with each other, and ``x == null`` is simply false for a non-null ``x``.

The facts
---------
:func:`evaluate` takes ``facts``, a mapping of the names below to JSON-like values (mappings,
lists, text, numbers, true/false, null; enums, dates and pydantic models are converted). A rule
reads only the names for its ``applies_to`` (:data:`FACT_ROOTS`); the default pack reads:

- ``system`` (every kind may read it; ``system`` rules and gates): ``name``, ``stage``,
  ``ai_kinds`` (``predictive_model``, ``chatbot``...), ``uses`` (risk questionnaire uses:
  ``audience_targeting``, ``lead_scoring``...; ``[]`` if not assessed), ``channels``,
  ``customer_facing``, ``jurisdictions``, ``tier`` (``prohibited|high|limited|minimal``, null when
  not assessed), ``human_oversight``, ``bot_disclosure``, ``human_handoff`` (documented
  measures, true/false/null), ``vendor_trains_on_our_data``, ``training_opt_out``,
  ``data_categories`` and ``data_uses`` (fideslang keys), ``consent_purposes``.
- ``content`` (``content``): ``channel``, ``customer_facing``, ``ai_generated`` and
  ``ai_disclosure`` (whether a disclosure, e.g. one of ``settings.content.disclosure_phrases``,
  is present).
- ``audience`` (``audience``): ``name``, ``purpose`` (the consent purpose it is built for),
  ``profiling`` (optional), ``size``, ``consented_count``, ``unconsented_count`` and
  ``criteria_categories`` (fideslang categories its selection uses).
- ``dataset`` (``dataset``): ``name``, ``purpose`` (``model_training``, ``analytics``...),
  ``rows``, ``direct_identifiers`` (columns still holding them), ``quasi_identifiers``,
  ``k_anonymity``, ``l_diversity``.
- ``model`` (``model``): ``name`` and ``drift``: ``{drifted_share, drifted_columns}``.
- ``result`` (``audit``): an engine result's ``to_dict()``; the fairness rules read
  ``engine == 'fairness'``, ``groups[].{n, scope, group, selection_rate_ratio}`` and
  ``disparities.equalized_odds_difference`` (``{scope: value | null}``).

Examples
--------
>>> pack = parse_pack('''
... title: Example
... thresholds: {fairness.min_group_size: 30}
... rules:
...   - id: example.ratio
...     title: Selection-rate ratio at least 0.8
...     rationale: Four-fifths rule.
...     citation: {instrument: 29 CFR 1607, article: 1607.4(D),
...                url: "https://www.ecfr.gov/current/title-29/section-1607.4"}
...     applies_to: audit
...     severity: block
...     condition: "result.groups.exists(g, g.n >= settings.fairness.min_group_size
...                 && g.selection_rate_ratio < thresholds.min_ratio)"
...     thresholds: {min_ratio: 0.8}
... ''')
>>> groups = [{"n": 100, "selection_rate_ratio": 0.5}]
>>> evaluate(pack, applies_to="audit", facts={"result": {"groups": groups}}).outcome
'block'
>>> evaluate(pack, applies_to="audit", facts={}).to_dict()["skipped"][0]["reason"]
'missing_fact'
"""

from __future__ import annotations

from steward.core.policy._diff import (
    FieldChange,
    PackDiff,
    RuleChange,
    diff_packs,
    render_changelog,
)
from steward.core.policy._evaluate import (
    EVALUATION_ERROR,
    MISSING_FACT,
    Decision,
    FiredRule,
    Outcome,
    SkippedRule,
    evaluate,
    worst,
)
from steward.core.policy._gates import (
    EvidenceRequirement,
    GateRequirement,
    gate_requirement,
)
from steward.core.policy._model import (
    APPLIES_TO,
    FACT_ROOTS,
    GATE_STAGES,
    SEVERITIES,
    Attestation,
    EvidenceSpec,
    ExtraApproval,
    Gate,
    Incidents,
    PolicyError,
    PolicyPack,
    PolicyRule,
    parse_pack,
)
from steward.core.risk import Citation

__all__ = [
    # the pack
    "PolicyPack",
    "PolicyRule",
    "Gate",
    "ExtraApproval",
    "EvidenceSpec",
    "Attestation",
    "Incidents",
    "Citation",
    "PolicyError",
    "parse_pack",
    # evaluation
    "evaluate",
    "Decision",
    "FiredRule",
    "SkippedRule",
    "Outcome",
    "worst",
    "MISSING_FACT",
    "EVALUATION_ERROR",
    # stage gates
    "gate_requirement",
    "GateRequirement",
    "EvidenceRequirement",
    # versions
    "diff_packs",
    "PackDiff",
    "RuleChange",
    "FieldChange",
    "render_changelog",
    # vocabulary
    "APPLIES_TO",
    "FACT_ROOTS",
    "GATE_STAGES",
    "SEVERITIES",
]
