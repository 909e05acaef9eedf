"""Signed cookie sessions, security headers and sign-in rate limiting.

The session is a JSON payload (user id, issued-at, CSRF token) signed with the settings'
secret key by itsdangerous; nothing secret is stored in it, and the server keeps no state.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections import deque
from collections.abc import Callable
from http.cookies import SimpleCookie
from threading import Lock
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dealgraph.errors import RateLimited

SESSION_COOKIE = "dealgraph_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; "
    # plotly sets inline style attributes on the SVG it draws; scripts stay strict.
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SessionMiddleware:
    """Load the signed ``dealgraph_session`` cookie into ``scope['session']`` and write it back.

    The cookie is HttpOnly and SameSite=Lax, Secure when the request came over https, and
    lives ``max_age`` seconds. The signature's own timestamp is checked against ``max_age``
    too, so a copied cookie stops working after that time even if replayed.
    """

    def __init__(self, app: ASGIApp, *, secret_key: str, max_age: int) -> None:
        self.app = app
        self.max_age = max_age
        self.serializer = URLSafeTimedSerializer(secret_key, salt="dealgraph-session")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        initial = self._load(scope)
        scope["session"] = dict(initial)
        secure = scope.get("scheme") in ("https", "wss")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                session: dict[str, Any] = scope["session"]
                headers = MutableHeaders(scope=message)
                if session and session != initial:
                    headers.append("Set-Cookie", self._cookie(session, secure=secure))
                elif not session and initial:
                    headers.append("Set-Cookie", self._cookie(None, secure=secure))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _load(self, scope: Scope) -> dict[str, Any]:
        raw_cookie = b""
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                raw_cookie = value
                break
        if not raw_cookie:
            return {}
        cookies: SimpleCookie = SimpleCookie()
        try:
            cookies.load(raw_cookie.decode("latin-1"))
        except Exception:  # noqa: BLE001 - a malformed Cookie header means "no session"
            return {}
        morsel = cookies.get(SESSION_COOKIE)
        if morsel is None:
            return {}
        try:
            data = self.serializer.loads(morsel.value, max_age=self.max_age)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def _cookie(self, session: dict[str, Any] | None, *, secure: bool) -> str:
        if session is None:
            value, max_age = "", 0
        else:
            value, max_age = str(self.serializer.dumps(session)), self.max_age
        parts = [
            f"{SESSION_COOKIE}={value}",
            "Path=/",
            f"Max-Age={max_age}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if secure:
            parts.append("Secure")
        return "; ".join(parts)


class SecurityHeadersMiddleware:
    """Add CSP, nosniff, referrer policy and frame denial to every HTTP response.

    ``policy_for(path)`` may return a different CSP for a path (the API docs page needs
    the hash of its one inline script); None keeps the default.
    """

    def __init__(
        self, app: ASGIApp, *, policy_for: Callable[[str], str | None] | None = None
    ) -> None:
        self.app = app
        self.policy_for = policy_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = (self.policy_for(scope["path"]) if self.policy_for else None) or (
            CONTENT_SECURITY_POLICY
        )

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
            await send(message)

        await self.app(scope, receive, send_wrapper)


def script_hash(source: str) -> str:
    """The CSP source expression allowing exactly this inline script."""
    digest = hashlib.sha256(source.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


class LoginLimiter:
    """Refuse sign-in after ``limit`` failures within ``window`` seconds, per client and per email.

    In memory and per process: enough for one server; a restart forgets the counts.
    """

    def __init__(
        self,
        *,
        limit: int = 5,
        window: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = Lock()

    @staticmethod
    def _keys(client: str, email: str) -> tuple[str, str]:
        return (f"ip:{client}", f"email:{email.strip().lower()}")

    def check(self, *, client: str, email: str) -> None:
        """Raise RateLimited when this client or this email has too many recent failures."""
        now = self.clock()
        with self._lock:
            waits = [self._wait(key, now) for key in self._keys(client, email)]
        wait = max(waits)
        if wait > 0:
            raise RateLimited(int(wait) + 1)

    def record_failure(self, *, client: str, email: str) -> None:
        """Count one failed sign-in for the client and for the email."""
        now = self.clock()
        with self._lock:
            for key in self._keys(client, email):
                self._failures.setdefault(key, deque()).append(now)

    def record_success(self, *, client: str, email: str) -> None:
        """Forget the email's failures (the client's stay: it may be guessing many emails)."""
        with self._lock:
            self._failures.pop(self._keys(client, email)[1], None)

    def _wait(self, key: str, now: float) -> float:
        times = self._failures.get(key)
        if not times:
            return 0.0
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            return 0.0
        return self.window - (now - times[0])
