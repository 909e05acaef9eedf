"""The HTML pages on both databases: access, forms with CSRF, escaping, the buyer's page."""

from __future__ import annotations

import re

import pytest

from dealgraph.core.enums import Role
from dealgraph.services import decisions as decision_service
from dealgraph.services import stakeholders as stakeholder_service
from tests.factories import make_stakeholder
from tests.web.conftest import PASSWORD, Site, email_of

HTML = {"Accept": "text/html"}


def page(client: object, url: str) -> str:
    answer = client.get(url, headers=HTML)  # type: ignore[attr-defined]
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")
    return str(answer.text)


def test_anonymous_is_sent_to_login_and_back(site: Site) -> None:
    client = site.client()
    answer = client.get(f"/deals/{site.deal}", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=/deals/{site.deal}"
    form = client.get(answer.headers["location"], headers=HTML)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed_in = client.post(
        "/login",
        data={
            "csrf_token": token.group(1),
            "email": email_of("seller"),
            "password": PASSWORD,
            "next": f"/deals/{site.deal}",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == f"/deals/{site.deal}"
    assert "sam.seller" in page(client, f"/deals/{site.deal}")


def test_login_refuses_wrong_password_and_foreign_next(site: Site) -> None:
    client = site.client()
    form = client.get("/login?next=//evil.example/x", headers=HTML)
    assert 'name="next" value="/pipeline"' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    wrong = client.post(
        "/login",
        data={"csrf_token": token.group(1), "email": email_of("seller"), "password": "nope"},
        headers=HTML,
    )
    assert wrong.status_code == 401
    assert "wrong email or password" in wrong.text
    missing_csrf = client.post(
        "/login", data={"email": email_of("seller"), "password": PASSWORD}, headers=HTML
    )
    assert missing_csrf.status_code == 403


def test_home_redirects_to_pipeline(site: Site) -> None:
    client, _ = site.browser("seller")
    answer = client.get("/", headers=HTML, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/pipeline"


def test_pipeline_shows_own_deals_only_and_links_json(site: Site) -> None:
    client, _ = site.browser("seller")
    board = page(client, "/pipeline")
    assert 'href="/api/v1/deals?status=open"' in board
    assert f'href="/deals/{site.deal}"' in board
    assert f'href="/deals/{site.other_deal}"' not in board
    table = page(client, "/pipeline?view=table&status=all&sort=value")
    assert "Depot analytics" in table  # the seller's won deal, shown with status all
    assert "Depot analytics" not in board
    assert "Cold chain sensors" not in table
    admin, _ = site.browser("admin")
    assert f'href="/deals/{site.other_deal}"' in page(admin, "/pipeline")


def test_pipeline_totals_keep_currencies_apart(site: Site) -> None:
    from dealgraph.services import deals
    from tests.factories import make_deal

    with site.database.session() as session:
        mine = deals.get_deal(session, deal_id=site.deal)
        deals.create_deal(
            session,
            deal=make_deal(title="Fleet telemetry", owner=mine.owner, value=1000, currency="USD"),
            account_name="Northwind Freight",
        )
    client, _ = site.browser("seller")
    board = page(client, "/pipeline")
    # Largest first, never one grand total adding EUR to USD.
    assert f"2 deals · EUR {mine.value:,.0f} + USD 1,000 in value" in board
    assert f"EUR {mine.value + 1000:,.0f}" not in board


def test_pipeline_filters_by_owner(site: Site) -> None:
    admin, _ = site.browser("admin")
    only_bo = page(admin, "/pipeline?view=table&owner=bo.seller")
    assert f'href="/deals/{site.other_deal}"' in only_bo
    assert f'href="/deals/{site.deal}"' not in only_bo


def test_deal_page_renders_every_section_and_json_twin(site: Site) -> None:
    client, _ = site.browser("seller")
    html = page(client, f"/deals/{site.deal}")
    for section in ("gps", "team", "decisions", "problems", "signals", "timeline", "plan", "share"):
        assert f'id="{section}"' in html
    assert f'href="/api/v1/deals/{site.deal}/record"' in html
    assert 'id="team-map-data"' in html and 'id="decision-graph-data"' in html
    assert "Ana Ortiz" in html


def test_seller_gets_403_on_another_sellers_deal(site: Site) -> None:
    client, _ = site.browser("other_seller")
    answer = client.get(f"/deals/{site.deal}", headers=HTML)
    assert answer.status_code == 403
    assert "Ana Ortiz" not in answer.text
    manager, _ = site.browser("manager")
    assert "Ana Ortiz" in page(manager, f"/deals/{site.deal}")


def test_unknown_deal_is_a_404_page(site: Site) -> None:
    client, _ = site.browser("admin")
    answer = client.get("/deals/999999", headers=HTML)
    assert answer.status_code == 404
    assert "Not found" in answer.text


def test_forms_need_csrf_and_change_nothing_without_it(site: Site) -> None:
    client, csrf = site.browser("seller")
    url = f"/deals/{site.deal}/stakeholders"
    fields = {"name": "Pat Quinn", "level": "3", "stance": "0", "role": "user"}
    refused = client.post(url, data=fields, headers=HTML)
    assert refused.status_code == 403
    with site.database.session() as session:
        names = [s.name for s in stakeholder_service.list_stakeholders(session, deal_id=site.deal)]
    assert "Pat Quinn" not in names
    added = client.post(url, data={**fields, "csrf_token": csrf}, follow_redirects=False)
    assert added.status_code == 303
    assert added.headers["location"] == f"/deals/{site.deal}#team"
    html = page(client, f"/deals/{site.deal}")
    assert "Added Pat Quinn to the buying team." in html


def test_user_text_is_escaped(site: Site) -> None:
    with site.database.session() as session:
        stakeholder_service.add_stakeholder(
            session,
            deal_id=site.deal,
            stakeholder=make_stakeholder(name="<script>alert(1)</script>", role=Role.USER),
        )
    client, _ = site.browser("seller")
    html = page(client, f"/deals/{site.deal}")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Inside the chart's JSON block too: every script element is one of ours and closes once.
    assert html.count("<script") == html.count("</script>")


def test_cycle_is_refused_with_the_cycle_named_and_nothing_changes(site: Site) -> None:
    client, csrf = site.browser("seller")
    with site.database.session() as session:
        graph = decision_service.list_decisions(session, deal_id=site.deal)
    dependent = next(d for d in graph if d.requires)
    required = dependent.requires[0]
    answer = client.post(
        f"/deals/{site.deal}/requirements",
        data={"csrf_token": csrf, "dependent_id": str(required), "required_id": str(dependent.id)},
    )
    assert answer.status_code == 200
    assert "dependency would make a cycle" in answer.text
    assert dependent.title in answer.text
    with site.database.session() as session:
        after = decision_service.get_decision(session, decision_id=required)
    assert dependent.id not in after.requires


def test_a_dependency_and_a_plan_item_can_be_removed(site: Site) -> None:
    from dealgraph.core.model import PlanItem
    from dealgraph.services import plan as plan_service

    client, csrf = site.browser("seller")
    with site.database.session() as session:
        dependent = next(
            d for d in decision_service.list_decisions(session, deal_id=site.deal) if d.requires
        )
        item = plan_service.add_plan_item(
            session, deal_id=site.deal, item=PlanItem(title="Send the draft order form")
        )
    answer = client.post(
        f"/deals/{site.deal}/requirements/remove",
        data={"csrf_token": csrf, "dependent_id": str(dependent.id),
              "required_id": str(dependent.requires[0])},
    )  # fmt: skip
    assert answer.status_code == 200 and "Dependency removed." in answer.text
    answer = client.post(f"/deals/{site.deal}/plan/{item.id}/remove", data={"csrf_token": csrf})
    assert answer.status_code == 200 and "removed from the plan" in answer.text
    with site.database.session() as session:
        after = decision_service.get_decision(session, decision_id=dependent.id or 0)
        items = plan_service.list_plan_items(session, deal_id=site.deal)
    assert after.requires == dependent.requires[1:]
    assert item.id not in [i.id for i in items]
    missing = client.post(
        f"/deals/{site.deal}/requirements/remove",
        data={"csrf_token": csrf, "dependent_id": str(dependent.id),
              "required_id": str(dependent.requires[0])},
    )  # fmt: skip
    assert "not found" in missing.text


def test_stale_version_is_a_visible_conflict(site: Site) -> None:
    client, csrf = site.browser("seller")
    with site.database.session() as session:
        person = stakeholder_service.list_stakeholders(session, deal_id=site.deal)[0]
    fields = {
        "csrf_token": csrf,
        "role": person.role.value,
        "level": str(person.level),
        "stance": "2",
        "influence": person.influence.value,
        "version": str(person.version - 1 if person.version > 1 else person.version + 5),
    }
    answer = client.post(f"/deals/{site.deal}/stakeholders/{person.id}", data=fields)
    assert answer.status_code == 200
    assert "was changed by someone else" in answer.text
    with site.database.session() as session:
        again = stakeholder_service.get_stakeholder(session, stakeholder_id=person.id or 0)
    assert again.stance == person.stance


def test_bad_form_value_names_the_field(site: Site) -> None:
    client, csrf = site.browser("seller")
    answer = client.post(
        f"/deals/{site.deal}/decisions",
        data={"csrf_token": csrf, "title": "Pick a vendor", "level": "high"},
    )
    assert answer.status_code == 200
    assert "level: &#39;high&#39; is not a whole number" in answer.text


def test_logging_evidence_flashes_the_stage_move(site: Site) -> None:
    from dealgraph.core.playbook import get_playbook
    from dealgraph.services.deals import get_deal

    client, csrf = site.browser("seller")
    with site.database.session() as session:
        deal = get_deal(session, deal_id=site.deal)
    book = get_playbook(deal.playbook)
    stage = book.stage(deal.stage or book.start_stage())
    answer = client.post(
        f"/deals/{site.deal}/interactions",
        data={
            "csrf_token": csrf,
            "channel": "virtual",
            "direction": "two_way",
            "outcome": "advanced",
            "evidence": stage.exit,
        },
    )
    assert answer.status_code == 200
    assert f"stage moved: {stage.title} →" in answer.text


def test_share_page_shows_buyer_safe_fields_only(site: Site) -> None:
    client, csrf = site.browser("seller")
    created = client.post(f"/deals/{site.deal}/share-links", data={"csrf_token": csrf, "days": "7"})
    match = re.search(r"(http://[^\s<]+/share/[A-Za-z0-9_\-]+)", created.text)
    assert match is not None, created.text[:2000]
    path = "/share/" + match.group(1).rsplit("/share/", 1)[1]
    buyer = site.client()
    html = page(buyer, path)
    assert "Ana Ortiz" not in html  # stakeholder names are seller-side
    for word in ("stance", "signal", "influence", "48,501", "sam.seller", "Sign out"):
        assert word not in html.lower() if word.islower() else word not in html
    assert "mutual plan" in html.lower()
    assert page(buyer, path)  # a link works more than once while it lives
    assert buyer.get("/share/not-a-real-token", headers=HTML).status_code == 404


def test_playbook_pages_and_upload(site: Site, tmp_path: pytest.TempPathFactory) -> None:
    client, csrf = site.browser("seller")
    listing = page(client, "/playbooks")
    assert 'href="/playbooks/buyer-journey"' in listing
    book = page(client, "/playbooks/buyer-journey")
    assert "<svg" in book and 'href="/api/v1/playbooks/buyer-journey"' in book
    bad = client.post(
        "/playbooks/validate",
        data={"csrf_token": csrf},
        files={"file": ("broken.yaml", b"key: x\nstages: []\n", "text/yaml")},
    )
    assert bad.status_code == 200
    assert 'id="problems-table"' in bad.text and "broken.yaml" in bad.text
    from dealgraph.core.playbook import shipped_playbooks

    good = shipped_playbooks()["meddpicc"].read_bytes()
    ok = client.post(
        "/playbooks/validate",
        data={"csrf_token": csrf},
        files={"file": ("meddpicc.yaml", good, "text/yaml")},
    )
    assert "valid: meddpicc.yaml" in ok.text
    assert client.get("/playbooks/nope", headers=HTML).status_code == 404


def test_pages_send_security_headers(site: Site) -> None:
    client, _ = site.browser("seller")
    answer = client.get("/pipeline", headers=HTML)
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "<script>" not in answer.text  # no inline script on our pages
