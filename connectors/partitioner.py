"""Which partition an event goes to: its subject's murmur2 hash, as every Kafka client does.

kafka-python's DefaultPartitioner gives the partition the Java client (and aiokafka) would,
but spends as long on it as on the rest of a send: it lists the available partitions and
sorts the partition set for every message, and hashes four bytes at a time in Python.
``SubjectPartitioner`` returns the same partition for every key (the same murmur2, the same
sorted partition list, the same modulo) with less work per message, so one subject's events
keep landing on one partition whichever aidledger producer sends them.
"""

from __future__ import annotations

import struct
from typing import Any

from kafka.partitioner.default import DefaultPartitioner

_SEED = 0x9747B28C
_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """MurmurHash2 of ``data`` as Kafka's Java client computes it (``Utils.murmur2``)."""
    length = len(data)
    h = _SEED ^ length
    words = length >> 2
    if words:
        for k in struct.unpack_from(f"<{words}I", data):
            k = (k * _M) & _MASK
            k = ((k ^ (k >> 24)) * _M) & _MASK
            h = ((h * _M) & _MASK) ^ k
    tail = length & 3
    if tail:
        at = length - tail
        if tail == 3:
            h ^= data[at + 2] << 16
        if tail >= 2:
            h ^= data[at + 1] << 8
        h = ((h ^ data[at]) * _M) & _MASK
    h = ((h ^ (h >> 13)) * _M) & _MASK
    return h ^ (h >> 15)


class SubjectPartitioner(DefaultPartitioner):  # type: ignore[misc]  # kafka-python is untyped
    """kafka-python's default partitioning, computed with less work per message."""

    def __init__(self) -> None:
        #: topic -> (its partition set as last seen, that set sorted)
        self._sorted: dict[str, tuple[set[int], list[int]]] = {}

    def partition(
        self,
        topic: str,
        key: Any,
        serialized_key: bytes | None,
        value: Any,
        serialized_value: bytes | None,
        cluster: Any,
    ) -> int:
        if serialized_key is None:  # no subject: the default's random choice
            chosen: int = super().partition(
                topic, key, serialized_key, value, serialized_value, cluster
            )
            return chosen
        partitions = cluster.partitions_for_topic(topic)
        if partitions is None:
            raise ValueError(f"Topic {topic} not found in ClusterMetadata")
        known = self._sorted.get(topic)
        if known is None or known[0] != partitions:  # first use, or the topic grew
            known = self._sorted[topic] = (partitions, sorted(partitions))
        ordered = known[1]
        return ordered[(murmur2(serialized_key) & 0x7FFFFFFF) % len(ordered)]
