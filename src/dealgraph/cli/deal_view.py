"""Rich rendering of one deal's whole record (``dealgraph deal show``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from dealgraph.cli.common import console, money


def show_record(record: dict[str, Any], *, engaged: set[int]) -> None:
    """Print the deal, its buying team, decisions, problem map and mutual plan."""
    deal = record["deal"]
    account = record.get("account") or {}
    names = {s["id"]: s["name"] for s in record["stakeholders"]}
    out = console.print
    out(f"Deal {deal['id']}: {deal['title']}", markup=False)
    out(
        f"  {account.get('name', '-')} ({account.get('industry') or 'industry unknown'}) | "
        f"owner {deal['owner']} | {money(deal['value'], deal['currency'])} | {deal['status']} | "
        f"stage {deal['stage']} | expected close {deal['expected_close'] or '-'} | "
        f"playbook {deal['playbook']} | version {deal['version']}",
        markup=False,
    )
    if deal["loss_reason"]:
        out(f"  reason: {deal['loss_reason']}", markup=False)

    team = Table("id", "name", "title", "role", "level", "stance", "influence", "engaged",
                 title="Buying team")  # fmt: skip
    for person in record["stakeholders"]:
        team.add_row(
            str(person["id"]),
            person["name"],
            person["title"],
            person["role"],
            str(person["level"]),
            f"{person['stance']:+d}",
            person["influence"],
            "yes" if person["id"] in engaged else "no",
        )
    console.print(team)

    decisions = Table("id", "decision", "status", "level", "owners", "due", title="Decisions")
    for decision in record["decisions"]:
        decisions.add_row(
            str(decision["id"]),
            decision["title"],
            decision["status"],
            str(decision["level"]),
            ", ".join(names.get(o, str(o)) for o in decision["owners"]) or "-",
            decision["due"] or "-",
        )
    console.print(decisions)

    if record["problems"]:
        problems = Table("kind", "in the buyer's words", "confirmed by", title="Problem map")
        for problem in record["problems"]:
            problems.add_row(
                problem["kind"],
                problem["statement"],
                names.get(problem["confirmed_by"], "not confirmed"),
            )
        console.print(problems)

    if record["plan"]:
        plan = Table("id", "item", "side", "owner", "due", "done", title="Mutual plan")
        for item in record["plan"]:
            plan.add_row(
                str(item["id"]),
                item["title"],
                item["side"],
                item["owner"] or "-",
                item["due"] or "-",
                "yes" if item["done"] else "no",
            )
        console.print(plan)
    out(
        f"{len(record['interactions'])} interactions, {len(record['evidence'])} criteria "
        f"evidenced: see `dealgraph interaction list {deal['id']}` and "
        f"`dealgraph deal gps {deal['id']}`",
        markup=False,
    )
