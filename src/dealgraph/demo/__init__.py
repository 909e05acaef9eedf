"""The demo workspace: buyers simulated through a playbook, ready to explore.

``build_demo_document`` makes the native JSON document (pure, deterministic);
``build_demo`` imports it into a database and reports what it holds.
"""

from __future__ import annotations

from dealgraph.demo.build import DemoSummary, build_demo, showcase_deals, summarize
from dealgraph.demo.generator import build_demo_document
from dealgraph.demo.users import DemoUser, demo_users

__all__ = [
    "DemoSummary",
    "DemoUser",
    "build_demo",
    "build_demo_document",
    "demo_users",
    "showcase_deals",
    "summarize",
]
