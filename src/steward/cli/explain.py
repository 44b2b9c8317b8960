"""``steward explain``, ``steward models`` and ``steward card``: explanations of registered
models, the model registry, and model cards.

Loading a pickle or joblib file runs code: ``steward explain`` loads only model files registered
with ``steward models register`` (by id, or by a path whose SHA-256 matches a registered file).
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from steward.cli.context import Format, emit, unit
from steward.errors import InvalidInput
from steward.services import explain as service
from steward.services import model_cards
from steward.services.reports.explanation import render_explanation
from steward.services.reports.model_card import model_card_pdf, render_model_card

models_app = typer.Typer(
    help="The model registry: the only model files Steward will load (a pickle runs code).",
    no_args_is_help=True)

MODEL_COLUMNS = ("id", "system_id", "system", "name", "version", "sha256", "registered_at",
                 "registered_by")
PICKLE_WARNING = ("Loading a pickle or joblib file runs code. Only model files registered with "
                  "`steward models register` are loaded: MODEL is a registered model's id, or "
                  "a path whose SHA-256 matches a registered file.")


class ExplainFormat(StrEnum):
    table = "table"
    json = "json"
    html = "html"


class CardFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


def explain(
    model: Annotated[str, typer.Argument(
        help="a registered model's id, or the path of a registered model file",
        metavar="MODEL")],
    data: Annotated[str, typer.Argument(
        help="the customers: a Parquet or CSV file with the model's feature columns",
        metavar="DATA")],
    row: Annotated[str | None, typer.Option(
        "--row", help="explain this person (their id in the id column)", metavar="ID")] = None,
    id_column: Annotated[str | None, typer.Option(
        "--id-column", help="the column holding people's ids (default: customer_id, id, …)",
        metavar="COL")] = None,
    top: Annotated[int, typer.Option("--top", help="how many reasons to give", min=1,
                                     max=10)] = 3,
    sample: Annotated[int | None, typer.Option(
        "--sample", help="rows explained for the global importance (default 500; 100 for "
                         "pipelines and other models)", metavar="N", min=1)] = None,
    record: Annotated[bool, typer.Option(
        "--record", help="keep the global importance as evidence on the model's system")] =
        False,
    fmt: Annotated[ExplainFormat, typer.Option(
        "--format", help="table, json, or html (a printable page)")] = ExplainFormat.table,
) -> None:
    """Explain a registered model: what drives it, and why one person got their score.

    Loading a pickle or joblib file runs code, so only registered model files are loaded.
    MODEL is a registered model's id, or a path whose SHA-256 matches a registered file.
    Register one with `steward models register SYSTEM_ID FILE`; anything else is refused.
    """
    with unit() as work:
        result = service.explain_model(work, model=model, data=data, row=row,
                                       id_column=id_column, top=top, sample=sample,
                                       record=record)
    if fmt is ExplainFormat.json:
        emit(result, fmt=Format.json)
    elif fmt is ExplainFormat.html:
        sys.stdout.write(render_explanation(result))
    else:
        _print_explanation(result)


def _print_explanation(result: dict[str, Any]) -> None:
    model = result["model_file"]
    typer.echo(f"Model {model['id']} ({model['name']}, {result['model']['name']}) on "
               f"{result['system']['name']}: SHAP {result['method']} explainer, output "
               f"{result['output']}, {result['explained']:,} of {result['rows']:,} rows")
    emit([{"rank": g["rank"], "feature": g["feature"], "label": g["label"],
           "mean |SHAP|": f"{g['mean_abs_shap']:.4f}", "share": f"{100 * g['share']:.1f}%"}
          for g in result["global_importance"]], fmt=Format.table, title="Global importance")
    person = result["person"]
    if person:
        emit([{"feature": c["feature"], "value": c["value"],
               "contribution": f"{c['contribution']:+.4f}"} for c in person["contributions"]],
             fmt=Format.table, title=f"Person {person['id']}: output {person['output']:.4f} "
                                     f"(base {person['base_value']:.4f})")
        typer.echo("")
        typer.echo(result["customer_text"])
    if result["evidence"]:
        typer.echo(f"recorded as evidence {result['evidence']['id']} on system "
                   f"{result['system']['id']}")


@models_app.command("register")
def register(
    system_id: Annotated[int, typer.Argument(help="the AI system the model belongs to",
                                             metavar="SYSTEM_ID")],
    model_file: Annotated[Path, typer.Argument(help="a .pkl, .pickle or .joblib file",
                                               metavar="MODEL_FILE")],
    version: Annotated[str | None, typer.Option("--version", help="the model's version "
                                                "label", metavar="TEXT")] = None,
    note: Annotated[str | None, typer.Option("--note", help="what changed",
                                             metavar="TEXT")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Register a model file on an AI system: copy it under its SHA-256 (audited).

    Registering says you trust the file: loading a pickle or joblib file runs code.
    `steward explain` loads only registered files.
    """
    with unit() as work:
        record = service.register_model(work, system_id=system_id, path=model_file,
                                        version=version, note=note)
    emit(record, fmt=fmt, columns=MODEL_COLUMNS)


@models_app.command("list")
def list_models(
    system: Annotated[int | None, typer.Option("--system", help="one AI system's models",
                                               metavar="ID")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table or json")] = Format.table,
) -> None:
    """Registered model files, newest first."""
    with unit() as work:
        rows = service.list_models(work, system_id=system)
    emit(rows, fmt=fmt, columns=MODEL_COLUMNS)


def _fields(values: list[str], from_file: Path | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if from_file is not None:
        try:
            import yaml

            loaded = yaml.safe_load(from_file.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"{from_file}: {str(exc).splitlines()[0]}") from None
        if not isinstance(loaded, dict):
            raise InvalidInput(f"{from_file}: expected a mapping of card fields to text")
        fields.update(loaded)
    for item in values:
        name, sep, text = item.partition("=")
        if not sep:
            raise InvalidInput(f"--set {item!r}: use FIELD=TEXT")
        fields[name.strip()] = text
    return fields


def card(
    system_id: Annotated[int, typer.Argument(help="the AI system", metavar="SYSTEM_ID")],
    fmt: Annotated[CardFormat, typer.Option("--format", help="html, pdf or json")] =
        CardFormat.html,
    version: Annotated[int | None, typer.Option(
        "--version", help="a saved version (default: the card as it stands now)",
        metavar="N")] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", help="save a new version with FIELD=TEXT (repeat; e.g. intended_uses=…)",
        metavar="FIELD=TEXT")] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from-file", help="save a new version with the fields in a YAML or JSON file",
        metavar="FILE")] = None,
    note: Annotated[str | None, typer.Option("--note", help="why this version was saved",
                                             metavar="TEXT")] = None,
    versions: Annotated[bool, typer.Option("--versions", help="list the saved versions")] =
        False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="write to this file (required for pdf on a terminal)",
        metavar="FILE")] = None,
) -> None:
    """A system's model card, filled from the inventory and the evidence, as HTML, PDF or JSON.

    With --set or --from-file, saves a new version first.
    Fields: overview, intended_uses, out_of_scope_uses, limitations, ethical_considerations,
    mitigations and more (see docs/explanations.md).
    For a high-risk system the card outlines EU AI Act Annex IV and what is still missing.
    """
    with unit() as work:
        if versions:
            emit(model_cards.list_versions(work, system_id), fmt=Format.table,
                 columns=("version", "created_at", "created_by", "note", "content_sha256"))
            return
        changes = _fields(set_ or [], from_file)
        if changes or note:
            if version is not None:
                raise InvalidInput("--version shows a saved version; it cannot be edited")
            result = model_cards.save_card(work, system_id, changes, note=note)
            sys.stderr.write(f"saved model card version {result['version']['version']}\n")
        result = model_cards.get_card(work, system_id, version=version)
    _write_card(result, fmt, output)


def _write_card(result: dict[str, Any], fmt: CardFormat, output: Path | None) -> None:
    if fmt is CardFormat.json:
        body: bytes = (json.dumps(result, indent=2, default=str) + "\n").encode("utf-8")
    elif fmt is CardFormat.html:
        body = render_model_card(result).encode("utf-8")
    else:
        if output is None and sys.stdout.isatty():
            raise InvalidInput("a PDF is binary: give --output FILE or redirect the output")
        body = model_card_pdf(result)
    if output is not None:
        output.write_bytes(body)
        sys.stderr.write(f"wrote {output}\n")
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
