"""`aidledger worker` processes for benchmarks, and waiting for the ledger to fill up."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from bench._common import tree_cpu

REPO = Path(__file__).resolve().parents[1]


def ledger_count(conn: Any) -> int:
    """Events in the ledger: its last sequence. Sequences have no gaps (`audit verify` checks
    it), so this is the count, read from the primary key's index; ``count(*)`` would read the
    whole table, and polled while the workers write it took a core of the server away from
    them (at 1,000,000 events, 0.8-1.0 of a core while the backlog was written)."""
    with conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(sequence), 0) FROM ledger.events")
        return int(cur.fetchone()[0])


def exact_count(conn: Any) -> int:
    """Events in the ledger, counted row by row (once, after a timed run)."""
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM ledger.events")
        return int(cur.fetchone()[0])


def service_env(url: str, bootstrap: str, prefix: str, home: Path) -> dict[str, str]:
    """The environment of an aidledger command using the bench's servers and topics."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "AIDLEDGER_TOPIC_PREFIX": prefix,
        "AIDLEDGER_DATA_DIR": str(home),
        "AIDLEDGER_METRICS_PORT": "0",
    }


def aidledger(*args: str) -> list[str]:
    """The command line of the aidledger CLI installed beside this interpreter."""
    return [str(Path(sys.executable).parent / "aidledger"), *args]


class Workers:
    """Running worker processes, their logs, and the moment they all had partitions."""

    def __init__(self, procs: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
        self.procs, self.logs = procs, logs

    def check(self) -> None:
        """Raise with the log's tail when a worker has exited."""
        for proc, log in zip(self.procs, self.logs, strict=True):
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:]
                raise SystemExit(f"a worker exited early ({proc.returncode}):\n{tail}")

    def assigned(self) -> bool:
        return all("assigned" in log.read_text(errors="replace") for log in self.logs)

    def wait_assigned(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.assigned():
            self.check()
            if time.monotonic() > deadline:
                raise SystemExit(f"workers got no partitions in {timeout:.0f} s")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        """CPU time the running workers (and any children of theirs) used so far."""
        import psutil

        used = 0.0
        for proc in self.procs:
            try:
                used += tree_cpu(psutil.Process(proc.pid), recursive=True)
            except psutil.NoSuchProcess:
                continue
        return used

    def peak_mb(self) -> float:
        """The largest peak resident memory of the running workers, in MiB."""
        return max(process_peak_mb(p.pid) for p in self.procs)

    def wait_for(self, conn: Any, events: int, timeout: float = 3600.0) -> float:
        """Poll until the ledger holds ``events``; returns the moment it did."""
        deadline = time.monotonic() + timeout
        while ledger_count(conn) < events:
            self.check()
            if time.monotonic() > deadline:
                raise SystemExit(f"the ledger did not reach {events} events in {timeout:.0f} s")
            time.sleep(0.05)
        reached = time.perf_counter()
        counted = exact_count(conn)
        if counted != ledger_count(conn):
            raise SystemExit(f"the ledger's last sequence is not its count ({counted} events)")
        return reached


@contextmanager
def workers(
    url: str, bootstrap: str, prefix: str, count: int, home: Path, tag: str = "bench"
) -> Iterator[Workers]:
    """Start ``count`` worker processes in one fresh consumer group; stop them (by pid) after."""
    env = {
        **service_env(url, bootstrap, prefix, home),
        "AIDLEDGER_CONSUMER_GROUP": f"{tag}-{uuid.uuid4().hex[:8]}",
    }
    logs = [home / f"{tag}-worker-{count}-{i}.log" for i in range(count)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for i, log in enumerate(logs):
            with log.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        aidledger("worker", "--metrics-host", "127.0.0.1"),
                        cwd=REPO,
                        env={**env, "AIDLEDGER_WORKER_ID": f"{tag}-{count}-{i}"},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                )
        yield Workers(procs, logs)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()


class Finished(NamedTuple):
    """A command that ran: exit code, output, and the peak memory of its process tree."""

    returncode: int
    stdout: str
    stderr: str
    #: The largest peak resident memory (VmHWM) of the command or any process it started, MiB.
    peak_mb: float


def run_command(env: dict[str, str], *args: str, poll: float = 0.2) -> Finished:
    """Run an aidledger command as an officer would, reading the peak memory of it and its
    children meanwhile (a forked child's own counters would include the bench process's
    memory); exit with its output if it fails."""
    import psutil

    proc = subprocess.Popen(
        aidledger(*args), env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    out: dict[str, str] = {}
    reader = threading.Thread(
        target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate(), strict=True))
    )
    reader.start()
    peak = 0.0
    root = psutil.Process(proc.pid)
    while reader.is_alive():
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        peak = max([peak, *(process_peak_mb(p.pid) for p in tree)])
        reader.join(poll)
    reader.join()
    done = Finished(proc.returncode, out.get("stdout", ""), out.get("stderr", ""), peak)
    if done.returncode != 0:
        raise SystemExit(f"aidledger {' '.join(args)} failed ({done.returncode}):\n"
                         f"{done.stdout[-2000:]}{done.stderr[-2000:]}")  # fmt: skip
    return done


def process_peak_mb(pid: int) -> float:
    """A running process's peak resident memory (VmHWM), in MiB (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
