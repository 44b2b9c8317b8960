"""``explain(model, data)``: the one entry point."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from steward.engines.explain import _shap
from steward.engines.explain._data import read_rows
from steward.engines.explain._model import describe_model
from steward.engines.explain._result import Explanation
from steward.errors import InvalidInput

DEFAULT_SAMPLE = 500
DEFAULT_BACKGROUND = 100
PERMUTATION_SAMPLE = 100
PERMUTATION_BACKGROUND = 50
BAD_SAMPLE = "sample and background must be positive whole numbers"


def explain(
    model: Any,
    data: Any,
    *,
    row: Any = None,
    id_column: str | None = None,
    features: Sequence[str] | None = None,
    sample: int | None = None,
    background: int | None = None,
    target_class: Any = None,
    seed: int = 0,
) -> Explanation:
    """Explain a scikit-learn-compatible model on a table, globally and for one person.

    Parameters
    ----------
    model
        A fitted estimator or ``Pipeline`` (``predict``, and ``predict_proba`` for classifiers).
    data
        A Parquet or CSV path (read with DuckDB, sampled in SQL), a pyarrow table or a pandas
        DataFrame, with the model's feature columns (``feature_names_in_``) and usually an id.
    row
        The id of the person to explain (in ``id_column``, by default ``customer_id``, ``id``…).
    sample
        Rows explained for the global importance (default 500; 100 for the permutation
        explainer, which runs the model many times per row).
    background
        Rows the linear and permutation explainers average over (default 100; 50).
    target_class
        For a classifier, the class whose probability is explained (default: the last, the
        positive class of a binary model).

    Returns
    -------
    Explanation
        Tree models are explained in their raw output (log-odds for gradient boosting,
        probability for forests), linear classifiers in log-odds, anything else in probability.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> table = pd.DataFrame({"id": [1, 2, 3, 4], "x": [0.0, 1.0, 2.0, 3.0]})
    >>> model = LinearRegression().fit(table[["x"]], [1.0, 3.0, 5.0, 7.0])
    >>> result = explain(model, table, row=4)
    >>> round(result.base_value + result.contributions(4)[0]["contribution"], 6)
    7.0
    """
    info = describe_model(model)
    permutation = info.method == "permutation"
    sample = sample if sample is not None else (PERMUTATION_SAMPLE if permutation
                                                else DEFAULT_SAMPLE)
    background = background if background is not None else (
        PERMUTATION_BACKGROUND if permutation else DEFAULT_BACKGROUND)
    if sample < 1 or background < 1:
        raise InvalidInput(BAD_SAMPLE)
    k = _shap.class_index(info, target_class)
    frame, person, ident, total, fingerprint = read_rows(
        data, features=info.features or features, id_column=id_column,
        n_features=getattr(model, "n_features_in_", None), sample=sample, seed=seed, row=row)
    columns = [c for c in frame.columns if c != ident]
    explained = frame[columns]
    ids = tuple(frame[ident].tolist()) if ident else (None,) * len(frame)
    if person is not None:
        explained = _append(explained, person[columns])
    back = frame[columns].head(background)
    notes = []
    if total > len(frame):
        notes.append(f"global importance from a random sample of {len(frame):,} of "
                     f"{total:,} rows")
    try:
        if info.method == "tree":
            shap_values = _shap.tree_values(model, info, explained, k)
        elif info.method == "linear":
            shap_values = _shap.linear_values(model, info, explained, back, k)
        else:
            shap_values = _permutation(model, info, explained, back, k, person is not None,
                                       seed)
    except InvalidInput:
        raise
    except Exception as exc:  # noqa: BLE001 - the model refused the data: bad input, one line
        raise InvalidInput(f"the model could not be explained on this data "
                           f"({type(exc).__name__}: {exc})") from None
    return Explanation(
        model=info, method=info.method, output=shap_values.output,
        target_class=info.classes[k] if k is not None else None,
        features=tuple(columns), base_value=shap_values.base_value,
        values=shap_values.values, outputs=shap_values.outputs, frame=explained,
        ids=ids, id_column=ident, rows=total, background=len(back),
        person=row if person is not None else None, fingerprint=fingerprint,
        notes=tuple(notes))


def _append(frame: Any, person: Any) -> Any:
    import pandas as pd

    return pd.concat([frame, person], ignore_index=True)


def _permutation(model: Any, info: Any, explained: Any, back: Any, k: int | None,
                 with_person: bool, seed: int) -> _shap.ShapValues:
    """The sample with few permutations; the person with more (their reasons must be stable)."""
    if not with_person:
        return _shap.permutation_values(model, info, explained, back, k,
                                        permutations=_shap.SAMPLE_PERMUTATIONS, seed=seed)
    head = explained.iloc[:-1]
    last = explained.iloc[-1:]
    person = _shap.permutation_values(model, info, last, back, k,
                                      permutations=_shap.PERSON_PERMUTATIONS, seed=seed)
    if head.empty:
        return person
    rest = _shap.permutation_values(model, info, head, back, k,
                                    permutations=_shap.SAMPLE_PERMUTATIONS, seed=seed)
    return _shap.ShapValues(values=np.vstack([rest.values, person.values]),
                            base_value=rest.base_value,
                            outputs=np.concatenate([rest.outputs, person.outputs]),
                            output=rest.output)
