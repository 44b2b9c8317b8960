"""Data drift: how far a current table has moved from a reference table, column by column.

A model scores, targets or writes for today's customers with what it learned from yesterday's.
When the inputs move — a new acquisition channel, a price change, a broken feed — its outputs
may no longer mean what the people who approved it were told. Drift is measured per column with
fixed, checkable definitions:

- **numeric** columns are cut into ten bins at the reference deciles
  (``numpy.quantile(ref, [0.1, ..., 0.9])``; bin *i* holds values in (edge *i-1*, edge *i*], the
  first everything at or below the first edge, the last everything above the last edge);
  **categorical** columns have one bin per value seen in either table;
- bin proportions are floored at 1e-4; ``psi`` = sum of (cur - ref) * ln(cur / ref) and
  ``js_distance`` is the Jensen-Shannon distance (base 2) of the same proportions;
- numeric columns also get the two-sample Kolmogorov-Smirnov ``ks_statistic`` and ``ks_pvalue``
  (as ``scipy.stats.ks_2samp``) and ``wasserstein_norm``, the Wasserstein distance divided by the
  reference's standard deviation (ddof 0).

A column **drifts on effect size**, never on a p-value (with millions of rows every p-value is
tiny): numeric when ``wasserstein_norm >= 0.1`` or ``psi >= 0.2``, categorical when
``js_distance >= 0.1`` or ``psi >= 0.2``; the table drifts when the share of drifted columns is
at least 0.5. All five numbers are :class:`DriftThresholds`, normally set by the policy.

:func:`check_drift` reads both tables with DuckDB (Parquet in place, one column at a time) or
takes a :class:`ReferenceProfile` — the reference summarized once and saved — so that routine
checks never read the reference data again. The :class:`DriftReport` is computed once;
:meth:`DriftReport.to_dict` is its JSON contract and :meth:`DriftReport.rejudge` applies other
thresholds.

Missing values (nulls, NaN, infinities) are left out of every statistic; a column with no values
on one side is reported as drifted with a note, and with none on either side as not drifted.

What drift cannot tell you: whether the model got worse. It says the data moved; whether that
matters is for the owner to judge with the model's own performance figures.
"""

from steward.engines.drift._metrics import (
    DECILES,
    EXACT_KS_MAX_N,
    PROPORTION_FLOOR,
    bin_counts,
    decile_edges,
    ecdf_distances,
    js_distance,
    ks_pvalue,
    proportions,
    psi,
)
from steward.engines.drift._profile import (
    BAD_PROFILE,
    BAD_SAMPLE_SIZE,
    DUPLICATE_COLUMN,
    ColumnProfile,
    ReferenceProfile,
)
from steward.engines.drift._read import (
    COLUMN_NOT_FOUND,
    EMPTY_TABLE,
    FILE_NOT_FOUND,
    UNREADABLE,
    UNSUPPORTED_FORMAT,
    UNSUPPORTED_SOURCE,
    ColumnKind,
)
from steward.engines.drift._report import (
    BAD_THRESHOLD,
    KIND_MISMATCH,
    NOT_IN_PROFILE,
    UNKNOWN_THRESHOLD,
    ColumnStats,
    DriftReport,
    DriftThresholds,
    check_drift,
)

__all__ = [
    # the check and its result
    "check_drift", "DriftReport", "ColumnStats", "DriftThresholds", "ColumnKind",
    # reference profiles
    "ReferenceProfile", "ColumnProfile",
    # the statistics, by their definitions
    "DECILES", "EXACT_KS_MAX_N", "PROPORTION_FLOOR", "bin_counts", "decile_edges",
    "ecdf_distances", "js_distance", "ks_pvalue", "proportions", "psi",
    # error messages
    "BAD_PROFILE", "BAD_SAMPLE_SIZE", "BAD_THRESHOLD", "COLUMN_NOT_FOUND", "DUPLICATE_COLUMN",
    "EMPTY_TABLE", "FILE_NOT_FOUND", "KIND_MISMATCH", "NOT_IN_PROFILE", "UNKNOWN_THRESHOLD",
    "UNREADABLE", "UNSUPPORTED_FORMAT", "UNSUPPORTED_SOURCE",
]
