"""Edges of aidledger: settings, embedded services, Kafka producers, files and the CLI."""
