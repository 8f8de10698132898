"""``aidledger bhyt ...``, ``relief ...``, ``donors totals`` and ``program totals``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from connectors.bhyt import gaps_output
from connectors.bhyt.issuance_list import read_card_list
from connectors.cli import options
from connectors.cli.app import app, console, err_console, get_runtime
from connectors.console_tables import as_text, print_whole
from connectors.jsonl import FileRefused
from connectors.relief import program_output, totals_output
from connectors.relief.cells import VIETNAM
from connectors.relief.donation_list import read_donation_list
from connectors.relief.formats import as_csv, as_json, as_table
from connectors.relief.handout_list import read_handout_list
from connectors.relief.importing import ImportSummary, publish_new, refuse_conflicts
from connectors.relief.ledger_access import reading
from connectors.reports.donor_page import render_donor_page
from ledger.bhyt.base_salary import table_in_force
from ledger.bhyt.gaps import coverage_gaps
from ledger.relief.catalogue import load_catalogue
from ledger.relief.doubles import find_double_handouts
from ledger.relief.program_totals import program_totals
from ledger.relief.recorded import check_recorded
from ledger.relief.totals import donor_totals, parse_dimensions
from schemas.envelope import Event

bhyt_app = typer.Typer(help="BHYT health-insurance cards: import issuance lists, find gaps.")
relief_app = typer.Typer(help="Relief handouts and donations: import lists, catalogue, doubles.")
donations_app = typer.Typer(help="Donations pledged and received.")
donors_app = typer.Typer(help="Donor-facing totals (aggregates only, small groups suppressed).")
program_app = typer.Typer(help="The department's program totals.")
app.add_typer(bhyt_app, name="bhyt")
app.add_typer(relief_app, name="relief")
relief_app.add_typer(donations_app, name="donations")
app.add_typer(donors_app, name="donors")
app.add_typer(program_app, name="program")

FileArg = Annotated[Path, typer.Argument(help="A .csv or .xlsx list.", exists=True, dir_okay=False)]
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="table, csv, json or html.",
        callback=options.one_of("table", "csv", "json", "html"),
    ),
]
#: Commands with no page of their own: `html` is still read, so ``_no_html`` can name the
#: command that has one.
PlainFormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        help="table, csv or json.",
        callback=options.one_of("table", "csv", "json", "html"),
    ),
]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Write to this file, not stdout.")]


def _no_html(fmt: str) -> None:
    """Only donor totals have a page of their own; say so before anything is read."""
    if fmt == "html":
        raise typer.BadParameter(
            "html is for `donors totals`; use table, csv or json", param_hint="'--format'"
        )


def _emit(content: str, out: Path | None) -> None:
    if out is None:
        typer.echo(content, nl=not content.endswith("\n"))
    else:
        out.write_text(content, encoding="utf-8")
        err_console.print(f"wrote {out}")


def _render(
    fmt: str,
    title: str,
    rows: list[dict[str, Any]],
    foot: dict[str, Any] | None,
    doc: dict[str, Any],
    out: Path | None,
    columns: Sequence[str] = (),
) -> None:
    if fmt == "table" and out is None:
        print_whole(console, as_table(title, rows, foot, columns))
    elif fmt == "table":
        _emit(as_text(as_table(title, rows, foot, columns)), out)
    elif fmt == "csv":
        _emit(as_csv(rows, foot, columns), out)
    else:
        _emit(as_json(doc), out)


def _publish(
    path: Path, events: list[Event], rows: dict[UUID, str], warnings: list[str]
) -> ImportSummary:
    rt = get_runtime()
    with reading(rt.engine) as conn:
        check = check_recorded(conn, events)
    refuse_conflicts(path, check, rows)
    with rt.publisher() as publisher:
        summary = publish_new(path, check, publisher, warnings)
    for line in summary.lines():
        console.print(line, highlight=False, soft_wrap=True)
    return summary


@bhyt_app.command("import")
def bhyt_import(
    file: FileArg,
    issuer: Annotated[str, typer.Option(help="Who issued the cards.")] = "BHXH",
    accept_mismatches: Annotated[
        bool, typer.Option(help="Publish even when premiums differ from the rule (reported).")
    ] = False,
) -> None:
    """Publish HealthInsuranceCardIssued for each row, premiums checked against 4.5% rule."""
    with reading(get_runtime().engine) as conn:
        table = table_in_force(conn)
    cards = read_card_list(file, table, issuer)
    if cards.mismatches and not accept_mismatches:
        raise FileRefused(file, [*cards.mismatches, "(use --accept-mismatches to publish)"])
    rows = {card.event_id: f"card {card.card_number}" for card in cards.cards}
    warnings = [f"premium mismatch, published: {m}" for m in cards.mismatches]
    _publish(file, list(cards.cards), rows, warnings)


@bhyt_app.command("gaps")
def bhyt_gaps(
    province: options.Province,
    on: Annotated[
        str | None,
        typer.Option(
            "--on", help="Date YYYY-MM-DD (default: today in Vietnam).", callback=options.day
        ),
    ] = None,
    fmt: PlainFormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Entitled people without a valid card, and valid cards of people no longer entitled."""
    _no_html(fmt)
    day = date.fromisoformat(on) if on else datetime.now(VIETNAM).date()
    with reading(get_runtime().engine) as conn:
        gaps = coverage_gaps(conn, province, day)
    title = f"BHYT coverage gaps, province {province}, on {day}"
    _render(
        fmt,
        title,
        gaps_output.records(gaps),
        None,
        gaps_output.document(province, day, gaps),
        out,
        gaps_output.COLUMNS,
    )
    if not gaps and fmt == "table" and out is None:
        console.print(f"no coverage gaps in province {province} on {day}")


@relief_app.command("import")
def relief_import(file: FileArg) -> None:
    """Publish ReliefItemHandedOut per row; double handouts are reported (and recorded)."""
    handouts = read_handout_list(file, load_catalogue())
    refs = [(f"row {n}", event) for n, event in handouts]
    with reading(get_runtime().engine) as conn:
        doubles = find_double_handouts(conn, refs)
    warnings = [f"double handout: {d}" for d in doubles]
    _publish(file, [e for _, e in handouts], {e.event_id: r for r, e in refs}, warnings)


@donations_app.command("import")
def donations_import(file: FileArg) -> None:
    """Publish DonationPledged / DonationReceived (rows of one reference are one donation)."""
    donations = read_donation_list(file, load_catalogue())
    rows = {e.event_id: f"row {numbers[0]}" for numbers, e in donations}
    _publish(file, [e for _, e in donations], rows, [])


@relief_app.command("catalogue")
def relief_catalogue() -> None:
    """The items handouts and donations may name, with their units."""
    items = [
        {"item_code": i.item_code, "name": i.name, "unit": i.unit, "category": i.category}
        for i in load_catalogue().listing()
    ]
    print_whole(console, as_table("Relief item catalogue", items))


@relief_app.command("doubles")
def relief_doubles(
    campaign: Annotated[str | None, typer.Option(help="Only this campaign.")] = None,
) -> None:
    """Recipients handed the same campaign item more than once (exit 1 when any)."""
    with reading(get_runtime().engine) as conn:
        doubles = find_double_handouts(conn, campaign_id=campaign)
    for double in doubles:
        console.print(str(double), highlight=False, soft_wrap=True)
    console.print(f"{len(doubles)} double handout(s)")
    if doubles:
        raise typer.Exit(1)


@donors_app.command("totals")
def donors_totals(
    donor: Annotated[str | None, typer.Option(help="Only this donor.")] = None,
    campaign: Annotated[str | None, typer.Option(help="Only this campaign.")] = None,
    province: options.OptionalProvince = None,
    by: Annotated[
        str | None,
        typer.Option(
            help="Dimensions: province,district,month,item,program,donor.",
            callback=options.dimensions,
        ),
    ] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Pledged, received, distributed, held and recipients reached; no personal data."""
    dims = parse_dimensions(by)
    catalogue = load_catalogue()
    with reading(get_runtime().engine) as conn:
        report = donor_totals(conn, dims, donor, campaign, province)
        if fmt == "html":
            month, place, item = (
                donor_totals(conn, (d,), donor, campaign, province)
                for d in ("month", "district", "item")
            )
            page = render_donor_page(report, month, place, item, catalogue, datetime.now(UTC))
            _emit(page, out)
            return
    title = f"Donor totals by {', '.join(dims) or 'overall'}"
    _render(
        fmt,
        title,
        totals_output.records(report, catalogue),
        totals_output.footer(report, catalogue),
        totals_output.document(report, catalogue),
        out,
    )


@program_app.command("totals")
def program_totals_cmd(
    province: options.Province,
    month: Annotated[
        list[str] | None, typer.Option(help="YYYY-MM; repeat for more.", callback=options.months)
    ] = None,
    fmt: PlainFormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Per month: allowance accrued and paid, cards issued and premiums, relief handed out."""
    _no_html(fmt)
    with reading(get_runtime().engine) as conn:
        months = program_totals(conn, province, month or [])
    _render(
        fmt,
        f"Program totals, province {province}",
        program_output.records(months),
        program_output.footer(months),
        program_output.document(province, months),
        out,
    )
