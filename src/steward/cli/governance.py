"""``steward policy``, ``steward gate``, ``steward reviews`` and ``steward move``."""

from __future__ import annotations

from typing import Annotated

import typer

from steward.cli.context import Format, emit, unit
from steward.cli.files import read_text
from steward.services import gates, policy

policy_app = typer.Typer(help="Policy packs: versions, drafts, publication, attestations.",
                         no_args_is_help=True)
reviews_app = typer.Typer(help="The committee's review queue.", no_args_is_help=True)
FormatOpt = Annotated[Format, typer.Option("--format", help="table or json")]
VERSION_COLUMNS = ("version", "status", "title", "published_at", "published_by")
REVIEW_COLUMNS = ("id", "system_id", "system", "from", "to", "status", "requested_by", "due_on")


@policy_app.command("list")
def policy_list(fmt: FormatOpt = Format.table) -> None:
    """Every policy version with its status (draft, published, superseded)."""
    with unit() as work:
        rows = policy.list_versions(work)
    emit(rows, fmt=fmt, columns=VERSION_COLUMNS)


@policy_app.command("show")
def policy_show(version: int, fmt: FormatOpt = Format.table) -> None:
    """Print a version's document (YAML) or its JSON record."""
    with unit() as work:
        record = policy.get_version(work, version)
    if fmt is Format.json:
        emit(record, fmt=fmt)
    else:
        typer.echo(record["document"], nl=False)


@policy_app.command("draft")
def policy_draft(file: Annotated[str | None, typer.Argument(
        help="policy YAML; omit to copy the version in force")] = None) -> None:
    """Create a new draft version."""
    document = read_text(file) if file else None
    with unit() as work:
        record = policy.create_draft(work, document=document)
    typer.echo(f"draft version {record['version']} created")


@policy_app.command("edit")
def policy_edit(version: int, file: str) -> None:
    """Replace a draft's document."""
    document = read_text(file)
    with unit() as work:
        policy.update_draft(work, version, document=document)
    typer.echo(f"draft version {version} updated")


@policy_app.command("publish")
def policy_publish(version: int) -> None:
    """Publish a draft: it comes into force; prints the changelog."""
    with unit() as work:
        record = policy.publish(work, version)
    typer.echo(record["changelog"])


@policy_app.command("diff")
def policy_diff(old: int, new: int, fmt: FormatOpt = Format.table) -> None:
    """What changed between two versions (0 is the built-in default pack)."""
    with unit() as work:
        result = policy.diff_versions(work, old, new)
    if fmt is Format.json:
        emit(result, fmt=fmt)
    else:
        typer.echo(result["changelog"])


@policy_app.command("attestations")
def policy_attestations(version: Annotated[int | None, typer.Option()] = None,
                        fmt: FormatOpt = Format.table) -> None:
    """Who has and has not attested to a version (the one in force by default)."""
    with unit() as work:
        status = policy.attestation_status(work, version)
    if fmt is Format.json:
        emit(status, fmt=fmt)
        return
    typer.echo(f"version {status['version']}: {len(status['attested'])} attested, "
               f"{len(status['missing'])} missing")
    emit(status["missing"], fmt=fmt, title="Not yet attested")


def gate(
    system_id: int,
    to: Annotated[str, typer.Option("--to", help="pilot or production")],
    fmt: FormatOpt = Format.table,
) -> None:
    """The check pipelines call: exit 0 when the move is allowed, 1 with what is missing."""
    with unit() as work:
        result = gates.check(work, system_id, to=to)
    if fmt is Format.json:
        emit({"allowed": result.allowed, "missing": result.missing,
              "policy_version": result.policy_version, "from": result.current,
              "to": result.target}, fmt=fmt)
    elif result.allowed:
        typer.echo(f"allowed: AI system {system_id} may move {result.current} → {result.target}")
    else:
        typer.echo(f"refused: AI system {system_id} may not move {result.current} → "
                   f"{result.target}; missing:")
        for item in result.missing:
            typer.echo(f"  - [{item['kind']}] {item['detail']}")
    if not result.allowed:
        raise typer.Exit(1)


def move(
    system_id: int,
    to: Annotated[str, typer.Option("--to", help="pilot, production, proposed or suspended")],
    reason: Annotated[str, typer.Option(help="why (required to suspend)")] = "",
) -> None:
    """Move a system through its gate (refused with what is missing)."""
    with unit() as work:
        result = gates.move(work, system_id, to=to, reason=reason)
    typer.echo(f"AI system {system_id} is now {result['stage']}")


@reviews_app.command("list")
def reviews_list(all_: Annotated[bool, typer.Option("--all", help="closed ones too")] = False,
                 fmt: FormatOpt = Format.table) -> None:
    """Gate reviews waiting for decisions."""
    with unit() as work:
        rows = gates.queue(work, include_closed=all_)
    emit(rows, fmt=fmt, columns=REVIEW_COLUMNS)


@reviews_app.command("request")
def reviews_request(system_id: int,
                    to: Annotated[str, typer.Option("--to", help="pilot or production")],
                    note: Annotated[str, typer.Option()] = "") -> None:
    """Ask the committee to review a system's move."""
    with unit() as work:
        record = gates.request_review(work, system_id, to=to, note=note)
    typer.echo(f"review {record['id']} requested for AI system {system_id} → {to}")
