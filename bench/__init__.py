"""Benchmarks: one script per scenario, each ending with a ``BENCH {json}`` line."""
