"""``steward content``: scan content before it is sent, review it, sign and verify images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from steward.cli.context import Format, emit, emit_lines, unit
from steward.cli.files import read_text
from steward.config import load_settings
from steward.errors import InvalidInput
from steward.services import content, content_credentials

app = typer.Typer(help="Content guard: scan, review, and content credentials for images.",
                  no_args_is_help=True)
keys_app = typer.Typer(help="The organisation's content-signing keys.", no_args_is_help=True)
assets_app = typer.Typer(help="The register of AI-generated assets.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(assets_app, name="assets")

FINDING_COLUMNS = ("rule", "severity", "start", "end", "text", "citation", "suggestion")
ITEM_COLUMNS = ("id", "status", "verdict", "channel", "title", "submitted_by", "reviewer")
ASSET_COLUMNS = ("id", "file_name", "system", "campaign", "status", "signed_by", "signed_at")
FormatOpt = Annotated[Format, typer.Option("--format", help="table or json")]


def _metadata(ai_generated: bool, pairs: list[str] | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"ai_generated": True} if ai_generated else {}
    for pair in pairs or []:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidInput(f"--meta expects KEY=VALUE, got {pair!r}")
        value: Any = raw.strip()
        if value.lower() in ("true", "yes"):
            value = True
        elif value.lower() in ("false", "no"):
            value = False
        elif key.strip() == "jurisdictions":
            value = [v.strip() for v in value.split(",") if v.strip()]
        meta[key.strip()] = value
    return meta


def _citation(value: dict[str, str]) -> str:
    return f"{value['instrument']} {value['article']}".strip()


def _read_jsonl(path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}: line {number} is not JSON ({exc.msg})") from None
        if not isinstance(item, dict) or "text" not in item:
            raise InvalidInput(f"{path}: line {number} needs an object with id and text")
        items.append(item)
    return items


@app.command("scan")
def scan(
    file: Annotated[str | None, typer.Argument(help="text, HTML or Markdown file, or -")] = None,
    channel: Annotated[str | None, typer.Option(help="email, sms, social, ad, web or chat")] = None,
    ai_generated: Annotated[bool, typer.Option("--ai-generated", help="the text was written "
                                                                      "by AI")] = False,
    meta: Annotated[list[str] | None, typer.Option("--meta", help="KEY=VALUE metadata, e.g. "
                                                   "presented_as=review, endorsement=true")] = None,
    jsonl: Annotated[str | None, typer.Option("--jsonl", help="JSON Lines of {id, text, "
                                              "channel?, metadata?}; one result per line")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Scan content; exit 0 when it passes, 1 for review or block, 2 for bad input."""
    settings = load_settings()
    if jsonl is not None:
        if file is not None:
            raise InvalidInput("give a FILE or --jsonl, not both")
        results = content.scan_batch(settings, _read_jsonl(jsonl))
        if fmt is Format.json:
            emit_lines(results)
        else:
            emit([{"id": r["id"], "verdict": r["verdict"], "findings": len(r["findings"]),
                   "rules": sorted({f["rule"] for f in r["findings"]})} for r in results],
                 fmt=fmt)
        verdicts = {r["verdict"] for r in results}
    else:
        if file is None:
            raise InvalidInput("give a FILE (or - for standard input) or --jsonl FILE")
        text = read_text(file)
        result = content.scan_batch(settings, [{"text": text, "channel": channel,
                                                "metadata": _metadata(ai_generated, meta)}])[0]
        output = {"verdict": result["verdict"], "findings": result["findings"]}
        if fmt is Format.json:
            emit(output, fmt=fmt)
        else:
            typer.echo(f"verdict: {output['verdict']}")
            if output["findings"]:
                emit([{**f, "citation": _citation(f["citation"])} for f in output["findings"]],
                     fmt=fmt, columns=FINDING_COLUMNS)
        verdicts = {result["verdict"]}
    if verdicts - {"pass"}:
        raise typer.Exit(1)


@app.command("submit")
def submit(
    file: Annotated[str, typer.Argument(help="the content to submit (or -)")],
    channel: Annotated[str | None, typer.Option(help="email, sms, social, ad, web or chat")] = None,
    ai_generated: Annotated[bool, typer.Option("--ai-generated")] = False,
    meta: Annotated[list[str] | None, typer.Option("--meta", help="KEY=VALUE metadata")] = None,
    system: Annotated[int | None, typer.Option(help="the AI system that generated it")] = None,
    campaign: Annotated[str | None, typer.Option(help="campaign name")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Submit content for sending: passed items get a receipt, others join the review queue."""
    text = read_text(file)
    with unit() as work:
        record = content.submit(work, text, channel=channel,
                                metadata=_metadata(ai_generated, meta), system_id=system,
                                campaign=campaign)
    emit(record if fmt is Format.json else {k: record[k] for k in ITEM_COLUMNS}, fmt=fmt)


@app.command("items")
def items(status: Annotated[str | None, typer.Option(help="pending_review, approved, …")] = None,
          fmt: FormatOpt = Format.table) -> None:
    """List submitted items (``--status pending_review`` is the review queue)."""
    with unit() as work:
        rows = content.list_items(work, status=status)
    emit(rows, fmt=fmt, columns=ITEM_COLUMNS)


@app.command("review")
def review(item_id: int,
           decision: Annotated[str, typer.Option(help="approve, request_changes or reject")],
           comment: Annotated[str, typer.Option(help="what to change, or why")] = "",
           fmt: FormatOpt = Format.table) -> None:
    """Decide on an item waiting for review."""
    with unit() as work:
        record = content.decide(work, item_id, decision=decision, comment=comment)
    emit(record if fmt is Format.json else {k: record[k] for k in ITEM_COLUMNS}, fmt=fmt)


@app.command("sign")
def sign(
    image: Annotated[Path, typer.Argument(help="a JPEG, PNG or WebP image generated by AI")],
    out: Annotated[Path, typer.Option("--out", help="where to write the signed image")],
    system: Annotated[int | None, typer.Option(help="the AI system that generated it")] = None,
    campaign: Annotated[str | None, typer.Option(help="campaign name")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Sign an AI-generated image with the organisation's certificate (C2PA, offline)."""
    data = _read_image(image)
    with unit() as work:
        signed, record = content_credentials.sign(work, data, file_name=image.name,
                                                  system_id=system, campaign=campaign)
        out.write_bytes(signed)
    emit(record, fmt=fmt, columns=ASSET_COLUMNS)


@app.command("verify")
def verify(image: Annotated[Path, typer.Argument(help="the image to check")],
           fmt: FormatOpt = Format.table) -> None:
    """Read and validate an image's content credentials: exit 0 only when Trusted."""
    result = content_credentials.verify(load_settings(), _read_image(image))
    if fmt is Format.json:
        emit(result, fmt=fmt)
    else:
        typer.echo(f"{result['state']}: {'; '.join(result['reasons'])}")
        if result["state"] != "None":
            emit({k: result[k] for k in ("title", "signer", "digital_source_type",
                                         "software_agent", "manifest_label")}, fmt=fmt)
    if result["state"] != "Trusted":
        raise typer.Exit(1)


@keys_app.command("init")
def keys_init(org: Annotated[str, typer.Option("--org", help="the organisation's name")],
              force: Annotated[bool, typer.Option("--force", help="replace existing keys")] = False
              ) -> None:
    """Create a self-signed signing chain for trials (production: install your own)."""
    with unit() as work:
        record = content_credentials.init_keys(work, organisation=org, force=force)
    typer.echo(f"signing keys written to {record['folder']}")


@assets_app.command("list")
def assets_list(system: Annotated[int | None, typer.Option(help="AI system id")] = None,
                campaign: Annotated[str | None, typer.Option(help="campaign name")] = None,
                fmt: FormatOpt = Format.table) -> None:
    """AI-generated assets Steward signed, per system and campaign."""
    with unit() as work:
        rows = content_credentials.list_assets(work, system_id=system, campaign=campaign)
    emit(rows, fmt=fmt, columns=ASSET_COLUMNS)


def _read_image(path: Path) -> bytes:
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if path.stat().st_size > content_credentials.MAX_IMAGE_BYTES:
        raise InvalidInput(f"{path}: larger than 50 MB")
    return path.read_bytes()
