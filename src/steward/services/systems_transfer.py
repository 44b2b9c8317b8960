"""Import and export of the AI system inventory as CSV or JSON.

Export writes every field of every system (obligations too, in JSON). Import reads the same shapes
and registers each row, or updates the system of the same name; it is all or nothing: the first bad
row stops the import, names its row and field, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from steward.core.systems import LIST_FIELDS, SystemSpec
from steward.errors import InvalidInput, StewardError
from steward.services import systems
from steward.services.runtime import Unit
from steward.storage.orm import AISystem

CSV_COLUMNS = (
    "id", "name", "purpose", "description", "owner", "business_unit", "stage", "channels",
    "ai_kinds", "customer_facing", "jurisdictions", "vendor", "product", "model_name",
    "model_version", "hosting", "vendor_trains_on_our_data", "training_opt_out",
    "output_ip_indemnity", "trained_only_on_own_data", "training_data_sources", "data_categories",
    "data_uses", "consent_purposes", "human_oversight", "bot_disclosure", "human_handoff",
    "tier", "risk_score", "classified_at", "created_at",
    "updated_at", "retired_at",
)
READ_ONLY_COLUMNS = ("id", "tier", "risk_score", "classified_at", "created_at", "updated_at",
                     "retired_at", "version", "obligations")
BOOL_COLUMNS = ("customer_facing", "vendor_trains_on_our_data", "training_opt_out",
                "output_ip_indemnity", "trained_only_on_own_data", "human_oversight",
                "bot_disclosure", "human_handoff")
LIST_SEPARATOR = ";"


def export_systems(unit: Unit, *, fmt: str) -> str:
    """The whole inventory as CSV text or a JSON document."""
    ids = [r["id"] for r in systems.list_systems(unit)]
    records = [systems.get_system(unit, i) for i in ids]
    if fmt == "json":
        return json.dumps(records, indent=2) + "\n"
    if fmt != "csv":
        raise InvalidInput(f"unknown export format {fmt!r}: use csv or json")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _csv_cell(k, record.get(k)) for k in CSV_COLUMNS})
    return out.getvalue()


def _csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column == "training_data_sources":
        return json.dumps(value) if value else ""
    if column in LIST_FIELDS:
        return LIST_SEPARATOR.join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise InvalidInput("the CSV file is empty: it needs a header row")
    unknown = [c for c in reader.fieldnames if c not in CSV_COLUMNS and c != "version"]
    if unknown:
        raise InvalidInput(f"unknown CSV column {unknown[0]!r} (columns: {', '.join(CSV_COLUMNS)})")
    rows = []
    for number, row in enumerate(reader, start=2):
        if None in row:
            raise InvalidInput(f"CSV row {number}: more cells than header columns")
        rows.append(_from_csv_row(row, number))
    return rows


def _from_csv_row(row: dict[str, str], number: int) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, raw in row.items():
        value = (raw or "").strip()
        if column in READ_ONLY_COLUMNS or (value == "" and column not in LIST_FIELDS):
            continue
        if column in LIST_FIELDS:
            data[column] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        elif column == "training_data_sources":
            try:
                data[column] = json.loads(value)
            except json.JSONDecodeError:
                raise InvalidInput(f"CSV row {number}: training_data_sources must be a JSON "
                                   "list") from None
        elif column in BOOL_COLUMNS:
            lowered = value.lower()
            if lowered not in ("true", "false", "yes", "no", "1", "0"):
                raise InvalidInput(f"CSV row {number}: {column} must be true or false, "
                                   f"not {value!r}")
            data[column] = lowered in ("true", "yes", "1")
        else:
            data[column] = value
    return data


def parse_json(text: str) -> list[dict[str, Any]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(document, dict):
        document = document.get("systems", [document])
    if not isinstance(document, list) or not all(isinstance(r, dict) for r in document):
        raise InvalidInput("the JSON must be a list of system objects")
    return [{k: v for k, v in r.items() if k not in READ_ONLY_COLUMNS} for r in document]


def import_systems(unit: Unit, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """Create or update (matched by name) each row; all rows or none."""
    created = updated = 0
    for number, row in enumerate(rows, start=1):
        try:
            spec = systems._spec(row)  # noqa: SLF001 - same domain
            existing = unit.session.scalar(select(AISystem.id).where(AISystem.name == spec.name))
            if existing is None:
                systems.create_system(unit, spec)
                created += 1
            else:
                changes = spec.model_dump(mode="json", exclude={"stage"},
                                          exclude_unset=True)
                systems.update_system(unit, existing, changes)
                updated += 1
        except StewardError as exc:
            raise type(exc)(f"system {number} ({row.get('name', 'unnamed')}): {exc.message}") \
                from None
    return {"created": created, "updated": updated}


__all__ = ["CSV_COLUMNS", "SystemSpec", "export_systems", "import_systems", "parse_csv",
           "parse_json"]
