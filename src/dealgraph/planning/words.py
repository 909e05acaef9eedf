"""Features and their effect on a win probability, said in words for people.

Example:
    >>> Words("{v:.0f} days since last interaction", one="1 day since last interaction").say(14.0)
    '14 days since last interaction'
    >>> log_odds_text(-0.4213)
    '−0.42 log-odds'
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dealgraph.core.enums import Channel, Role

MINUS = "\u2212"

ROLE_WORDS: dict[Role, str] = {
    Role.ECONOMIC_BUYER: "Economic buyer",
    Role.DECISION_MAKER: "Decision maker",
    Role.APPROVER: "Approver",
    Role.EVALUATOR: "Evaluator",
    Role.USER: "User",
    Role.CHAMPION: "Champion",
    Role.INFLUENCER: "Influencer",
    Role.GATEKEEPER: "Gatekeeper",
    Role.OTHER: "Other stakeholder",
}

CHANNEL_WORDS: dict[Channel, str] = {
    Channel.FIELD: "in the field",
    Channel.INSIDE: "by inside sales",
    Channel.VIRTUAL: "in virtual meetings",
    Channel.SOCIAL: "on social media",
    Channel.EMAIL: "by email",
    Channel.PHONE: "by phone",
    Channel.EVENT: "at events",
}


@dataclass(frozen=True)
class Words:
    """How to say one feature's value.

    ``text`` is a format string over ``v``; ``negative`` makes it a yes/no flag (said when
    the value is 0); ``one`` and ``zero`` replace the text for those rounded values,
    ``below_zero`` for negative ones (formatted with the absolute value); ``money`` means the
    value is ``log1p`` of an amount and is said as the amount.
    """

    text: str
    negative: str | None = None
    one: str | None = None
    zero: str | None = None
    below_zero: str | None = None
    money: bool = False

    def say(self, value: float | str) -> str:
        """The value in words."""
        if isinstance(value, str):
            return self.text.format(v=value)
        if self.negative is not None:
            return self.text if value >= 0.5 else self.negative
        if self.money:
            return self.text.format(v=math.expm1(value))
        if value < 0 and self.below_zero is not None:
            return self.below_zero.format(v=abs(value))
        rounded = round(value)
        if self.zero is not None and rounded == 0:
            return self.zero
        if self.one is not None and rounded == 1:
            return self.one
        return self.text.format(v=value)


def log_odds_text(contribution: float) -> str:
    """A contribution as people read it: ``+0.31 log-odds`` or ``−0.42 log-odds``."""
    sign = "+" if contribution >= 0 else MINUS
    return f"{sign}{abs(contribution):.2f} log-odds"
