"""Shared bench helpers: scratch PostgreSQL/broker, peak RSS, timing and the BENCH line.

Scripts run as ``python bench/<name>.py``; put the repository root on ``sys.path`` first
(``sys.path.insert(0, str(Path(__file__).resolve().parents[1]))``) and import ``bench._common``.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Server settings for a scratch PostgreSQL: durable (figures must hold in production), and
#: sized as deploy/compose.yaml sizes the production server (memory, checkpoint spacing).
BENCH_PG_SETTINGS = {
    "max_connections": "100",
    "shared_buffers": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "15min",
    "wal_writer_delay": "10ms",  # as every embedded server and deploy/compose.yaml
}


#: What ``speed_probe`` takes on the 2-core machine of docs/PERFORMANCE.md when it is quiet
#: (0.24-0.27 s there). The host is shared: when the probe takes longer, so does everything.
QUIET_PROBE_S = 0.25
#: A probe this many times the quiet one marks a run whose figures are not the machine's own.
SLOW_HOST_FACTOR = 1.3


def speed_probe(repeats: int = 3) -> float:
    """Seconds a fixed pure-Python loop takes (best of ``repeats``; 5,000,000 additions).

    Taken as each benchmark ends, it says how fast the host ran the run: a shared machine can
    be 1.5-2 times slower for hours, and every figure of such a run is lower by as much.
    """
    best = float("inf")
    for _ in range(repeats):
        start, total = time.perf_counter(), 0
        for i in range(5_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return round(best, 3)


def peak_rss_mb() -> float:
    """Peak resident memory in MiB of this process or of any child it waited for."""
    own = int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    children = int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return round(max(own, children) / 1024, 1)  # Linux reports KiB


def current_rss_mb() -> float:
    """Resident memory in MiB of this process right now."""
    import psutil

    return round(float(psutil.Process().memory_info().rss) / 2**20, 1)


class MachineCpu:
    """CPU time every process of this machine used since this was made, on all its cores
    (user, system, nice, interrupts; not the time the host gave other tenants): what a run
    costs the machine, whoever spent it."""

    def __init__(self) -> None:
        self.start = self._used()

    @staticmethod
    def _used() -> float:
        import psutil

        t = psutil.cpu_times()
        return float(
            t.user + t.system + t.nice + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
        )

    def seconds(self) -> float:
        return self._used() - self.start


def cpu_bound_rate(cpu_us_per_item: float) -> float:
    """Items/s this machine's cores allow at that much CPU per item, every core busy."""
    return (os.cpu_count() or 1) / cpu_us_per_item * 1e6


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds`` (monotonic, high resolution)."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def bench_record(
    scenario: str,
    figure: float,
    unit: str,
    *,
    raw_limit: float | None = None,
    ratio: float | None = None,
    target: str | float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The BENCH record; ``ratio`` defaults to figure / raw_limit when both are known.

    ``target`` is a string such as ">= 5000" or "<= 50" (same unit as the figure).
    Extra keys (``n``, ``seconds``, ``items``...) are kept for the run_all report.
    ``speed_probe_s`` is measured here, after the work (see ``speed_probe``).
    """
    if ratio is None and raw_limit:
        ratio = round(figure / raw_limit, 4)
    return {
        "scenario": scenario,
        "figure": figure,
        "unit": unit,
        "raw_limit": raw_limit,
        "ratio": ratio,
        "peak_rss_mb": peak_rss_mb(),
        "target": target,
        "speed_probe_s": speed_probe(),
        **extra,
    }


def print_bench(scenario: str, figure: float, unit: str, **kwargs: Any) -> dict[str, Any]:
    """Print the final ``BENCH {json}`` line (see docs/architecture.md) and return it,
    after a warning when the host was slow (``speed_probe``)."""
    record = bench_record(scenario, figure, unit, **kwargs)
    if (note := slow_host_note([record["speed_probe_s"]])) is not None:
        print(note, flush=True)
    print("BENCH " + json.dumps(record, ensure_ascii=False, default=str), flush=True)
    return record


def slow_host_note(probes: list[float]) -> str | None:
    """A warning when the slowest of ``probes`` is well above the quiet machine's; else None."""
    if not probes or max(probes) < QUIET_PROBE_S * SLOW_HOST_FACTOR:
        return None
    return (
        f"note: the host was slow (speed probe {max(probes):.2f} s against {QUIET_PROBE_S} s "
        f"when quiet): these figures are about {max(probes) / QUIET_PROBE_S:.1f} times below "
        "the machine's own; compare ratios to the raw limit, or run again when it is quiet"
    )


@contextmanager
def scratch_dir(prefix: str = "aidledger-bench-") -> Iterator[Path]:
    """A temporary directory removed afterwards (embedded servers keep their data there)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


@contextmanager
def postgres_url(settings: dict[str, str] | None = None) -> Iterator[str]:
    """A SQLAlchemy URL to a database of its own for this run.

    With DATABASE_URL set: a new database ``bench_<hex>`` on that server, dropped afterwards.
    Otherwise: an embedded PostgreSQL in a temp dir on a free port, stopped afterwards.
    """
    external = os.environ.get("DATABASE_URL")
    if external:
        name = f"bench_{uuid.uuid4().hex[:12]}"
        _admin(external, f'CREATE DATABASE "{name}"')
        from sqlalchemy.engine import make_url

        try:
            yield make_url(external).set(database=name).render_as_string(hide_password=False)
        finally:
            _admin(external, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    from connectors.embedded.postgres import EmbeddedPostgres
    from connectors.embedded.process import EmbeddedServiceError, free_port

    with scratch_dir() as home:
        server = EmbeddedPostgres(home, free_port(), settings or BENCH_PG_SETTINGS)
        try:
            server.start()
        except EmbeddedServiceError as exc:
            log = server.log_path.read_text(errors="replace") if server.log_path.exists() else ""
            raise EmbeddedServiceError(f"{exc}\n{log[-2000:]}") from None
        try:
            yield server.url()
        finally:
            server.stop()


def connect(url: str) -> Any:
    """A psycopg2 connection to a SQLAlchemy URL, in autocommit mode."""
    import psycopg2
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg2.connect(
        host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database
    )
    conn.autocommit = True
    return conn


def tree_cpu(root: Any, recursive: bool = False) -> float:
    """CPU seconds (user and system) a running psutil process and its children used so far;
    a process that exits meanwhile is left out (its parent's children's time has it once
    reaped)."""
    import psutil

    used = 0.0
    try:
        processes = [root, *root.children(recursive=recursive)]
    except psutil.NoSuchProcess:
        return used
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used += float(times.user + times.system)
    return used


class BackendCpu:
    """CPU time of a PostgreSQL server on this machine: every process of its postmaster (the
    backends, the WAL writer, the checkpointer...), those that exited meanwhile included
    (their time is in the postmaster's children's)."""

    def __init__(self, backend_pid: int) -> None:
        import psutil

        self.postmaster = psutil.Process(backend_pid).parent()
        self.start = self._used()

    def _used(self) -> float:
        times = self.postmaster.cpu_times()
        exited = float(times.children_user + times.children_system)  # reaped backends
        return exited + tree_cpu(self.postmaster)

    def seconds(self) -> float:
        """CPU used since the start (a process that exited meanwhile is in the children's
        time in full, so the start's total is taken off as a whole)."""
        return self._used() - self.start


def server_cpu(url: str) -> BackendCpu | None:
    """The CPU meter of the PostgreSQL server at ``url``; None when it runs elsewhere."""
    import psutil

    conn = connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            (pid,) = cur.fetchone()
        # While the connection is open: its backend exits with it.
        return BackendCpu(int(pid))
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    finally:
        conn.close()


def _admin(url: str, statement: str) -> None:
    conn = connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


@contextmanager
def kafka_bootstrap() -> Iterator[str]:
    """Bootstrap servers: KAFKA_BOOTSTRAP_SERVERS, or an embedded broker on a free port."""
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    from connectors.embedded.broker import EmbeddedBroker
    from connectors.embedded.process import free_port

    with scratch_dir() as home:
        broker = EmbeddedBroker(home, free_port())
        broker.start()
        try:
            yield broker.bootstrap_servers
        finally:
            broker.stop()


def topic_prefix(bootstrap: str, partitions: int = 4) -> str:
    """A fresh topic prefix with every aidledger topic created under it (runs never mix)."""
    from connectors.topics import ensure_topics

    prefix = f"bench{uuid.uuid4().hex[:10]}."
    ensure_topics(bootstrap, prefix, partitions=partitions)
    return prefix
