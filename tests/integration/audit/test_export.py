"""``audit export`` and ``audit verify-export``: a month checked offline, and tampering found."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger import Ledger
from ledger.audit import checkpoints as cps
from ledger.audit.checkpoint import generate_key, load_public_key, to_file
from ledger.audit.db import Database
from ledger.audit.errors import ExportInvalid
from ledger.audit.export import export_month
from ledger.audit.export_check import verify_export
from tests.integration.audit import scenario

pytestmark = pytest.mark.integration

Cli = Callable[..., int]


@pytest.fixture
def key(tmp_path: Path) -> Ed25519PrivateKey:
    return generate_key(tmp_path / "dept.key")


@pytest.fixture
def exported(monthly: Ledger, db: Database, key: Ed25519PrivateKey, tmp_path: Path) -> Path:
    """February exported, with January and February checkpoints recorded."""
    for month in ("2025-01", "2025-02"):
        cps.sign_and_record(db, "ledger", cps.build(db, "ledger", month), key)
    export_month(db, "ledger", "2025-02", tmp_path / "feb")
    return tmp_path / "feb"


def test_an_export_verifies_offline_with_the_published_key(
    exported: Path, db: Database, tmp_path: Path
) -> None:
    result = verify_export(exported, load_public_key(tmp_path / "dept.key.pub"))
    stored_in_february = 8  # the repeated record and the conflict were never stored
    assert result.events == stored_in_february
    assert result.checkpoint is not None and result.checkpoint.month == "2025-02"
    assert result.warnings == []
    assert any("1 earlier checkpoints are prefixes" in line for line in result.checked)
    lines = (exported / "events.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    assert first["sequence"] == len(scenario.january()) + 1
    assert first["payload"].startswith('{"amount_vnd":750000,')


def test_an_export_checks_against_an_earlier_checkpoint_the_auditor_holds(
    exported: Path, db: Database, tmp_path: Path, cli: Cli
) -> None:
    january = cps.recorded(db, "ledger", month="2025-01")[0].checkpoint
    to_file(january, tmp_path / "jan.json")
    pub = tmp_path / "dept.key.pub"
    result = verify_export(exported, load_public_key(pub), january)
    assert any("you hold is a prefix" in line for line in result.checked)
    assert (
        cli(
            "audit",
            "verify-export",
            exported,
            "--public-key",
            pub,
            "--against",
            tmp_path / "jan.json",
        )
        == 0
    )
    assert (
        cli(
            "audit",
            "verify-checkpoint",
            tmp_path / "jan.json",
            "--against",
            exported,
            "--public-key",
            pub,
        )
        == 0
    )


def test_an_altered_line_fails_at_that_line_even_with_a_matching_manifest(
    exported: Path, tmp_path: Path, cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    path = exported / "events.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert '"amount_vnd\\":750000' in lines[1]
    lines[1] = lines[1].replace('"amount_vnd\\":750000', '"amount_vnd\\":950000')
    path.write_text("".join(lines), encoding="utf-8")
    record = json.loads(lines[1])
    assert cli("audit", "verify-export", exported) == 1
    message = " ".join(capsys.readouterr().err.split())
    assert "events.jsonl line 2" in message and record["event_id"] in message
    manifest = json.loads((exported / "manifest.json").read_text())
    import hashlib

    manifest["files"]["events.jsonl"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (exported / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportInvalid, match=r"line 2 \(sequence \d+, event .*was altered"):
        verify_export(exported, load_public_key(tmp_path / "dept.key.pub"))


def test_an_export_with_a_replaced_key_and_resigned_checkpoint_fails_with_the_published_key(
    exported: Path, tmp_path: Path
) -> None:
    from ledger.audit.checkpoint import from_file, sign

    forger = generate_key(tmp_path / "forger.key")
    to_file(sign(from_file(exported / "checkpoint.json"), forger), exported / "checkpoint.json")
    (exported / "public_key.pem").write_bytes((tmp_path / "forger.key.pub").read_bytes())
    with pytest.raises(ExportInvalid, match="names signing key"):
        verify_export(exported, load_public_key(tmp_path / "dept.key.pub"))


def test_an_export_needs_the_month_checkpoint_recorded_first(
    monthly: Ledger, cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli("audit", "export", "--month", "2025-02", "--out", tmp_path / "x") == 3
    assert "audit checkpoint --month 2025-02" in " ".join(capsys.readouterr().err.split())
    assert cli("audit", "keygen", tmp_path / "k") == 0
    assert cli("audit", "checkpoint", "--month", "2025-02", "--key", tmp_path / "k") == 0
    assert cli("audit", "export", "--month", "2025-02", "--out", tmp_path / "x") == 0
    assert cli("audit", "verify-export", tmp_path / "x", "--public-key", tmp_path / "k.pub") == 0


def test_an_export_whose_first_events_were_moved_before_the_month_fails(
    exported: Path, db: Database, tmp_path: Path
) -> None:
    import hashlib

    from ledger.audit import merkle
    from ledger.audit.db import session
    from ledger.audit.frontier import frontier

    path = exported / "events.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    before = json.loads((exported / "before.json").read_text())
    with session(db) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT payload FROM ledger.events WHERE sequence <= %s ORDER BY sequence",
            (before["tree_size"] + 1,),
        )
        leaves = [merkle.leaf_hash(p.encode()) for (p,) in cur.fetchall()]
    # The month's first event is moved into the history "before" it, and its line removed:
    # the chain still ends at the signed head and the leaves still give the signed root.
    forged = {
        "tree_size": before["tree_size"] + 1,
        "chain_head": json.loads(lines[0])["hash"],
        "frontier": [h.hex() for h in frontier(leaves)],
        "root_hash": merkle.root(leaves).hex(),
    }
    (exported / "before.json").write_text(json.dumps(forged, indent=2, sort_keys=True) + "\n")
    path.write_text("".join(lines[1:]), encoding="utf-8")
    manifest = json.loads((exported / "manifest.json").read_text())
    manifest["first_sequence"] += 1
    for name in ("events.jsonl", "before.json"):
        manifest["files"][name] = hashlib.sha256((exported / name).read_bytes()).hexdigest()
    (exported / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportInvalid, match=r"before\.json: the history before the month holds"):
        verify_export(exported, load_public_key(tmp_path / "dept.key.pub"))


def test_an_export_line_naming_another_event_than_its_payload_fails(
    exported: Path, tmp_path: Path
) -> None:
    import hashlib

    path = exported / "events.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = json.loads(lines[0]), json.loads(lines[1])
    first["event_id"] = second["event_id"]  # the hashed payload is untouched
    lines[0] = json.dumps(first, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    manifest = json.loads((exported / "manifest.json").read_text())
    manifest["files"]["events.jsonl"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (exported / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportInvalid, match=r"line 1 .*its payload is event"):
        verify_export(exported, load_public_key(tmp_path / "dept.key.pub"))
