"""Fairness and inclusivity of decisions: who was selected, by group, and who was reached.

A marketing decision — who sees an ad, gets an offer, a price, a call — is judged the way
regulators judge it: by **group rates** (the selection rate of each group against the
most-favoured group: the four-fifths rule, 29 CFR 1607.4(D)), by **error-rate gaps** when the
outcome is known (true and false positive rates: equalized odds), and by **reach** (each group's
share of the people reached against its share of the eligible or reference population, as in
the HUD/Meta ad-delivery settlement).

:func:`audit_fairness` reads the decision table once — one ``GROUP BY`` on DuckDB or Spark
returns counts per group cell — and derives every rate, Wilson interval, significance test
(z or Fisher's exact, Holm-corrected) and disparity from those counts. The
:class:`FairnessResult` is computed once; :meth:`FairnessResult.to_dict` is its JSON contract
and :meth:`FairnessResult.rejudge` applies other thresholds without reading the data again.

What it cannot decide for you: which groups to protect, whether a gap is justified by a
legitimate business need, or whether the label itself is biased. A ``pass`` means the measured
gaps are within the policy's thresholds, not that the decision is fair.
"""

import importlib
from typing import TYPE_CHECKING, Any

from steward.engines.fairness._audit import (
    BAD_OPTION,
    DECISION_NOT_BINARY,
    DUPLICATE_COLUMN,
    LABEL_NOT_BINARY,
    NO_DECISIONS,
    NO_GROUPS,
    WRONG_KIND,
    audit_fairness,
)

if TYPE_CHECKING:
    from steward.engines.fairness._groups import MISSING_LABEL, MissingPolicy, format_value
    from steward.engines.fairness._judge import (
        BAD_THRESHOLD,
        FairnessThresholds,
        Finding,
        Judgement,
        Verdict,
        judge,
    )
    from steward.engines.fairness._result import FairnessResult, LeftOut
    from steward.engines.fairness._stats import adjust_p_values, wilson_interval

# The rest needs numpy, which ``audit_fairness`` imports only once its pass is running on the
# engine (see ._audit): these names load on first use.
_LAZY = {
    "MISSING_LABEL": "_groups", "MissingPolicy": "_groups", "format_value": "_groups",
    "BAD_THRESHOLD": "_judge", "FairnessThresholds": "_judge", "Finding": "_judge",
    "Judgement": "_judge", "Verdict": "_judge", "judge": "_judge",
    "FairnessResult": "_result", "LeftOut": "_result",
    "adjust_p_values": "_stats", "wilson_interval": "_stats",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    # the audit and its result
    "audit_fairness",
    "FairnessResult",
    "LeftOut",
    "MissingPolicy",
    "MISSING_LABEL",
    # judgement
    "FairnessThresholds",
    "Finding",
    "Judgement",
    "Verdict",
    "judge",
    # helpers
    "adjust_p_values",
    "format_value",
    "wilson_interval",
    # error messages
    "BAD_OPTION",
    "BAD_THRESHOLD",
    "DECISION_NOT_BINARY",
    "DUPLICATE_COLUMN",
    "LABEL_NOT_BINARY",
    "NO_DECISIONS",
    "NO_GROUPS",
    "WRONG_KIND",
]
