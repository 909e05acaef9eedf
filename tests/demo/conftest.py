"""Demo fixtures: documents are generated once per session (generation is pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from dealgraph.core.enums import Channel, Role
from dealgraph.core.playbook import get_playbook
from dealgraph.core.playbook.schema import (
    Criterion,
    DecisionTemplate,
    Duration,
    Play,
    Playbook,
    Stage,
)
from dealgraph.demo import build_demo_document

AS_OF = datetime(2026, 6, 30, 16, 45, 30)


def tiny_playbook() -> Playbook:
    """A four-stage playbook with its own keys and a stage after the won end."""
    return Playbook(
        key="tiny",
        title="Tiny",
        version="3",
        stages=[
            Stage(
                key="spark",
                title="Spark",
                goal="notice a need",
                exit=["need_seen"],
                duration=Duration(p50=5, p90=12),
                level=2,
                next=["shape"],
            ),
            Stage(
                key="shape",
                title="Shape",
                goal="shape the answer",
                exit=["scope_set", "owner_found"],
                duration=Duration(p50=10, p90=20),
                level=3,
                next=["sign"],
            ),
            Stage(
                key="sign",
                title="Sign",
                goal="sign",
                exit=["signed"],
                duration=Duration(p50=8, p90=16),
                level=4,
                next=["live"],
            ),
            Stage(
                key="live",
                title="Live",
                goal="use it",
                exit=["used"],
                duration=Duration(p50=20, p90=40),
                level=2,
                end="won",
                next=["grow"],
            ),
            Stage(
                key="grow",
                title="Grow",
                goal="expand",
                exit=["expanded"],
                duration=Duration(p50=30, p90=60),
                level=3,
            ),
        ],
        criteria=[
            Criterion(key=k, title=k.replace("_", " ").title(), evidence="seen")
            for k in ("need_seen", "scope_set", "owner_found", "signed", "used", "expanded")
        ],
        plays=[
            Play(key="hello", title="Hello", purpose="p", stage="spark",
                 channels=[Channel.EMAIL, Channel.PHONE], outcome=["need_seen"],
                 roles=[Role.USER]),
            Play(key="scoping", title="Scoping", purpose="p", stage="shape",
                 channels=[Channel.FIELD], outcome=["scope_set", "owner_found"],
                 roles=[Role.EVALUATOR, Role.ECONOMIC_BUYER]),
            Play(key="close", title="Close", purpose="p", stage="sign",
                 channels=[Channel.VIRTUAL], outcome=["signed"], roles=[Role.APPROVER]),
            Play(key="launch", title="Launch", purpose="p", stage="live",
                 channels=[Channel.INSIDE], outcome=["used", "expanded"]),
        ],
        decisions=[
            DecisionTemplate(key="need", title="Agree the need", stage="spark", level=2,
                             roles=[Role.CHAMPION]),
            DecisionTemplate(key="fund", title="Fund it", stage="shape", level=4,
                             requires=["need"], roles=[Role.ECONOMIC_BUYER], days=9),
            DecisionTemplate(key="buy", title="Buy", stage="sign", level=4,
                             requires=["fund", "need"], roles=[Role.APPROVER]),
        ],
    )  # fmt: skip


@pytest.fixture(scope="session")
def buyer_journey() -> Playbook:
    """The shipped default playbook."""
    return get_playbook("buyer-journey")


@pytest.fixture(scope="session")
def meddpicc() -> Playbook:
    """The shipped MEDDPICC playbook."""
    return get_playbook("meddpicc")


@pytest.fixture(scope="session")
def demo_document(buyer_journey: Playbook) -> dict[str, Any]:
    """The default demo document (seed 7) at ``AS_OF``."""
    return build_demo_document(seed=7, as_of=AS_OF, playbook=buyer_journey)


@pytest.fixture(scope="session")
def meddpicc_document(meddpicc: Playbook) -> dict[str, Any]:
    """A demo document simulated through the MEDDPICC playbook."""
    return build_demo_document(seed=11, as_of=AS_OF, playbook=meddpicc)


@pytest.fixture(scope="session")
def tiny_document() -> dict[str, Any]:
    """A demo document simulated through the tiny hand-built playbook."""
    return build_demo_document(seed=3, as_of=AS_OF, playbook=tiny_playbook())
