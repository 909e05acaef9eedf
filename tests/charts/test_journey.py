"""The journey map's top row: the playbook's stages when present, else the log's main path."""

from __future__ import annotations

from dealgraph.analytics.journey import ActivityCount, JourneyEdge, JourneyMap
from dealgraph.charts.journey import journey_backbone


def _map(edges: list[tuple[str, str, int]], starts: dict[str, int]) -> JourneyMap:
    return JourneyMap(
        cases=sum(starts.values()),
        events=0,
        edges=[
            JourneyEdge(
                source=a, target=b, count=n, median_seconds=0, mean_seconds=0, p90_seconds=0
            )
            for a, b, n in edges
        ],
        starts=[ActivityCount(activity=name, count=n) for name, n in starts.items()],
    )


# Two routes from "in": via "x" (4 cases) or via "y" (6), both on to "out"; "y" loops back.
ROUTES = _map(
    [("in", "x", 4), ("in", "y", 6), ("x", "out", 4), ("y", "out", 5), ("y", "in", 1)],
    {"in": 9, "y": 1},
)


def test_main_path_follows_the_busiest_edge_from_the_busiest_start() -> None:
    assert journey_backbone(ROUTES) == ["in", "y", "out"]


def test_main_path_never_revisits_and_breaks_ties_by_name() -> None:
    loop = _map([("a", "b", 2), ("b", "a", 5), ("b", "d", 2), ("b", "c", 2)], {"a": 1, "b": 1})
    # Starts tie at 1: "a" comes first; from "b" the busiest edge goes back to "a", so the
    # path takes the best unvisited target, "c" before "d" on the tie.
    assert journey_backbone(loop) == ["a", "b", "c"]


def test_preferred_stages_in_their_own_order_when_two_are_present() -> None:
    assert journey_backbone(ROUTES, ["draft", "out", "x", "in"]) == ["out", "x", "in"]
    # One preferred stage alone is no row: the main path is used.
    assert journey_backbone(ROUTES, ["out", "nowhere"]) == ["in", "y", "out"]


def test_an_empty_map_has_an_empty_row() -> None:
    assert journey_backbone(_map([], {})) == []
