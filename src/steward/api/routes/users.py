"""Users and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from steward.api.deps import RuntimeDep, allow
from steward.api.schemas.people import NewToken, TokenIn, TokenOut, UserIn, UserOut
from steward.core.roles import ADMIN_ONLY, ANY_READER, Access
from steward.services import tokens, users
from steward.services.runtime import Actor

router = APIRouter(prefix="/api/v1", tags=["people"])

Reader = Annotated[Actor, allow(ANY_READER)]
Admin = Annotated[Actor, allow(ADMIN_ONLY)]
SelfService = Annotated[Actor, allow(Access(roles=ANY_READER.roles))]


@router.get("/me", response_model=UserOut)
def me(runtime: RuntimeDep, actor: Reader) -> dict:
    """The caller's own record."""
    with runtime.unit(actor) as unit:
        return users.get_user(unit, actor.name).to_dict()


@router.get("/users", response_model=list[UserOut])
def list_users(runtime: RuntimeDep, actor: Reader) -> list[dict]:
    with runtime.unit(actor) as unit:
        return [u.to_dict() for u in users.list_users(unit)]


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(body: UserIn, runtime: RuntimeDep, actor: Admin) -> dict:
    with runtime.unit(actor) as unit:
        return users.add_user(unit, **body.model_dump()).to_dict()


@router.get("/users/{username}", response_model=UserOut)
def get_user(username: str, runtime: RuntimeDep, actor: Reader) -> dict:
    with runtime.unit(actor) as unit:
        return users.get_user(unit, username).to_dict()


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(runtime: RuntimeDep, actor: Reader) -> list[dict]:
    """Your tokens (an admin sees everyone's)."""
    with runtime.unit(actor) as unit:
        return [t.to_dict() for t in tokens.list_tokens(unit)]


@router.post("/tokens", response_model=NewToken, status_code=201)
def create_token(body: TokenIn, runtime: RuntimeDep, actor: SelfService) -> dict:
    """Create a token for yourself (an admin may create one for anyone)."""
    with runtime.unit(actor) as unit:
        view, secret = tokens.create_token(unit, username=body.username or actor.name,
                                           name=body.name, days=body.days)
        return {**view.to_dict(), "token": secret}


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: int, runtime: RuntimeDep, actor: SelfService) -> dict:
    """Revoke one of your tokens (an admin may revoke anyone's)."""
    with runtime.unit(actor) as unit:
        return tokens.revoke_token(unit, token_id).to_dict()
