"""The root Typer app, global options, and error handling with reliable exit codes.

Exit codes: 0 success; 1 a check found a problem (e.g. a broken hash chain); 2 wrong usage;
3 bad input (a refused event, file or row); 4 a service is unavailable.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from connectors.bootstrap import Runtime, runtime
from schemas.errors import AidLedgerError

app = typer.Typer(
    name="aidledger",
    help="Aid distribution and benefits ledger: allowances, BHYT cards and relief, on Kafka"
    " and an append-only PostgreSQL ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)
_state = {"debug": False}


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
) -> None:
    _state["debug"] = debug


def get_runtime() -> Runtime:
    """The composition root for commands (one Runtime per process)."""
    return _runtime_singleton()


_cached: list[Runtime] = []


def _runtime_singleton() -> Runtime:
    if not _cached:
        _cached.append(runtime())
    return _cached[0]


def run(argv: list[str] | None = None) -> int:
    """Run the CLI; AidLedgerErrors print a one-line message and map to their exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result = app(args=argv, standalone_mode=False)
    except AidLedgerError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err_console.print("aborted")
        return 1
    except Exception as exc:  # the last resort: no traceback for users unless --debug
        # Usage errors: Typer raises its own (vendored) click exceptions, which can show().
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            return int(exc.exit_code)  # type: ignore[attr-defined]
        if debug:
            raise
        err_console.print(
            f"[bold red]unexpected error:[/] {type(exc).__name__}: {exc} (run with --debug for"
            " the traceback)",
            highlight=False,
        )
        return 1
    return result if isinstance(result, int) else 0
