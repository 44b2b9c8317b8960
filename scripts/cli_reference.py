"""Write docs/cli.md from the commands themselves (a test fails when it is out of date).

    uv run python scripts/cli_reference.py            # rewrite docs/cli.md
    uv run python scripts/cli_reference.py --check    # exit 1 if docs/cli.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from steward.cli.main import app

TARGET = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def _walk(command, path: list[str]):  # type: ignore[no-untyped-def]
    yield path, command
    for name in sorted(getattr(command, "commands", {}) or {}):
        yield from _walk(command.commands[name], [*path, name])


def _params(command) -> list[str]:  # type: ignore[no-untyped-def]
    lines = []
    for param in command.params:
        if getattr(param, "hidden", False) or param.name == "help":
            continue
        names = ", ".join(f"`{o}`" for o in getattr(param, "opts", [])) if \
            param.param_type_name == "option" else f"`{param.name.upper()}`"
        help_text = " ".join((getattr(param, "help", None) or "").split())
        lines.append(f"- {names}{': ' + help_text if help_text else ''}")
    return lines


def render() -> str:
    root = typer.main.get_command(app)
    out = ["# Command-line reference", "",
           "Generated from the commands by `scripts/cli_reference.py`; do not edit by hand.", ""]
    for path, command in _walk(root, ["steward"]):
        if len(path) == 1:
            continue
        out.append(f"{'#' * min(len(path), 4)} `{' '.join(path)}`")
        out.append("")
        doc = " ".join((command.help or "").split())
        if doc:
            out.extend([doc, ""])
        params = _params(command)
        if params:
            out.extend([*params, ""])
    return "\n".join(out).rstrip() + "\n"


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        return 0 if TARGET.exists() and TARGET.read_text() == text else 1
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
