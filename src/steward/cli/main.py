"""The ``steward`` command: every sub-command, and the one place errors become exit codes."""

from __future__ import annotations

import sys
from importlib import import_module

import typer
from typer.exceptions import TyperException

from steward import __version__
from steward.errors import StewardError, one_line

# Every sub-command: (name, module under steward.cli, attribute, "group" or "command"). Modules are
# imported only when their command runs (or for --help), so `steward monitor drift` does not pay
# for importing the fairness engine, shap or the web stack.
COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("db", "db", "app", "group"),
    ("users", "users", "users_app", "group"),
    ("tokens", "users", "tokens_app", "group"),
    ("systems", "systems", "app", "group"),
    ("risk", "risk", "app", "group"),
    ("consent", "consent", "app", "group"),
    ("content", "content", "app", "group"),
    ("policy", "governance", "policy_app", "group"),
    ("gate", "governance", "gate", "command"),
    ("move", "governance", "move", "command"),
    ("reviews", "governance", "reviews_app", "group"),
    ("training", "oversight", "training_app", "group"),
    ("incidents", "oversight", "incidents_app", "group"),
    ("feedback", "oversight", "feedback_app", "group"),
    ("auditors", "oversight", "auditors_app", "group"),
    ("audit-log", "audit_log", "app", "group"),
    ("audit", "audits", "app", "group"),
    ("monitor", "monitor", "app", "group"),
    ("privacy", "privacy", "app", "group"),
    ("serve", "serve", "serve", "command"),
    ("demo", "serve", "demo", "command"),
    ("explain", "explain", "explain", "command"),
    ("models", "explain", "models_app", "group"),
    ("card", "explain", "card", "command"),
    ("kpis", "scorecards", "kpis_app", "group"),
    ("scorecard", "scorecards", "scorecard", "command"),
    ("report", "reports", "report", "command"),
    ("evidence", "reports", "evidence_app", "group"),
)


def version() -> None:
    """Print Steward's version."""
    typer.echo(__version__)


def build_app(only: str | None = None) -> typer.Typer:
    """The ``steward`` app with every command, or just the one named ``only`` when it exists."""
    wanted = [c for c in COMMANDS if c[0] == only] or list(COMMANDS)
    app = typer.Typer(name="steward", help="Steward: govern the use of AI in marketing.",
                      no_args_is_help=True, pretty_exceptions_enable=False,
                      add_completion=False)
    for name, module_name, attribute, kind in wanted:
        target = getattr(import_module(f"steward.cli.{module_name}"), attribute)
        if kind == "group":
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    app.command("version")(version)
    return app


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole command tree, for documentation and tests
        return build_app()
    raise AttributeError(name)


EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 70


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status (tests call this)."""
    args = sys.argv[1:] if argv is None else argv
    first = next((a for a in args if not a.startswith("-")), None)
    command = typer.main.get_command(build_app(first))
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
