"""The Plan page in a real browser: a manager plans a quota over the team's deals."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveSite, sign_in


def test_a_manager_plans_a_quota_and_sees_the_tree_and_the_forecast(
    page: Page, live_site: LiveSite
) -> None:
    from dealgraph.services.access import visible_owners
    from dealgraph.services.users import get_user_by_email

    sign_in(page, live_site.manager)
    page.get_by_role("link", name="Plan", exact=True).click()
    page.wait_for_url("**/plan")
    form = page.locator("#plan-form")
    expect(form.get_by_label("Period")).to_have_value(re.compile(r"^\d{4}Q[1-4]$"))
    form.get_by_label("Quota").fill("1,500,000")
    form.get_by_role("button", name="Plan").click()
    page.wait_for_url("**/plan?quota=1%2C500%2C000*")
    expect(form.get_by_label("Quota")).to_have_value("1,500,000")
    tree = page.locator("#goal-tree-nodes")
    expect(tree.locator('[data-key="wins"] .goal-head').first).to_contain_text("wins")
    expect(tree.locator('[data-key="conversations_per_seller_week"]')).to_have_count(1)
    expect(page.locator("#plan-forecast")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#plan-forecast .main-svg").first).to_be_visible()
    expect(page.locator("#plan-p-quota")).to_have_text(re.compile(r"^\d{1,3}\.\d%$"))
    with live_site.database.session() as session:
        manager = get_user_by_email(session, email=live_site.manager.email)
        owners = visible_owners(session, user=manager)
    assert owners is not None
    shown = page.locator("#forecast-drivers tbody tr td:nth-child(2)").all_inner_texts()
    assert shown and set(shown) <= owners

    form.get_by_label("Quota").fill("lots")
    form.get_by_role("button", name="Plan").click()
    expect(page.locator("#plan-errors")).to_contain_text("'lots' is not an amount")
    expect(form.get_by_label("Quota")).to_have_value("lots")
    expect(page.locator("#forecast")).to_have_count(0)
