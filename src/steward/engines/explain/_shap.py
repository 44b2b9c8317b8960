"""Computing SHAP values for the three kinds of model (shap is imported only here, on demand)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from steward.engines.explain._model import ModelInfo
from steward.errors import InvalidInput

SAMPLE_PERMUTATIONS = 2
"""Pairs of feature orders (an order and its reverse) per row of the sample; the person
asked about gets PERSON_PERMUTATIONS pairs, which is every order for up to four features."""
PERSON_PERMUTATIONS = 12
NOT_NUMERIC = ("feature {column!r} is not numeric: a {method} explainer needs numeric features "
               "(wrap the model in a Pipeline that encodes it)")
UNKNOWN_CLASS = "the model has no class {value!r} (it has {classes})"


@dataclass(frozen=True)
class ShapValues:
    values: np.ndarray  # (rows, features)
    base_value: float
    outputs: np.ndarray  # the model output that base_value + sum(values) reproduces, per row
    output: str  # "log-odds", "probability", "prediction" or "decision"


def class_index(info: ModelInfo, target_class: Any) -> int | None:
    """The column of predict_proba explained: the given class, else the last (the positive)."""
    if not info.classifier:
        return None
    if target_class is None:
        return len(info.classes) - 1
    for i, value in enumerate(info.classes):
        if str(value) == str(target_class):
            return i
    raise InvalidInput(UNKNOWN_CLASS.format(value=target_class, classes=", ".join(
        str(c) for c in info.classes)))


def _is_number(series: Any) -> bool:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    return bool(is_numeric_dtype(series.dtype) or is_bool_dtype(series.dtype))


def _numeric(frame: Any, method: str) -> np.ndarray:
    for column in frame.columns:
        if not _is_number(frame[column]):
            raise InvalidInput(NOT_NUMERIC.format(column=column, method=method))
    return frame.to_numpy(dtype=float)


def _pick(values: np.ndarray, base: np.ndarray, k: int | None) -> tuple[np.ndarray, float, int]:
    """Values and base value for class ``k``; the sign (+1/-1) for one-output binary models."""
    base = np.asarray(base, dtype=float).reshape(-1) if np.ndim(base) else np.array([base])
    if values.ndim == 3:
        column = 0 if k is None else k
        return values[:, :, column], float(base[column] if base.size > column else base[0]), 1
    sign = -1 if k == 0 else 1
    return sign * values, float(sign * base[0]), sign


def _candidates(model: Any, frame: Any, k: int | None, sign: int) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    if k is not None:
        if hasattr(model, "decision_function"):
            raw = np.asarray(model.decision_function(frame), dtype=float)
            if raw.ndim == 1:
                found["log-odds"] = sign * raw
        found["probability"] = np.asarray(model.predict_proba(frame), dtype=float)[:, k]
    else:
        found["prediction"] = np.asarray(model.predict(frame), dtype=float).reshape(-1)
    return found


def _matched(model: Any, frame: Any, k: int | None, sign: int, values: np.ndarray,
             base: float) -> tuple[np.ndarray, str]:
    """The model output the SHAP values add up to (the closest candidate)."""
    total = base + values.sum(axis=1)
    options = _candidates(model, frame, k, sign)
    name = min(options, key=lambda n: float(np.max(np.abs(options[n] - total))))
    return options[name], name


def tree_values(model: Any, info: ModelInfo, frame: Any, k: int | None) -> ShapValues:
    import shap

    explainer = shap.TreeExplainer(model)
    result = explainer(_numeric(frame, "tree"))
    values, base, sign = _pick(np.asarray(result.values, dtype=float),
                               np.asarray(explainer.expected_value), k)
    outputs, name = _matched(model, frame, k, sign, values, base)
    return ShapValues(values, base, outputs, name)


def linear_values(model: Any, info: ModelInfo, frame: Any, background: Any,
                  k: int | None) -> ShapValues:
    import shap

    masker = shap.maskers.Independent(_numeric(background, "linear"),
                                      max_samples=len(background))
    explainer = shap.LinearExplainer(model, masker)
    result = explainer(_numeric(frame, "linear"))
    bases = np.asarray(result.base_values, dtype=float)
    first = bases[0] if bases.ndim >= 1 and bases.shape[0] == len(frame) else bases
    values, base, sign = _pick(np.asarray(result.values, dtype=float), first, k)
    outputs, name = _matched(model, frame, k, sign, values, base)
    return ShapValues(values, base, outputs, name)


class _Codec:
    """Numbers for shap's masker: categorical columns as codes, decoded before the model runs."""

    def __init__(self, frames: list[Any]) -> None:
        import pandas as pd

        self.columns = list(frames[0].columns)
        self.dtypes = frames[0].dtypes.to_dict()
        joined = pd.concat(frames, ignore_index=True)
        self.categories = {
            c: pd.Index(pd.unique(joined[c].astype(object)))
            for c in self.columns if not _is_number(joined[c])}

    def encode(self, frame: Any) -> np.ndarray:
        out = np.empty((len(frame), len(self.columns)), dtype=float)
        for j, column in enumerate(self.columns):
            if column in self.categories:
                out[:, j] = self.categories[column].get_indexer(frame[column].astype(object))
            else:
                out[:, j] = frame[column].to_numpy(dtype=float)
        return out

    def decode(self, array: np.ndarray) -> Any:
        import pandas as pd

        data = {}
        for j, column in enumerate(self.columns):
            if column in self.categories:
                data[column] = self.categories[column].take(array[:, j].astype(int)).to_numpy()
            else:
                data[column] = array[:, j]
        frame = pd.DataFrame(data, columns=self.columns)
        for column, dtype in self.dtypes.items():
            if column not in self.categories:
                frame[column] = frame[column].astype(dtype)
        return frame


def permutations_for(width: int, pairs: int, rng: np.random.Generator) -> np.ndarray:
    """Feature orders to average over: every order when that is no more than ``2 * pairs``
    (then the values are the exact Shapley values), else ``pairs`` random orders and their
    reverses (antithetic sampling, as SHAP's ``PermutationExplainer``)."""
    if math.factorial(width) <= 2 * pairs:
        return np.array(list(itertools.permutations(range(width))), dtype=int).reshape(
            -1, width)
    forward = np.array([rng.permutation(width) for _ in range(pairs)], dtype=int)
    return np.vstack([forward, forward[:, ::-1]])


def permutation_shap(predict: Callable[[np.ndarray], np.ndarray], rows: np.ndarray,
                     background: np.ndarray, orders: np.ndarray,
                     *, batch_rows: int = 200_000) -> tuple[np.ndarray, np.ndarray, float]:
    """Shapley values by permutation sampling with an independent (interventional) masker.

    For each row and each feature order, features are switched from the background's values
    to the row's one at a time; each feature is credited with the change in the mean model
    output over the background when it is switched. The credits of one order add up to
    ``f(row) - mean(f(background))``, so the values are exactly additive whatever the orders.
    Returns (values, outputs, base value).
    """
    n, width = rows.shape
    m = len(background)
    base = float(np.mean(predict(background)))
    values = np.zeros((n, width))
    outputs = np.zeros(n)
    steps = width + 1
    per_row = len(orders) * steps * m
    chunk = max(1, batch_rows // max(per_row, 1))
    for start in range(0, n, chunk):
        block = rows[start:start + chunk]
        size = len(block)
        # masks[o, s, j]: feature j comes from the row after s steps of order o
        rank = np.argsort(orders, axis=1)  # rank[o, j]: when feature j is switched in order o
        masks = rank[:, None, :] < np.arange(steps)[None, :, None]
        full = np.broadcast_to(background[None, None, None], (size, len(orders), steps, m,
                                                               width)).copy()
        chosen = np.broadcast_to(masks[None, :, :, None, :], full.shape)
        picks = np.broadcast_to(block[:, None, None, None, :], full.shape)
        full[chosen] = picks[chosen]
        out = predict(full.reshape(-1, width)).reshape(size, len(orders), steps, m).mean(axis=3)
        deltas = np.diff(out, axis=2)  # (size, orders, width): the step that switched orders[o, s]
        for o, order in enumerate(orders):
            values[start:start + size][:, order] += deltas[:, o, :]
        values[start:start + size] /= len(orders)
        outputs[start:start + size] = out[:, 0, -1]
    return values, outputs, base


def permutation_values(model: Any, info: ModelInfo, frame: Any, background: Any,
                       k: int | None, *, permutations: int, seed: int) -> ShapValues:
    """Model-agnostic SHAP over the raw input columns (pipelines with their preprocessing)."""
    codec = _Codec([background, frame])

    def predict(array: np.ndarray) -> np.ndarray:
        decoded = codec.decode(array)
        if k is not None:
            return np.asarray(model.predict_proba(decoded), dtype=float)[:, k]
        return np.asarray(model.predict(decoded), dtype=float).reshape(-1)

    orders = permutations_for(len(codec.columns), permutations, np.random.default_rng(seed))
    values, outputs, base = permutation_shap(predict, codec.encode(frame),
                                             codec.encode(background), orders)
    return ShapValues(values, base, outputs, "probability" if k is not None else "prediction")
