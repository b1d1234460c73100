"""Truthful progress: a job's declared plan weights its stages by the work they really have, so the ETA of an
analysis does not rise while it advances and no stage sits "overdue" (docs/interfaces.md "Progress and ETA")."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from tltui.jobs.events import Event
from tltui.jobs.progress import STALLED, Overall, eta, plan_weights

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RISE = 1.05
"""How much the ETA may rise from one step to the next (5 %): the steps of one stage are not all alike."""
RISE_S = 1.0
"""…or by this many seconds, whichever is more (a second of scheduling noise on a shared machine)."""


def replay(events: Iterable[Event]) -> list[tuple[float, float | None, float | None]]:
    """(time, the ETA shown at each progress step, the ETA the step before it shows by then) through the model."""
    model, started, shown = Overall(), None, []
    prev: tuple[float, float] | None = None
    for ev in events:
        if ev.type == "started":
            started = ev.t
        elif ev.type == "plan" and ev.units is not None:
            model.replan(ev.units)
        elif ev.type == "progress":
            f = model.update(ev.phase, ev.done, ev.total)
            before = eta(started, prev[0], prev[1], now=ev.t) if prev else None
            shown.append((ev.t, eta(started, ev.t, f, now=ev.t), before))
            prev = (ev.t, f)
    return shown


def assert_truthful(shown: list[tuple[float, float | None, float | None]]) -> None:
    """The ETA never rises above the lowest it has shown (beyond the tolerance); no step comes overdue."""
    etas = [(t, e) for t, e, _ in shown if e is not None]
    assert len(etas) >= 5
    low = etas[0][1]
    for t, e in etas:
        assert e <= max(low * RISE, low + RISE_S), f"the ETA rose from {low:.1f} s to {e:.1f} s at {t:.1f}"
        low = min(low, e)
    for t, _, before in shown:
        assert before is None or before >= -STALLED, f"overdue ({before:.1f} s) at {t:.1f}"


def steps(*phases: tuple[str, int, float], t0: float = 0.0) -> list[Event]:
    """Events of phases (name, steps, seconds per step) in a row, one progress event per step."""
    out, t = [Event("started", t0)], t0 + 3.0  # 3 s of imports before the first step
    for phase, n, each in phases:
        out.append(Event("progress", t, 0, n, phase))
        for i in range(1, n + 1):
            t += each
            out.append(Event("progress", t, i, n, phase))
    return out


def test_a_recorded_warm_analyze_demo_has_a_falling_eta_and_is_never_overdue() -> None:
    lines = (FIXTURES / "warm-analyze-demo.jsonl").read_text().splitlines()
    assert_truthful(replay(Event.from_json(line) for line in lines))


def test_a_cold_analysis_with_a_plan_keeps_its_eta_from_rising() -> None:
    """Training four models (the demo's epochs at 0.35 s), 19 attack sets, four models' levels."""
    events = steps(("load data", 1, 2.0))
    events.append(
        Event("plan", events[-1].t, units={"model": 4, "epoch": 144, "attack": 19, "level": 4, "end": 1})
    )
    events += steps(
        ("train teacher", 30, 0.35),
        ("build scratch", 38, 0.35),
        ("load models", 1, 0.01),
        ("build probe", 38, 0.35),
        ("load models", 2, 0.01),
        ("build finetune", 38, 0.35),
        ("load models", 3, 0.01),
        t0=events[-1].t - 3.0,
    )[1:]
    events.append(Event("plan", events[-1].t, units={"attack": 19, "cached attack": 0, "level": 4, "end": 1}))
    events += steps(("attacks", 19, 0.7), ("levels", 4, 1.5), ("done", 1, 0.1), t0=events[-1].t - 3.0)[1:]
    assert_truthful(replay(events))


def test_many_variants_through_the_levels_are_not_overdue_at_85_percent() -> None:
    """A warm run of twelve variants: every attack cached, the levels are most of the work (their steps as
    tltui.core.diagnose yields them, each as long as its share)."""
    events = steps(("load data", 1, 2.0))
    events.append(
        Event("plan", events[-1].t, units={"attack": 0, "cached attack": 73, "level": 13, "end": 1})
    )
    t, levels = events[-1].t + 1.0, 13 * 1.5
    for done in (0, 4, 5, 17, 20):
        events.append(Event("progress", t + levels * done / 20, done, 20, "levels"))
    events.append(Event("progress", events[-1].t + 0.1, 1, 1, "done"))
    assert_truthful(replay(events))


def test_a_plan_weights_its_stages_by_their_work() -> None:
    model = Overall()
    model.update("load data", 1, 1)
    model.replan({"attack": 10, "level": 10, "end": 0})
    w = plan_weights({"attack": 10, "level": 10})
    model.update("attacks", 10, 10)
    # the attacks' share of what was left is theirs of the declared seconds (7 of 22), not a fixed 30 %
    left = 1 - 0.08
    assert abs(model.fraction - (0.08 + left * w["attacks"] / (w["attacks"] + w["levels"]))) < 1e-4
    assert model.update("levels", 1, 2) < model.update("levels", 2, 2) <= 1.0
    assert plan_weights({"epoch": 2, "nonsense": 5}) == {"work": 0.7}


def test_a_plan_event_round_trips() -> None:
    ev = Event("plan", 1.0, units={"attack": 3.0})
    assert Event.from_json(ev.to_json()) == ev
    assert json.loads(ev.to_json())["units"] == {"attack": 3.0}
