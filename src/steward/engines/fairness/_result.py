"""The audit result: computed once, read as properties, written as one JSON contract."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from steward.engines.backends import Fingerprint
from steward.engines.fairness._counts import calibration_edges
from steward.engines.fairness._gc import collector_paused
from steward.engines.fairness._judge import FairnessThresholds, Finding, Judgement, Verdict, judge
from steward.engines.fairness._metrics import LABEL_RATES, ScopeMetrics

RESULT_VERSION = 1
DISPARITIES = (
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "equal_opportunity_ratio",
)
JUDGED_DISPARITIES = ("selection_rate_ratio", "selection_rate_difference", "representation_ratio")


@dataclass(frozen=True)
class LeftOut:
    """Rows left out of (part of) the audit, and why."""

    reason: str
    rows: int
    column: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "column": self.column, "rows": self.rows}


def _plain(values: np.ndarray) -> list[Any]:
    """Python numbers (nested lists for 2-D), with NaN and infinities as ``None``; converted
    in C, whole arrays at a time."""
    if values.dtype.kind in "iub":
        return values.tolist()
    finite = np.isfinite(values)
    if finite.all():
        return values.tolist()
    return np.where(finite, values, None).tolist()


@dataclass(frozen=True)
class FairnessResult:
    """A fairness and inclusivity audit of one decision table, computed once.

    Read it through its properties (:attr:`verdict`, :attr:`findings`, :attr:`disparities`),
    :meth:`groups` and :meth:`to_dict` (the JSON contract); judge it again under another policy
    with :meth:`rejudge` without reading the data again.
    """

    rows: int
    options: dict[str, Any]
    overall: ScopeMetrics
    scopes: tuple[ScopeMetrics, ...]
    judgement: Judgement
    fingerprint: Fingerprint
    left_out: tuple[LeftOut, ...]
    notes: tuple[str, ...] = ()
    reference: dict[str, Any] | None = None

    @property
    def verdict(self) -> Verdict:
        """``pass``, ``warn`` or ``fail``: the worst of the findings."""
        return self.judgement.verdict

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.judgement.findings

    @property
    def has_label(self) -> bool:
        return self.options.get("label") is not None

    @property
    def disparities(self) -> dict[str, dict[str, float | None]]:
        """``{metric: {scope: value}}`` for Fairlearn's disparities and the judged ratios."""
        out: dict[str, dict[str, float | None]] = {name: {} for name in DISPARITIES}
        out.update({name: {} for name in JUDGED_DISPARITIES})
        for scope in self.scopes:
            for name in DISPARITIES:
                out[name][scope.scope] = scope.disparities[name]
            for name in JUDGED_DISPARITIES:
                out[name][scope.scope] = scope.judged_disparities[name]
        return out

    def scope(self, name: str) -> ScopeMetrics:
        """The measured scope called ``name`` (``"sex"``, ``"sex:race"``)."""
        for scope in self.scopes:
            if scope.scope == name:
                return scope
        raise KeyError(name)

    def groups(self, scope: str | None = None) -> list[dict[str, Any]]:
        """Group entries (as in :meth:`to_dict`) of one scope, or of every marginal scope."""
        chosen = [self.scope(scope)] if scope is not None else [
            s for s in self.scopes if s.level == "marginal"
        ]
        return [entry for s in chosen for entry in self._entries(s)]

    def rejudge(self, thresholds: FairnessThresholds) -> FairnessResult:
        """The same measurements judged under other thresholds."""
        judgement = judge(self.scopes, thresholds, has_label=self.has_label)
        return replace(self, judgement=judgement)

    def _entries(self, scope: ScopeMetrics, *, with_group: bool = True) -> list[dict[str, Any]]:
        """One JSON entry per group of ``scope``, built from whole columns at a time: a list of
        values per field, zipped into the entries at the end."""
        numbers, rates, adjusted = scope.numbers, scope.rates, self.judgement.adjusted
        size = len(scope.counts.labels)
        nothing: list[Any] = [None] * size
        column = {name: _plain(values) for name, values in rates.items()}
        count = {name: _plain(numbers[name]) for name in ("n", "rows", "selected", "positives",
                                                         "negatives")}
        bounds = {name: [[low, high] for low, high in zip(_plain(scope.lower[name]),
                                                          _plain(scope.upper[name]),
                                                          strict=True)]
                  for name in scope.lower}
        tests: dict[str, list[Any]] = {"selection_rate": list(nothing),
                                       "representation": list(nothing)}
        for test in scope.tests:
            if test.metric in tests:
                tests[test.metric][test.group] = test.result
        selection, representation = tests["selection_rate"], tests["representation"]
        fields: dict[str, list[Any]] = {}
        if with_group:
            names = scope.counts.columns
            fields["group"] = [dict(zip(names, label, strict=True))
                               for label in scope.counts.labels]
            fields["scope"] = [scope.scope] * size
        fields.update({
            "n": count["n"], "rows": count["rows"], "judged": scope.judged.tolist(),
            "favoured": [g == scope.favoured for g in range(size)],
            "selected": count["selected"],
            "selection_rate": column["selection_rate"],
            "selection_rate_ci": bounds["selection_rate"],
            "selection_rate_ratio": column["selection_rate_ratio"],
            "selection_rate_difference": column["selection_rate_difference"],
            "test": [t.test if t else None for t in selection],
            "p_value": [t.p_value if t else None for t in selection],
            "p_adjusted": [adjusted.get(("selection_rate", scope.scope, g)) for g in range(size)],
            "positives": count["positives"] if self.has_label else nothing,
            "negatives": count["negatives"] if self.has_label else nothing,
        })
        for name in LABEL_RATES:
            fields[name] = column.get(name, nothing)
            fields[f"{name}_ci"] = bounds.get(name, nothing)
        fields.update({
            "mean_score": column["mean_score"],
            "calibration": self._calibration(scope) or nothing,
            "reach_share": column["reach_share"],
            "reach_share_ci": bounds["reach_share"],
            "population": _plain(scope.counts.population if scope.counts.population is not None
                                 else numbers["n"]),
            "population_share": column["population_share"],
            "representation_ratio": column["representation_ratio"],
            "representation_p_value": [t.p_value if t else None for t in representation],
            "representation_p_adjusted": [adjusted.get(("representation", scope.scope, g))
                                          for g in range(size)],
        })
        keys = list(fields)
        return [dict(zip(keys, values, strict=True))
                for values in zip(*fields.values(), strict=True)]

    def _calibration(self, scope: ScopeMetrics) -> list[list[dict[str, Any]]] | None:
        cal = scope.counts.calibration
        if cal is None or not self.has_label:
            return None
        bins = cal["cal_n"].shape[1]
        edges = calibration_edges(bins).tolist()
        n = cal["cal_n"].tolist()
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = _plain(cal["cal_score_sum"] / cal["cal_n"])
            observed = _plain(cal["cal_pos"] / cal["cal_n"])
        return [
            [{"bin": [edges[b], edges[b + 1]], "n": count, "mean_score": score,
              "observed_rate": rate}
             for b, (count, score, rate) in enumerate(zip(counts, scores, rates, strict=True))]
            for counts, scores, rates in zip(n, mean, observed, strict=True)
        ]

    def to_json(self) -> bytes:
        """:meth:`to_dict` as compact UTF-8 JSON, by orjson: an audit with intersections is a
        couple of megabytes of numbers, which the standard library takes ten times longer to
        write (a tenth of a 10M-row audit)."""
        import orjson

        with collector_paused():
            return orjson.dumps(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: plain lists, dicts, strings, numbers and ``null`` (never NaN)."""
        overall = self._entries(self.overall, with_group=False)[0]
        for key in ("judged", "favoured", "selection_rate_ratio", "selection_rate_difference",
                    "test", "p_value", "p_adjusted", "representation_p_value",
                    "representation_p_adjusted"):
            overall.pop(key, None)
        favoured = {
            s.scope: (dict(zip(s.counts.columns, s.counts.labels[s.favoured], strict=True))
                      if s.favoured is not None else None)
            for s in self.scopes
        }
        judged_disparities: dict[str, dict[str, float | None]] = {}
        for s in self.scopes:
            for name, value in s.judged_disparities.items():
                judged_disparities.setdefault(name, {})[s.scope] = value
        return {
            "engine": "fairness",
            "version": RESULT_VERSION,
            "rows": self.rows,
            "fingerprint": self.fingerprint.to_dict(),
            "reference": self.reference,
            "options": dict(self.options),
            "left_out": [item.to_dict() for item in self.left_out],
            "overall": overall,
            "groups": self.groups(),
            "intersections": [
                entry for s in self.scopes if s.level == "intersection"
                for entry in self._entries(s)
            ],
            "favoured_groups": favoured,
            "disparities": self.disparities,
            "disparities_judged": judged_disparities,
            "verdict": self.verdict,
            "verdicts": dict(self.judgement.verdicts),
            "findings": [f.to_dict() for f in self.findings],
            "thresholds": self.judgement.thresholds.to_dict(),
            "notes": list(self.notes),
        }

