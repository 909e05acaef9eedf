"""Workspace-wide results kept between requests until the data behind them changes.

History, the event log and signal lift are learned from every deal of a workspace; pages ask
for them on every request. Each is kept per database and name, with the cheap data
fingerprint of ``store.deals.history_fingerprint``, and rebuilt as soon as that moves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dealgraph.store.deals import history_fingerprint

T = TypeVar("T")

_CACHE: dict[tuple[str, Hashable], tuple[tuple[int, ...], Any]] = {}
_LOCK = threading.Lock()


def workspace_cached(session: Session, name: Hashable, build: Callable[[], T]) -> T:
    """``build()``'s result for this database, reused while the workspace's data is unchanged.

    Callers must treat the result as read-only: it is shared between requests.
    """
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), name)
    fingerprint = history_fingerprint(session)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]  # type: ignore[no-any-return]
    value = build()
    with _LOCK:
        _CACHE[key] = (fingerprint, value)
    return value


def clear() -> None:
    """Forget everything (tests that rebuild a database under the same URL)."""
    with _LOCK:
        _CACHE.clear()
