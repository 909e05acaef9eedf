"""The plotly figures are plain JSON built from core data: positions, colours, escaping."""

from __future__ import annotations

import json
from datetime import datetime

from dealgraph.core.enums import Channel, DecisionStatus, Direction, Influence, Role
from dealgraph.core.model import Deal, DealRecord, Decision, Interaction, Stakeholder
from dealgraph.web import charts

START = datetime(2026, 1, 5, 9, 0)


def record() -> DealRecord:
    people = [
        Stakeholder(
            id=1, name="Ana", role=Role.ECONOMIC_BUYER, level=6, stance=2, influence=Influence.HIGH
        ),
        Stakeholder(id=2, name="Ben", role=Role.CHAMPION, level=3, stance=1, reports_to=1),
        Stakeholder(
            id=3,
            name="<b>Cleo</b>",
            role=Role.USER,
            level=1,
            stance=-2,
            influence=Influence.LOW,
            reports_to=1,
        ),
        Stakeholder(id=4, name="Dev", role=Role.EVALUATOR, stance=0, reports_to=2),
    ]
    decisions = [
        Decision(id=10, title="Agree the problem", status=DecisionStatus.DECIDED),
        Decision(id=11, title="Set success criteria", requires=[10], owners=[1, 2]),
        Decision(id=12, title="Shortlist", requires=[10]),
        Decision(id=13, title="Choose", requires=[11, 12], status=DecisionStatus.BLOCKED),
    ]
    touch = Interaction(
        id=5,
        occurred_at=START,
        channel=Channel.VIRTUAL,
        direction=Direction.TWO_WAY,
        participants=[1, 2],
    )
    deal = Deal(id=1, title="Fleet", owner="sam", created_at=START)
    return DealRecord(deal=deal, stakeholders=people, decisions=decisions, interactions=[touch])


def test_team_layout_puts_bosses_above_reports_without_crossing() -> None:
    positions = charts.team_layout(record().stakeholders)
    assert positions[1][1] == 0 and positions[2][1] == -1 and positions[4][1] == -2
    # Ana sits over the middle of her two reports; Dev under Ben.
    assert positions[1][0] == (positions[2][0] + positions[3][0]) / 2
    assert positions[4][0] == positions[2][0]
    assert positions[2][0] < positions[3][0]


def test_team_layout_keeps_people_whose_boss_is_outside_the_team() -> None:
    lonely = [Stakeholder(id=7, name="Eve", reports_to=99), Stakeholder(id=8, name="Fay")]
    assert set(charts.team_layout(lonely)) == {7, 8}


def test_team_map_encodes_stance_influence_level_role_and_engagement() -> None:
    figure = charts.team_map_figure(record())
    json.dumps(figure)  # plain JSON, nothing plotly-specific
    people = [t for t in figure["data"] if t.get("customdata")]
    by_id = {}
    for trace in people:
        for index, person_id in enumerate(trace["customdata"]):
            by_id[person_id] = (trace, index)
    ana_trace, ana = by_id[1]
    assert ana_trace["marker"]["color"] == charts.STANCE_COLOURS[2]
    assert ana_trace["marker"]["size"][ana] == charts.INFLUENCE_SIZES[Influence.HIGH]
    assert ana_trace["marker"]["line"]["width"][ana] == charts.level_ring(6)[0]
    assert ana_trace["text"][ana] == "EB"
    assert ana_trace["marker"]["opacity"][ana] == 1.0  # took part in a two-way meeting
    dev_trace, dev = by_id[4]
    assert dev_trace["marker"]["opacity"][dev] < 1.0  # never engaged
    legend = [t["name"] for t in figure["data"] if t.get("showlegend", True)]
    assert "champion (+2)" in legend and "not engaged yet" in legend
    edges = figure["data"][0]
    assert edges["x"].count(None) == 3  # three reporting lines


def test_team_map_escapes_names_for_plotly_markup() -> None:
    figure = charts.team_map_figure(record())
    text = json.dumps(figure)
    assert "<b>Cleo</b>" not in text
    assert "&lt;b&gt;Cleo&lt;/b&gt;" in text


def test_decision_graph_layers_left_to_right_and_marks_the_critical_path() -> None:
    positions = charts.decision_layout(record().decisions)
    assert positions[10][0] == 0 and positions[11][0] == 1 and positions[12][0] == 1
    assert positions[13][0] == 2
    figure = charts.decision_graph_figure(record(), critical=[11, 13], level_gaps=[13])
    plain, hot = figure["data"][0], figure["data"][1]
    assert hot["name"] == "critical path" and hot["line"]["color"] == charts.CRITICAL_COLOUR
    assert hot["x"] == [positions[11][0], positions[13][0], None]
    assert len(plain["x"]) == 3 * 3  # 10→11, 10→12, 12→13
    blocked = next(t for t in figure["data"] if t["name"] == "blocked")
    assert blocked["marker"]["color"] == charts.STATUS_COLOURS[DecisionStatus.BLOCKED]
    assert blocked["marker"]["line"]["color"] == [charts.CRITICAL_COLOUR]
    assert blocked["text"][0].endswith("▲")
    assert "level gap" in blocked["hovertext"][0]
    open_trace = next(t for t in figure["data"] if t["name"] == "open")
    hover = open_trace["hovertext"][open_trace["customdata"].index(11)]
    assert "owners: Ana, Ben" in hover


def test_empty_deal_draws_empty_figures() -> None:
    bare = DealRecord(deal=Deal(id=2, title="Empty", owner="sam", created_at=START))
    assert [t["name"] for t in charts.team_map_figure(bare)["data"]] == ["reports to", "names"]
    assert len(charts.decision_graph_figure(bare)["data"]) == 2


def test_stage_value_bars() -> None:
    figure = charts.stage_value_figure([("Assemble", 2, [("USD", 1500.0)]), ("Choose", 1, [])])
    (bars,) = figure["data"]
    assert bars["name"] == "USD"
    assert bars["x"] == ["Assemble", "Choose"] and bars["y"] == [1500.0, 0.0]
    assert bars["customdata"] == [2, 1]
    assert figure["layout"]["showlegend"] is False


def test_stage_value_bars_stack_currencies_without_adding_them() -> None:
    figure = charts.stage_value_figure(
        [("Assemble", 3, [("USD", 1500.0), ("EUR", 400.0)]), ("Choose", 1, [("EUR", 900.0)])]
    )
    by_currency = {trace["name"]: trace["y"] for trace in figure["data"]}
    assert by_currency == {"EUR": [400.0, 900.0], "USD": [1500.0, 0.0]}
    assert [trace["name"] for trace in figure["data"]] == ["USD", "EUR"]
    assert figure["layout"]["barmode"] == "stack" and figure["layout"]["showlegend"] is True
