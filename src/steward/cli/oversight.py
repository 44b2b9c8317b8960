"""``steward training``, ``steward incidents``, ``steward feedback`` and ``steward auditors``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from steward.cli.context import Format, emit, unit
from steward.errors import InvalidInput
from steward.services import auditors, escalation, feedback, incidents, training

training_app = typer.Typer(help="Training modules and completions.", no_args_is_help=True)
incidents_app = typer.Typer(help="Incidents with AI systems.", no_args_is_help=True)
feedback_app = typer.Typer(help="Feedback about AI systems and its triage.",
                           no_args_is_help=True)
auditors_app = typer.Typer(help="External auditors' time-limited access.", no_args_is_help=True)
FormatOpt = Annotated[Format, typer.Option("--format", help="table or json")]


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} must be an ISO date, got {value!r}") from None


@training_app.command("add")
def training_add(code: str, title: Annotated[str, typer.Option()],
                 roles: Annotated[str, typer.Option(help="comma-separated audience roles")],
                 link: Annotated[str, typer.Option()] = "",
                 months: Annotated[int, typer.Option(help="validity in months")] = 12) -> None:
    """Add a training module."""
    with unit() as work:
        training.add_module(work, code=code, title=title, audience_roles=roles,
                            content_link=link, validity_months=months)
    typer.echo(f"training module {code} added")


@training_app.command("list")
def training_list(fmt: FormatOpt = Format.table) -> None:
    with unit() as work:
        rows = training.list_modules(work)
    emit(rows, fmt=fmt, columns=("code", "title", "audience_roles", "validity_months"))


@training_app.command("complete")
def training_complete(username: str, module: str,
                      on: Annotated[str | None, typer.Option(help="ISO date")] = None) -> None:
    """Record that a person completed a module."""
    with unit() as work:
        record = training.record_completion(work, username=username, module_code=module,
                                            completed_on=_date(on, "--on"))
    typer.echo(f"{username} completed {module}; valid until {record['expires_on']}")


@training_app.command("overdue")
def training_overdue(fmt: FormatOpt = Format.table) -> None:
    """Missing, overdue and soon-expiring training."""
    with unit() as work:
        rows = training.overdue(work)
    emit(rows, fmt=fmt)


INCIDENT_COLUMNS = ("id", "system", "severity", "status", "title", "owner", "created_at")


@incidents_app.command("list")
def incidents_list(status: Annotated[str | None, typer.Option()] = None,
                   system: Annotated[int | None, typer.Option()] = None,
                   fmt: FormatOpt = Format.table) -> None:
    with unit() as work:
        rows = incidents.list_incidents(work, status=status, system_id=system)
    emit(rows, fmt=fmt, columns=INCIDENT_COLUMNS)


@incidents_app.command("open")
def incidents_open(title: str,
                   severity: Annotated[str, typer.Option(help="low, medium, high, critical")],
                   system: Annotated[int | None, typer.Option()] = None,
                   description: Annotated[str, typer.Option()] = "",
                   owner: Annotated[str | None, typer.Option()] = None) -> None:
    """Open an incident (a severe one may suspend its system, as the policy says)."""
    with unit() as work:
        record = escalation.report_incident(work, title=title, severity=severity,
                                            system_id=system, description=description,
                                            owner=owner)
    typer.echo(f"incident {record['id']} opened")


@incidents_app.command("update")
def incidents_update(incident_id: int,
                     status: Annotated[str | None, typer.Option()] = None,
                     remediation: Annotated[str | None, typer.Option()] = None,
                     review: Annotated[str | None, typer.Option(
                         "--review", help="post-incident review")] = None) -> None:
    with unit() as work:
        record = incidents.update_incident(work, incident_id, status=status,
                                           remediation=remediation, post_incident_review=review)
    typer.echo(f"incident {incident_id} is {record['status']}")


@feedback_app.command("list")
def feedback_list(status: Annotated[str | None, typer.Option()] = None,
                  fmt: FormatOpt = Format.table) -> None:
    with unit() as work:
        rows = feedback.list_feedback(work, status=status)
    emit(rows, fmt=fmt, columns=("id", "system", "source", "status", "message", "received_at"))


@feedback_app.command("triage")
def feedback_triage(feedback_id: int,
                    action: Annotated[str, typer.Option(help="incident, policy_change, dismiss")],
                    note: Annotated[str, typer.Option()] = "",
                    severity: Annotated[str, typer.Option()] = "medium",
                    change: Annotated[str, typer.Option(help="the proposed policy change")] = ""
                    ) -> None:
    with unit() as work:
        record = escalation.triage_feedback(work, feedback_id, action=action, note=note,
                                            severity=severity, proposed_change=change)
    typer.echo(f"feedback {feedback_id}: {record['status']}")


@auditors_app.command("grant")
def auditors_grant(username: str, system_id: int,
                   days: Annotated[int, typer.Option()] = 30) -> None:
    """Give an auditor read access to one system for a number of days."""
    with unit() as work:
        record = auditors.grant(work, username=username, system_id=system_id, days=days)
    typer.echo(f"grant {record['id']}: {username} may read system {system_id} until "
               f"{record['expires_at'][:10]}")


@auditors_app.command("revoke")
def auditors_revoke(grant_id: int) -> None:
    with unit() as work:
        auditors.revoke(work, grant_id)
    typer.echo(f"grant {grant_id} revoked")


@auditors_app.command("list")
def auditors_list(fmt: FormatOpt = Format.table) -> None:
    with unit() as work:
        rows = auditors.list_grants(work)
    emit(rows, fmt=fmt, columns=("id", "auditor", "system", "expires_at", "active"))
