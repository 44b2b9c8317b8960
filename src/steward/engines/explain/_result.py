"""The explanation, computed once: global importance, each row's contributions, reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from steward.engines.explain._model import ModelInfo
from steward.errors import NotFound

NOT_EXPLAINED = "row {row!r} was not explained: pass it as row= (or it is not in the sample)"


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Explanation:
    """SHAP values for a sample of rows (and the person asked about), computed once.

    ``base_value + sum(values[i])`` equals the model's ``output`` for row *i* (``log-odds``,
    ``probability`` or ``prediction``); :attr:`additivity_error` is the largest gap seen.
    """

    model: ModelInfo
    method: str
    output: str
    target_class: Any
    features: tuple[str, ...]
    base_value: float
    values: np.ndarray
    outputs: np.ndarray
    frame: Any  # pandas DataFrame of the explained rows' feature values
    ids: tuple[Any, ...]
    id_column: str | None
    rows: int
    background: int
    person: Any = None  # the id asked about, if any
    fingerprint: dict[str, Any] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def explained(self) -> int:
        return int(self.values.shape[0])

    @property
    def additivity_error(self) -> float:
        total = self.base_value + self.values.sum(axis=1)
        return float(np.max(np.abs(total - self.outputs))) if len(total) else 0.0

    def global_importance(self) -> list[dict[str, Any]]:
        """Mean |SHAP| per feature over the sample, largest first, with its share of the total."""
        rows = self.values[:-1] if self.person is not None and self.explained > 1 \
            else self.values
        mean_abs = np.abs(rows).mean(axis=0) if len(rows) else np.zeros(len(self.features))
        total = float(mean_abs.sum()) or 1.0
        mean = rows.mean(axis=0) if len(rows) else np.zeros(len(self.features))
        order = np.argsort(-mean_abs, kind="stable")
        return [{"feature": self.features[i], "mean_abs_shap": float(mean_abs[i]),
                 "mean_shap": float(mean[i]), "share": float(mean_abs[i]) / total,
                 "rank": rank + 1} for rank, i in enumerate(order)]

    def _index(self, row: Any) -> int:
        if self.person is not None and str(row) == str(self.person):
            return self.explained - 1
        for i, value in enumerate(self.ids):
            if value is not None and str(value) == str(row):
                return i
        raise NotFound(NOT_EXPLAINED.format(row=row))

    def contributions(self, row: Any) -> list[dict[str, Any]]:
        """One row's features: its value and its SHAP contribution, largest |contribution| first."""
        i = self._index(row)
        values = self.values[i]
        order = np.argsort(-np.abs(values), kind="stable")
        return [{"feature": self.features[j], "value": _plain(self.frame.iloc[i, j]),
                 "contribution": float(values[j])} for j in order]

    def output_of(self, row: Any) -> float:
        return float(self.outputs[self._index(row)])

    def reasons(self, row: Any, top: int = 3) -> list[dict[str, Any]]:
        """The features that raised this row's score most (positive contributions only)."""
        raised = [c for c in self.contributions(row) if c["contribution"] > 0]
        raised.sort(key=lambda c: -c["contribution"])
        return raised[:max(0, top)]

    def to_dict(self, *, top: int = 3) -> dict[str, Any]:
        """The JSON contract (per-row values only for the person asked about)."""
        data: dict[str, Any] = {
            "engine": "explain", "model": self.model.to_dict(), "method": self.method,
            "output": self.output, "target_class": _plain(self.target_class),
            "features": list(self.features), "base_value": self.base_value,
            "rows": self.rows, "explained": self.explained - (1 if self.person is not None
                                                               else 0),
            "background": self.background, "id_column": self.id_column,
            "additivity_error": self.additivity_error,
            "global_importance": self.global_importance(),
            "fingerprint": self.fingerprint, "notes": list(self.notes), "person": None,
        }
        if self.person is not None:
            data["person"] = {
                "id": _plain(self.person), "output": self.output_of(self.person),
                "base_value": self.base_value,
                "contributions": self.contributions(self.person),
                "reasons": self.reasons(self.person, top=top),
            }
        return data
