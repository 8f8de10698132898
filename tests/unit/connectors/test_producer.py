"""The event publisher: nothing counts as published until the broker confirmed it."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError

from connectors.producer import EventPublisher, PublishFailed


class _Future:
    def __init__(self, done: bool) -> None:
        self.is_done = done
        self.exception = None

    def failed(self) -> bool:
        return False


class _SlowProducer:
    """A kafka-python producer whose broker confirmed only the first message in time."""

    def __init__(self) -> None:
        self.futures: list[_Future] = []

    def send(self, topic: str, key: bytes | None = None, value: bytes | None = None) -> Any:
        self.futures.append(_Future(done=not self.futures))
        return self.futures[-1]

    def flush(self, timeout: float | None = None) -> None:
        raise KafkaTimeoutError("Timeout waiting for future")


def test_messages_not_confirmed_in_time_fail_the_flush_as_unpublished_saying_how_many() -> None:
    publisher = EventPublisher.__new__(EventPublisher)
    publisher.prefix = ""
    publisher._producer = _SlowProducer()
    publisher._pending = []
    for n in range(3):
        publisher.send_raw("aid.payments", b"P1", b"{}%d" % n)

    with pytest.raises(PublishFailed) as failed:
        publisher.flush(timeout=0.01)

    assert failed.value.exit_code == 4
    assert "2 of 3 messages were not confirmed" in str(failed.value)
    assert "no confirmation in time" in str(failed.value)
    assert "publish the same events again" in str(failed.value)
