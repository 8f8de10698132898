"""Events of one subject land on the partition every Kafka client would choose for it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from kafka.partitioner.default import DefaultPartitioner
from kafka.partitioner.default import murmur2 as reference_murmur2

from connectors.partitioner import SubjectPartitioner, murmur2


class _Cluster:
    """The two questions a partitioner asks of kafka-python's cluster metadata."""

    def __init__(self, partitions: dict[str, set[int]]) -> None:
        self.partitions = partitions

    def topics(self) -> set[str]:
        return set(self.partitions)

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        found = self.partitions.get(topic)
        return None if found is None else set(found)

    def available_partitions_for_topic(self, topic: str) -> set[int]:
        return set(self.partitions.get(topic, ()))


@given(st.binary(max_size=80))
def test_murmur2_equals_the_java_clients_hash_for_any_bytes(data: bytes) -> None:
    assert murmur2(data) == reference_murmur2(data)


def test_murmur2_matches_known_java_client_values() -> None:
    # Utils.murmur2 in Apache Kafka's clients, as its tests state them (as unsigned ints).
    assert murmur2(b"21") == -973932308 & 0xFFFFFFFF
    assert murmur2(b"foobar") == -790332482 & 0xFFFFFFFF
    assert murmur2(b"a-little-bit-long-string") == -985981536 & 0xFFFFFFFF


@given(st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=50))
def test_every_key_gets_the_default_partitioners_partition(keys: list[bytes]) -> None:
    cluster = _Cluster({"aid.payments": {3, 0, 2, 1, 5, 4}})
    ours, default = SubjectPartitioner(), DefaultPartitioner()
    for key in keys:
        expected = default.partition("aid.payments", key, key, b"v", b"v", cluster)
        assert ours.partition("aid.payments", key, key, b"v", b"v", cluster) == expected


def test_a_topic_that_grew_is_partitioned_over_all_its_partitions() -> None:
    cluster, ours = _Cluster({"t": {0, 1}}), SubjectPartitioner()
    keys = [f"P{i}".encode() for i in range(200)]
    assert {ours.partition("t", k, k, None, None, cluster) for k in keys} == {0, 1}
    cluster.partitions["t"] = {0, 1, 2, 3}
    assert {ours.partition("t", k, k, None, None, cluster) for k in keys} == {0, 1, 2, 3}


def test_an_unknown_topic_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="nope"):
        SubjectPartitioner().partition("nope", b"k", b"k", None, None, _Cluster({}))
