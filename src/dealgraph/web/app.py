"""The app factory: settings and database in, a FastAPI app with API, pages and security out."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from dealgraph import __version__
from dealgraph.errors import InvalidInput
from dealgraph.settings import Settings
from dealgraph.store.db import Database, open_database
from dealgraph.web.errors import install_error_handlers
from dealgraph.web.security import (
    CONTENT_SECURITY_POLICY,
    LoginLimiter,
    SecurityHeadersMiddleware,
    SessionMiddleware,
    script_hash,
)

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = f"{API_PREFIX}/docs"
STATIC_DIR = Path(__file__).parent / "static"
MIN_SECRET_LENGTH = 32
SWAGGER_URL = "/static/vendor/swagger"


def plotly_js_path() -> Path:
    """plotly.min.js as shipped inside the installed plotly package (never copied, no CDN)."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def swagger_ui_dir() -> Path:
    """Swagger UI's files as shipped inside the installed fastapi-offline package (no CDN)."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def check_secret_key(settings: Settings) -> str:
    """The signing key, or InvalidInput when it is missing or shorter than 32 characters."""
    key = settings.secret_key or ""
    if len(key) < MIN_SECRET_LENGTH:
        problem = "is not set" if not key else f"is {len(key)} characters long"
        raise InvalidInput(
            f"the key that signs sessions {problem}; set at least {MIN_SECRET_LENGTH} random "
            'characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(32))"',
            where="DEALGRAPH_SECRET_KEY",
        )
    return key


def _docs_page() -> tuple[HTMLResponse, str]:
    page = get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="dealgraph API",
        swagger_js_url=f"{SWAGGER_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_URL}/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    # Swagger UI starts from one inline script; the policy allows exactly that script.
    inline = re.findall(r"<script>(.*?)</script>", bytes(page.body).decode(), flags=re.DOTALL)
    hashes = " ".join(script_hash(source) for source in inline)
    policy = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'"
    )
    return page, policy


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """Build the web app serving ``database`` (or the one ``settings`` names).

    Raises InvalidInput (where ``DEALGRAPH_SECRET_KEY``) when the signing key is missing or
    shorter than 32 characters, before anything is opened.
    """
    settings = settings or Settings()
    secret_key = check_secret_key(settings)
    owns_database = database is None
    db = database or open_database(settings.resolved_database_url(), echo=settings.echo_sql)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_database:
            db.dispose()

    app = FastAPI(
        title="dealgraph",
        version=__version__,
        summary="Buyer-centric B2B selling: decision graphs, playbooks and a GPS for every deal.",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.database = db
    app.state.login_limiter = LoginLimiter()

    docs_page, docs_policy = _docs_page()

    @app.get(DOCS_URL, include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return docs_page

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="text/javascript")

    app.mount(SWAGGER_URL, StaticFiles(directory=swagger_ui_dir(), check_dir=False), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    from dealgraph.web.api import router as api_router
    from dealgraph.web.pages import router as pages_router

    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(pages_router, include_in_schema=False)
    install_error_handlers(app)

    def policy_for(path: str) -> str | None:
        return docs_policy if path == DOCS_URL else CONTENT_SECURITY_POLICY

    # Added last = outermost: headers land on every response, errors included.
    app.add_middleware(
        SessionMiddleware, secret_key=secret_key, max_age=settings.session_minutes * 60
    )
    app.add_middleware(SecurityHeadersMiddleware, policy_for=policy_for)
    return app
