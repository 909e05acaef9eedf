"""Sessions, CSRF, sign-in rate limiting, security headers and the signing key."""

from __future__ import annotations

import time

import pytest
from fastapi import Depends
from itsdangerous import URLSafeTimedSerializer

from dealgraph.errors import InvalidInput
from dealgraph.settings import Settings
from dealgraph.store.db import Database
from dealgraph.web import create_app
from dealgraph.web.deps import verify_csrf
from dealgraph.web.security import SESSION_COOKIE
from tests.web.conftest import PASSWORD, Site, TestClient, email_of


def test_cookie_session_signs_in_with_safe_cookie_flags(site: Site) -> None:
    client = TestClient(site.app)
    answer = client.post(
        "/api/v1/session", json={"email": email_of("seller"), "password": PASSWORD}
    )
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert f"Max-Age={site.app.state.settings.session_minutes * 60}" in cookie
    assert "Secure" not in cookie
    assert client.get("/api/v1/me").json()["name"] == "sam.seller"


def test_cookie_is_secure_over_https(site: Site) -> None:
    client = TestClient(site.app, base_url="https://testserver")
    answer = client.post(
        "/api/v1/session", json={"email": email_of("seller"), "password": PASSWORD}
    )
    assert "Secure" in answer.headers["set-cookie"]


def test_cookie_write_without_csrf_token_is_403_and_changes_nothing(site: Site) -> None:
    client, token = site.browser("seller")
    before = client.get(f"/api/v1/deals/{site.deal}/stakeholders").json()
    refused = client.post(f"/api/v1/deals/{site.deal}/stakeholders", json={"name": "Forged"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    wrong = client.post(
        f"/api/v1/deals/{site.deal}/stakeholders",
        json={"name": "Forged"},
        headers={"X-CSRF-Token": "x" + token},
    )
    assert wrong.status_code == 403
    assert client.get(f"/api/v1/deals/{site.deal}/stakeholders").json() == before
    accepted = client.post(
        f"/api/v1/deals/{site.deal}/stakeholders",
        json={"name": "Real"},
        headers={"X-CSRF-Token": token},
    )
    assert accepted.status_code == 201


def test_csrf_form_field_is_accepted(site: Site) -> None:
    @site.app.post("/test-form", dependencies=[Depends(verify_csrf)])
    def form_target() -> dict[str, bool]:
        return {"ok": True}

    client, token = site.browser("seller")
    assert client.post("/test-form", data={"csrf_token": "wrong"}).status_code == 403
    assert client.post("/test-form", data={"csrf_token": token}).json() == {"ok": True}


def test_sign_out_ends_the_session(site: Site) -> None:
    client, token = site.browser("seller")
    assert client.delete("/api/v1/session").status_code == 403  # CSRF on sign-out too
    answer = client.delete("/api/v1/session", headers={"X-CSRF-Token": token})
    assert answer.status_code == 204
    assert "Max-Age=0" in answer.headers["set-cookie"]
    assert client.get("/api/v1/me").status_code == 401


def _forged_cookie(site: Site, payload: dict[str, object]) -> str:
    secret = site.app.state.settings.secret_key
    return URLSafeTimedSerializer(secret, salt="dealgraph-session").dumps(payload)


def test_expired_session_is_refused_even_when_replayed(site: Site) -> None:
    minutes = site.app.state.settings.session_minutes
    old = _forged_cookie(
        site,
        {"user_id": site.users["seller"].id, "issued_at": time.time() - minutes * 60 - 5},
    )
    client = TestClient(site.app, cookies={SESSION_COOKIE: old})
    assert client.get("/api/v1/me").status_code == 401
    fresh = _forged_cookie(site, {"user_id": site.users["seller"].id, "issued_at": time.time()})
    assert (
        TestClient(site.app, cookies={SESSION_COOKIE: fresh}).get("/api/v1/me").status_code == 200
    )


def test_tampered_cookie_is_ignored(site: Site) -> None:
    client, _ = site.browser("seller")
    value = client.cookies[SESSION_COOKIE]
    tampered = TestClient(site.app, cookies={SESSION_COOKIE: value[:-2] + "xx"})
    assert tampered.get("/api/v1/me").status_code == 401


def test_inactive_user_is_signed_out(site: Site) -> None:
    from dealgraph.services import users

    client, _ = site.browser("seller")
    with site.database.session() as session:
        user = users.get_user(session, user_id=site.users["seller"].id or 0)
        users.update_user(
            session, user=user.model_copy(update={"active": False}), expected_version=user.version
        )
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401
    assert site.client("seller").get("/api/v1/me").status_code == 401


def test_sixth_failed_sign_in_is_429(site: Site) -> None:
    client = TestClient(site.app)
    email = email_of("manager")
    for _ in range(5):
        answer = client.post("/api/v1/session", json={"email": email, "password": "wrong-pass"})
        assert answer.status_code == 401
        assert answer.json()["detail"] == "wrong email or password"
    limited = client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) > 0
    assert "set-cookie" not in limited.headers


def test_failures_on_many_emails_limit_the_client(site: Site) -> None:
    client = TestClient(site.app)
    for n in range(5):
        client.post("/api/v1/session", json={"email": f"guess{n}@example.com", "password": "x"})
    answer = client.post("/api/v1/session", json={"email": email_of("admin"), "password": PASSWORD})
    assert answer.status_code == 429


@pytest.mark.parametrize(
    "path", ["/api/v1/deals", "/api/v1/openapi.json", "/login", "/static/vendor/plotly.min.js"]
)
def test_security_headers_on_every_response(site: Site, path: str) -> None:
    answer = site.client("seller").get(path, headers={"Accept": "text/html"})
    assert answer.status_code < 500
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "same-origin"


def test_api_docs_allow_only_their_own_inline_script(site: Site) -> None:
    answer = site.client().get("/api/v1/docs")
    assert answer.status_code == 200
    script_policy = answer.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert "'sha256-" in script_policy and "'unsafe-inline'" not in script_policy
    assert "http" not in answer.headers["content-security-policy"]  # no CDN: all served here
    client = site.client()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/vendor/swagger/{asset}" in answer.text
        assert client.get(f"/static/vendor/swagger/{asset}").status_code == 200


def test_page_without_session_redirects_to_login(site: Site) -> None:
    answer = TestClient(site.app).get(
        "/pipeline?status=open", headers={"Accept": "text/html"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/pipeline%3Fstatus%3Dopen"


@pytest.mark.parametrize("key", [None, "", "too-short"])
def test_app_refuses_to_start_without_a_strong_secret_key(
    database: Database, key: str | None
) -> None:
    with pytest.raises(InvalidInput) as error:
        create_app(Settings(secret_key=key), database=database)
    assert error.value.where == "DEALGRAPH_SECRET_KEY"


def test_browsers_get_an_html_error_page_and_the_api_gets_json(site: Site) -> None:
    client, _ = site.browser("other_seller")
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["x-content-type-options"] == "nosniff"
    forbidden = client.get(f"/deals/{site.deal}", headers={"Accept": "text/html"})
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"].startswith("text/html")
    api = client.get(f"/api/v1/deals/{site.deal}", headers={"Accept": "text/html"})
    assert api.status_code == 403
    assert api.json()["detail"] == f"deal {site.deal} is not one of yours"
