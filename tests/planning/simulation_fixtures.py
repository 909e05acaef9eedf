"""Small hand-made playbooks and scenario texts for the simulation tests."""

from __future__ import annotations

from collections.abc import Callable

from dealgraph.core.playbook.schema import Duration, Playbook, Stage
from dealgraph.errors import NotFound


def tiny_playbook(*working: str) -> Playbook:
    """A playbook with the given working stages in order, then the won end ``done``."""
    keys = [*working, "done"]
    stages = [
        Stage(
            key=key,
            title=key.title(),
            goal=f"finish {key}",
            duration=Duration(p50=10, p90=20),
            level=3,
            next=[keys[i + 1]] if i + 1 < len(keys) else [],
            end="won" if key == "done" else None,
        )
        for i, key in enumerate(keys)
    ]
    return Playbook(key="tiny", title="Tiny", stages=stages)


def playbooks_with(playbook: Playbook) -> Callable[[str], Playbook]:
    """A playbook source for the loader that knows only ``playbook``."""

    def lookup(key: str) -> Playbook:
        if key != playbook.key:
            raise NotFound("playbook", key)
        return playbook

    return lookup


TWO_STAGES = """\
title: Two stages
playbook: tiny
value: {p50: 1000, p90: 1000, currency: EUR}
channels:
  field: {hours: 2, cost: 300}
  email: {hours: 0.5, cost: 20}
stages:
  first:
    mix: {field: 1, email: 3}
    advance: 0.8
    back: 0
    lost: 0.1
    no_decision: 0.1
    days: {p50: 10, p90: 10}
  second:
    mix: {field: 2}
    advance: 0.6
    back: 0.2
    lost: 0.15
    no_decision: 0.05
    days: {p50: 5, sigma: 0}
"""
"""A two-stage chain small enough to solve by hand (see test_markov.py)."""
