"""The embedded development pair: a Kafka-compatible broker and PostgreSQL, from wheels."""
