"""The audit from the pass's rows on: cells, reference, every scope's metrics.

numpy and the modules that derive the audit are imported here, not by :mod:`._audit`, so that
``audit_fairness`` can start the pass on the engine first and import this while the engine
reads the table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from steward.engines.fairness._audit import (
    DECISION_NOT_BINARY,
    LABEL_NOT_BINARY,
    NO_DECISIONS,
    opened,
)
from steward.engines.fairness._counts import Cells, read_cells, reference_sql
from steward.engines.fairness._groups import (
    GroupEncoder,
    MissingPolicy,
    ScopeCounts,
    calibration_sums,
    rollup,
    scopes_for,
)
from steward.engines.fairness._judge import FairnessThresholds, judge
from steward.engines.fairness._metrics import ScopeMetrics, measure_scope
from steward.engines.fairness._query import CALIBRATION_BINS, CountSpec
from steward.engines.fairness._result import FairnessResult, LeftOut
from steward.errors import InvalidInput

__all__ = [
    "FairnessResult", "FairnessThresholds", "LeftOut", "check_cells", "judge", "measure",
    "read_cells", "read_reference",
]


def check_cells(cells: Cells, spec: CountSpec, source: str) -> None:
    bad = int(cells.counts["decision_invalid"].sum())
    if bad:
        raise InvalidInput(DECISION_NOT_BINARY.format(column=spec.decision, rows=bad),
                           column=spec.decision)
    bad = int(cells.counts["label_invalid"].sum())
    if bad and spec.label is not None:
        raise InvalidInput(LABEL_NOT_BINARY.format(column=spec.label, rows=bad),
                           column=spec.label)
    if int(cells.counts["n"].sum()) == 0:
        raise InvalidInput(NO_DECISIONS.format(source=source, column=spec.decision),
                           column=spec.decision)


def read_reference(
    reference: Any, groups: tuple[str, ...], weight: str | None, **options: Any
) -> tuple[tuple[tuple[Any, ...], ...], np.ndarray, dict[str, Any]]:
    with opened(reference, **options) as table:
        table.require_columns([*groups, *([weight] if weight else [])])
        rows = table.query(reference_sql(table, groups, weight))
        k = len(groups)
        values = tuple(tuple(row[:k]) for row in rows)
        population = np.array([float(row[k] or 0.0) for row in rows], dtype=np.float64)
        count = sum(int(row[k + 1]) for row in rows)
        info = {"kind": "table", "weight": weight,
                "fingerprint": table.fingerprint(rows=count).to_dict()}
    return values, population, info


def measure(
    cells: Cells, spec: CountSpec, *, ref_values: tuple[tuple[Any, ...], ...],
    ref_population: np.ndarray | None, intersections: bool, min_group_size: int,
    confidence: float, missing: MissingPolicy,
) -> tuple[list[ScopeMetrics], ScopeMetrics, list[LeftOut]]:
    ref_columns = (list(zip(*ref_values, strict=True)) if ref_values
                   else [() for _ in spec.groups])
    encoder = GroupEncoder(spec.groups, [
        (*mine, *theirs) for mine, theirs in zip(cells.columns, ref_columns, strict=True)])
    codes, absent = encoder.encode(cells.columns)
    counts, bins = cells.counts, cells.bins
    left_out: list[LeftOut] = []
    undecided = int(counts["rows"].sum() - counts["n"].sum())
    if undecided:
        left_out.append(LeftOut("decision missing (NULL or NaN)", undecided, spec.decision))
    ref_codes = None
    if ref_population is not None:
        ref_codes, ref_absent = encoder.encode(ref_columns)
    if missing == "drop":
        for i, column in enumerate(spec.groups):
            dropped = int(counts["n"][absent[:, i]].sum())
            if dropped:
                left_out.append(LeftOut("group value missing (missing='drop')", dropped, column))
        keep = ~absent.any(axis=1)
        codes, bins = codes[keep], bins[keep]
        counts = {name: values[keep] for name, values in counts.items()}
        if ref_population is not None and ref_codes is not None:
            ref_keep = ~ref_absent.any(axis=1)
            ref_codes, ref_population = ref_codes[ref_keep], ref_population[ref_keep]
    if spec.label is not None:
        unlabelled = int((counts["n"] - counts["positives"] - counts["negatives"]).sum())
        if unlabelled:
            left_out.append(LeftOut("label missing: kept for selection, left out of error "
                                    "rates", unlabelled, spec.label))
    if spec.score is not None:
        unscored = int((counts["n"] - counts["scored"]).sum())
        if unscored:
            left_out.append(LeftOut("score missing: left out of mean score and calibration",
                                    unscored, spec.score))
    if int(counts["n"].sum()) == 0:
        raise InvalidInput(NO_DECISIONS.format(source="the table", column=spec.decision))
    has_label = spec.label is not None
    calibration_bins = CALIBRATION_BINS if spec.score is not None else None
    scopes = []
    for positions in scopes_for(spec.groups, intersections=intersections):
        scope_counts = rollup(positions=positions, columns=spec.groups, encoder=encoder,
                              codes=codes, bins=bins, counts=counts,
                              calibration_bins=calibration_bins, ref_codes=ref_codes,
                              ref_population=ref_population)
        scopes.append(measure_scope(scope_counts, level="marginal" if len(positions) == 1
                                    else "intersection", has_label=has_label,
                                    min_group_size=min_group_size, confidence=confidence))
    overall_counts = ScopeCounts(
        scope="overall", columns=(), labels=((),),
        counts={name: values.sum(keepdims=True) for name, values in counts.items()},
        calibration=_overall_calibration(counts, bins, calibration_bins),
        population=None if ref_population is None else ref_population.sum(keepdims=True),
    )
    overall = measure_scope(overall_counts, level="marginal", has_label=has_label,
                            min_group_size=1, confidence=confidence)
    return scopes, overall, left_out


def _overall_calibration(
    counts: dict[str, np.ndarray], bins: np.ndarray, calibration_bins: int | None
) -> dict[str, np.ndarray] | None:
    if calibration_bins is None:
        return None
    return calibration_sums(np.zeros(len(bins), dtype=np.int64), bins, counts, groups=1,
                            bins=calibration_bins)
