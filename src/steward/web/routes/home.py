"""The home page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from steward.core.roles import ANY_READER
from steward.services import home
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home_page(request: Request, identity: Annotated[WebIdentity, page(ANY_READER)]) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        overview = home.overview(unit)
    return render(request, "home.html", identity=identity, overview=overview)
