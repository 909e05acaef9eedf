"""Browser tests: the demo workspace served by uvicorn in a thread, driven by Debian's chromium.

One server per test session (127.0.0.1, a free port, a SQLite demo workspace in a temp dir).
Playwright never downloads a browser: ``browser_type_launch_args`` points at /usr/bin/chromium.
Tests that change data work on deals they create themselves, so their order does not matter.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dealgraph.core.enums import Role, UserRole
from dealgraph.demo.users import DemoUser
from dealgraph.store.db import Database

CHROMIUM = Path("/usr/bin/chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/e2e is an ``e2e`` test."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Launch the system chromium, headless and sandbox-free (containers have no user ns)."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)")
    return {
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@dataclass
class LiveSite:
    """The running demo: its URL, database and the accounts the tests sign in with."""

    url: str
    database: Database
    seller: DemoUser
    other_seller: DemoUser
    showcase: tuple[int, ...]
    manager: DemoUser

    def new_deal(self, title: str, *, owner: DemoUser | None = None) -> int:
        """A fresh open deal of ``owner`` (default: the seller), with a small buying team."""
        from dealgraph.core.model import Deal, Stakeholder
        from dealgraph.services import deals, stakeholders
        from dealgraph.services.common import now

        with self.database.session() as session:
            deal = deals.create_deal(
                session,
                deal=Deal(
                    title=title,
                    owner=(owner or self.seller).name,
                    value=120_000,
                    created_at=now(),
                ),
                account_name="Harbour Logistics",
            )
            assert deal.id is not None
            boss = stakeholders.add_stakeholder(
                session,
                deal_id=deal.id,
                stakeholder=Stakeholder(name="Rosa Lindqvist", role=Role.ECONOMIC_BUYER, level=5),
            )
            stakeholders.add_stakeholder(
                session,
                deal_id=deal.id,
                stakeholder=Stakeholder(
                    name="Omar Haddad",
                    role=Role.CHAMPION,
                    level=3,
                    stance=2,
                    reports_to=boss.id,
                ),
            )
            return deal.id


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """Build the demo workspace and serve it with uvicorn in a background thread."""
    import uvicorn

    from dealgraph.demo.build import build_demo
    from dealgraph.settings import Settings
    from dealgraph.store.db import open_database, sqlite_url
    from dealgraph.web import create_app

    folder = tmp_path_factory.mktemp("live")
    database = open_database(sqlite_url(folder / "demo.db"))
    summary = build_demo(database)
    sellers = [u for u in summary.users if u.role == UserRole.SELLER]
    settings = Settings(secret_key=secrets.token_urlsafe(32), data_dir=folder)
    app = create_app(settings, database=database)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    try:
        yield LiveSite(
            url=f"http://127.0.0.1:{port}",
            database=database,
            seller=sellers[0],
            other_seller=sellers[1],
            showcase=summary.showcase,
            manager=next(
                u for u in summary.users if u.role == UserRole.MANAGER and u.team == sellers[0].team
            ),
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        database.dispose()


@pytest.fixture(scope="session")
def base_url(live_site: LiveSite) -> str:
    """pytest-playwright resolves ``page.goto('/x')`` against the live server."""
    return live_site.url


def sign_in(page: Any, user: DemoUser) -> None:
    """Sign in through the login form and wait for the pipeline."""
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/pipeline")
