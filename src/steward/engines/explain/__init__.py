"""Explanations: why a model scored a person as it did, and what drives it overall.

A propensity model decides who sees an offer; the people it scores may ask why (GDPR Art. 15
and 22, EU AI Act Art. 86), and the people who approve it must know what drives it. SHAP values
answer both with one measure: each feature's contribution to one row's output, adding up
exactly to the model's output minus a base value (the average output).

- **Tree ensembles** (random forests, gradient boosting, scikit-learn's histogram boosting,
  XGBoost, LightGBM) get SHAP's exact ``TreeExplainer``, in the model's raw output (log-odds for
  gradient boosting, probability for forests).
- **Linear models** get the ``LinearExplainer`` against a background sample (log-odds for a
  logistic regression).
- **Anything else**, pipelines with their preprocessing included, gets the model-agnostic
  permutation method (SHAP's ``PermutationExplainer`` algorithm with an independent masker,
  vectorized in NumPy here: shap's own JIT-compiles with numba on first use, seconds per
  process) over the raw input columns, text columns passed through as categories, in
  probability for classifiers. With every feature order it gives the exact Shapley values;
  with sampled orders (and their reverses) it is still exactly additive. It runs the model
  many times per row, so it explains a smaller sample.

:func:`explain` computes an :class:`Explanation` once: :meth:`~Explanation.global_importance`
(mean |SHAP| per feature), :meth:`~Explanation.contributions` and :meth:`~Explanation.reasons`
for a row, and :meth:`~Explanation.to_dict`, the JSON contract. :func:`customer_text` turns a
person's top reasons into the organisation's own words.

What an explanation cannot tell you: whether the model is right, fair or lawful to use. SHAP
describes the model's arithmetic, not the world: a feature with a large contribution may stand
in for something the model should not use.

**Loading a model file runs code** (pickle and joblib execute what the file says):
:func:`load_model` loads any path it is given; Steward's services load only registered files.
"""

from steward.engines.explain._data import (
    EMPTY_DATA,
    ID_CANDIDATES,
    MISSING_FEATURES,
    NO_ID_COLUMN,
    ROW_NOT_FOUND,
)
from steward.engines.explain._explain import (
    DEFAULT_BACKGROUND,
    DEFAULT_SAMPLE,
    PERMUTATION_BACKGROUND,
    PERMUTATION_SAMPLE,
    explain,
)
from steward.engines.explain._model import (
    BAD_MODEL_SUFFIX,
    MODEL_SUFFIXES,
    NOT_A_MODEL,
    UNREADABLE_MODEL,
    ModelInfo,
    describe_model,
    load_model,
)
from steward.engines.explain._result import Explanation
from steward.engines.explain._text import customer_text, join_and, labelled, show_value

__all__ = [
    # computing
    "explain", "Explanation", "describe_model", "ModelInfo", "load_model",
    # wording
    "customer_text", "labelled", "show_value", "join_and",
    # defaults
    "DEFAULT_SAMPLE", "DEFAULT_BACKGROUND", "PERMUTATION_SAMPLE", "PERMUTATION_BACKGROUND",
    "MODEL_SUFFIXES", "ID_CANDIDATES",
    # error messages
    "BAD_MODEL_SUFFIX", "NOT_A_MODEL", "UNREADABLE_MODEL", "EMPTY_DATA", "MISSING_FEATURES",
    "NO_ID_COLUMN", "ROW_NOT_FOUND",
]
