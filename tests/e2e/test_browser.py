"""The product in a real browser: sign in, work a deal, share it, and stay out of others' deals."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LiveSite, sign_in


def open_deal(page: Page, deal_id: int) -> None:
    page.goto(f"/deals/{deal_id}")
    expect(page.locator("#gps")).to_be_visible()


def test_sign_in_shows_the_users_pipeline(page: Page, live_site: LiveSite) -> None:
    sign_in(page, live_site.seller)
    expect(page.locator(".who")).to_contain_text(live_site.seller.name)
    expect(page.locator(".who")).to_contain_text("seller")
    owners = page.locator(".deal-card .owner").all_inner_texts()
    assert owners and set(owners) == {live_site.seller.name}


def test_wrong_password_stays_on_the_form(page: Page, live_site: LiveSite) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(live_site.seller.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash-error")).to_contain_text("wrong email or password")
    assert "/login" in page.url


def test_add_a_stakeholder_and_see_them_on_the_map(page: Page, live_site: LiveSite) -> None:
    deal = live_site.new_deal("Yard automation")
    sign_in(page, live_site.seller)
    open_deal(page, deal)
    page.locator("#team summary").click()
    form = page.locator("#add-stakeholder")
    form.get_by_label("Name").fill("Ingrid Solberg")
    form.get_by_label("Role").select_option("evaluator")
    form.get_by_label("Reports to").select_option(label="Rosa Lindqvist")
    form.get_by_role("button", name="Add stakeholder").click()
    expect(page.locator(".flash-ok")).to_contain_text("Added Ingrid Solberg")
    chart = page.locator("#team-map")
    expect(chart).to_have_attribute("data-drawn", "true")
    expect(chart.locator("text", has_text="Ingrid Solberg")).to_have_count(1)
    expect(page.locator("#team-table")).to_contain_text("Ingrid Solberg")


def test_logging_evidence_moves_the_gps(page: Page, live_site: LiveSite) -> None:
    deal = live_site.new_deal("Dock scheduling")
    sign_in(page, live_site.seller)
    open_deal(page, deal)
    before = page.locator("#gps .stage-name").inner_text()
    missing = page.locator("#gps .missing-criterion").all_inner_texts()
    assert missing, "a new deal has exit criteria to meet"
    form = page.locator("#log-interaction")
    form.get_by_label("Participants").select_option(label="Rosa Lindqvist")
    for title in missing:
        form.get_by_label(title, exact=True).check()
    form.get_by_label("Summary").fill("Walked through the status quo with Rosa.")
    form.get_by_role("button", name="Log interaction").click()
    flash = page.locator(".flash-ok", has_text="stage moved")
    expect(flash).to_contain_text(f"stage moved: {before} →")
    after = page.locator("#gps .stage-name").inner_text()
    assert after != before
    expect(flash).to_contain_text(after)
    expect(page.locator("#timeline")).to_contain_text("Walked through the status quo with Rosa.")


def test_a_dependency_cycle_is_refused_and_named(page: Page, live_site: LiveSite) -> None:
    deal = live_site.new_deal("Cross-dock pilot")
    sign_in(page, live_site.seller)
    open_deal(page, deal)
    rows = page.locator("#decision-table tbody tr")
    # The first template decision is required by the second: ask the first to wait for it.
    first = rows.nth(0).locator("strong").first.inner_text()
    second = rows.nth(1).locator("strong").first.inner_text()
    assert first in rows.nth(1).locator("td").nth(1).inner_text()
    form = page.locator("#add-requirement")
    form.get_by_label("decision", exact=True).select_option(label=first)
    form.get_by_label("required decision").select_option(label=second)
    form.get_by_role("button", name="Add dependency").click()
    error = page.locator(".flash-error")
    expect(error).to_contain_text("dependency would make a cycle")
    expect(error).to_contain_text(first)
    expect(error).to_contain_text(second)
    assert rows.nth(0).locator("td").nth(1).inner_text().strip() == "—"


def test_share_link_shows_only_buyer_safe_fields(
    page: Page, browser: Browser, live_site: LiveSite
) -> None:
    deal = live_site.new_deal("Reefer monitoring")
    sign_in(page, live_site.seller)
    open_deal(page, deal)
    page.locator("#create-share-link").get_by_role("button", name="Create link").click()
    secret = page.locator(".flash-secret").inner_text()
    url = re.search(r"https?://\S+/share/[\w-]+", secret)
    assert url is not None
    expect(page.locator("#share ul.links li.live")).to_have_count(1)

    guest = browser.new_context()
    try:
        buyer = guest.new_page()
        buyer.goto(url.group(0))
        expect(buyer.locator("h1")).to_have_text("Reefer monitoring")
        expect(buyer.locator("#buyer-route")).to_be_visible()
        expect(buyer.locator("#buyer-plan")).to_be_visible()
        text = buyer.locator("main").inner_text().lower()
        for hidden in ("stance", "signal", "influence", "120,000", "rosa lindqvist", "champion"):
            assert hidden not in text
        expect(buyer.locator(".who")).to_have_count(0)
        assert buyer.context.cookies() == [] or all(
            c["name"] != "dealgraph_session" or "user_id" not in c["value"]
            for c in buyer.context.cookies()
        )
    finally:
        guest.close()


def test_a_seller_cannot_open_another_sellers_deal(page: Page, live_site: LiveSite) -> None:
    theirs = live_site.new_deal("Someone else's deal", owner=live_site.other_seller)
    sign_in(page, live_site.seller)
    answer = page.goto(f"/deals/{theirs}")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_have_text("Not yours to see")
    expect(page.locator("main")).not_to_contain_text("Rosa Lindqvist")
