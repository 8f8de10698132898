"""Pid files and process checks shared by the embedded services."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from schemas.errors import AidLedgerError


class EmbeddedServiceError(AidLedgerError):
    """An embedded service could not be started or stopped."""

    exit_code = 4


@dataclass(frozen=True)
class ServiceRecord:
    """What we started: its pid, port and the command line that identifies it."""

    pid: int
    port: int
    marker: str

    def is_running(self) -> bool:
        """True when the pid is alive and is still the process we started."""
        try:
            proc = psutil.Process(self.pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                return False
            return self.marker in " ".join(proc.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return False


def write_record(path: Path, record: ServiceRecord) -> None:
    path.write_text(json.dumps({"pid": record.pid, "port": record.port, "marker": record.marker}))


def read_record(path: Path) -> ServiceRecord | None:
    try:
        data = json.loads(path.read_text())
        return ServiceRecord(int(data["pid"]), int(data["port"]), str(data["marker"]))
    except (OSError, ValueError, KeyError):
        return None


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, timeout: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.05)
    tail = ""
    if log is not None and log.exists():
        tail = "\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    raise EmbeddedServiceError(f"{what} did not open 127.0.0.1:{port} within {timeout:.0f}s{tail}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def terminate(pid: int, timeout: float = 10.0) -> None:
    """Stop one process we started: SIGTERM, then SIGKILL if it does not exit in time."""
    try:
        proc = psutil.Process(pid)
        os.kill(pid, signal.SIGTERM)
        proc.wait(timeout)
    except psutil.TimeoutExpired:
        os.kill(pid, signal.SIGKILL)
    except (psutil.NoSuchProcess, ProcessLookupError):
        pass
