"""Playbooks, workspace export/import, users, tokens and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

from fastapi.routing import APIRoute

from dealgraph.core.enums import UserRole
from dealgraph.services import users
from dealgraph.store.db import open_database, sqlite_url
from dealgraph.web import create_app
from dealgraph.web.api import AREAS
from tests.web.conftest import PASSWORD, Site, TestClient

BAD_PLAYBOOK = """\
key: broken
title: Broken
stages:
  - key: start
    title: Start
    next: [nowhere]
"""


def test_list_and_show_playbooks(site: Site) -> None:
    seller = site.client("seller")
    listed = seller.get("/api/v1/playbooks").json()
    assert {p["key"] for p in listed} >= {"buyer-journey", "meddpicc"}
    assert all(p["stages"] > 0 for p in listed)
    shown = seller.get("/api/v1/playbooks/buyer-journey").json()
    assert shown["key"] == "buyer-journey" and shown["stages"][0]["key"]
    assert seller.get("/api/v1/playbooks/../../etc/passwd").status_code == 404
    assert seller.get("/api/v1/playbooks/nope").status_code == 404


def test_validate_a_good_playbook_upload(site: Site) -> None:
    from dealgraph.core.playbook import shipped_playbooks

    text = shipped_playbooks()["meddpicc"].read_bytes()
    answer = site.client("seller").post(
        "/api/v1/playbooks/validate", files={"file": ("mine.yaml", text, "application/yaml")}
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "valid": True,
        "key": "meddpicc",
        "title": answer.json()["title"],
        "version": answer.json()["version"],
    }


def test_validate_a_bad_playbook_upload_lists_located_problems(site: Site) -> None:
    answer = site.client("seller").post(
        "/api/v1/playbooks/validate", files={"file": ("broken.yaml", BAD_PLAYBOOK.encode())}
    )
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert problems
    for problem in problems:
        assert set(problem) >= {"file", "line", "column", "path", "code", "message"}
        assert problem["file"] == "broken.yaml"
    assert any(problem["line"] > 0 for problem in problems)


def test_validate_refuses_binary(site: Site) -> None:
    answer = site.client("seller").post(
        "/api/v1/playbooks/validate", files={"file": ("x.yaml", b"\xff\xfe\x00")}
    )
    assert answer.status_code == 422 and answer.json()["where"] == "file"


def test_export_then_import_into_an_empty_workspace(site: Site, tmp_path: Path) -> None:
    document = site.client("admin").get("/api/v1/workspace/export").json()
    assert len(document["deals"]) == 4
    again = site.client("admin").post("/api/v1/workspace/import", json=document)
    assert again.status_code == 409

    target = open_database(sqlite_url(tmp_path / "target.db"))
    try:
        with target.session() as session:
            admin = users.create_user(
                session,
                email="root@example.com",
                name="root",
                role=UserRole.ADMIN,
                password=PASSWORD,
            )
            assert admin.id is not None
            _, token = users.issue_api_token(session, user_id=admin.id, name="import")
        app = create_app(site.app.state.settings, database=target)
        client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        bad = client.post("/api/v1/workspace/import", json={"deals": [{"title": 3}]})
        assert bad.status_code in (409, 422)
        assert client.get("/api/v1/deals").json()["count"] == 0
        done = client.post("/api/v1/workspace/import", json=document)
        assert done.status_code == 201, done.text
        assert done.json()["counts"]["deals"] == 4
        assert client.get("/api/v1/deals").json()["count"] == 4
    finally:
        target.dispose()


def test_only_admins_import(site: Site) -> None:
    answer = site.client("seller").post("/api/v1/workspace/import", json={})
    assert answer.status_code == 403


def test_me_users_and_tokens(site: Site) -> None:
    seller = site.client("seller")
    me = seller.get("/api/v1/me").json()
    assert me["email"] == "sam.seller@example.com" and me["role"] == "seller"

    made = site.client("admin").post(
        "/api/v1/users",
        json={
            "email": "new@example.com",
            "name": "nia.new",
            "role": "seller",
            "password": PASSWORD,
            "team": "north",
        },
    )
    assert made.status_code == 201 and made.json()["name"] == "nia.new"
    weak = site.client("admin").post(
        "/api/v1/users",
        json={"email": "weak@example.com", "name": "weak", "role": "seller", "password": "short"},
    )
    assert weak.status_code == 422 and weak.json()["where"] == "password"
    taken = site.client("admin").post(
        "/api/v1/users",
        json={"email": "new@example.com", "name": "other", "role": "seller", "password": PASSWORD},
    )
    assert taken.status_code == 409

    created = seller.post("/api/v1/tokens", json={"name": "laptop"})
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("dg_")
    own = seller.get("/api/v1/tokens").json()
    assert own["count"] == 2 and secret not in str(own)
    by_token = TestClient(site.app, headers={"Authorization": f"Bearer {secret}"})
    assert by_token.get("/api/v1/me").json()["name"] == "sam.seller"

    token_id = created.json()["api_token"]["id"]
    assert site.client("other_seller").delete(f"/api/v1/tokens/{token_id}").status_code == 404
    assert seller.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert by_token.get("/api/v1/me").status_code == 401


def test_openapi_lists_every_api_route_with_purpose_named_schemas(site: Site) -> None:
    document = site.client().get("/api/v1/openapi.json").json()
    paths = document["paths"]
    api_routes = [
        route for area in AREAS for route in area.router.routes if isinstance(route, APIRoute)
    ]
    assert len(api_routes) >= 40
    for route in api_routes:
        path = "/api/v1" + route.path
        assert path in paths, path
        for method in route.methods:
            assert method.lower() in paths[path], (method, path)
    schemas = set(document["components"]["schemas"])
    assert schemas >= {
        "DealCreate",
        "DealUpdate",
        "DealPublic",
        "DealsPublic",
        "StakeholderCreate",
        "StakeholderUpdate",
        "StakeholderPublic",
        "DecisionCreate",
        "DecisionUpdate",
        "DecisionPublic",
        "InteractionCreate",
        "InteractionPublic",
        "InteractionLogged",
        "EvidenceCreate",
        "PlanItemCreate",
        "PlanItemUpdate",
        "PlanItemPublic",
        "ProblemCreate",
        "ProblemUpdate",
        "ProblemPublic",
        "ShareLinkCreate",
        "ShareLinkPublic",
        "ShareLinkCreated",
        "GpsPublic",
        "SignalPublic",
        "PlaybookSummary",
        "UserPublic",
        "TokenCreated",
    }
    assert not any(path.startswith("/pipeline") or path == "/login" for path in paths)


def test_every_api_route_is_in_the_api_docs() -> None:
    import re

    from tests.conftest import REPO_ROOT

    text = (REPO_ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = {re.sub(r"\{[^}]*\}", "{}", path) for path in re.findall(r"`(/[^`?]*)[`?]", text)}
    for area in AREAS:
        for route in area.router.routes:
            assert isinstance(route, APIRoute)
            path = re.sub(r"\{[^}]*\}", "{}", route.path)
            assert path in documented, f"{route.path} is not in docs/api.md"
