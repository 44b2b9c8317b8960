"""Score a detector against labelled spans (span overlap, per entity type).

A predicted span counts as correct when it overlaps a gold span of the same type; a gold span is
found when some prediction of its type overlaps it. This is the measure presidio-research reports
for its synthetic set, so figures compare directly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TypeScore:
    entity_type: str
    gold: int
    predicted: int
    found: int
    correct: int

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"entity_type": self.entity_type, "gold": self.gold, "predicted": self.predicted,
                "recall": round(self.recall, 4), "precision": round(self.precision, 4)}


Spans = Iterable[tuple[int, int, str]]


def score(records: Iterable[tuple[str, Spans]], predict: Callable[[str], Spans], *,
          aliases: Mapping[str, str] | None = None) -> dict[str, TypeScore]:
    """Per-type scores of ``predict`` over ``(text, gold spans)`` records."""
    aliases = aliases or {}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for text, gold_spans in records:
        gold = [(s, e, aliases.get(t, t)) for s, e, t in gold_spans]
        pred = [(s, e, aliases.get(t, t)) for s, e, t in predict(text)]
        for s, e, t in gold:
            counts[t][0] += 1
            counts[t][2] += any(t == pt and s < pe and ps < e for ps, pe, pt in pred)
        for s, e, t in pred:
            counts[t][1] += 1
            counts[t][3] += any(t == gt and s < ge and gs < e for gs, ge, gt in gold)
    return {t: TypeScore(t, *c) for t, c in sorted(counts.items())}


Record = tuple[str, list[tuple[int, int, str]]]


def presidio_research_records(data: list[dict[str, Any]]) -> list[Record]:
    """Records of presidio-research's ``synth_dataset_v2.json`` as ``(text, spans)``."""
    return [(item["full_text"], [(s["start_position"], s["end_position"], s["entity_type"])
                                 for s in item["spans"]]) for item in data]
