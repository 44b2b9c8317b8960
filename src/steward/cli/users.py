"""``steward users`` and ``steward tokens``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from steward.cli.context import Format, emit, unit
from steward.errors import InvalidInput
from steward.services import tokens, users

users_app = typer.Typer(help="People and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)

USER_COLUMNS = ("username", "display_name", "roles", "is_active", "is_external", "expires_at")


@users_app.command("add")
def add(
    username: str,
    roles: Annotated[str, typer.Option("--roles", "-r", help="comma-separated roles")],
    password: Annotated[str | None, typer.Option(
        help="log-in password (or set STEWARD_NEW_PASSWORD); omit for API-only users",
        envvar="STEWARD_NEW_PASSWORD")] = None,
    display_name: Annotated[str, typer.Option("--name")] = "",
    email: Annotated[str | None, typer.Option()] = None,
    external: Annotated[bool, typer.Option(help="an external auditor")] = False,
    expires: Annotated[str | None, typer.Option(help="ISO date the access ends")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """Add a user with one or more roles."""
    expires_at = None
    if expires:
        try:
            expires_at = datetime.fromisoformat(expires)
        except ValueError:
            raise InvalidInput(f"--expires must be an ISO date, got {expires!r}") from None
    with unit() as work:
        view = users.add_user(work, username=username, roles=roles, password=password,
                              display_name=display_name, email=email, external=external,
                              expires_at=expires_at)
    emit(view.to_dict(), fmt=fmt, columns=USER_COLUMNS)


@users_app.command("list")
def list_(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """List users and their roles."""
    with unit() as work:
        rows = [u.to_dict() for u in users.list_users(work)]
    emit(rows, fmt=fmt, columns=USER_COLUMNS)


@users_app.command("deactivate")
def deactivate(username: str) -> None:
    """Stop a user from logging in or using tokens."""
    with unit() as work:
        users.set_active(work, username, active=False)
    typer.echo(f"deactivated {username}")


TOKEN_COLUMNS = ("id", "username", "name", "prefix", "status", "expires_at")


@tokens_app.command("create")
def create(
    username: str,
    name: Annotated[str, typer.Option(help="what the token is for")] = "",
    days: Annotated[int | None, typer.Option(help="lifetime in days")] = None,
) -> None:
    """Create a token; the secret is printed as the last line, once."""
    with unit() as work:
        view, secret = tokens.create_token(work, username=username, name=name, days=days)
    typer.echo(f"token {view.id} for {view.username}, expires {view.expires_at:%Y-%m-%d}; "
               "store it now, it is not shown again:", err=True)
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(
    username: Annotated[str | None, typer.Option("--user")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.table,
) -> None:
    """List tokens (never their secrets)."""
    with unit() as work:
        rows = [t.to_dict() for t in tokens.list_tokens(work, username=username)]
    emit(rows, fmt=fmt, columns=TOKEN_COLUMNS)


@tokens_app.command("revoke")
def revoke(token_id: int) -> None:
    """Revoke a token by id."""
    with unit() as work:
        view = tokens.revoke_token(work, token_id)
    typer.echo(f"revoked token {view.id} of {view.username}")
