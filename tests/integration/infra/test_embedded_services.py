"""`aidledger up`, `status` and `down` manage exactly the embedded pair they started."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from connectors.embedded.process import free_port, port_open

pytestmark = pytest.mark.integration


def aidledger(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connectors.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"}
    }
    env.update(
        AIDLEDGER_DATA_DIR=str(tmp_path / "var"),
        AIDLEDGER_BROKER_PORT=str(free_port()),
        AIDLEDGER_POSTGRES_PORT=str(free_port()),
        COLUMNS="200",
    )
    return env


def test_up_then_status_shows_both_services_and_down_stops_exactly_them(
    embedded_env: dict[str, str],
) -> None:
    broker_port = int(embedded_env["AIDLEDGER_BROKER_PORT"])
    pg_port = int(embedded_env["AIDLEDGER_POSTGRES_PORT"])
    try:
        started = aidledger(embedded_env, "up")
        assert started.returncode == 0, started.stderr
        assert port_open(broker_port) and port_open(pg_port)

        status = aidledger(embedded_env, "status")
        assert status.returncode == 0, status.stderr
        assert f"127.0.0.1:{broker_port}" in status.stdout
        assert f"postgresql://postgres@127.0.0.1:{pg_port}/aidledger" in status.stdout
        assert "MEMORY ONLY" in status.stdout
        assert status.stdout.count("running (pid") == 2
        pids = [
            p.pid
            for p in psutil.process_iter(["cmdline"])
            if str(broker_port) in " ".join(p.info["cmdline"] or [])
        ]
        assert pids, "the broker process should be visible"
    finally:
        stopped = aidledger(embedded_env, "down")
    assert stopped.returncode == 0, stopped.stderr
    assert "broker: stopped" in stopped.stdout
    assert "postgres: stopped" in stopped.stdout
    assert not port_open(broker_port) and not port_open(pg_port)
    again = aidledger(embedded_env, "down")
    assert "broker: was not running" in again.stdout


def test_the_embedded_ledger_database_survives_a_restart(embedded_env: dict[str, str]) -> None:
    import psycopg2

    pg_port = int(embedded_env["AIDLEDGER_POSTGRES_PORT"])
    try:
        assert aidledger(embedded_env, "up").returncode == 0
        conn = psycopg2.connect(host="127.0.0.1", port=pg_port, user="postgres", dbname="aidledger")
        with conn, conn.cursor() as cur:
            cur.execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (42)")
        conn.close()
        assert aidledger(embedded_env, "down").returncode == 0
        assert aidledger(embedded_env, "up").returncode == 0
        conn = psycopg2.connect(host="127.0.0.1", port=pg_port, user="postgres", dbname="aidledger")
        with conn.cursor() as cur:
            cur.execute("SELECT v FROM kept")
            assert cur.fetchone() == (42,)
        conn.close()
    finally:
        aidledger(embedded_env, "down")
