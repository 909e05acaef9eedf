"""Semantic checks of a scenario against its playbook: stages, channels, sums, ways out.

The checks read a schema-valid :class:`Scenario` and return findings located by their path
in the scenario data; the loader turns paths into file, line and column. Every problem is
reported, not only the first.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import networkx as nx

from dealgraph.core.enums import Channel
from dealgraph.core.playbook.checks import Finding
from dealgraph.core.playbook.schema import Playbook
from dealgraph.planning.scenario import (
    OUTCOMES,
    SUM_TOLERANCE,
    WON,
    Scenario,
    StageSpec,
    default_advance,
    default_back,
    target_shares,
    working_stages,
)

CHANNELS = tuple(channel.value for channel in Channel)
ABSORBING = (WON, "lost", "no_decision")


def check_scenario(scenario: Scenario, playbook: Playbook) -> list[Finding]:
    """Every semantic problem of a schema-valid scenario on ``playbook``.

    Example:
        >>> [f.code for f in check_scenario(scenario, playbook)]  # doctest: +SKIP
        ['probability-sum', 'unknown-channel']
    """
    findings = check_keys(scenario.model_dump(), playbook)
    return findings + check_values(scenario, playbook, keys_ok=not findings)


def check_keys(data: Mapping[str, object], playbook: Playbook) -> list[Finding]:
    """Problems with the stage and channel names of scenario data, read leniently.

    It runs on the raw data even when the schema fails elsewhere, so a file with a
    mistyped number still hears about its unknown stage.
    """
    stages = data.get("stages")
    channels = data.get("channels")
    findings: list[Finding] = []
    if isinstance(stages, Mapping):
        findings += _stage_keys([str(k) for k in stages], playbook)
    if isinstance(channels, Mapping):
        findings += [
            _unknown_channel(("channels", c), str(c)) for c in channels if c not in CHANNELS
        ]
    if not isinstance(stages, Mapping):
        return findings
    costed = set(channels) if isinstance(channels, Mapping) else set()
    for key, spec in stages.items():
        mix = spec.get("mix") if isinstance(spec, Mapping) else None
        if not isinstance(mix, Mapping):
            continue
        for channel, count in mix.items():
            path = ("stages", str(key), "mix", str(channel))
            if channel not in CHANNELS:
                findings.append(_unknown_channel(path, str(channel)))
            elif channel not in costed and not (isinstance(count, int | float) and count <= 0):
                message = (
                    f"channel `{channel}` is in the mix of `{key}` but has no hours and cost "
                    "in `channels`"
                )
                findings.append(Finding(path, "missing-channel", message, (), "key"))
    return findings


def check_values(scenario: Scenario, playbook: Playbook, *, keys_ok: bool) -> list[Finding]:
    """Problems with the numbers and targets of a schema-valid scenario.

    The closed-loop check runs only when nothing else is wrong (``keys_ok`` and no other
    finding), since it needs every target to exist.
    """
    findings: list[Finding] = []
    known = set(working_stages(playbook))
    for key, spec in scenario.stages.items():
        if key in known:
            findings += _stage(playbook, key, spec)
        findings += _days(key, spec)
    if scenario.value.p90 < scenario.value.p50:
        findings.append(
            Finding(
                ("value", "p90"),
                "value-order",
                f"value p90 ({scenario.value.p90:g}) is below its p50 ({scenario.value.p50:g})",
            )
        )
    if keys_ok and not findings:
        findings += _traps(scenario, playbook)
    return findings


def _stage_keys(keys: list[str], playbook: Playbook) -> list[Finding]:
    findings: list[Finding] = []
    working = working_stages(playbook)
    for key in keys:
        if key not in playbook.journey_order:
            close = tuple(difflib.get_close_matches(key, working, n=3))
            hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
            message = f"unknown stage `{key}`: playbook `{playbook.key}` has no such stage{hint}"
            findings.append(Finding(("stages", key), "unknown-stage", message, close, "key"))
        elif key not in working:
            message = (
                f"stage `{key}` is a won end: a deal that reaches it is won, so it takes "
                "no mix, probabilities or days"
            )
            findings.append(Finding(("stages", key), "won-end-stage", message, (), "key"))
    missing = [key for key in working if key not in keys]
    if missing:
        names = ", ".join(f"`{key}`" for key in missing)
        message = f"`stages` is missing working stage(s) {names} of playbook `{playbook.key}`"
        findings.append(Finding(("stages",), "missing-stage", message, tuple(missing), "key"))
    return findings


def _unknown_channel(path: tuple[str | int, ...], channel: str) -> Finding:
    close = tuple(difflib.get_close_matches(channel, CHANNELS, n=3))
    hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
    message = f"unknown channel `{channel}`; channels are {', '.join(CHANNELS)}{hint}"
    return Finding(path, "unknown-channel", message, close, "key")


def _stage(playbook: Playbook, key: str, spec: StageSpec) -> list[Finding]:
    findings: list[Finding] = []
    total = sum(getattr(spec, kind) for kind in OUTCOMES)
    if abs(total - 1.0) > SUM_TOLERANCE:
        parts = " + ".join(f"{kind} {getattr(spec, kind):g}" for kind in OUTCOMES)
        message = f"stage `{key}`: {parts} = {total:.6g}; the four must sum to 1"
        findings.append(Finding(("stages", key), "probability-sum", message, (), "key"))
    index = playbook.stage_index(key)
    for kind, spread, fallback in (
        ("advance", spec.advance_to, default_advance(playbook, key)),
        ("back", spec.back_to, default_back(playbook, key)),
    ):
        path = ("stages", key, f"{kind}_to")
        if spread is not None:
            findings += _targets(playbook, key, index, kind, spread, path)
        elif getattr(spec, kind) > 0 and fallback is None:
            where = "after the last stage" if kind == "advance" else "before the first stage"
            message = (
                f"stage `{key}`: {kind} is {getattr(spec, kind):g} but there is no stage "
                f"{where}; give `{kind}_to` or set `{kind}: 0`"
            )
            findings.append(Finding(("stages", key, kind), "no-target", message))
    return findings


def _targets(
    playbook: Playbook,
    key: str,
    index: int,
    kind: str,
    spread: dict[str, float],
    path: tuple[str | int, ...],
) -> list[Finding]:
    findings: list[Finding] = []
    for target in spread:
        if target not in playbook.journey_order:
            close = tuple(difflib.get_close_matches(target, playbook.journey_order, n=3))
            hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
            message = f"unknown stage `{target}` in `{kind}_to` of `{key}`{hint}"
            findings.append(Finding((*path, target), "unknown-stage", message, close, "key"))
            continue
        forward = playbook.stage_index(target) > index
        if (kind == "advance") != forward:
            way = "later" if kind == "advance" else "earlier"
            message = f"`{kind}_to` of `{key}` names `{target}`, which is not {way} in the journey"
            findings.append(Finding((*path, target), "wrong-direction", message, (), "key"))
        elif kind == "back" and playbook.stage(target).end == "won":
            message = f"`back_to` of `{key}` names the won end `{target}`"
            findings.append(Finding((*path, target), "wrong-direction", message, (), "key"))
    total = sum(spread.values())
    if spread and abs(total - 1.0) > SUM_TOLERANCE:
        message = f"the shares of `{kind}_to` of `{key}` sum to {total:.6g}; they must sum to 1"
        findings.append(Finding(path, "probability-sum", message))
    elif not spread:
        message = f"`{kind}_to` of `{key}` is empty; name at least one stage or leave it out"
        findings.append(Finding(path, "wrong-value", message))
    return findings


def _days(key: str, spec: StageSpec) -> list[Finding]:
    days = spec.days
    path = ("stages", key, "days")
    if days.p90 is not None and days.sigma is not None:
        message = f"days of `{key}`: give `p90` or `sigma`, not both"
        return [Finding((*path, "sigma"), "wrong-value", message, (), "key")]
    if days.p90 is None and days.sigma is None:
        message = f"days of `{key}` needs `p90` (or the lognormal `sigma`) beside `p50`"
        return [Finding(path, "missing-field", message)]
    if days.p90 is not None and days.p90 < days.p50:
        message = f"days of `{key}`: p90 ({days.p90:g}) is below p50 ({days.p50:g})"
        return [Finding((*path, "p90"), "duration-order", message)]
    return []


def _traps(scenario: Scenario, playbook: Playbook) -> list[Finding]:
    """Stages from which no deal can ever end (won, lost or no decision): a closed loop."""
    graph = nx.DiGraph()
    graph.add_nodes_from(ABSORBING)
    for key, spec in scenario.stages.items():
        graph.add_node(key)
        for target in target_shares(playbook, key, spec):
            graph.add_edge(key, target)
    reverse = graph.reverse(copy=False)
    can_end: set[str] = set()
    for end in ABSORBING:
        can_end |= set(nx.descendants(reverse, end)) | {end}
    findings = []
    for key in scenario.stages:
        if key not in can_end:
            message = (
                f"a deal in `{key}` can never end: every move from it leads back into "
                "stages with no chance to win, be lost or end with no decision"
            )
            findings.append(Finding(("stages", key), "no-way-out", message, (), "key"))
    return findings
