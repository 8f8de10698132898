"""Audit core: RFC 6962 Merkle trees, the event hash chain and signed checkpoints."""
