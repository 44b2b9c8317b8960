"""Turning HTML form posts into the documents services take (lists, tri-state booleans)."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

TRI_STATE = {"": None, "yes": True, "no": False}


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def many(form: FormData, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def comma_list(form: FormData, name: str) -> list[str]:
    return [part.strip() for part in text(form, name).replace(";", ",").split(",") if part.strip()]


def tri_state(form: FormData, name: str) -> bool | None:
    return TRI_STATE.get(text(form, name))


def system_document(form: FormData) -> dict[str, Any]:
    """The system fields of the register/edit form."""
    document: dict[str, Any] = {
        "name": text(form, "name"), "purpose": text(form, "purpose"),
        "description": text(form, "description"), "owner": text(form, "owner"),
        "business_unit": text(form, "business_unit"),
        "channels": many(form, "channels"), "ai_kinds": many(form, "ai_kinds"),
        "customer_facing": text(form, "customer_facing") == "yes",
        "jurisdictions": comma_list(form, "jurisdictions"),
        "vendor": text(form, "vendor") or None, "product": text(form, "product") or None,
        "model_name": text(form, "model_name") or None,
        "model_version": text(form, "model_version") or None,
        "hosting": text(form, "hosting") or None,
        "vendor_trains_on_our_data": tri_state(form, "vendor_trains_on_our_data"),
        "training_opt_out": tri_state(form, "training_opt_out"),
        "output_ip_indemnity": tri_state(form, "output_ip_indemnity"),
        "trained_only_on_own_data": text(form, "trained_only_on_own_data") == "yes",
        "data_categories": many(form, "data_categories"),
        "data_uses": many(form, "data_uses"),
        "consent_purposes": comma_list(form, "consent_purposes"),
        "human_oversight": tri_state(form, "human_oversight"),
        "bot_disclosure": tri_state(form, "bot_disclosure"),
        "human_handoff": tri_state(form, "human_handoff"),
    }
    stage = text(form, "stage")
    if stage:
        document["stage"] = stage
    return document


def answers_document(form: FormData, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Questionnaire answers typed by each question's type."""
    answers: dict[str, Any] = {}
    for question in questions:
        key, kind = question["key"], question["type"]
        if kind == "boolean":
            answers[key] = text(form, key) == "true"
        elif kind == "multi_choice":
            answers[key] = many(form, key)
        elif kind == "jurisdictions":
            answers[key] = comma_list(form, key)
        else:
            value = text(form, key)
            if value:
                answers[key] = value
    return answers
