"""The goal tree against fixtures computed by hand (every number below is worked in a comment)."""

from __future__ import annotations

import math
from datetime import date

import pytest

from dealgraph.errors import InvalidInput
from dealgraph.planning.funnel import GoalNode, GoalTree, build_goal_tree, ceil_count, walk_back
from dealgraph.planning.period import parse_period
from tests.planning.quota_fixtures import make_rates, plan, stage_rate, staged_rates

Q1 = parse_period("2027Q1")  # 2027-01-01 .. 2027-03-31


def chain(tree: GoalTree) -> list[GoalNode]:
    """The nodes from the root down, always following the first child."""
    nodes = [tree.root]
    while nodes[-1].children:
        nodes.append(nodes[-1].children[0])
    return nodes


def find(node: GoalNode, key: str) -> GoalNode:
    if node.key == key:
        return node
    for child in node.children:
        try:
            return find(child, key)
        except KeyError:
            continue
    raise KeyError(key)


# -- fixture 1: the brief's numbers --------------------------------------------------------


def test_quota_to_coverage_by_hand() -> None:
    # 2,000,000 / 60,000 = 33.33 -> 34 wins; 34 / 0.22 = 154.5 -> 155 opportunities;
    # 155 x 60,000 = 9,300,000 pipeline; 9,300,000 / 2,000,000 = 4.65x coverage.
    tree = build_goal_tree(quota=2_000_000, period=Q1, rates=make_rates())
    assert (tree.wins, tree.opportunities) == (34, 155)
    assert tree.pipeline == 9_300_000
    assert tree.coverage == pytest.approx(4.65, abs=1e-12)
    assert [n.key for n in chain(tree)] == ["quota", "wins", "opportunities"]
    quota, wins, opportunities = chain(tree)
    assert quota.value == 2_000_000 and quota.count is None
    assert (wins.count, wins.rate, wins.rate_source) == (34, 60_000, "plan file")
    assert opportunities.count == 155 and opportunities.value == 9_300_000
    assert "2,000,000 USD / 60,000 USD average won deal = 33.3, rounded up to 34" in wins.why
    assert "34 wins / 22.0% win rate = 154.5, rounded up to 155" in opportunities.why
    assert "4.65x the quota" in opportunities.why
    # No stage conversions: no advances, so no conversations or activities.
    assert tree.advances is None and tree.conversations is None and tree.channels == []


def test_win_rate_sensitivity_matches_the_difference_and_the_derivative() -> None:
    tree = build_goal_tree(quota=2_000_000, period=Q1, rates=make_rates())
    node = find(tree.root, "opportunities")
    assert node.sensitivity is not None
    # One point lower: 34 / 0.21 = 161.9 -> 162, i.e. 7 more opportunities, 7 x 60,000.
    assert node.sensitivity.extra_opportunities == 162 - 155 == 7
    assert node.sensitivity.extra_pipeline == 420_000
    # The closed-form derivative of 34 / w at w = 0.22, times one point: 34 / 0.22^2 / 100.
    derivative = 34 / 0.22**2 / 100
    assert derivative == pytest.approx(7.02, abs=0.01)
    assert abs(node.sensitivity.extra_opportunities - derivative) < 1
    # A 1 % smaller deal (59,400): 2,000,000 / 59,400 = 33.7 -> still 34 wins, no change.
    wins = find(tree.root, "wins")
    assert wins.sensitivity is not None
    assert (wins.sensitivity.extra_opportunities, wins.sensitivity.extra_pipeline) == (0, 0)


# -- fixture 2: four stage conversions ------------------------------------------------------


def test_stage_walk_back_by_hand() -> None:
    # 1,000,000 / 25,000 = 40 wins exactly.
    # commit:   40 / 0.8 = 50        -> 50
    # validate: 50 / 0.7 = 71.43     -> 72
    # qualify:  72 / 0.6 = 120       -> 120
    # discover: 120 / 0.5 = 240      -> 240 opportunities, 6,000,000 pipeline, 6x.
    tree = build_goal_tree(quota=1_000_000, period=Q1, rates=staged_rates())
    keys = [n.key for n in chain(tree)]
    assert keys == [
        "quota",
        "wins",
        "stage:commit",
        "stage:validate",
        "stage:qualify",
        "stage:discover",
        "conversations",
        "conversations_per_seller_week",
    ]
    assert [n.count for n in chain(tree)[1:6]] == [40, 50, 72, 120, 240]
    assert (tree.opportunities, tree.pipeline, tree.coverage) == (240, 6_000_000, 6.0)
    commit = find(tree.root, "stage:commit")
    assert commit.rate == 0.8 and commit.value == 50 * 25_000
    assert "40 wins, and 80.0% of the deals reaching Commit are won" in commit.why
    validate = find(tree.root, "stage:validate")
    assert "50 must reach Commit, and 70.0% of the deals reaching Validate get there" in (
        validate.why
    )


def test_conversations_and_activities_per_seller_per_week_by_hand() -> None:
    # Advances = entries into qualify, validate, commit and the win: 120 + 72 + 50 + 40 = 282.
    # Conversations 282 x 2.5 = 705; activities 282 x 6 = 1,692.
    # 5 sellers x 12 weeks = 60 seller-weeks: 705 / 60 = 11.75 -> 12; 1,692 / 60 = 28.2 -> 29.
    tree = build_goal_tree(quota=1_000_000, period=Q1, rates=staged_rates())
    assert (tree.advances, tree.conversations, tree.activities) == (282, 705, 1692)
    talk = find(tree.root, "conversations")
    acts = find(tree.root, "activities")
    assert find(talk, "conversations_per_seller_week").count == 12
    assert find(acts, "activities_per_seller_week").count == 29
    assert find(acts, "activities_per_seller_week").rate == 60
    assert acts in talk.children  # activities include the conversations
    channels = {c.channel: c for c in tree.channels}
    # field 282 x 1.0, virtual 282 x 1.5 = 423, email 282 x 3.5 = 987; field per week 282 / 60.
    assert {k: c.total for k, c in channels.items()} == {"field": 282, "virtual": 423, "email": 987}
    assert channels["field"].per_seller_week == pytest.approx(4.7)


def test_stage_sensitivities_by_hand() -> None:
    tree = build_goal_tree(quota=1_000_000, period=Q1, rates=staged_rates())
    extra = {
        key: find(tree.root, key).sensitivity
        for key in ("stage:commit", "stage:validate", "stage:qualify", "stage:discover", "wins")
    }
    counts = {key: (s.extra_opportunities, s.extra_pipeline) for key, s in extra.items() if s}
    # commit 0.79:   40/0.79=50.6->51, 51/0.7=72.9->73, 73/0.6=121.7->122, 122/0.5=244 (+4)
    # validate 0.69: 50/0.69=72.5->73, 73/0.6=121.7->122, 244 (+4)
    # qualify 0.59:  72/0.59=122.03->123, 123/0.5=246 (+6)
    # discover 0.49: 120/0.49=244.9->245 (+5)
    # deal 24,750:   1,000,000/24,750=40.4->41 wins, 41/0.8=51.25->52, 52/0.7=74.3->75,
    #                75/0.6=125->125, 125/0.5=250 (+10, at 24,750 each)
    assert counts == {
        "stage:commit": (4, 100_000),
        "stage:validate": (4, 100_000),
        "stage:qualify": (6, 150_000),
        "stage:discover": (5, 125_000),
        "wins": (10, 247_500),
    }
    # Without rounding, the discover step is O = W / prod(c): dO/dc = -O / c; at one point
    # 40 / 0.168 / 0.5 / 100 = 4.76 more, which the rounded walk lands next to.
    assert abs(5 - 40 / 0.168 / 0.5 / 100) < 1


def test_time_phasing_per_stage_by_hand() -> None:
    tree = build_goal_tree(
        quota=1_000_000, period=Q1, rates=staged_rates(), as_of=date(2026, 12, 1)
    )
    windows = {w.stage: w for w in tree.time_phasing}
    assert list(windows) == ["discover", "qualify", "validate", "commit"]
    discover = windows["discover"]  # 100 days p50, 150 days p90
    assert discover.count == 240
    assert (discover.enter_from, discover.enter_by) == (date(2026, 9, 23), date(2026, 12, 21))
    assert (discover.slow_from, discover.slow_by) == (date(2026, 8, 4), date(2026, 11, 1))
    assert not discover.late  # 2026-12-21 is after 2026-12-01
    commit = windows["commit"]  # 20 days p50, 40 days p90
    assert (commit.enter_from, commit.enter_by) == (date(2026, 12, 12), date(2027, 3, 11))
    assert (commit.slow_from, commit.slow_by) == (date(2026, 11, 22), date(2027, 2, 19))
    assert commit.sentence.startswith(
        "50 opportunities must reach Commit between 2026-12-12 and 2027-03-11"
    )


# -- fixture 3: no stages, time-phased by the cycle -----------------------------------------


def test_pipeline_creation_window_from_the_cycle_by_hand() -> None:
    # 500,000 / 20,000 = 25 wins; 25 / 0.25 = 100 opportunities exactly.
    # Created 60 days (p50) before the period: 2027-01-01 - 60 = 2026-11-02 .. 2027-03-31 - 60
    # = 2027-01-30; slow deals (100 days): 2026-09-23 .. 2026-12-21.
    rates = make_rates(average_deal=plan(20_000), win_rate=plan(0.25))
    tree = build_goal_tree(quota=500_000, period=Q1, rates=rates, as_of=date(2027, 2, 1))
    assert (tree.wins, tree.opportunities, tree.coverage) == (25, 100, 4.0)
    (window,) = tree.time_phasing
    assert window.stage == "opportunities" and window.count == 100
    assert (window.enter_from, window.enter_by) == (date(2026, 11, 2), date(2027, 1, 30))
    assert (window.slow_from, window.slow_by) == (date(2026, 9, 23), date(2026, 12, 21))
    assert window.late  # 2027-01-30 is before 2027-02-01
    assert window.sentence.startswith("100 opportunities must be created between 2026-11-02")


def test_the_tree_is_plain_json() -> None:
    tree = build_goal_tree(quota=1_000_000, period=Q1, rates=staged_rates())
    data = tree.model_dump(mode="json")
    node = data["root"]["children"][0]
    assert set(node) == {
        "key",
        "label",
        "count",
        "value",
        "rate",
        "rate_label",
        "rate_source",
        "why",
        "sensitivity",
        "children",
    }
    assert node["children"][0]["sensitivity"] == {
        "per": "1 percentage point",
        "extra_opportunities": 4,
        "extra_pipeline": 100_000.0,
    }
    assert GoalTree.model_validate(data) == tree


# -- helpers and bad input -------------------------------------------------------------------


def test_rounding_up_ignores_float_noise_only() -> None:
    assert 21 / 0.7 > 30  # 30.000000000000004: float noise that must not make 31 deals
    assert ceil_count(21 / 0.7) == 30
    assert ceil_count(120.0001) == 121
    assert walk_back(34, [0.5, 0.44]) == [156, 78]  # 34/0.44 = 77.3 -> 78; 78/0.5 = 156


@pytest.mark.parametrize("quota", [0.0, -5.0, math.nan, math.inf])
def test_quota_must_be_positive(quota: float) -> None:
    with pytest.raises(InvalidInput) as error:
        build_goal_tree(quota=quota, period=Q1, rates=make_rates())
    assert error.value.where == "quota"


@pytest.mark.parametrize("win_rate", [0.0, 1.2])
def test_win_rate_must_be_a_share(win_rate: float) -> None:
    with pytest.raises(InvalidInput) as error:
        build_goal_tree(quota=1_000, period=Q1, rates=make_rates(win_rate=plan(win_rate)))
    assert error.value.where == "win_rate"
    assert f"got {win_rate:g}" in str(error.value)


def test_conversion_must_be_a_share() -> None:
    rates = staged_rates(conversions=[stage_rate("discover", "closed_won", 0.0)])
    with pytest.raises(InvalidInput) as error:
        build_goal_tree(quota=1_000, period=Q1, rates=rates)
    assert error.value.where == "conversion -> discover"


def test_every_stage_needs_its_days_to_a_win() -> None:
    with pytest.raises(InvalidInput) as error:
        build_goal_tree(quota=1_000, period=Q1, rates=staged_rates(timing=[]))
    assert str(error.value) == "timing: no days to a win for discover, qualify, validate, commit"
