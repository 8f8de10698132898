"""Every benchmark script still runs: a tiny size, a zero exit and a well-formed BENCH line.

Benchmarks are not tests; this only keeps them from rotting. The scripts share the session's
PostgreSQL and broker (each makes its own scratch database and topic prefix).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._run_results import parse_bench
from bench.run_all import BENCH_DIR, ROOT, scripts

#: A few hundred items each; scripts not listed get ``--n 300``.
TINY: dict[str, list[str]] = {
    "generate": ["--n", "200", "--months", "2"],
    "pipeline": ["--n", "300", "--workers", "1", "--take-n", "0"],
    "query_latency": ["--n", "3000", "--queries", "5"],
    "audit": ["--n", "300"],
}


@pytest.fixture(scope="module")
def started(
    request: pytest.FixtureRequest, pg_admin_url: str, kafka_bootstrap: str
) -> Iterator[dict[str, subprocess.Popen[str]]]:
    """Every selected script, started at once: they mostly wait on the servers, so overlap."""
    env = {**os.environ, "DATABASE_URL": pg_admin_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    selected = [
        str(item.callspec.params["script"])
        for item in request.session.items
        if isinstance(item, pytest.Function)
        and item.module is request.module
        and hasattr(item, "callspec")
    ]
    procs = {
        script: subprocess.Popen(
            [sys.executable, str(BENCH_DIR / f"{script}.py"), *TINY.get(script, ["--n", "300"])],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for script in selected
    }  # fmt: skip
    try:
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.parametrize("script", scripts())
def test_the_script_runs_at_a_tiny_size_and_ends_with_a_bench_line(
    script: str, started: dict[str, subprocess.Popen[str]]
) -> None:
    stdout, stderr = started[script].communicate(timeout=180)

    assert started[script].returncode == 0, f"{script} failed:\n{stderr[-3000:]}"
    record = parse_bench(stdout)
    assert record["figure"] > 0, record
    assert isinstance(record["unit"], str) and record["unit"]
    assert isinstance(record.get("peak_rss_mb"), int | float)


def test_the_runner_finds_the_scripts_but_not_the_helpers() -> None:
    found = scripts()

    assert {"generate", "query_latency"} <= set(found)
    assert not any(name.startswith("_") or name == "run_all" for name in found)
    assert all((BENCH_DIR / f"{name}.py").is_file() for name in found)
    assert Path(ROOT / "bench" / "run_all.py").is_file()
