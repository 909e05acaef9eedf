"""Simulation use cases on a real workspace: fit from history, load designs, compare them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from dealgraph.errors import InvalidInput, NotFound
from dealgraph.planning.scenario_load import ScenarioError
from dealgraph.services import simulation
from dealgraph.store.db import Database
from tests.factories import make_workspace


def test_fit_counts_the_workspace_deals(session: Session) -> None:
    make_workspace(session)
    result = simulation.fit_workspace(session, playbook_key="buyer-journey")
    # three deals: one open in assemble_team, one won through every stage, one lost at the start
    assert (result.report.deals, result.report.closed) == (3, 2)
    first = result.scenario.stages["question_status_quo"]
    # two advances and one loss, plus one pseudo-exit in the pooled shares (9 : 1 : 0)
    assert first.advance == pytest.approx((2 + 0.9) / 4)
    assert first.lost == pytest.approx((1 + 0.1) / 4)
    later = result.scenario.stages["approve_contract"]
    assert (later.advance, later.lost) == pytest.approx((1.9 / 2, 0.1 / 2))


def test_fit_refuses_an_unknown_playbook_and_an_empty_workspace(session: Session) -> None:
    with pytest.raises(InvalidInput) as caught:
        simulation.fit_workspace(session, playbook_key="nope")
    assert caught.value.where == "playbook"
    with pytest.raises(InvalidInput, match="nothing to fit"):
        simulation.fit_workspace(session, playbook_key="buyer-journey")


def test_a_fitted_base_opens_the_workspace_once(database: Database, tmp_path: Path) -> None:
    with database.session() as session:
        make_workspace(session)
    opened: list[int] = []

    @contextmanager
    def open_session() -> Iterator[Session]:
        opened.append(1)
        with database.session() as session:
            yield session

    fitter = simulation.workspace_fitter(open_session)
    design_file = tmp_path / "faster.yaml"
    design_file.write_text(
        "base: fitted\nplaybook: buyer-journey\ntitle: Faster start\n"
        "stages:\n  question_status_quo: {advance: 0.9}\n",
        encoding="utf-8",
    )
    assert opened == []
    design = simulation.load_design(str(design_file), fitter=fitter)
    fitted = simulation.fitted_design("buyer-journey", fitter=fitter)
    assert opened == [1]
    assert design.scenario.stages["question_status_quo"].advance == 0.9
    assert design.scenario.stages["define_problem"] == fitted.scenario.stages["define_problem"]
    assert fitted.name == "fitted:buyer-journey"

    written = tmp_path / "fitted.yaml"
    simulation.write_fitted(fitter("buyer-journey"), written)
    assert written.read_text(encoding="utf-8").startswith("# Fitted by `dealgraph simulate --fit`")
    loaded = simulation.load_design(str(written)).scenario
    assert loaded.title == fitted.scenario.title
    for key, spec in fitted.scenario.stages.items():
        assert loaded.stages[key].advance == pytest.approx(spec.advance, abs=1e-4)
        assert loaded.stages[key].mix == pytest.approx(spec.mix, abs=1e-4)


def test_designs_run_with_their_own_seeds_and_compare() -> None:
    base = simulation.load_design("buyer-journey")
    redesign = simulation.load_design("buyer-journey-more-meetings")
    both = simulation.simulate_designs(base, redesign, deals=20_000, seed=3)
    alone_a = simulation.simulate_designs(base, deals=20_000, seed=3)
    alone_b = simulation.simulate_designs(redesign, deals=20_000, seed=4)
    assert both.a == alone_a.a
    assert both.b is not None and both.b.simulated == alone_b.a.simulated
    assert alone_a.b is None and alone_a.comparison is None
    assert both.comparison is not None and len(both.comparison) == 11
    gap = both.a.simulated.win_rate - both.a.closed_form.win_rate
    assert both.a.win_rate_gap_pp == pytest.approx(gap * 100)


def test_unknown_and_bad_designs(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        simulation.load_design("no-such-design")
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Bad\nplaybook: buyer-journey\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        simulation.load_design(str(bad))
    assert {p.code for p in caught.value.problems} == {"missing-field"}
