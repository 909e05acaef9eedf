"""GPS and signals through the services, and the workspace history they learn from."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dealgraph.core.enums import Channel, Direction, Outcome
from dealgraph.core.model import Interaction
from dealgraph.services import interactions
from dealgraph.services.gps import deal_gps, deal_signals, workspace_history
from tests.factories import make_workspace

AS_OF = datetime(2026, 11, 23, 12, 0)


def test_history_is_reused_until_the_data_behind_it_changes(session: Session) -> None:
    workspace = make_workspace(session)
    first = workspace_history(session, playbook_key="buyer-journey")
    assert workspace_history(session, playbook_key="buyer-journey") is first

    deal_id = workspace.deals[0]
    interactions.log_interaction(
        session,
        deal_id=deal_id,
        interaction=Interaction(
            occurred_at=AS_OF,
            channel=Channel.EVENT,
            direction=Direction.TWO_WAY,
            play="status_quo_conversation",
            outcome=Outcome.ADVANCED,
        ),
        as_of=AS_OF,
    )
    second = workspace_history(session, playbook_key="buyer-journey")
    assert second is not first
    before = first.play_counts("status_quo_conversation", "event")
    after = second.play_counts("status_quo_conversation", "event")
    assert after == (before[0] + 1, before[1] + 1)


def test_gps_and_signals_read_the_stored_deal(session: Session) -> None:
    workspace = make_workspace(session)
    deal_id = workspace.deals[0]
    report = deal_gps(session, deal_id=deal_id, seed=3, as_of=AS_OF)
    assert report.deal_id == deal_id
    assert report == deal_gps(session, deal_id=deal_id, seed=3, as_of=AS_OF)
    signals = deal_signals(session, deal_id=deal_id, as_of=AS_OF)
    assert [s.key for s in signals] == [s.key for s in report.signals]


def test_event_log_is_reused_until_the_data_behind_it_changes(session: Session) -> None:
    from dealgraph.services.patterns import cached_event_log

    workspace = make_workspace(session)
    events, cases = cached_event_log(session)
    assert cached_event_log(session)[0] is events
    interactions.log_interaction(
        session,
        deal_id=workspace.deals[0],
        interaction=Interaction(occurred_at=AS_OF, channel=Channel.EMAIL, summary="recap"),
        as_of=AS_OF,
    )
    fresh, fresh_cases = cached_event_log(session)
    assert fresh.num_rows == events.num_rows + 1
    assert fresh_cases.num_rows == cases.num_rows
