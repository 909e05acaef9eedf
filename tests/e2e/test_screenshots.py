"""Every page of the demo renders in chromium with no console errors or failed requests."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Page, Response, expect

from tests.e2e.conftest import LiveSite, sign_in

# Set DEALGRAPH_SCREENSHOTS=/some/dir to keep the screenshots for a look.
SHOTS = os.environ.get("DEALGRAPH_SCREENSHOTS", "")


def test_each_page_renders_cleanly(page: Page, live_site: LiveSite, tmp_path: Path) -> None:
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    # A request the browser cancels because the page navigated on (ERR_ABORTED) did not fail.
    page.on(
        "requestfailed",
        lambda r: (
            None if r.failure == "net::ERR_ABORTED" else failed.append(f"{r.url} {r.failure}")
        ),
    )

    def bad_status(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.url} {response.status}")

    page.on("response", bad_status)
    page.set_viewport_size({"width": 1440, "height": 900})

    def shoot(name: str) -> None:
        page.wait_for_load_state("networkidle")
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)
        assert path.stat().st_size > 10_000, f"{name} screenshot looks empty"

    page.goto("/login")
    shoot("login")
    sign_in(page, live_site.seller)
    expect(page.locator("[data-figure]").first).to_have_attribute("data-drawn", "true")
    shoot("pipeline")
    deal_url = page.locator(".deal-card").first.get_attribute("href")
    page.goto("/pipeline?view=table&status=all&sort=-value")
    shoot("pipeline-table")
    assert deal_url is not None
    page.goto(deal_url)
    expect(page.locator("#team-map")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#decision-graph")).to_have_attribute("data-drawn", "true")
    shoot("deal")
    page.locator("#create-share-link").get_by_role("button", name="Create link").click()
    share = re.search(r"https?://\S+/share/[\w-]+", page.locator(".flash-secret").inner_text())
    assert share is not None
    page.goto("/patterns")
    expect(page.locator("#patterns-journey")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#patterns-signals")).to_have_attribute("data-drawn", "true")
    shoot("patterns")
    page.goto("/patterns?level=activities")
    expect(page.locator("#patterns-journey")).to_have_attribute("data-drawn", "true")
    shoot("patterns-activities")
    page.goto("/plan?quota=1500000")
    expect(page.locator("#plan-forecast")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#goal-tree-nodes")).to_be_visible()
    shoot("plan")
    page.goto("/simulate?a=buyer-journey&b=buyer-journey-more-meetings&deals=20000")
    expect(page.locator("#simulate-cycle")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#simulate-cost")).to_have_attribute("data-drawn", "true")
    shoot("simulate")
    page.goto("/playbooks")
    shoot("playbooks")
    page.goto("/playbooks/buyer-journey")
    expect(page.locator(".diagram svg")).to_be_visible()
    shoot("playbook")
    page.goto(share.group(0))
    shoot("share")
    assert errors == []
    assert failed == []
