#!/bin/sh
# Creates aidledger's Kafka topics, one per event family plus the dead-letter topic.
# Safe to run again: existing topics keep their data and get their retention settings enforced.
# Partition counts are never changed here: adding partitions moves keys to other partitions,
# so it is a planned operation (docs/operations.md, "Sizing").
set -eu

bootstrap="${KAFKA_BOOTSTRAP_SERVERS:?set KAFKA_BOOTSTRAP_SERVERS, e.g. kafka-1:9092,kafka-2:9092,kafka-3:9092}"
kafka_bin="${KAFKA_BIN:-/opt/kafka/bin}"
replication="${AIDLEDGER_REPLICATION_FACTOR:-3}"
min_insync="${AIDLEDGER_MIN_INSYNC_REPLICAS:-2}"
default_partitions="${AIDLEDGER_TOPIC_PARTITIONS:-6}"
eligibility_partitions="${AIDLEDGER_ELIGIBILITY_PARTITIONS:-12}"
payments_partitions="${AIDLEDGER_PAYMENTS_PARTITIONS:-12}"

# Events are the ledger's history: keep every record forever, never compact.
topic_configs="cleanup.policy=delete,retention.ms=-1,retention.bytes=-1,min.insync.replicas=${min_insync}"

create_topic() {
    topic="$1"
    partitions="$2"
    "$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists \
        --topic "$topic" --partitions "$partitions" --replication-factor "$replication" \
        --config cleanup.policy=delete \
        --config retention.ms=-1 \
        --config retention.bytes=-1 \
        --config "min.insync.replicas=${min_insync}"
    # --if-not-exists leaves an existing topic untouched; a topic created by hand must not
    # keep the broker's 7-day default retention.
    "$kafka_bin/kafka-configs.sh" --bootstrap-server "$bootstrap" --alter \
        --entity-type topics --entity-name "$topic" --add-config "$topic_configs"
}

create_topic aid.eligibility "$eligibility_partitions"
create_topic aid.policy "$default_partitions"
create_topic aid.payments "$payments_partitions"
create_topic aid.health-insurance "$default_partitions"
create_topic aid.relief "$default_partitions"
create_topic aid.deadletter "$default_partitions"

"$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --describe --topic 'aid\..*'
