"""The worker's own timer: the ledger lag gauge, refreshed while partitions change hands."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from aiokafka import TopicPartition

from streams.worker import refresh_lag


class _Consumer:
    """Holds two partitions; the second is revoked between listing and reading its end."""

    def assignment(self) -> set[TopicPartition]:
        return {TopicPartition("t.aid.payments", 0), TopicPartition("t.aid.payments", 1)}

    def highwater(self, tp: TopicPartition) -> int:
        assert tp.partition == 0, "Partition is not assigned"  # as aiokafka says it
        return 42


class _App:
    consumer = _Consumer()


class _Pipeline:
    def __init__(self) -> None:
        self.ends: Mapping[tuple[str, int], int | None] | None = None

    async def refresh_lag(self, ends: Mapping[tuple[str, int], int | None]) -> None:
        self.ends = ends


def test_a_partition_revoked_while_the_lag_is_refreshed_is_left_out_instead_of_crashing() -> None:
    pipeline: Any = _Pipeline()

    asyncio.run(refresh_lag(_App(), pipeline))

    assert pipeline.ends == {("t.aid.payments", 0): 42, ("t.aid.payments", 1): None}
