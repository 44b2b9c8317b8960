"""The balanced scorecard: performance beside responsibility, each measure against its target.

A scorecard is a list of :class:`Measure` objects, computed once: each has a value (or ``None``
when the capability that would measure it has no data: "not measured", never a made-up number),
a :class:`Target`, a history of earlier values, and a weight. From those the measure derives its
red/amber/green ``status`` and its ``trend``; :func:`score` rolls measures up into a weighted
score per group and overall.

Targets come from the policy pack's ``scorecard.*`` thresholds. A target is either one number
(the green bound: met is green, missed is red) or two, ``[green, red]``: between them is amber.
``direction`` says whether higher (``min``: the value must be at least the target) or lower
(``max``: at most the target) is better.

>>> m = Measure("ctr", "Click-through", "performance", value=0.031,
...             target=Target(green=0.03, red=0.02, direction="min"),
...             history=(("2026-01", 0.024), ("2026-02", 0.031)))
>>> m.status, m.trend
('green', 'better')
>>> Measure("consent", "Consent coverage", "responsibility", value=None).status
'not_measured'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["green", "amber", "red", "not_measured", "no_target"]
Direction = Literal["min", "max"]
STATUS_POINTS: dict[str, float] = {"green": 1.0, "amber": 0.5, "red": 0.0}
"""What each status contributes to a weighted score; unmeasured and untargeted measures add none."""
WORST_FIRST: tuple[str, ...] = ("red", "amber", "green", "no_target", "not_measured")
FLAT_SHARE = 0.02
"""A change smaller than 2% of the earlier value (or of 1 when it is 0) counts as flat."""


@dataclass(frozen=True)
class Target:
    """Where green ends and red begins; ``red`` equal to ``green`` means no amber band."""

    green: float
    red: float
    direction: Direction

    @classmethod
    def parse(cls, value: Any, direction: Direction) -> Target | None:
        """A policy threshold (a number, or ``[green, red]``) as a target; None if unusable."""
        numbers = value if isinstance(value, list | tuple) else [value]
        if not 1 <= len(numbers) <= 2 or not all(
                isinstance(n, int | float) and not isinstance(n, bool) for n in numbers):
            return None
        green = float(numbers[0])
        red = float(numbers[-1])
        if (direction == "min" and red > green) or (direction == "max" and red < green):
            return None
        return cls(green=green, red=red, direction=direction)

    def judge(self, value: float) -> Status:
        if self.direction == "min":
            if value >= self.green:
                return "green"
            return "red" if value < self.red or self.red == self.green else "amber"
        if value <= self.green:
            return "green"
        return "red" if value > self.red or self.red == self.green else "amber"

    def describe(self) -> str:
        sign = "≥" if self.direction == "min" else "≤"
        if self.red == self.green:
            return f"{sign} {self.green:g}"
        return f"{sign} {self.green:g} (red beyond {self.red:g})"

    def to_dict(self) -> dict[str, Any]:
        return {"green": self.green, "red": self.red, "direction": self.direction,
                "text": self.describe()}


@dataclass(frozen=True)
class Measure:
    """One line of the scorecard.

    ``status`` may be forced (``forced_status``) when the source gives its own verdict (a
    fairness audit that failed is red whatever its ratio); the worse of the forced status and
    the target's judgement wins.
    """

    key: str
    label: str
    group: Literal["performance", "responsibility"]
    value: float | None = None
    target: Target | None = None
    history: tuple[tuple[str, float], ...] = ()
    weight: float = 1.0
    unit: str = "number"
    source: str = ""
    note: str | None = None
    forced_status: Status | None = None
    better: Direction | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        return self.value is not None or self.forced_status in ("green", "amber", "red")

    @property
    def status(self) -> Status:
        if not self.measured:
            return "not_measured"
        judged: list[str] = []
        if self.forced_status is not None:
            judged.append(self.forced_status)
        if self.target is not None and self.value is not None:
            judged.append(self.target.judge(self.value))
        ranked = [s for s in judged if s in STATUS_POINTS]
        if not ranked:
            return "no_target"
        return min(ranked, key=WORST_FIRST.index)  # type: ignore[return-value]

    @property
    def change(self) -> float | None:
        """The latest value minus the one before it in the history."""
        if len(self.history) < 2:
            return None
        return self.history[-1][1] - self.history[-2][1]

    @property
    def trend(self) -> str | None:
        """``better``/``worse``/``flat`` if the better direction is known, else ``up``/``down``."""
        change = self.change
        if change is None:
            return None
        previous = self.history[-2][1]
        if abs(change) <= FLAT_SHARE * (abs(previous) or 1.0):
            return "flat"
        better = self.better or (self.target.direction if self.target else None)
        if better is None:
            return "up" if change > 0 else "down"
        return "better" if (change > 0) == (better == "min") else "worse"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "label": self.label, "group": self.group, "value": self.value,
            "unit": self.unit, "status": self.status, "trend": self.trend,
            "change": self.change, "target": self.target.to_dict() if self.target else None,
            "weight": self.weight, "source": self.source, "note": self.note,
            "history": [{"period": p, "value": v} for p, v in self.history],
            "detail": dict(self.detail),
        }


@dataclass(frozen=True)
class Score:
    """A weighted score in [0, 1] over the measures that have a status, and how many did."""

    value: float | None
    status: Status
    measured: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "status": self.status, "measured": self.measured,
                "total": self.total}


def score(measures: Iterable[Measure], *, bands: Target | None = None) -> Score:
    """Weighted share of points (green 1, amber ½, red 0); ``bands`` turn it into a status.

    Measures that are not measured or have no target do not count, so a scorecard with little
    data is not flattered or punished by it; ``measured`` says how many counted.
    """
    items = list(measures)
    counted = [m for m in items if m.status in STATUS_POINTS and m.weight > 0]
    if not counted:
        return Score(None, "not_measured", 0, len(items))
    weight = sum(m.weight for m in counted)
    value = sum(STATUS_POINTS[m.status] * m.weight for m in counted) / weight
    bands = bands or Target(green=0.8, red=0.5, direction="min")
    return Score(round(value, 4), bands.judge(value), len(counted), len(items))


def combine(parts: Sequence[tuple[Score, float]], *, bands: Target | None = None) -> Score:
    """Scores of groups (performance, responsibility) combined by the groups' weights."""
    present = [(s, w) for s, w in parts if s.value is not None and w > 0]
    measured = sum(s.measured for s, _ in parts)
    total = sum(s.total for s, _ in parts)
    if not present:
        return Score(None, "not_measured", measured, total)
    value = sum(s.value * w for s, w in present if s.value is not None) / sum(
        w for _, w in present)
    bands = bands or Target(green=0.8, red=0.5, direction="min")
    return Score(round(value, 4), bands.judge(value), measured, total)


def worst(statuses: Iterable[str]) -> Status:
    """The worst of several statuses (red before amber before green)."""
    found = [s for s in statuses if s in WORST_FIRST]
    if not found:
        return "not_measured"
    return min(found, key=WORST_FIRST.index)  # type: ignore[return-value]
