"""The web edge: FastAPI app factory, JSON API under /api/v1 and server-rendered pages."""

from __future__ import annotations

from dealgraph.web.app import create_app

__all__ = ["create_app"]
