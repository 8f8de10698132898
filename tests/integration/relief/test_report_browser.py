"""The donor HTML report in headless Chromium: it renders, and every chart has its marks."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ledger import Ledger
from tests.integration.relief.donor_data import PERSONAL, campaign_events

pytestmark = [pytest.mark.integration, pytest.mark.browser]
CHROMIUM = Path("/usr/bin/chromium")


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1200,2000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True)


def svg(dom: str, chart_id: str) -> str:
    match = re.search(rf'<svg id="{chart_id}".*?</svg>', dom, re.S)
    assert match, f"chart {chart_id} is missing from the rendered page"
    return match.group(0)


def test_the_report_renders_with_a_point_per_month_and_a_bar_per_place_and_item(
    relief_ledger: Ledger, cli: Callable[..., int], tmp_path: Path
) -> None:
    relief_ledger.append(campaign_events())
    page = tmp_path / "donors.html"
    assert (
        cli("donors", "totals", "--by", "district,item", "--format", "html", "--out", str(page))
        == 0
    )
    shot = tmp_path / "donors.png"
    chromium(tmp_path / "profile-shot", f"--screenshot={shot}", page.as_uri())
    assert shot.exists() and shot.stat().st_size > 20_000
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = chromium(tmp_path / "profile-dom", "--dump-dom", page.as_uri()).stdout
    assert 'data-ready="yes"' in dom  # the inline script ran
    # Months 2021-08 and 2021-09 both reach 5+ recipients: two points, joined by a line.
    assert svg(dom, "chart-time").count('class="point"') == 2
    # District 842 is shown; 843 (3 people) and its complement 844 are "<5" without bars.
    place = svg(dom, "chart-place")
    assert place.count('class="bar"') == 1 and place.count("&lt;5") == 2
    # Rice, instant noodles and cooking oil each reach 5+ recipients.
    assert svg(dom, "chart-item").count('class="bar"') == 3
    for secret in PERSONAL:
        assert secret not in dom
    Path("/tmp/relief_report_screenshot.png").write_bytes(shot.read_bytes())
