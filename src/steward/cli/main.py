"""The ``steward`` command: every sub-command, and the one place errors become exit codes."""

from __future__ import annotations

import sys

import typer
from typer.exceptions import TyperException

from steward import __version__
from steward.cli import (
    audit_log,
    audits,
    consent,
    db,
    governance,
    monitor,
    oversight,
    privacy,
    risk,
    serve,
    systems,
    users,
)
from steward.cli import content as content_cli
from steward.cli import explain as explain_cli
from steward.cli import reports as reports_cli
from steward.cli import scorecards as scorecards_cli
from steward.errors import StewardError, one_line

app = typer.Typer(
    name="steward",
    help="Steward: govern the use of AI in marketing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(users.users_app, name="users")
app.add_typer(users.tokens_app, name="tokens")
app.add_typer(systems.app, name="systems")
app.add_typer(risk.app, name="risk")
app.add_typer(consent.app, name="consent")
app.add_typer(content_cli.app, name="content")
app.add_typer(governance.policy_app, name="policy")
app.command("gate")(governance.gate)
app.command("move")(governance.move)
app.add_typer(governance.reviews_app, name="reviews")
app.add_typer(oversight.training_app, name="training")
app.add_typer(oversight.incidents_app, name="incidents")
app.add_typer(oversight.feedback_app, name="feedback")
app.add_typer(oversight.auditors_app, name="auditors")
app.add_typer(audit_log.app, name="audit-log")
app.add_typer(audits.app, name="audit")
app.add_typer(monitor.app, name="monitor")
app.add_typer(privacy.app, name="privacy")
app.command("serve")(serve.serve)
app.command("demo")(serve.demo)
app.command("explain")(explain_cli.explain)
app.add_typer(explain_cli.models_app, name="models")
app.command("card")(explain_cli.card)
app.add_typer(scorecards_cli.kpis_app, name="kpis")
app.command("scorecard")(scorecards_cli.scorecard)
app.command("report")(reports_cli.report)
app.add_typer(reports_cli.evidence_app, name="evidence")


@app.command("version")
def version() -> None:
    """Print Steward's version."""
    typer.echo(__version__)


EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status (tests call this)."""
    command = typer.main.get_command(app)
    try:
        result = command.main(args=argv, prog_name="steward", standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code or 0
    except TyperException as exc:  # usage errors: bad option, missing argument, bad choice
        exc.show()
        return exc.exit_code if isinstance(getattr(exc, "exit_code", None), int) else EXIT_BAD_INPUT
    except typer.Abort:
        sys.stderr.write("aborted\n")
        return EXIT_FINDINGS
    except StewardError as exc:
        sys.stderr.write(f"error: {exc.message}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, no traceback
        sys.stderr.write(f"error: internal error ({type(exc).__name__}): {one_line(exc)}\n")
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
