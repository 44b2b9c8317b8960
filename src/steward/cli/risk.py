"""``steward risk``: classify answers without storing anything."""

from __future__ import annotations

from typing import Annotated

import typer

from steward.cli.context import Format, emit, open_runtime
from steward.cli.files import read_mapping
from steward.services import risk

app = typer.Typer(help="EU AI Act, GDPR, CCPA/CPRA and FTC risk classification.",
                  no_args_is_help=True)


@app.command("classify")
def classify(answers: Annotated[str, typer.Argument(help="answers YAML (or - for stdin)")],
             fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """Classify a system from questionnaire answers: tier, reasons, obligations, risk score."""
    data = read_mapping(answers)
    runtime = open_runtime(check_schema=False)
    try:
        result = risk.classify_answers(runtime, data).to_dict()
    finally:
        runtime.close()
    if fmt is Format.json:
        emit(result, fmt=fmt)
        return
    typer.echo(f"{result['name']}: tier {result['tier']}, risk score {result['risk_score']}")
    for reason in result["reasons"]:
        typer.echo(f"  - {reason}")
    emit([{"id": o["id"], "party": o["party"], "stage": o["stage"],
           "applies_from": o["applies_from"],
           "citation": f"{o['citation']['instrument']} {o['citation']['article']}"}
          for o in result["obligations"]], fmt=fmt, title="Obligations")


@app.command("questions")
def questions(fmt: Annotated[Format, typer.Option("--format")] = Format.table) -> None:
    """The questionnaire: every question, its type and when it applies."""
    emit(risk.question_list(), fmt=fmt, columns=("key", "type", "text", "show_if"))
