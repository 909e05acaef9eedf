"""The Simulate page in a real browser: compare the two shipped designs and see the charts."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveSite, sign_in


def test_compare_the_two_shipped_designs(page: Page, live_site: LiveSite) -> None:
    sign_in(page, live_site.seller)
    page.locator(".mainnav").get_by_role("link", name="Simulate").click()
    page.wait_for_url("**/simulate")
    form = page.locator("#simulate-form")
    form.locator("#a-source").select_option("buyer-journey")
    form.locator("#b-source").select_option("buyer-journey-more-meetings")
    form.get_by_label("Deals per design").fill("20000")
    form.get_by_role("button", name="Simulate").click()

    rows = page.locator("#comparison tbody tr")
    expect(rows).to_have_count(11)
    expect(rows.first.locator("td").first).to_have_text("win rate")
    expect(page.locator("#verdict")).to_contain_text("B wins")
    expect(page.locator("#verdict")).to_contain_text("USD")
    for chart in ("#simulate-cycle", "#simulate-cost"):
        expect(page.locator(chart)).to_have_attribute("data-drawn", "true")
        # one bar trace per design
        expect(page.locator(f"{chart} g.trace.bars")).to_have_count(2)
    expect(page.locator("#simulate-cycle .legendtext").first).to_contain_text("A: Buyer journey")
    # the form keeps what ran, and the run can be linked
    expect(form.locator("#b-source")).to_have_value("buyer-journey-more-meetings")
    expect(page.locator("#permalink")).to_have_attribute(
        "href",
        "/simulate?a=buyer-journey&b=buyer-journey-more-meetings&deals=20000&seed=1",
    )
