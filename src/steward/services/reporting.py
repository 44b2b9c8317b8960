"""Reports as use cases: gather what a governance report shows, render it as HTML or PDF.

The **system report** is for the governance committee and for regulators: the scorecard, a GDPR
Art. 30-style record of processing built from the system's record (fields Steward does not keep,
such as retention periods, say "not recorded" rather than guess), the EU AI Act and other
obligations with their status, the latest audits, drift checks and content scans, incidents, and
the system's history from the audit log. The **portfolio report** rolls every system up.

``render(unit, target, fmt)`` is what the CLI (``steward report``), the API and the web call:
``target`` is a system id or ``"portfolio"``, ``fmt`` is ``html`` or ``pdf``.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from steward.core.roles import ANY_READER
from steward.errors import InvalidInput
from steward.services import evidence, incidents, scorecards, systems
from steward.services.audit_log import READ_AUDIT
from steward.services.reports.governance import render_portfolio_report, render_system_report
from steward.services.runtime import Unit
from steward.storage import audit_log
from steward.storage.orm import ContentItem

FORMATS = ("html", "pdf")
NOT_RECORDED = "not recorded in Steward"
HISTORY_LIMIT = 200
BAD_TARGET = "give an AI system id or 'portfolio', not {target!r}"


def _ropa(record: dict[str, Any]) -> list[tuple[str, str]]:
    """A GDPR Art. 30(1)-style record of processing from the system's record."""
    answers_note = ", ".join(record["data_uses"]) or NOT_RECORDED
    processor = (f"{record['vendor']}" + (f" ({record['product']})" if record["product"] else "")
                 if record["vendor"] else "none named (built and run in-house)")
    trains = record["vendor_trains_on_our_data"]
    return [
        ("Name and purpose of the processing (Art. 30(1)(b))",
         f"{record['name']}: {record['purpose']}"),
        ("Internal owner (controller's contact)",
         f"{record['owner']} ({record['business_unit'] or 'business unit not recorded'})"),
        ("Uses of data (Fideslang)", answers_note),
        ("Categories of data subjects (Art. 30(1)(c))",
         "customers and prospects (user.* data categories)" if record["data_categories"]
         else NOT_RECORDED),
        ("Categories of personal data (Art. 30(1)(c))",
         ", ".join(record["data_categories"]) or "none recorded"),
        ("Consent purposes relied on", ", ".join(record["consent_purposes"]) or "none recorded"),
        ("Recipients and processors (Art. 30(1)(d))",
         f"{processor}; hosting: {record['hosting'] or NOT_RECORDED}"),
        ("Vendor trains on our data", "not recorded" if trains is None else
         ("yes" if trains else "no") + (" (opted out)" if record["training_opt_out"] else "")),
        ("Jurisdictions (transfers, Art. 30(1)(e))",
         ", ".join(record["jurisdictions"]) + "; transfer safeguards " + NOT_RECORDED
         if record["jurisdictions"] else NOT_RECORDED),
        ("Time limits for erasure (Art. 30(1)(f))", NOT_RECORDED),
        ("Security measures (Art. 30(1)(g), Art. 32)", NOT_RECORDED),
        ("Channels", ", ".join(record["channels"]) or "none recorded"),
        ("Human oversight", _yes_no(record["human_oversight"])),
        ("EU AI Act risk tier", record["tier"] or "not classified"),
    ]


def _yes_no(value: bool | None) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


def _content(unit: Unit, system_id: int) -> dict[str, Any]:
    rows = unit.session.execute(
        select(ContentItem.id, ContentItem.title, ContentItem.channel, ContentItem.verdict,
               ContentItem.status, ContentItem.created_at, ContentItem.campaign)
        .where(ContentItem.system_id == system_id)
        .order_by(ContentItem.created_at.desc(), ContentItem.id.desc())).all()
    return {"total": len(rows), "by_verdict": dict(Counter(r.verdict for r in rows)),
            "by_status": dict(Counter(r.status for r in rows)),
            "latest": [{"id": r.id, "title": r.title, "channel": r.channel,
                        "verdict": r.verdict, "status": r.status, "campaign": r.campaign,
                        "created_at": r.created_at.isoformat()} for r in rows[:20]]}


def _history(unit: Unit, system_id: int) -> list[dict[str, Any]] | None:
    if not READ_AUDIT.allows(unit.actor.roles):
        return None
    entries = list(audit_log.iter_records(unit.session, object_type="ai_system",
                                          object_id=str(system_id)))
    return [{k: e[k] for k in ("seq", "at", "actor", "action", "hash")}
            for e in entries[-HISTORY_LIMIT:]]


def system_document(unit: Unit, system_id: int) -> dict[str, Any]:
    """Everything the system report shows, JSON-ready."""
    unit.require(ANY_READER, "read reports")
    record = systems.get_system(unit, system_id)
    card = scorecards.system_scorecard(unit, system_id)
    items = evidence.list_evidence(unit, system_id=system_id, limit=500)
    latest: dict[str, dict[str, Any]] = {}
    for item in items:
        latest.setdefault(item["kind"], item)
    today = date.today().isoformat()
    obligations = [o for o in record.pop("obligations") if o["status"] != "withdrawn"]
    return {
        "kind": "system", "generated_at": datetime.now(UTC).isoformat(),
        "generated_by": unit.actor.label, "system": record, "scorecard": card,
        "ropa": _ropa(record),
        "obligations": obligations,
        "obligation_counts": dict(Counter(o["status"] for o in obligations)),
        "obligations_in_force": sum(1 for o in obligations if (o["applies_from"] or "") <= today),
        "latest_evidence": sorted(latest.values(), key=lambda e: e["kind"]),
        "audits": [e for e in items if e["kind"] == scorecards.FAIRNESS_KIND][:10],
        "drift_checks": [e for e in items if e["kind"] == scorecards.DRIFT_KIND][:10],
        "content": _content(unit, system_id),
        "incidents": incidents.list_incidents(unit, system_id=system_id),
        "history": _history(unit, system_id),
    }


def portfolio_document(unit: Unit) -> dict[str, Any]:
    """Everything the portfolio report shows: the roll-up, and each system's essentials."""
    unit.require(ANY_READER, "read reports")
    card = scorecards.portfolio_scorecard(unit)
    listed = systems.list_systems(unit)
    today = date.today()
    rows = []
    for item in listed:
        full = systems.get_system(unit, item["id"])
        in_force = [o for o in full["obligations"] if o["status"] != "withdrawn"
                    and date.fromisoformat(o["applies_from"]) <= today]
        rows.append({**item, "obligations_in_force": len(in_force),
                     "obligations_open": sum(1 for o in in_force if o["status"] == "open"),
                     "ropa": _ropa(item | {"obligations": []})})
    return {
        "kind": "portfolio", "generated_at": datetime.now(UTC).isoformat(),
        "generated_by": unit.actor.label, "scorecard": card, "systems": rows,
        "incidents": incidents.list_incidents(unit, open_only=True),
        "stale_evidence": scorecards.stale_evidence(unit),
    }


def parse_target(target: str | int) -> int | None:
    """A system id, or None for the portfolio."""
    text = str(target).strip().lower()
    if text == "portfolio":
        return None
    if text.isdigit():
        return int(text)
    raise InvalidInput(BAD_TARGET.format(target=target))


def render_html(unit: Unit, target: str | int) -> str:
    system_id = parse_target(target)
    if system_id is None:
        return render_portfolio_report(portfolio_document(unit))
    return render_system_report(system_document(unit, system_id))


def render(unit: Unit, target: str | int, fmt: str = "html") -> bytes:
    """The report as bytes in ``fmt`` (``html`` or ``pdf``)."""
    if fmt not in FORMATS:
        raise InvalidInput(f"format must be html or pdf, not {fmt!r}")
    html = render_html(unit, target)
    if fmt == "html":
        return html.encode("utf-8")
    from steward.services.reports.pdf import html_to_pdf

    return html_to_pdf(html)
