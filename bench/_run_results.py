"""Results of benchmark runs: parsing BENCH lines, judging targets, judging how cost grows."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

_TARGET = re.compile(r"^\s*(<=|>=|<|>|==|≤|≥)\s*([0-9][0-9_,.]*)\s*$")
_TIME_UNITS = ("ms", "s", "µs", "us", "seconds", "minutes")


class BadBenchLine(ValueError):
    """Output that holds no well-formed ``BENCH {json}`` line."""


def parse_bench(stdout: str) -> dict[str, Any]:
    """The record of the last ``BENCH {json}`` line, checked for the required keys."""
    lines = [line for line in stdout.splitlines() if line.startswith("BENCH ")]
    if not lines:
        raise BadBenchLine("no line starting with 'BENCH ' in the output")
    try:
        record = json.loads(lines[-1][len("BENCH ") :])
    except json.JSONDecodeError as exc:
        raise BadBenchLine(f"the BENCH line is not JSON: {exc}") from None
    if not isinstance(record, dict):
        raise BadBenchLine("the BENCH line must hold a JSON object")
    missing = [k for k in ("scenario", "figure", "unit") if k not in record]
    if missing:
        raise BadBenchLine(f"the BENCH line lacks {', '.join(missing)}")
    if not isinstance(record["figure"], int | float) or isinstance(record["figure"], bool):
        raise BadBenchLine(f"figure must be a number, got {record['figure']!r}")
    return record


def lower_is_better(unit: str) -> bool:
    """Latencies and durations are better small; rates ('x/s') are better large."""
    head = unit.strip().split()[0] if unit.strip() else ""
    return "/" not in unit and head in _TIME_UNITS


def target_met(record: dict[str, Any]) -> bool | None:
    """Whether the figure meets the target: '>= 5000', '<= 50', or a bare number."""
    if isinstance(record.get("met"), bool):
        return bool(record["met"])
    target, figure = record.get("target"), record["figure"]
    if target is None or target == "":
        return None
    if isinstance(target, int | float):
        op = "<=" if lower_is_better(str(record["unit"])) else ">="
        limit = float(target)
    else:
        match = _TARGET.match(str(target))
        if not match:
            return None
        op = {"≤": "<=", "≥": ">="}.get(match.group(1), match.group(1))
        limit = float(match.group(2).replace(",", "").replace("_", ""))
    verdicts = {
        "<=": figure <= limit,
        ">=": figure >= limit,
        "<": figure < limit,
        ">": figure > limit,
        "==": figure == limit,
    }
    return bool(verdicts[op])


def cost_per_item_us(record: dict[str, Any]) -> float | None:
    """Microseconds per item: from seconds/items when given, else from a rate or a time."""
    items = record.get("items") or record.get("n")
    seconds = record.get("seconds")
    if isinstance(seconds, int | float) and isinstance(items, int | float) and items > 0:
        return float(seconds) / float(items) * 1e6
    unit, figure = str(record["unit"]), float(record["figure"])
    if unit.endswith("/s") and figure > 0:
        return 1e6 / figure
    if lower_is_better(unit) and isinstance(items, int | float) and items > 0:
        scale = {"ms": 1e3, "µs": 1.0, "us": 1.0, "minutes": 6e7}.get(unit.split()[0], 1e6)
        return figure * scale / float(items)
    return None


@dataclass
class Growth:
    """Per-item cost of one scenario at several sizes, and whether it grows linearly."""

    scenario: str
    points: list[tuple[int, float | None]] = field(default_factory=list)

    def slope(self) -> float | None:
        """Exponent k of total cost ~ n^k between the smallest and the largest size."""
        known = [(n, c) for n, c in self.points if c]
        if len(known) < 2 or known[0][0] == known[-1][0]:
            return None
        (n1, c1), (n2, c2) = known[0], known[-1]
        return 1 + math.log(c2 / c1) / math.log(n2 / n1)

    def verdict(self) -> str:
        k = self.slope()
        if k is None:
            return "unknown (fewer than two sizes ran)"
        if k <= 1.15:
            return f"linear (cost ~ n^{k:.2f})"
        if k <= 1.35:
            return f"near-linear (cost ~ n^{k:.2f})"
        return f"SUPERLINEAR (cost ~ n^{k:.2f})"
