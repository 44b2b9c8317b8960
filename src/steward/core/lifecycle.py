"""The lifecycle of an AI system: ``proposed → pilot → production → retired`` plus ``suspended``.

Which moves exist is a domain rule kept here; whether a particular move may happen now (approvals,
obligations, evidence, training) is decided by the stage gates of the governance workflow.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    PROPOSED = "proposed"
    PILOT = "pilot"
    PRODUCTION = "production"
    SUSPENDED = "suspended"
    RETIRED = "retired"


ORDER = (Stage.PROPOSED, Stage.PILOT, Stage.PRODUCTION)
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.PROPOSED: frozenset({Stage.PILOT, Stage.RETIRED}),
    Stage.PILOT: frozenset({Stage.PRODUCTION, Stage.PROPOSED, Stage.SUSPENDED, Stage.RETIRED}),
    Stage.PRODUCTION: frozenset({Stage.PILOT, Stage.SUSPENDED, Stage.RETIRED}),
    Stage.SUSPENDED: frozenset({Stage.PILOT, Stage.PRODUCTION, Stage.RETIRED}),
    Stage.RETIRED: frozenset(),
}


def can_move(current: Stage, target: Stage) -> bool:
    """Whether ``current → target`` is a move of the lifecycle at all."""
    return target in TRANSITIONS[current]


def is_live(stage: Stage) -> bool:
    """Pilot and production systems touch real customers."""
    return stage in (Stage.PILOT, Stage.PRODUCTION)
