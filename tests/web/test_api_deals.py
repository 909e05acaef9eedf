"""Deals over the API: list with filters, open, read, change with versions, delete, GPS."""

from __future__ import annotations

from tests.web.conftest import Site, ids


def test_list_filters_by_status_owner_and_stage(site: Site) -> None:
    admin = site.client("admin")
    everything = admin.get("/api/v1/deals")
    assert everything.status_code == 200
    assert everything.json()["count"] == 4
    open_ids = ids(admin.get("/api/v1/deals", params={"status": "open"}))
    assert site.deal in open_ids and site.workspace.deals[1] not in open_ids
    assert ids(admin.get("/api/v1/deals", params={"owner": "bo.seller"})) == [site.other_deal]
    stage = admin.get(f"/api/v1/deals/{site.deal}").json()["stage"]
    assert site.deal in ids(admin.get("/api/v1/deals", params={"stage": stage}))


def test_list_refuses_an_unknown_status(site: Site) -> None:
    answer = site.client("admin").get("/api/v1/deals", params={"status": "maybe"})
    assert answer.status_code == 422


def test_signal_filter_keeps_deals_where_the_signal_fires(site: Site) -> None:
    admin = site.client("admin")
    signals = admin.get(f"/api/v1/deals/{site.deal}/signals").json()["data"]
    assert signals, "the factory's open deal has signals"
    key = signals[0]["key"]
    assert site.deal in ids(admin.get("/api/v1/deals", params={"signal": key}))
    assert ids(admin.get("/api/v1/deals", params={"signal": "no-such-signal"})) == []


def test_pipeline_rows_carry_eta_and_top_signal(site: Site) -> None:
    rows = site.client("seller").get("/api/v1/pipeline").json()
    by_id = {row["deal"]["id"]: row for row in rows["data"]}
    assert set(by_id) == {site.deal, site.workspace.deals[1]}
    open_row = by_id[site.deal]
    assert open_row["account_name"] == "Northwind Traders"
    assert open_row["eta_p50"] <= open_row["eta_p90"]
    assert open_row["top_signal"]["key"] in open_row["signals"]
    won_row = by_id[site.workspace.deals[1]]
    assert won_row["eta_p50"] is None and won_row["top_signal"] is None


def test_create_read_update_delete(site: Site) -> None:
    seller = site.client("seller")
    made = seller.post(
        "/api/v1/deals",
        json={"title": "Yard automation", "account_name": "Harbor Co", "value": 5000},
    )
    assert made.status_code == 201, made.text
    deal = made.json()
    assert deal["owner"] == "sam.seller" and deal["stage"] and deal["version"] == 1
    assert seller.get(f"/api/v1/deals/{deal['id']}").json()["title"] == "Yard automation"

    changed = seller.patch(
        f"/api/v1/deals/{deal['id']}", json={"version": 1, "value": 7500, "title": "Yard 2"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["value"] == 7500 and changed.json()["version"] == 2

    assert seller.delete(f"/api/v1/deals/{deal['id']}").status_code == 204
    assert seller.get(f"/api/v1/deals/{deal['id']}").status_code == 404


def test_stale_version_is_409_with_the_current_version(site: Site) -> None:
    seller = site.client("seller")
    version = seller.get(f"/api/v1/deals/{site.deal}").json()["version"]
    first = seller.patch(f"/api/v1/deals/{site.deal}", json={"version": version, "value": 1})
    assert first.status_code == 200
    stale = seller.patch(f"/api/v1/deals/{site.deal}", json={"version": version, "value": 2})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == version + 1
    assert seller.get(f"/api/v1/deals/{site.deal}").json()["value"] == 1


def test_bad_input_is_422_naming_the_field_and_changes_nothing(site: Site) -> None:
    seller = site.client("seller")
    before = seller.get(f"/api/v1/deals/{site.deal}").json()
    version = before["version"]
    answer = seller.patch(f"/api/v1/deals/{site.deal}", json={"version": version, "title": None})
    assert answer.status_code == 422
    assert answer.json()["where"] == "title"
    closed_with_reason = seller.patch(
        f"/api/v1/deals/{site.deal}", json={"version": version, "loss_reason": "price"}
    )
    assert closed_with_reason.status_code == 422
    assert closed_with_reason.json()["where"] == "loss_reason"
    assert seller.get(f"/api/v1/deals/{site.deal}").json() == before


def test_unknown_playbook_is_refused(site: Site) -> None:
    answer = site.client("seller").post(
        "/api/v1/deals", json={"title": "X", "account_name": "Y", "playbook": "nope"}
    )
    assert answer.status_code in (404, 422)
    assert site.client("admin").get("/api/v1/deals").json()["count"] == 4


def test_unknown_deal_is_404(site: Site) -> None:
    answer = site.client("admin").get("/api/v1/deals/99999")
    assert answer.status_code == 404
    assert "99999" in answer.json()["detail"]


def test_record_gps_and_signals(site: Site) -> None:
    seller = site.client("seller")
    record = seller.get(f"/api/v1/deals/{site.deal}/record").json()
    assert record["deal"]["id"] == site.deal
    assert {s["name"] for s in record["stakeholders"]} >= {"Ana Ortiz", "Ben Okafor"}
    gps = seller.get(f"/api/v1/deals/{site.deal}/gps").json()
    assert gps["deal_id"] == site.deal and gps["stage"] == record["deal"]["stage"]
    assert gps["eta"]["p50"] <= gps["eta"]["p90"]
    assert gps["next_plays"], "an open deal has next plays"
    signals = seller.get(f"/api/v1/deals/{site.deal}/signals").json()
    assert signals["count"] == len(signals["data"]) == len(gps["signals"])
