"""Buying teams: who sits on the buyer's side of a deal, at what level, with what stance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dealgraph.core.enums import Influence, ResponseMode, Role
from dealgraph.demo import names
from dealgraph.demo.world import SEGMENT_TOP_LEVEL, SEGMENTS

FILL_ROLES: tuple[Role, ...] = (
    Role.EVALUATOR,
    Role.USER,
    Role.INFLUENCER,
    Role.APPROVER,
    Role.DECISION_MAKER,
    Role.USER,
    Role.EVALUATOR,
    Role.GATEKEEPER,
    Role.OTHER,
)
FILL_WEIGHTS = np.array([0.2, 0.18, 0.14, 0.12, 0.1, 0.1, 0.08, 0.05, 0.03])

EB_LEVELS = {"SMB": (3, 4), "mid-market": (4, 5), "enterprise": (5, 6)}
DM_LEVELS = {"SMB": (3, 4), "mid-market": (4, 4), "enterprise": (4, 5)}

STANCES = np.array([-2, -1, 0, 1, 2])
STANCE_WEIGHTS = np.array([0.03, 0.09, 0.45, 0.35, 0.08])
MODES = (
    ResponseMode.GROWTH,
    ResponseMode.TROUBLE,
    ResponseMode.EVEN_KEEL,
    ResponseMode.OVERCONFIDENT,
)
MODE_WEIGHTS = np.array([0.36, 0.34, 0.18, 0.12])


@dataclass
class Person:
    """A stakeholder before it becomes a record: ``added`` is a simulation day."""

    id: int
    name: str
    title: str
    role: Role
    level: int
    stance: int
    influence: Influence
    response_mode: ResponseMode | None
    reports_to: int | None = None
    added: float = 0.0
    late: bool = False
    hidden: bool = False


def _level(rng: np.random.Generator, role: Role, segment: str) -> int:
    if role == Role.ECONOMIC_BUYER:
        low, high = EB_LEVELS[segment]
        return int(rng.integers(low, high + 1))
    if role == Role.DECISION_MAKER:
        low, high = DM_LEVELS[segment]
        return int(rng.integers(low, high + 1))
    options = [lv for lv in names.ROLE_TITLES[role] if lv <= SEGMENT_TOP_LEVEL[segment]]
    return int(options[int(rng.integers(len(options)))])


def _title(rng: np.random.Generator, role: Role, level: int) -> str:
    by_level = names.ROLE_TITLES[role]
    nearest = min(by_level, key=lambda lv: (abs(lv - level), lv))
    pool = by_level[nearest]
    return pool[int(rng.integers(len(pool)))]


def _influence(rng: np.random.Generator, level: int) -> Influence:
    roll = rng.random()
    if level >= 4:
        return Influence.HIGH if roll < 0.8 else Influence.MEDIUM
    if level == 3:
        return Influence.HIGH if roll < 0.3 else Influence.MEDIUM
    return Influence.MEDIUM if roll < 0.4 else Influence.LOW


def _stance(rng: np.random.Generator, role: Role) -> int:
    if role == Role.CHAMPION:
        return 2 if rng.random() < 0.6 else 1
    if role == Role.ECONOMIC_BUYER:
        return int(rng.choice([-1, 0, 1, 2], p=[0.08, 0.5, 0.35, 0.07]))
    return int(rng.choice(STANCES, p=STANCE_WEIGHTS))


def _mode(rng: np.random.Generator) -> ResponseMode | None:
    if rng.random() < 0.45:
        return None
    return MODES[int(rng.choice(len(MODES), p=MODE_WEIGHTS))]


def build_team(
    rng: np.random.Generator,
    *,
    segment: str,
    first_id: int,
    has_champion: bool,
    hidden_opponent: bool,
) -> list[Person]:
    """A buying team of 3–12 people, ids from ``first_id``, most senior first.

    ``reports_to`` always points at a more senior person listed earlier, so the
    reporting lines form a tree. ``hidden_opponent`` adds a powerful opponent the
    seller never meets (they are marked ``hidden``).
    """
    shape = SEGMENTS[segment]
    size = int(rng.integers(int(shape["team_min"]), int(shape["team_max"]) + 1))
    roles = [Role.ECONOMIC_BUYER] if rng.random() < 0.93 else []
    if has_champion:
        roles.append(Role.CHAMPION)
    roles.append(Role.EVALUATOR)
    roles.append(Role.USER)
    fill = rng.choice(len(FILL_ROLES), size=12, p=FILL_WEIGHTS / FILL_WEIGHTS.sum())
    roles.extend(FILL_ROLES[int(i)] for i in fill)
    roles = roles[: size - (1 if hidden_opponent else 0)]
    drafts: list[tuple[Role, int, int, bool]] = []  # role, level, stance, hidden
    for role in roles:
        drafts.append((role, _level(rng, role, segment), _stance(rng, role), False))
    if hidden_opponent:
        role = Role.INFLUENCER if rng.random() < 0.6 else Role.DECISION_MAKER
        level = max(4, min(SEGMENT_TOP_LEVEL[segment], _level(rng, role, segment)))
        drafts.append((role, level, -2 if rng.random() < 0.5 else -1, True))
    # most senior first: ids then grow downwards, and reports_to points up the list
    order = sorted(range(len(drafts)), key=lambda i: (-drafts[i][1], i))
    used: set[str] = set()
    team: list[Person] = []
    for rank, index in enumerate(order):
        role, level, stance, hidden = drafts[index]
        name = _unique_name(rng, used)
        influence = Influence.HIGH if hidden else _influence(rng, level)
        person = Person(
            id=first_id + rank,
            name=name,
            title=_title(rng, role, level),
            role=role,
            level=level,
            stance=stance,
            influence=influence,
            response_mode=_mode(rng),
            hidden=hidden,
        )
        seniors = [p for p in team if p.level > level] or team[:1]
        if seniors:
            person.reports_to = seniors[int(rng.integers(len(seniors)))].id
        team.append(person)
    return team


def _unique_name(rng: np.random.Generator, used: set[str]) -> str:
    while True:
        first = names.FIRST_NAMES[int(rng.integers(len(names.FIRST_NAMES)))]
        last = names.LAST_NAMES[int(rng.integers(len(names.LAST_NAMES)))]
        name = f"{first} {last}"
        if name not in used:
            used.add(name)
            return name


def first_contact(team: list[Person]) -> Person:
    """Who the seller met first: the champion, else an evaluator, else the most junior."""
    for role in (Role.CHAMPION, Role.EVALUATOR, Role.USER):
        for person in team:
            if person.role == role and not person.hidden:
                return person
    visible = [p for p in team if not p.hidden] or team
    return visible[-1]
