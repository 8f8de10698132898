"""Test-wide fixtures live in plugins under tests/fixtures, one module per area."""

pytest_plugins = [
    "tests.fixtures.infra",
    "tests.fixtures.ledger",
    "tests.fixtures.streams",
]
