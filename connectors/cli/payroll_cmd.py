"""``aidledger payroll run|export``, ``postoffice import`` and ``reconcile [close]``."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from connectors.cli import options
from connectors.cli.app import app, console, err_console, get_runtime
from connectors.console_tables import print_whole
from connectors.postoffice.list_export import export_lists
from connectors.postoffice.reconcile_out import write_report
from connectors.postoffice.report_import import import_report
from connectors.spreadsheet_csv import csv_row
from ledger.payroll.postoffices import PostOfficeMap, load_post_offices
from ledger.payroll.rates import load_rates
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.close import close_event
from ledger.reconciliation.funds import fee_event, transfer_event, unrecorded
from ledger.reconciliation.report import reconcile as reconcile_month
from ledger.reconciliation.uncollected import (
    RULE_MONTHS,
    NotCollecting,
    months_ending,
    not_collecting,
    suspension_drafts,
)
from schemas.canonical import canonical_json
from schemas.envelope import Event
from schemas.errors import AidLedgerError

payroll_app = typer.Typer(
    help="Monthly allowance payroll and post-office payment lists.", no_args_is_help=True
)
postoffice_app = typer.Typer(
    help="The post office: disbursement reports, funds transferred, its fee.", no_args_is_help=True
)
reconcile_app = typer.Typer(
    help="Compare listed lines with the post office's reports and funds; close a month.",
    invoke_without_command=True,
)
app.add_typer(payroll_app, name="payroll")
app.add_typer(postoffice_app, name="postoffice")
app.add_typer(reconcile_app, name="reconcile")


class WrongUsage(AidLedgerError):
    """An option has a value the command cannot use (exit code 2, like other usage errors)."""

    exit_code = 2


def _required(value: str | None, option: str) -> str:
    """An option the command needs but its group could not require (``reconcile``)."""
    if value is None:
        raise typer.BadParameter("is required when no command is given", param_hint=f"'{option}'")
    return value


MonthOpt = Annotated[
    str, typer.Option("--month", help="Payroll month, YYYY-MM.", callback=options.month)
]
OfficeOpt = Annotated[
    str | None, typer.Option("--post-office", help="Post office code.", callback=options.identifier)
]


@payroll_app.command("run")
def payroll_run(
    month: MonthOpt,
    province: options.Province,
    district: options.District = None,
    post_offices: Annotated[
        Path | None,
        typer.Option(
            "--post-offices",
            exists=True,
            dir_okay=False,
            help="CSV commune_code,post_office_code (default: VNPOST-<district>).",
        ),
    ] = None,
    rates: Annotated[
        Path | None,
        typer.Option(
            "--rates", exists=True, dir_okay=False, help="A rates CSV instead of the shipped one."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Compute and report everything, publish nothing (a preview)."
        ),
    ] = False,
) -> None:
    """Accrue what is due for the month and issue one payment list per commune (to Kafka)."""
    scope = PayrollScope(month, province, district)
    offices = load_post_offices(post_offices) if post_offices else PostOfficeMap()
    table = load_rates(rates) if rates else None
    rt = get_runtime()
    if dry_run:
        report = run_payroll(
            rt.engine, scope, _discard, rates=table, post_offices=offices, batch_size=20_000
        )
    else:
        with rt.bulk_publisher() as publisher:
            report = run_payroll(
                rt.engine,
                scope,
                publisher.publish,
                rates=table,
                post_offices=offices,
                batch_size=20_000,
            )
    console.print(
        ("dry run, nothing published: " if dry_run else "")
        + f"payroll {scope.month} province {scope.province}"
        f"{' district ' + scope.district if scope.district else ''}: {report.people} people, "
        f"{sum(report.accruals.values())} accruals, {report.lists} lists "
        f"({report.supplements} supplementary), {report.lines} lines, "
        f"{report.listed_vnd:,} VND listed; {report.events} events "
        + ("computed" if dry_run else "published")
    )
    for component, amount in sorted(report.accrued_vnd.items()):
        console.print(f"  {component}: {report.accruals[component]} accruals, {amount:,} VND")
    if report.recovery_outstanding_vnd:
        console.print(
            f"  recovery still owed after netting: {report.recovery_outstanding_vnd:,}"
            " VND (carried to the next lists)"
        )
    if report.suspended:
        console.print(
            f"  {report.suspended} people suspended: {report.suspended_held_vnd:,} VND held, "
            "listed from the month their payment resumes"
        )
    for problem in report.problems:
        err_console.print(f"[yellow]not paid:[/] {problem}", highlight=False)
    if report.problems:
        raise typer.Exit(1)


def _discard(events: Sequence[Event]) -> None:
    """The sink of a dry run: events are counted by the run, never sent."""


@payroll_app.command("export")
def payroll_export(
    month: MonthOpt,
    province: options.Province,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the files into.")],
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="post_office or commune.",
            callback=options.one_of("post_office", "commune"),
        ),
    ] = "post_office",
    fmt: Annotated[
        str, typer.Option("--format", help="csv or xlsx.", callback=options.one_of("csv", "xlsx"))
    ] = "csv",
    post_office: OfficeOpt = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Only this commune.")] = None,
) -> None:
    """Write the issued payment lists, one file per post office or commune (docs/formats.md)."""
    files = export_lists(
        get_runtime().engine,
        out,
        month,
        province,
        by=by,
        fmt=fmt,
        post_office=post_office,
        commune=commune,
    )
    for f in files:
        console.print(f"wrote {f.path}: {f.lists} lists, {f.lines} lines, {f.total_vnd:,} VND")


@postoffice_app.command("import")
def postoffice_import(
    file: Annotated[
        Path, typer.Argument(help="The report, .csv or .xlsx.", exists=True, dir_okay=False)
    ],
    post_office: Annotated[
        str | None,
        typer.Option(
            "--post-office",
            help="Post office of rows whose list is unknown.",
            callback=options.identifier,
        ),
    ] = None,
) -> None:
    """Import a disbursement report; a file with any bad row is refused whole."""
    rt = get_runtime()
    with rt.publisher() as publisher:
        result = import_report(rt.engine, file, publisher.publish, post_office=post_office)
    console.print(
        f"{file}: {result.rows} rows; published {result.disbursed} payments and "
        f"{result.not_collected} not collected; {result.already_imported} already imported; "
        f"{len(result.conflicts)} conflicts"
    )
    for conflict in result.conflicts:
        err_console.print(f"[red]conflict:[/] {conflict}", highlight=False)
    if result.conflicts:
        raise typer.Exit(1)


@postoffice_app.command("transfer")
def postoffice_transfer(
    month: MonthOpt,
    province: options.Province,
    post_office: Annotated[
        str, typer.Option("--post-office", help="Post office code.", callback=options.identifier)
    ],
    amount: Annotated[int, typer.Option("--amount", min=1, help="Amount in đồng.")],
    reference: Annotated[
        str,
        typer.Option(
            "--ref",
            help="The payment order's reference (one per transfer).",
            callback=options.identifier,
        ),
    ],
    on: Annotated[
        str, typer.Option("--on", help="Date the money moved, YYYY-MM-DD.", callback=options.day)
    ],
    returned: Annotated[
        bool, typer.Option("--returned", help="Funds the post office sent back to the treasury.")
    ] = False,
    operator: Annotated[str | None, typer.Option("--operator", help="Who records it.")] = None,
) -> None:
    """Record money deposited into the post office's account for a month (or returned)."""
    event = transfer_event(
        province=province,
        post_office=post_office,
        month=month,
        amount_vnd=amount,
        reference=reference,
        on=date.fromisoformat(on),
        returned=returned,
        operator=operator,
    )
    what = f"{'returned' if returned else 'deposited'} {amount:,} VND ({reference}, {on})"
    rt = get_runtime()
    if not unrecorded(rt.engine, event):
        console.print(f"already recorded: {post_office} {month} {what}; nothing published")
        return
    with rt.publisher() as publisher:
        publisher.publish([event])
    console.print(f"recorded {post_office} {month}: {what}")


@postoffice_app.command("fee")
def postoffice_fee(
    month: MonthOpt,
    province: options.Province,
    post_office: Annotated[
        str, typer.Option("--post-office", help="Post office code.", callback=options.identifier)
    ],
    rate: Annotated[
        str,
        typer.Option(
            "--rate", help="The province's rate, e.g. 0.0045 for 0.45 %.", callback=options.rate
        ),
    ],
    operator: Annotated[str | None, typer.Option("--operator", help="Who records it.")] = None,
) -> None:
    """Charge the post office's fee for a month: the rate of what it paid (before closing)."""
    rt = get_runtime()
    recon = reconcile_month(rt.engine, month, province, post_office)
    event = fee_event(recon, post_office, Decimal(rate), operator)
    with rt.publisher() as publisher:
        publisher.publish([event])
    console.print(
        f"fee {post_office} {month}: {event.fee_rate} of {event.paid_basis_vnd:,} VND paid = "
        f"{event.fee_vnd:,} VND"
    )


@reconcile_app.callback()
def reconcile(
    ctx: typer.Context,
    month: Annotated[
        str | None, typer.Option("--month", help="Month, YYYY-MM.", callback=options.month)
    ] = None,
    province: Annotated[
        str | None, typer.Option("--province", help="2-digit code.", callback=options.province)
    ] = None,
    post_office: OfficeOpt = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="table, csv, xlsx or html.",
            callback=options.one_of("table", "csv", "xlsx", "html"),
        ),
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="File for csv/xlsx/html.")] = None,
) -> None:
    """Classify every listed line of a month and total it per commune and post office."""
    if ctx.invoked_subcommand is not None:
        return
    if fmt != "table" and out is None:
        raise WrongUsage(f"--format {fmt} needs --out FILE")
    month, province = _required(month, "--month"), _required(province, "--province")
    recon = write_report(
        get_runtime().engine,
        month,
        province,
        post_office,
        fmt,
        out,
        console,
    )
    if out is not None:
        console.print(f"wrote {out}: {sum(recon.totals.lines.values())} rows classified")


@reconcile_app.command("close")
def reconcile_close(
    month: MonthOpt,
    province: options.Province,
    post_office: Annotated[
        str, typer.Option("--post-office", help="Post office code.", callback=options.identifier)
    ],
    operator: Annotated[str | None, typer.Option("--operator", help="Who closes it.")] = None,
) -> None:
    """Publish ReconciliationClosed with the totals and their digest; later rows are late."""
    rt = get_runtime()
    recon = reconcile_month(rt.engine, month, province, post_office)
    event = close_event(recon, post_office, operator)
    with rt.publisher() as publisher:
        publisher.publish([event])
    console.print(
        f"closed {event.month} for {post_office}: listed {event.listed_vnd:,}, paid "
        f"{event.paid_vnd:,}, unpaid {event.unpaid_vnd:,}, variance {event.variance_vnd:,} VND;"
        f" digest {event.totals_digest}; as of ledger sequence {event.as_of_sequence:,} (rows"
        " recorded after it are late adjustments of the next month)"
    )
    left = recon.offices[post_office].funds_left_vnd
    if left:
        err_console.print(
            f"[yellow]note:[/] {left:,} VND of the funds are unaccounted for (deposited - paid - "
            "returned); record the return with `postoffice transfer --returned`"
            if left > 0
            else f"[yellow]note:[/] the post office paid {-left:,} VND more than it was given",
            highlight=False,
        )


@reconcile_app.command("not-collecting")
def reconcile_not_collecting(
    month: MonthOpt,
    province: options.Province,
    post_office: OfficeOpt = None,
    months: Annotated[
        int, typer.Option("--months", min=1, max=24, help="Months in a row (the rule: 3).")
    ] = RULE_MONTHS,
    fmt: Annotated[
        str,
        typer.Option("--format", help="table or csv.", callback=options.one_of("table", "csv")),
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="Write the CSV here.")] = None,
    drafts: Annotated[
        Path | None,
        typer.Option(
            "--draft-suspensions",
            help="Also write an EligibilitySuspended per person (JSON lines) to review, then "
            "`aidledger publish` it.",
        ),
    ] = None,
    decision: Annotated[
        str | None, typer.Option("--decision", help="Decision number for the drafts.")
    ] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="Who drafts them.")] = None,
) -> None:
    """People who collected nothing for several months in a row: proposals for suspension."""
    if drafts is not None and months < RULE_MONTHS:
        raise typer.BadParameter(
            f"suspension drafts follow the rule of {RULE_MONTHS} months", param_hint="'--months'"
        )
    people = not_collecting(get_runtime().engine, month, province, post_office, months=months)
    if drafts is not None:
        events = suspension_drafts(people, decision, operator)
        drafts.write_bytes(b"".join(canonical_json(e) + b"\n" for e in events))
        err_console.print(
            f"wrote {len(events)} EligibilitySuspended drafts to {drafts}: remove anyone not to "
            f"suspend, then `aidledger publish {drafts}`",
            highlight=False,
        )
    window = f"{months_ending(month, months)[0]}..{month}"
    if fmt == "csv":
        _not_collecting_csv(people, out)
    else:
        table = Table(title=f"Collected nothing in {window}, province {province}")
        for column in ("commune", "person", "name", "post office", "months", "listed"):
            table.add_column(column, justify="right" if column == "listed" else "left")
        for p in people:
            table.add_row(
                p.commune_code,
                p.person_id,
                p.full_name,
                p.post_office_code,
                ", ".join(f"{m} {s}" for m, s in zip(p.months, p.statuses, strict=True)),
                f"{p.total_vnd:,}",
            )
        print_whole(console, table)
    err_console.print(
        f"{len(people)} people collected nothing in {window}; suspending one is a decision, "
        "recorded as EligibilitySuspended (reason not_collected_3_months)",
        highlight=False,
    )


def _not_collecting_csv(people: list[NotCollecting], out: Path | None) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["commune_code", "person_id", "full_name", "post_office_code", "month",
                     "status", "listed_vnd"])  # fmt: skip
    for p in people:
        for m, status, listed in zip(p.months, p.statuses, p.listed_vnd, strict=True):
            writer.writerow(
                csv_row(
                    [
                        p.commune_code,
                        p.person_id,
                        p.full_name,
                        p.post_office_code,
                        m,
                        status,
                        listed,
                    ]
                )
            )
    if out is None:
        typer.echo(buffer.getvalue(), nl=False)
    else:
        out.write_text(buffer.getvalue(), encoding="utf-8-sig")
        err_console.print(f"wrote {out}")
