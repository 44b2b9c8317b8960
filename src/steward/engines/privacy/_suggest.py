"""A first plan from a discovery: what a privacy engineer would do, written out to be edited.

- direct identifiers that tables join on (e-mail, phone, customer id, card, IBAN, SSN, IP) get a
  keyed pseudonym under their own name, so anonymized tables still join on them;
- names and street addresses are dropped (edit to ``pseudonym`` to keep them joinable);
- quasi-identifiers are generalized: birth dates to the year, ages to ten-year bands, ZIP codes to
  three digits, US states to census regions; other places (cities) are dropped; then coarsened
  (decades, twenty-year bands, no ZIP) until at most 5% of the rows sit in classes smaller than
  k — rows the plan's ``suppress_small_classes`` then drops;
- free text is redacted with the shared detectors plus the row's protected values;
- sensitive numbers are top- and bottom-coded at their 1st and 99th percentiles (read from the
  data once); other sensitive and non-personal columns are kept.
"""

from __future__ import annotations

from typing import Any

from steward.engines.backends import Table
from steward.engines.privacy._discover import (
    AGE,
    CUSTOMER_ID,
    DATE_OF_BIRTH,
    DIRECT,
    FREE_TEXT,
    QUASI,
    SENSITIVE,
    ZIP_CODE,
    Discovery,
)
from steward.engines.privacy._plan import (
    Drop,
    Generalize,
    Keep,
    Plan,
    Pseudonym,
    Redact,
    Step,
    TopBottom,
)
from steward.engines.privacy._sql import expression, us_region_map

_NORMALIZE = {"EMAIL_ADDRESS": "lower", "PHONE_NUMBER": "digits", "CREDIT_CARD": "digits",
              "US_SSN": "digits", "IBAN_CODE": "trim", "IP_ADDRESS": "trim", CUSTOMER_ID: "trim"}
_STATE_SHARE = 0.8
MAX_SUPPRESSED = 0.05
"""A proposed plan coarsens its quasi-identifiers until at most this share of rows would be
suppressed for sitting in classes smaller than k."""


def _state_like(table: Table, column: str) -> bool:
    q = table.quote
    known = ", ".join("'" + k.replace("'", "''") + "'" for k in us_region_map())
    row = table.query(
        f"SELECT COUNT(*), SUM(CASE WHEN upper(trim(CAST({q(column)} AS STRING))) IN ({known}) "
        f"THEN 1 ELSE 0 END) FROM (SELECT {q(column)} FROM {table.relation} "
        f"WHERE {q(column)} IS NOT NULL LIMIT 1000) AS s")[0]
    return bool(row[0]) and (row[1] or 0) / row[0] >= _STATE_SHARE


def _percentiles(table: Table, column: str) -> tuple[float | None, float | None]:
    q = table.quote
    value = f"CAST({q(column)} AS DOUBLE)"
    if table.backend == "duckdb":
        sql = (f"SELECT quantile_disc({value}, 0.01), quantile_disc({value}, 0.99) "
               f"FROM {table.relation}")
    else:
        sql = (f"SELECT percentile_approx({value}, 0.01), percentile_approx({value}, 0.99) "
               f"FROM {table.relation}")
    low, high = table.query(sql)[0]
    return (float(low) if low is not None else None, float(high) if high is not None else None)


def _small_share(table: Table, steps: dict[str, Step], quasi: list[str], k: int) -> float:
    """The share of rows in classes smaller than k with these steps on these columns."""
    if not quasi:
        return 0.0
    q = table.quote
    parts = [f"{expression(table.backend, q(c), steps[c], kind=table.kinds[c])} AS {q(c)}"
             for c in quasi]
    groups = ", ".join(q(c) for c in quasi)
    small, rows = table.query(
        f"SELECT SUM(CASE WHEN n < {int(k)} THEN n ELSE 0 END), SUM(n) FROM (SELECT COUNT(*) "
        f"AS n FROM (SELECT {', '.join(parts)} FROM {table.relation}) AS t GROUP BY {groups}) "
        f"AS c")[0]
    return float(small or 0) / float(rows) if rows else 0.0


def _coarsen(table: Table, steps: dict[str, Step], quasi: list[str], k: int) -> list[str]:
    """Coarsen the quasi-identifiers until at most :data:`MAX_SUPPRESSED` of the rows sit in
    classes smaller than k: birth dates to decades, ages to twenty-year bands, then ZIP codes
    dropped (where a region remains) or cut to one digit."""
    ladder: list[tuple[str, Step]] = []
    for name in quasi:
        step = steps[name]
        if isinstance(step, Generalize) and step.to in ("year", "month"):
            ladder.append((name, Generalize(transform="generalize", to="decade")))
        elif isinstance(step, Generalize) and step.width is not None:
            ladder.append((name, Generalize(transform="generalize", width=20)))
    regional = any(isinstance(steps[n], Generalize) and steps[n].regions for n in quasi)
    for name in quasi:
        step = steps[name]
        if isinstance(step, Generalize) and step.digits is not None:
            ladder.append((name, Drop(transform="drop") if regional
                           else Generalize(transform="generalize", digits=1)))
    current = list(quasi)
    for name, coarser in ladder:
        if _small_share(table, steps, current, k) <= MAX_SUPPRESSED:
            break
        steps[name] = coarser
        if isinstance(coarser, Drop):
            current.remove(name)
    return current


def suggest_plan(discovery: Discovery, table: Table, *, k: int = 5,
                 l_target: int | None = None) -> Plan:
    """The default plan for a discovered table (every column named, with its discovery)."""
    steps: dict[str, Step] = {}
    protected: list[str] = []
    quasi: list[str] = []
    sensitive: list[str] = []
    for finding in discovery.columns:
        name, pii, cls = finding.name, finding.pii_type, finding.pii_class
        step: Step
        if cls == DIRECT:
            protected.append(name)
            if pii in ("PERSON", "STREET_ADDRESS"):
                step = Drop(transform="drop")
            else:
                step = Pseudonym(transform="pseudonym", normalize=_NORMALIZE.get(pii or "",
                                                                                 "trim"))
        elif cls == QUASI:
            step = Keep()
            if pii == DATE_OF_BIRTH:
                step = Generalize(transform="generalize", to="year")
            elif pii == AGE:
                step = Generalize(transform="generalize", width=10)
            elif pii == ZIP_CODE:
                step = Generalize(transform="generalize", digits=3)
            elif pii == "LOCATION":
                step = (Generalize(transform="generalize", regions="us_census")
                        if finding.kind == "string" and _state_like(table, name)
                        else Drop(transform="drop"))
            if step.transform != "drop":
                quasi.append(name)
        elif cls == SENSITIVE:
            sensitive.append(name)
            step = Keep()
            if finding.kind == "numeric":
                low, high = _percentiles(table, name)
                if low is not None and high is not None and low < high:
                    step = TopBottom(transform="top_bottom", low=low, high=high)
        elif cls == FREE_TEXT:
            step = Redact(transform="redact")
        else:
            step = Keep()
        steps[name] = step
    quasi = _coarsen(table, steps, quasi, k)
    for name, step in list(steps.items()):
        if isinstance(step, Redact):
            steps[name] = Redact(transform="redact", also=list(protected))
    found: dict[str, dict[str, Any]] = {
        c.name: {"class": c.pii_class, "pii_type": c.pii_type, "confidence": c.confidence}
        for c in discovery.columns}
    return Plan(source=discovery.source, k=k, l=l_target,
                quasi_identifiers=quasi, sensitive=[s for s in sensitive
                                                    if s not in ("",)],
                columns=steps, discovery=found)
