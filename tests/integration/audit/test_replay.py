"""``audit replay --from-store``: the rebuilt ledger equals the live one, and is deterministic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ledger import Ledger
from ledger.audit import history
from ledger.audit import replay as rp
from ledger.audit.compare import compare
from ledger.audit.db import Database, session
from ledger.audit.digest import schema_digest
from ledger.audit.errors import AuditInputError
from ledger.audit.tables import ledger_tables
from tests.integration.audit import scenario
from tests.integration.audit.conftest import domain_projectors, table_persistence

pytestmark = pytest.mark.integration

Sql = Callable[..., list[tuple[Any, ...]]]


def _replay(url: str, db: Database, name: str) -> rp.ReplayOutcome:
    outcome = rp.rebuild(
        url, name, history.from_store(db, "ledger"), domain_projectors(), source="store", batch=7
    )
    return rp.check(db, "ledger", outcome, exact=True)


def test_the_scenario_has_corrections_duplicates_and_late_events(ledger_url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(ledger_url)
    ledger = Ledger(engine, "ledger", domain_projectors())
    results = [ledger.append(batch) for batch in scenario.batches()]
    engine.dispose()
    assert sum(len(r.already_recorded) for r in results) == 1
    assert sum(len(r.conflicts) for r in results) == 1
    first = scenario.PEOPLE[0]
    assert ledger.account_balance(f"person:{first}:paid") == 0  # paid, then reversed
    types = [i.event.event_type for b in scenario.batches() for i in b]
    assert {"PaymentReversed", "BeneficiaryDied"} <= set(types)


def test_a_store_replay_equals_the_live_ledger(live: Ledger, ledger_url: str, db: Database) -> None:
    outcome = _replay(ledger_url, db, "scratch_one")
    assert outcome.differences == []
    assert (outcome.read, outcome.appended, outcome.refused, outcome.conflicts) == (
        live.head()[0],
        live.head()[0],
        [],
        [],
    )
    with session(db) as conn:
        assert outcome.digest == schema_digest(conn, "ledger")
        counts = _counts(conn, "scratch_one")
    assert counts["postings"] > 20 and counts["payroll_people"] == 3
    assert table_persistence(db, "scratch_one") == {"u"}  # compared and dropped: no WAL needed
    rp.drop(db, "scratch_one")


def test_replaying_the_same_history_twice_gives_byte_identical_tables(
    live: Ledger, ledger_url: str, db: Database, superuser: Sql
) -> None:
    first, second = _replay(ledger_url, db, "scratch_a"), _replay(ledger_url, db, "scratch_b")
    assert first.digest is not None and first.digest == second.digest
    rp.drop(db, "scratch_a")
    rp.drop(db, "scratch_b")
    left = superuser("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'scratch_%%'")
    assert left == []


def test_a_balance_edited_in_the_live_ledger_is_reported(
    live: Ledger, ledger_url: str, db: Database, superuser: Sql
) -> None:
    account = f"person:{scenario.PEOPLE[1]}:paid"
    superuser("UPDATE ledger.balances SET balance = balance + 1 WHERE account = %s", account)
    outcome = _replay(ledger_url, db, "scratch_edit")
    rp.drop(db, "scratch_edit")
    assert [(d.table, d.only_live, d.only_replay) for d in outcome.differences] == [
        ("balances", 1, 1)
    ]
    assert account in str(outcome.differences[0])
    with session(db) as conn:  # one balance one đồng off: another digest
        assert outcome.digest is not None and outcome.digest != schema_digest(conn, "ledger")


def test_a_posting_deleted_from_the_live_ledger_is_only_in_the_replay(
    live: Ledger, ledger_url: str, db: Database, superuser: Sql
) -> None:
    superuser("ALTER TABLE ledger.postings DISABLE TRIGGER ALL")
    superuser(
        "DELETE FROM ledger.postings "
        "WHERE (sequence, n) = (SELECT min(sequence), 1 FROM ledger.postings)"
    )
    superuser("ALTER TABLE ledger.postings ENABLE TRIGGER ALL")
    outcome = _replay(ledger_url, db, "scratch_gone")
    rp.drop(db, "scratch_gone")
    assert [(d.table, d.only_live, d.only_replay) for d in outcome.differences] == [
        ("postings", 0, 1)
    ]
    assert str(outcome.differences[0]).count("(e.g. replay (") == 1


def test_a_read_model_row_added_to_the_live_ledger_is_only_in_the_live_ledger(
    live: Ledger, ledger_url: str, db: Database, superuser: Sql
) -> None:
    superuser(
        "INSERT INTO ledger.payroll_accrued (person_id, kind, service_month, amount_vnd) "
        "VALUES ('P-NOT-THERE', 'regular', 24300, 1)"
    )
    outcome = _replay(ledger_url, db, "scratch_extra")
    rp.drop(db, "scratch_extra")
    assert [(d.table, d.only_live, d.only_replay) for d in outcome.differences] == [
        ("payroll_accrued", 1, 0)
    ]
    assert "live (P-NOT-THERE,regular,24300,1)" in str(outcome.differences[0])


def test_a_json_number_written_differently_is_a_difference(
    live: Ledger, ledger_url: str, db: Database, superuser: Sql
) -> None:
    # 24300 and 24300.0 are equal jsonb values, but not the same text: a replay gives the text.
    person = superuser("SELECT min(person_id) FROM ledger.payroll_people")[0][0]
    superuser(
        "UPDATE ledger.payroll_people SET facts = "
        "regexp_replace(facts::text, '(\"m\": [0-9]+)', '\\1.0')::jsonb WHERE person_id = %s",
        person,
    )
    (facts,) = superuser(
        "SELECT facts::text FROM ledger.payroll_people WHERE person_id = %s", person
    )
    assert '"m": 24300.0' in facts[0]
    outcome = _replay(ledger_url, db, "scratch_json")
    rp.drop(db, "scratch_json")
    assert [(d.table, d.only_live, d.only_replay) for d in outcome.differences] == [
        ("payroll_people", 1, 1)
    ]


def test_a_schema_equals_itself_and_the_comparison_leaves_the_planner_as_it_was(
    db: Database, live: Ledger
) -> None:
    with session(db) as conn, conn.cursor() as cur:
        assert compare(conn, "ledger", "ledger", exact=True) == []
        cur.execute("SHOW enable_hashjoin")
        assert cur.fetchone() == ("on",)


def test_generated_columns_are_not_compared_or_digested(db: Database, live: Ledger) -> None:
    with session(db) as conn:
        events = ledger_tables(conn, "ledger")["events"]
    assert "payload" in events.columns and "body" not in events.columns
    assert events.key == ("sequence",) and len(events.types) == len(events.columns)


def test_the_replay_command_reports_equality_and_drops_its_scratch_schema(
    live: Ledger, cli: Callable[..., int], capsys: pytest.CaptureFixture[str], superuser: Sql
) -> None:
    assert cli("audit", "replay", "--from-store", "--batch", "5") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "the replay equals the live ledger" in out and "dropped" in out
    assert superuser("SELECT 1 FROM pg_namespace WHERE nspname LIKE 'audit_replay_%%'") == []


def test_a_replay_until_a_date_compares_what_was_recorded_by_then(
    live: Ledger, cli: Callable[..., int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("audit", "replay", "--until", "2025-02-07", "--keep", "--scratch", "upto_feb") == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "the replay equals the live ledger" in out and "upto_feb (kept)" in out
    stored = len(scenario.january()) + 5  # then the reversal and four accruals by 7 February
    assert f"replayed {stored} events" in out


def _counts(conn: Any, schema: str) -> dict[str, int]:
    counts = {}
    with conn.cursor() as cur:
        for table in ("postings", "payroll_people"):
            cur.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = int(cur.fetchone()[0])
    return counts


def test_an_existing_or_unsafe_scratch_schema_name_is_refused(
    live: Ledger, ledger_url: str, db: Database
) -> None:
    with pytest.raises(AuditInputError, match="already exists"):
        rp.rebuild(ledger_url, "ledger", [], [], source="store")
    with pytest.raises(AuditInputError, match="not allowed"):
        _replay(ledger_url, db, "Bad-Name")


def test_an_event_stored_in_an_older_version_replays_with_the_bytes_the_chain_hashed(
    ledger_url: str, db: Database
) -> None:
    from sqlalchemy import create_engine

    from ledger.records import Batch
    from schemas import parse_event_dict
    from schemas.canonical import canonical_bytes
    from tests.unit.schemas.examples import raw_event

    # A close stored before ReconciliationClosed had version 2: its version-1 bytes.
    old = raw_event("ReconciliationClosed", schema_version=1)
    del old["as_of_sequence"]
    engine = create_engine(ledger_url)
    ledger = Ledger(engine, "ledger", domain_projectors())
    (stored,) = ledger.append_all([Batch([parse_event_dict(old)], payloads=[canonical_bytes(old)])])
    engine.dispose()
    assert len(stored.appended) == 1

    outcome = _replay(ledger_url, db, "scratch_old")

    assert outcome.differences == []
    rp.drop(db, "scratch_old")


def test_a_stored_event_holding_a_nul_is_refused_and_reported_and_the_replay_goes_on(
    ledger_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server with virtual generated columns (PostgreSQL 18) stored such an event before
    the ledger refused them; a replay cannot store it again, and says so."""
    from sqlalchemy import create_engine

    from ledger import pipelined, prepare
    from schemas import parse_event_dict
    from tests.unit.schemas.examples import raw_event

    engine = create_engine(ledger_url)
    ledger = Ledger(engine, "ledger", domain_projectors())
    with monkeypatch.context() as m:  # the ledger as it was: no refusal
        m.setattr(prepare, "refuse_unstorable", lambda items, payloads: None)
        m.setattr(pipelined, "refuse_unstorable", lambda items, payloads: None)
        bad = parse_event_dict(raw_event("BeneficiaryDied", death_certificate="GCT\x0012"))
        ledger.append([bad])
    ledger.append([parse_event_dict(raw_event("BeneficiaryDied", person_id="P2"))])
    engine.dispose()

    outcome = _replay(ledger_url, db, "scratch_nul")

    (refusal,) = outcome.refused
    assert str(bad.event_id) in refusal and "U+0000" in refusal
    assert outcome.appended == 1
    (events,) = [d for d in outcome.differences if d.table == "events"]
    # The live ledger's two events, against the replay's one: the event after the refused
    # one has its sequence and chain link in the replay.
    assert (events.only_live, events.only_replay) == (2, 1)
    rp.drop(db, "scratch_nul")


def test_events_recorded_while_a_store_replay_runs_are_not_differences(
    live: Ledger, ledger_url: str, db: Database
) -> None:
    from schemas import parse_event_dict
    from tests.unit.schemas.examples import raw_event

    stored = history.store_range(db, "ledger")
    outcome = rp.rebuild(
        ledger_url,
        "scratch_busy",
        history.from_range(db, stored),
        domain_projectors(),
        source="store",
    )
    # The workers go on: a payment is recorded in the live ledger meanwhile.
    live.append([parse_event_dict(raw_event("PaymentDisbursed"))])

    rp.check(db, "ledger", outcome, exact=True, through=stored.through)

    assert outcome.differences == []
    assert any("recorded 1 events after sequence" in note for note in outcome.notes)
    # Without the bound, the later payment shows everywhere it went.
    rp.check(db, "ledger", outcome, exact=True)
    assert {"events", "postings", "balances"} <= {d.table for d in outcome.differences}
    rp.drop(db, "scratch_busy")


def test_a_row_changed_in_the_compared_history_is_still_a_difference_while_the_ledger_grows(
    live: Ledger, ledger_url: str, db: Database, superuser: Sql
) -> None:
    from schemas import parse_event_dict
    from tests.unit.schemas.examples import raw_event

    stored = history.store_range(db, "ledger")
    outcome = rp.rebuild(
        ledger_url,
        "scratch_edit2",
        history.from_range(db, stored),
        domain_projectors(),
        source="store",
    )
    live.append([parse_event_dict(raw_event("PaymentDisbursed"))])
    superuser("ALTER TABLE ledger.postings DISABLE TRIGGER ALL")
    superuser(
        "UPDATE ledger.postings SET amount = amount + 1, balance_after = balance_after + 1 "
        "WHERE (sequence, n) = (SELECT min(sequence), 1 FROM ledger.postings)"
    )
    superuser("ALTER TABLE ledger.postings ENABLE TRIGGER ALL")

    rp.check(db, "ledger", outcome, exact=True, through=stored.through)

    assert {d.table for d in outcome.differences} == {"postings", "balances"}
    rp.drop(db, "scratch_edit2")


def test_a_conflict_between_imports_is_not_a_difference(
    live: Ledger, ledger_url: str, db: Database, superuser: Sql
) -> None:
    # The import records a changed row straight in postoffice_conflicts, with no event: what
    # an officer was shown, not history a replay could rebuild.
    superuser(
        "INSERT INTO ledger.postoffice_conflicts (event_id, new_hash, list_id, line_no, "
        "existing_hash, report_id, report_row, detail, seen_at_sequence) "
        "VALUES (gen_random_uuid(), 'n', 'PL-1', 1, 'e', 'r', 2, 'row 2: changed', 3)"
    )

    outcome = _replay(ledger_url, db, "scratch_conflict")

    assert outcome.differences == []
    rp.drop(db, "scratch_conflict")
