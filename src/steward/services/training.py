"""Training: modules for roles, each person's completions with expiry, and who is overdue.

A module applies to everyone holding one of its audience roles; a completion is current until it
expires ``validity_months`` after it was completed. Gates require a system owner's training to be
current.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from steward.core.roles import ANY_READER, Role, parse_roles, write_access
from steward.errors import Conflict, Forbidden, InvalidInput, NotFound
from steward.services.runtime import Unit
from steward.storage.orm import TrainingCompletion, TrainingModule, User

MANAGE_TRAINING = write_access(Role.COMMITTEE, Role.LEGAL, Role.PRIVACY, Role.IT)
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
EXPIRING_DAYS = 30


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def module_record(module: TrainingModule) -> dict[str, Any]:
    return {"id": module.id, "code": module.code, "title": module.title,
            "audience_roles": list(module.audience_roles), "content_link": module.content_link,
            "validity_months": module.validity_months, "active": module.active}


def add_module(unit: Unit, *, code: str, title: str, audience_roles: list[str] | str,
               content_link: str = "", validity_months: int = 12) -> dict[str, Any]:
    unit.require(MANAGE_TRAINING, "manage training modules")
    if not CODE_RE.match(code):
        raise InvalidInput(f"invalid module code {code!r}: use 2-64 lowercase letters, digits, "
                           "'.', '_' or '-'")
    if not title.strip():
        raise InvalidInput("a training module needs a title")
    if not 1 <= validity_months <= 120:
        raise InvalidInput("validity must be 1-120 months")
    try:
        roles = [r.value for r in parse_roles(audience_roles)]
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if unit.session.scalar(select(TrainingModule.id).where(TrainingModule.code == code)):
        raise Conflict(f"a training module with code {code!r} already exists")
    module = TrainingModule(code=code, title=title.strip(), audience_roles=roles,
                            content_link=content_link.strip(), validity_months=validity_months)
    unit.session.add(module)
    unit.session.flush()
    record = module_record(module)
    unit.audit("training.module.create", "training_module", module.id, after=record)
    return record


def list_modules(unit: Unit) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "read training modules")
    modules = unit.session.scalars(select(TrainingModule).order_by(TrainingModule.code)).all()
    return [module_record(m) for m in modules]


def _user(unit: Unit, username: str) -> User:
    user = unit.session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def record_completion(unit: Unit, *, username: str, module_code: str,
                      completed_on: date | None = None) -> dict[str, Any]:
    """Record that a person completed a module (people record their own; managers anyone's)."""
    user = _user(unit, username)
    if user.id != unit.actor.user_id:
        unit.require(MANAGE_TRAINING, "record other people's training")
    elif not unit.actor.roles - {Role.AUDITOR}:
        raise Forbidden("auditors do not record training")
    module = unit.session.scalar(select(TrainingModule).where(TrainingModule.code == module_code))
    if module is None:
        raise NotFound(f"no training module {module_code!r}")
    day = completed_on or date.today()
    if day > date.today():
        raise InvalidInput("a completion date cannot be in the future")
    completion = TrainingCompletion(user_id=user.id, module_id=module.id, completed_on=day,
                                    expires_on=add_months(day, module.validity_months),
                                    recorded_by=unit.actor.label)
    unit.session.add(completion)
    unit.session.flush()
    record = {"username": user.username, "module": module.code, "completed_on": day.isoformat(),
              "expires_on": completion.expires_on.isoformat()}
    unit.audit("training.complete", "user", user.id, after=record)
    return record


@dataclass(frozen=True)
class TrainingStatus:
    username: str
    module: str
    title: str
    status: str  # current | expiring | overdue | missing
    expires_on: date | None

    def to_dict(self) -> dict[str, Any]:
        return {"username": self.username, "module": self.module, "title": self.title,
                "status": self.status,
                "expires_on": self.expires_on.isoformat() if self.expires_on else None}


def statuses_for(unit: Unit, user: User, *, today: date | None = None) -> list[TrainingStatus]:
    """Every active module that applies to the user, with where they stand."""
    day = today or date.today()
    roles = set(user.role_names)
    modules = [m for m in unit.session.scalars(
        select(TrainingModule).where(TrainingModule.active.is_(True)).order_by(TrainingModule.code)
    ).all() if roles & set(m.audience_roles)]
    out = []
    for module in modules:
        latest = unit.session.scalar(
            select(TrainingCompletion.expires_on)
            .where(TrainingCompletion.user_id == user.id, TrainingCompletion.module_id == module.id)
            .order_by(TrainingCompletion.expires_on.desc()).limit(1))
        if latest is None:
            status = "missing"
        elif latest < day:
            status = "overdue"
        elif latest <= day + timedelta(days=EXPIRING_DAYS):
            status = "expiring"
        else:
            status = "current"
        out.append(TrainingStatus(user.username, module.code, module.title, status, latest))
    return out


def is_trained(unit: Unit, user: User) -> tuple[bool, list[str]]:
    """Whether all of a person's required modules are current; and which are not."""
    missing = [f"{s.module} ({s.status})" for s in statuses_for(unit, user)
               if s.status in ("missing", "overdue")]
    return not missing, missing


def person_status(unit: Unit, username: str) -> list[dict[str, Any]]:
    unit.require(ANY_READER, "read training")
    return [s.to_dict() for s in statuses_for(unit, _user(unit, username))]


def overdue(unit: Unit) -> list[dict[str, Any]]:
    """Everyone's missing, overdue or soon-expiring training."""
    unit.require(ANY_READER, "read training")
    people = unit.session.scalars(select(User).where(User.is_active.is_(True))
                                  .order_by(User.username)).all()
    return [s.to_dict() for user in people for s in statuses_for(unit, user)
            if s.status != "current"]
