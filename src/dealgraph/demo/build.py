"""Build the demo workspace into a database: generate the document, then import it."""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dealgraph.core.playbook.schema import Playbook
from dealgraph.demo.generator import DEFAULT_PLAYBOOK, build_demo_document
from dealgraph.demo.users import DemoUser

if TYPE_CHECKING:
    from dealgraph.store.db import Database

SHOWCASE_SIZE = 3


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo`` put in the workspace and how long it took."""

    as_of: datetime
    seed: int
    sellers: int
    accounts: int
    offerings: int
    deals: int
    deals_by_status: dict[str, int] = field(default_factory=dict)
    stakeholders: int = 0
    interactions: int = 0
    evidence: int = 0
    decisions: int = 0
    plan_items: int = 0
    problems: int = 0
    stage_changes: int = 0
    close_date_changes: int = 0
    showcase: tuple[int, ...] = ()
    """Ids of three open deals at early, middle and late stages, worth a first look."""
    generate_seconds: float = 0.0
    import_seconds: float = 0.0
    users: list[DemoUser] = field(default_factory=list)
    """The demo's accounts with their random passwords: print them once, never store them."""

    @property
    def seconds(self) -> float:
        """Wall time of the whole build (generation plus import)."""
        return self.generate_seconds + self.import_seconds


def summarize(
    document: dict[str, Any], *, playbook: Playbook, as_of: datetime, seed: int = 7
) -> DemoSummary:
    """Counts of a demo document and its showcase deals (timings left at zero)."""

    def count(table: str) -> int:
        return len(document[table])

    deals = document["deals"]
    return DemoSummary(
        as_of=as_of,
        seed=seed,
        sellers=len({d["owner"] for d in deals}),
        accounts=count("accounts"),
        offerings=count("offerings"),
        deals=len(deals),
        deals_by_status=dict(sorted(Counter(d["status"] for d in deals).items())),
        stakeholders=count("stakeholders"),
        interactions=count("interactions"),
        evidence=count("evidence"),
        decisions=count("decisions"),
        plan_items=count("plan_items"),
        problems=count("problems"),
        stage_changes=count("stage_changes"),
        close_date_changes=count("close_date_changes"),
        showcase=showcase_deals(document, playbook=playbook),
    )


def showcase_deals(document: dict[str, Any], *, playbook: Playbook) -> tuple[int, ...]:
    """Three open deals worth a first look: a lively one at an early, a middle and a late stage.

    "Lively" means on time (expected close not past, days in stage within the stage's p90)
    and then the most interactions in the last 30 days; ties go to the lower id, so the
    pick is stable.
    """
    order = playbook.journey_order
    open_deals = [d for d in document["deals"] if d["status"] == "open"]
    if not open_deals:
        return ()
    times = [datetime.fromisoformat(i["occurred_at"]) for i in document["interactions"]]
    as_of = max(times)
    recent = Counter(
        i["deal_id"]
        for i, at in zip(document["interactions"], times, strict=True)
        if (as_of - at).days <= 30
    )

    def off_track(deal: dict[str, Any]) -> bool:
        entered = datetime.fromisoformat(deal["stage_entered_at"])
        stalled = (as_of - entered).days > playbook.stage(deal["stage"]).duration.p90
        close = deal["expected_close"]
        return stalled or (close is not None and close < as_of.date().isoformat())

    thirds: dict[int, list[dict[str, Any]]] = {0: [], 1: [], 2: []}
    for deal in open_deals:
        thirds[min(2, 3 * order.index(deal["stage"]) // len(order))].append(deal)
    picks: list[int] = []
    for group in thirds.values():
        pool = group or open_deals
        best = sorted(pool, key=lambda d: (off_track(d), -recent[d["id"]], d["id"]))
        chosen = next((d["id"] for d in best if d["id"] not in picks), None)
        if chosen is not None:
            picks.append(chosen)
    return tuple(picks[:SHOWCASE_SIZE])


def build_demo(database: Database, *, seed: int = 7, as_of: datetime | None = None) -> DemoSummary:
    """Simulate the demo workspace on the ``buyer-journey`` playbook and import it.

    The database must be empty (else Conflict); the import and the demo users (see
    ``demo.users``) are one transaction, so a failure leaves it empty. ``as_of`` (default:
    now, UTC) is when the demo's history ends.

    Example:
        >>> summary = build_demo(open_database(sqlite_url("demo.db")))  # doctest: +SKIP
        >>> summary.deals, summary.deals_by_status["open"]  # doctest: +SKIP
        (300, 104)
    """
    from dealgraph.core.playbook import get_playbook
    from dealgraph.demo.users import create_demo_users
    from dealgraph.services.workspace import import_workspace

    moment = as_of or datetime.now(UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    moment = moment.replace(microsecond=0)
    playbook = get_playbook(DEFAULT_PLAYBOOK)
    started = time.perf_counter()
    document = build_demo_document(seed=seed, as_of=moment, playbook=playbook)
    generated = time.perf_counter()
    with database.session() as session:
        import_workspace(session, document)
        users = create_demo_users(session, document)
    imported = time.perf_counter()
    return dataclasses.replace(
        summarize(document, playbook=playbook, as_of=moment, seed=seed),
        generate_seconds=round(generated - started, 3),
        import_seconds=round(imported - generated, 3),
        users=users,
    )
