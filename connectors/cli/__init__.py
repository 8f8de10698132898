"""The ``aidledger`` command: a Typer app whose command groups live one per module."""

from __future__ import annotations

import sys

# Each module registers its commands on ``app`` when imported (one module per area).
from connectors.cli import audit_cmd as _audit  # noqa: F401
from connectors.cli import demo_cmd as _demo  # noqa: F401
from connectors.cli import events_cmd as _events  # noqa: F401
from connectors.cli import infra as _infra  # noqa: F401
from connectors.cli import ledger_cmd as _ledger  # noqa: F401
from connectors.cli import payroll_cmd as _payroll  # noqa: F401
from connectors.cli import relief_cmd as _relief  # noqa: F401
from connectors.cli import schemas_cmd as _schemas  # noqa: F401
from connectors.cli import streams_cmd as _streams  # noqa: F401
from connectors.cli.app import app, run


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())


__all__ = ["app", "main"]
