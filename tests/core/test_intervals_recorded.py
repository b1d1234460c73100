"""An analysis records each variant's bootstrap intervals in summary.json and hands the per-image outcomes on."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from tests.nets import tiny_analysis
from tltui.base.intervals import Outcomes, point, variant_intervals
from tltui.base.progress import Progress, drain
from tltui.base.rundir import SUMMARY, read_summary
from tltui.base.rundir import metrics as M
from tltui.base.rundir.shape import Summary
from tltui.core import pipeline


class _NoLevels:
    """The per-layer diagnosis, left out: this test is about the variants' metrics."""

    def __init__(self, *_args: Any) -> None:
        pass

    def run(self, *_args: Any) -> Generator[Progress, None, list[Any]]:
        yield from ()
        return []


def test_an_analysis_records_intervals_and_hands_the_outcomes_to_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "Levels", _NoLevels)
    an = tiny_analysis(tmp_path / "ws")
    handed: dict[str, Outcomes] = {}

    def finish(_summary: Summary, outcomes: dict[str, Outcomes]) -> None:
        handed.update(outcomes)

    drain(pipeline.analyze(an.study, tmp_path / "run", workspace=tmp_path / "ws", loaded=an, finish=finish))
    run = read_summary(tmp_path / "run" / SUMMARY)
    assert set(handed) == set(run.variants) == {"finetune", "scratch"}
    assert run.bootstrap == {"n_boot": 2000, "seed": 0}
    for name, o in handed.items():
        assert len(o) == run.n_test
        aoi, dir_ = point(o)
        assert aoi == run.metric(name, M.AOI)  # the outcomes are the very predictions the metrics count
        assert dir_ == (run.metric(name, M.DIR) or 0.0)
        want = variant_intervals(o)
        for m in (M.AOI, M.DIR):
            got = run.interval(name, m)
            assert got is not None and got == want[m.key] and got.includes == "images"
