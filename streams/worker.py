"""One stream worker: wires the app, the ledger projection, metrics and lag, and runs it."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faust
from sqlalchemy.engine import Engine

from connectors.settings import Settings
from ledger import Ledger
from ledger.projectors import Projector
from streams.app import AidLedgerApp, create_app
from streams.consumer import end_offsets
from streams.domain import DomainProcessor, load_implied_rule
from streams.errors import WorkerFailed
from streams.metrics import StreamMetrics
from streams.pipeline import BatchPipeline
from streams.projection import LedgerProjection
from streams.publishing import FaustPublisher

log = logging.getLogger("aidledger.streams")

#: How often the ledger lag gauge is refreshed from PostgreSQL.
LAG_INTERVAL_S = 2.0
#: Loud libraries are kept at WARNING; aidledger's own messages follow the chosen level.
QUIET_LOGGERS = ("faust", "mode", "aiokafka", "kafka")


@dataclass
class Worker:
    """A stream worker ready to run (see :func:`build_worker`)."""

    app: AidLedgerApp
    pipeline: BatchPipeline
    metrics: StreamMetrics
    settings: Settings

    def run(self, metrics_host: str = "0.0.0.0", loglevel: str = "info") -> None:
        """Serve metrics and process until stopped (SIGTERM/SIGINT finish the batch first)."""
        # Fail before joining the group when the ledger is unreachable or not migrated.
        self.pipeline.projection.resume_offsets()
        port = self.metrics.serve(self.settings.metrics_port, metrics_host)

        @self.app.task  # type: ignore[untyped-decorator]
        async def announce() -> None:  # once logging is set up
            log.info(
                "worker %s of group %s; metrics on http://%s:%d/metrics",
                self.app.worker_id,
                self.settings.consumer_group,
                metrics_host,
                port,
            )

        worker = faust.Worker(self.app, loglevel=loglevel, quiet=True, redirect_stdouts=False)
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
        code: int | str | None = 0
        try:
            worker.execute_from_commandline()
        except SystemExit as exc:  # mode always ends with SystemExit; 0 is a clean stop
            code = exc.code
        finally:
            self.metrics.close()
            self.pipeline.close()
            shutil.rmtree(Path(self.app.conf.datadir), ignore_errors=True)
        failure = self.pipeline.failure or self.app.failure
        if failure is not None:
            raise failure
        if code:
            raise WorkerFailed(
                f"the stream worker stopped on an error (exit status {code});"
                " its log above says which"
            )


def build_worker(
    settings: Settings,
    bootstrap_servers: str,
    engine: Engine,
    *,
    schema: str = "ledger",
    projectors: Sequence[Projector] = (),
) -> Worker:
    """Everything one worker needs; ``projectors`` are the domain read models to keep."""
    app = create_app(settings, bootstrap_servers)
    group = settings.consumer_group
    ledger = Ledger(engine, schema, projectors=projectors)
    projection = LedgerProjection(ledger, group, settings.topic_prefix, app.worker_id)
    metrics = StreamMetrics()
    pipeline = BatchPipeline(
        projection,
        DomainProcessor(ledger, load_implied_rule()),
        FaustPublisher(app),
        metrics,
        worker=app.worker_id,
        prefix=settings.topic_prefix,
    )
    app.batch_sink = pipeline

    @app.timer(LAG_INTERVAL_S)  # type: ignore[untyped-decorator]
    async def lag_timer() -> None:
        await refresh_lag(app, pipeline)

    return Worker(app, pipeline, metrics, settings)


async def refresh_lag(app: Any, pipeline: BatchPipeline) -> None:
    """Set the lag gauge of the partitions held now, from their end offsets (a partition
    revoked meanwhile is left out: raised, its error would stop the worker)."""
    ends = {(tp.topic, tp.partition): end for tp, end in end_offsets(app.consumer).items()}
    await pipeline.refresh_lag(ends)
