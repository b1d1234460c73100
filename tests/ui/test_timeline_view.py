"""The Mitigate view's timeline section from a recorded block: a band per group, the picks, the table rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.helpers import MakeApp
from tltui.base.rundir.shape_timeline import TimelineBlock, TimelinePoint, TimelineRun
from tltui.base.runfiles import load_json, save_json
from tltui.ui.model.rundata import RunData
from tltui.ui.model.settings import Settings
from tltui.ui.model.timeline_view import PICK, timeline_note, timeline_rows, timeline_specs
from tltui.ui.tabs import TABS


def _run(variant: str, method: str, role: str, seed: int, dirs: list[float]) -> TimelineRun:
    pts = [
        TimelinePoint(step=i, epoch=float(i), val_accuracy=0.5 + 0.1 * i, val_dir=d, test_accuracy=0.5 + 0.1 * i,
                      test_dir=d)
        for i, d in enumerate(dirs)
    ]  # fmt: skip
    return TimelineRun(
        variant=variant, method=method, role=role, group="remos", seed=seed, points=pts, chosen=len(pts) - 1,
        hypervolume=0.5, train_s=10.0, eval_s=0.5,
    )  # fmt: skip


def block(runs: list[TimelineRun]) -> TimelineBlock:
    attack = {"name": "feature", "eps": 0.1, "steps": 10, "random_start": True}
    return TimelineBlock(
        points=2, attack=attack, n_val=125, n_test=269, tolerance=0.01, runs=runs, overhead=0.05
    )


def test_groups_are_drawn_with_bands_and_their_picks(tmp_path: Path) -> None:
    runs = [_run(f"remos-s{s}", "remos", "method", s, [0.3, 0.2, 0.1 + s / 100]) for s in range(2)]
    runs += [_run(f"finetune-s{s}", "finetune", "baseline", s, [0.3, 0.3, 0.25]) for s in range(2)]
    run = RunData(tmp_path, {"study": "demo", "variants": {}, "timeline": block(runs)})  # type: ignore[typeddict-item]
    dir_spec, acc_spec = timeline_specs(run)
    labels = [s.label for s in dir_spec.series]
    assert labels == ["remos ×2 seeds", "", "", "finetune (baseline of remos) ×2 seeds", "", "", PICK, ""]
    mean = dir_spec.series[0]
    assert mean.x == (0.0, 1.0, 2.0) and mean.y[2] == pytest.approx(0.105) and mean.joined
    picks = dir_spec.series[6]
    assert picks.x == (2.0, 2.0) and picks.y == (0.1, 0.11) and not picks.joined
    assert acc_spec.ylabel == "test accuracy"
    rows = timeline_rows(run)
    assert [r[0] for r in rows] == ["remos", "finetune (baseline of remos)"]
    assert rows[0][1] == "2" and rows[0][3] == "2, 2"
    assert "feature (ε 0.1, 10 steps" in timeline_note(run) and "5.0%" in timeline_note(run)


def test_a_joined_run_brings_its_timeline_for_the_variants_joined(tmp_path: Path) -> None:
    base = RunData(tmp_path / "a", {"study": "demo", "variants": {"finetune": {}}})  # type: ignore[typeddict-item]
    other_summary = {
        "study": "demo",
        "variants": {"remos-s0": {}, "other": {}},
        "timeline": block(
            [_run("remos-s0", "remos", "method", 0, [0.2]), _run("other", "x", "method", 0, [0.1])]
        ),
    }
    other = RunData(tmp_path / "b", other_summary)  # type: ignore[arg-type]
    joined = base.merged(other, ["remos-s0"])
    assert [r["variant"] for b in joined.timelines for r in b["runs"]] == ["remos-s0"]
    assert timeline_specs(base) == []


FIXTURE = Path(__file__).parent / "fixtures" / "timeline-remos.json"
"""The `timeline` block of a real `mitigate demo --method remos --seeds 3 --timeline 20 --keep-best` run."""


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_timeline_section_snapshot(
    size: tuple[int, int], make_app: MakeApp, recorded_run: Path, snap_compare: Any
) -> None:
    """The Mitigate view scrolled to the timeline: the note, the group table, DIR and accuracy along training."""
    summary = load_json(recorded_run / "summary.json")
    summary["timeline"] = load_json(FIXTURE)
    save_json(recorded_run / "summary.json", summary)
    app = make_app(recorded_run, settings=Settings(theme="tltui-dark", gpu_stats=False))

    async def show(pilot: Any) -> None:
        while not app.started or len(app.workbench.views) < len(TABS):
            await pilot.pause(0.05)
        await pilot.press(str(list(TABS).index("mitigate") + 1))
        await pilot.pause(0.5)
        await pilot.app.workers.wait_for_complete()
        app.clear_notifications()
        app.query_one("#mt-timeline-title").scroll_visible(top=True, animate=False)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=show)
