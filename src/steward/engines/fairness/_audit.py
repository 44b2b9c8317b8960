"""``audit_fairness``: open, count in one pass, measure every scope, judge.

This module imports neither numpy nor the modules that derive the audit (:mod:`._measure`
does): the pass starts on the engine first, and they load while it reads the table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from steward.engines.backends import (
    BackendName,
    ProgressCallback,
    Table,
    TableSource,
    open_table,
)
from steward.engines.backends._base import TableBase
from steward.engines.fairness._gc import collector_paused
from steward.engines.fairness._query import (
    CALIBRATION_BINS,
    BackgroundQuery,
    CountSpec,
    plan_pass,
    run_pass,
)
from steward.errors import InvalidInput

if TYPE_CHECKING:
    from steward.engines.fairness._groups import MissingPolicy
    from steward.engines.fairness._judge import FairnessThresholds
    from steward.engines.fairness._result import FairnessResult

NO_GROUPS = "give at least one group column"
DUPLICATE_COLUMN = "column {column!r} is given twice ({roles})"
BAD_OPTION = "{name} must be {rule}, not {value!r}"
WRONG_KIND = "{role} column {column!r} has type {type}; {rule}"
DECISION_NOT_BINARY = (
    "decision column {column!r} holds values other than 0 and 1 in {rows} rows; "
    "pass threshold= to treat it as a score"
)
LABEL_NOT_BINARY = "label column {column!r} holds values other than 0 and 1 in {rows} rows"
NO_DECISIONS = "{source} has no rows with a decision in column {column!r}"


def _check_options(
    groups: Sequence[str], decision: str, label: str | None, score: str | None,
    threshold: float | None, min_group_size: int, confidence: float, missing: str,
) -> None:
    if isinstance(groups, str) or not groups:
        raise InvalidInput(NO_GROUPS)
    roles: dict[str, list[str]] = {}
    for role, column in [*(("group", g) for g in groups), ("decision", decision),
                         ("label", label)]:
        if column is not None:
            roles.setdefault(column, []).append(role)
    for column, used in roles.items():
        if len(used) > 1:
            raise InvalidInput(DUPLICATE_COLUMN.format(column=column, roles=" and ".join(used)),
                               column=column)
    if score is not None and score in groups:
        raise InvalidInput(DUPLICATE_COLUMN.format(column=score, roles="group and score"),
                           column=score)
    if threshold is not None and not (isinstance(threshold, (int, float))
                                      and math.isfinite(threshold)):
        raise InvalidInput(BAD_OPTION.format(name="threshold", rule="a finite number",
                                             value=threshold))
    if not isinstance(min_group_size, int) or min_group_size < 1:
        raise InvalidInput(BAD_OPTION.format(name="min_group_size", rule="a positive integer",
                                             value=min_group_size))
    if not (isinstance(confidence, float) and 0.5 <= confidence < 1):
        raise InvalidInput(BAD_OPTION.format(name="confidence", rule="in [0.5, 1)",
                                             value=confidence))
    if missing not in ("keep", "drop"):
        raise InvalidInput(BAD_OPTION.format(name="missing", rule="'keep' or 'drop'",
                                             value=missing))


def _check_kinds(table: Table, spec: CountSpec) -> None:
    for column in spec.groups:
        if table.kinds[column] == "nested":
            raise InvalidInput(WRONG_KIND.format(
                role="group", column=column, type=table.columns[column],
                rule="group by a column of plain values"), column=column)
    numeric = ("numeric", "boolean")
    checks = [("decision", spec.decision, "it must hold 0/1, booleans or (with threshold=) "
                                          "scores"),
              ("label", spec.label, "it must hold 0/1 or booleans"),
              ("score", spec.score, "it must hold numbers")]
    for role, column, rule in checks:
        if column is not None and table.kinds[column] not in numeric:
            raise InvalidInput(WRONG_KIND.format(role=role, column=column,
                                                 type=table.columns[column], rule=rule),
                               column=column)


def audit_fairness(
    source: TableSource | Table,
    *,
    groups: Sequence[str],
    decision: str,
    threshold: float | None = None,
    label: str | None = None,
    score: str | None = None,
    intersections: bool = False,
    reference: TableSource | Table | None = None,
    reference_weight: str | None = None,
    min_group_size: int = 30,
    confidence: float = 0.95,
    missing: MissingPolicy = "keep",
    thresholds: FairnessThresholds | None = None,
    backend: BackendName = "duckdb",
    spark: Any | None = None,
    hash_files: bool = True,
    progress: ProgressCallback | None = None,
) -> FairnessResult:
    """Audit who a decision selected, by group: rates, intervals, tests, disparities, reach.

    Parameters
    ----------
    source
        The decision table: a Parquet/CSV path, directory or glob, an Arrow or pandas table, a
        DuckDB relation, a Spark DataFrame (``backend="spark"``) or an opened ``Table``.
    groups
        The group (protected or segment) columns; each is reported on its own.
    decision
        The decision column: 0/1 or booleans, or a score when ``threshold`` is given.
    threshold
        Treat ``decision`` as a score: selected when ``decision >= threshold``.
    label
        The outcome column (0/1): enables base rate, TPR, FPR, FNR, precision, accuracy and
        equalized odds.
    score
        A score column for mean score and calibration (10 uniform bins on [0, 1]); defaults to
        ``decision`` when a ``threshold`` is given.
    intersections
        Also report every combination of two or more group columns.
    reference
        The population to compare reach against (same group columns); by default the eligible
        population, i.e. every audited row.
    reference_weight
        A count or weight column of ``reference`` (default: one per row).
    min_group_size
        Groups with fewer rows (with a decision) are reported but not judged.
    confidence
        Level of the Wilson intervals.
    missing
        ``"keep"`` missing group values as the group ``"(missing)"``, or ``"drop"`` those rows
        (counted in ``left_out``).
    thresholds
        The policy's thresholds (defaults: :class:`FairnessThresholds`).
    backend
        ``"duckdb"`` (default) or ``"spark"``.
    spark
        The Spark session for ``backend="spark"`` (default: active or new local session).
    hash_files
        Include input files' SHA-256 in the fingerprint.
    progress
        Called as ``progress(stage, fraction)`` while the audit runs.

    Returns
    -------
    FairnessResult

    Raises
    ------
    InvalidInput
        For unreadable input, unknown or unsuitable columns, or non-binary decisions or labels.
    """
    if threshold is not None and score is None:
        score = decision
    _check_options(groups, decision, label, score, threshold, min_group_size, confidence,
                   missing)
    spec = CountSpec(groups=tuple(groups), decision=decision,
                     threshold=None if threshold is None else float(threshold),
                     label=label, score=score)
    notify = progress if progress is not None else (lambda stage, fraction: None)
    notify("opening", 0.0)
    with opened(source, backend=backend, spark=spark, hash_files=hash_files) as table:
        table.require_columns([*spec.groups, decision, *(c for c in (label, score) if c)])
        _check_kinds(table, spec)
        # The pass starts first; numpy and the modules deriving the audit (~0.1 s to import)
        # load while the engine reads the table. Its plan is made here, before: in the pass's
        # thread, the few milliseconds of Python around the footer query would wait for the
        # import to hand over the GIL (every 5 ms).
        plan = plan_pass(table, spec)
        first = BackgroundQuery(table, lambda: run_pass(table, spec, plan=plan,
                                                        progress=progress))
        try:
            with collector_paused():
                from steward.engines.fairness import _measure as derive
                table.prepare_results()
        except BaseException:
            first.cancel()
            raise
        passed = first.result()
        with collector_paused():
            cells = derive.read_cells(table, spec, progress=progress, first=passed)
        derive.check_cells(cells, spec, table.source)
        total = int(cells.counts["rows"].sum())
        fingerprint = table.fingerprint(rows=total)
        ref_values, ref_population, ref_info = (), None, None
        if reference is not None:
            notify("reference", 0.0)
            ref_values, ref_population, ref_info = derive.read_reference(
                reference, spec.groups, reference_weight, backend=backend, spark=spark,
                hash_files=hash_files)
    notify("computing", 0.0)
    # Deriving the audit allocates tens of thousands of objects that all live on: no sweeps.
    with collector_paused():
        scopes, overall, left_out = derive.measure(
            cells, spec, ref_values=ref_values, ref_population=ref_population,
            intersections=intersections, min_group_size=min_group_size, confidence=confidence,
            missing=missing)
        options = {
            "groups": list(spec.groups), "decision": decision, "threshold": spec.threshold,
            "label": label, "score": score, "intersections": intersections,
            "min_group_size": min_group_size, "confidence": confidence, "missing": missing,
            "backend": backend, "calibration_bins": CALIBRATION_BINS if score else None,
        }
        notes = []
        outside = int(cells.counts["score_outside"].sum())
        if outside:
            notes.append(f"{outside} scores lie outside [0, 1]; calibration puts them in the first "
                         "or last bin")
        thresholds = thresholds if thresholds is not None else derive.FairnessThresholds()
        judgement = derive.judge(scopes, thresholds, has_label=label is not None)
        notify("done", 1.0)
        return derive.FairnessResult(
            rows=total, options=options, overall=overall, scopes=tuple(scopes),
            judgement=judgement, fingerprint=fingerprint, left_out=tuple(left_out),
            notes=tuple(notes),
            reference=ref_info if ref_info is not None else {"kind": "eligible population"},
        )


class opened:
    """Open a source as a table, or use an opened table as is (and leave it open)."""

    def __init__(self, source: Any, **options: Any) -> None:
        self.given = source if isinstance(source, TableBase) else None
        self.source, self.options = source, options
        self.table: Table | None = None

    def __enter__(self) -> Table:
        self.table = self.given if self.given is not None else open_table(self.source,
                                                                           **self.options)
        return self.table

    def __exit__(self, *exc: object) -> None:
        if self.given is None and self.table is not None:
            self.table.close()
