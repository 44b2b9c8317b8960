"""Content guard pages: paste or upload content and see findings in place, the review queue, and
an item page where a reviewer approves, requests changes or rejects."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from steward.core.roles import ANY_READER
from steward.engines.content import CHANNELS, SEVERITY_RANK
from steward.errors import InvalidInput, StewardError
from steward.services import content
from steward.services.sessions import WebIdentity
from steward.web.deps import get_runtime, page
from steward.web.forms import text
from steward.web.rendering import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[WebIdentity, page(ANY_READER)]
Submitter = Annotated[WebIdentity, page(content.SUBMIT_CONTENT)]
Decider = Annotated[WebIdentity, page(content.DECIDE_CONTENT)]
MAX_UPLOAD = 2 * 1024 * 1024


def highlight(body: str, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into segments; each names the findings covering it and the worst severity."""
    spans = [(i, f) for i, f in enumerate(findings, start=1) if f["end"] > f["start"]]
    points = sorted({0, len(body), *(p for _, f in spans for p in (f["start"], f["end"])
                                     if 0 <= p <= len(body))})
    segments = []
    for a, b in zip(points, points[1:], strict=False):
        covering = [(i, f) for i, f in spans if f["start"] <= a and f["end"] >= b]
        worst = max((f["severity"] for _, f in covering), key=SEVERITY_RANK.__getitem__,
                    default=None)
        segments.append({"text": body[a:b], "severity": worst,
                         "refs": [i for i, _ in covering],
                         "title": "; ".join(f["title"] for _, f in covering)})
    return segments


def _metadata(form: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"ai_generated": text(form, "ai_generated") == "yes",
                            "endorsement": text(form, "endorsement") == "yes",
                            "ai_disclosure": text(form, "ai_disclosure") == "yes"}
    presented = text(form, "presented_as")
    if presented:
        meta["presented_as"] = presented
    return meta


async def _form_content(request: Request) -> tuple[dict[str, Any], str]:
    form = await request.form()
    body = text(form, "text")
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise InvalidInput("the file is larger than 2 MB")
        try:
            body = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("the file must be UTF-8 text, HTML or Markdown") from None
    values = {"text": body, "channel": text(form, "channel") or None,
              "metadata": _metadata(form), "campaign": text(form, "campaign") or None,
              "action": text(form, "action") or "scan"}
    return values, body


def _scan_page(request: Request, identity: WebIdentity, *, values: dict[str, Any] | None = None,
               result: dict[str, Any] | None = None, error: str | None = None,
               status_code: int = 200) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        queue = content.list_items(unit, status="pending_review", limit=20)
        recent = content.list_items(unit, limit=10)
    segments = highlight(values["text"], result["findings"]) if result and values else None
    return render(request, "content/scan.html", identity=identity, channels=CHANNELS,
                  values=values or {"metadata": {}}, result=result, segments=segments,
                  error=error, queue=queue, recent=recent, status_code=status_code,
                  can_submit=content.SUBMIT_CONTENT.allows(identity.actor.roles))


@router.get("/content")
def scan_page(request: Request, identity: Reader) -> Response:
    return _scan_page(request, identity)


@router.post("/content")
async def scan_or_submit(request: Request, identity: Reader) -> Response:
    try:
        values, body = await _form_content(request)
        with get_runtime(request).unit(identity.actor) as unit:
            if values["action"] == "submit":
                record = content.submit(unit, body, channel=values["channel"],
                                        metadata=values["metadata"],
                                        campaign=values["campaign"])
                return RedirectResponse(f"/content/items/{record['id']}", status_code=303)
            result = content.scan(unit, body, channel=values["channel"],
                                  metadata=values["metadata"])
    except StewardError as exc:
        return _scan_page(request, identity, values=locals().get("values"), error=exc.message,
                          status_code=exc.status)
    return _scan_page(request, identity, values=values, result=result)


@router.get("/content/reviews")
def review_queue(request: Request, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        queue = content.list_items(unit, status="pending_review")
        decided = [i for i in content.list_items(unit, limit=50)
                   if i["status"] in ("approved", "changes_requested", "rejected")]
    return render(request, "content/reviews.html", identity=identity, queue=queue,
                  decided=decided)


@router.get("/content/items/{item_id}")
def item_page(request: Request, item_id: int, identity: Reader) -> Response:
    with get_runtime(request).unit(identity.actor) as unit:
        item = content.get_item(unit, item_id)
    can_decide = (content.DECIDE_CONTENT.allows(identity.actor.roles)
                  and item["status"] == "pending_review"
                  and item["submitted_by"] != identity.actor.name)
    return render(request, "content/item.html", identity=identity, item=item,
                  segments=highlight(item["text"], item["findings"]), can_decide=can_decide)


@router.post("/content/items/{item_id}/decision")
async def decide(request: Request, item_id: int, identity: Decider) -> Response:
    form = await request.form()
    with get_runtime(request).unit(identity.actor) as unit:
        content.decide(unit, item_id, decision=text(form, "decision"),
                       comment=text(form, "comment"))
    return RedirectResponse(f"/content/items/{item_id}", status_code=303)
