"""The timeline's cost on the demo, measured in one process: one finetune run (seed 0) watched by two timelines
at once, the current one and an earlier version (OLD, a copy of an earlier tltui/core/timeline.py), evaluating the
same weights back to back at each point, so both are timed on the same training run under the same load.

    git show REV:tltui/core/timeline.py > /tmp/old_timeline.py
    TLTUI_WORKSPACE=$(mktemp -d) OLD=/tmp/old_timeline.py THREADS=1 REPS=2 python scripts/timeline_cost.py 20

THREADS=1 is what a CPU job gets on a 2-core machine (tltui/jobs/worker.py gives each job its share of cores).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch

from tltui.base.catalogue.mitigation import MitigateParams
from tltui.base.progress import drain
from tltui.base.study import load_study
from tltui.core.analysis import Analysis
from tltui.core.mitigate._student import fit, new_student
from tltui.core.timeline import Timeline


def _old() -> Any:
    spec = importlib.util.spec_from_file_location("old_timeline", os.environ["OLD"])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_timeline"] = module
    spec.loader.exec_module(module)
    return module


class Both:
    """Two watchers on one run: `first` evaluates each point, then `second` the same weights."""

    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second

    def watch(self, model: Any, schedule: Any, n_train: int, after: Any) -> Any:
        inner = self.first.watch(model, schedule, n_train, after)
        return self.second.watch(model, schedule, n_train, inner)


def main(points: int) -> None:
    torch.set_num_threads(int(os.environ.get("THREADS", "1")))
    ws = Path(os.environ["TLTUI_WORKSPACE"])
    an = Analysis(load_study("demo"), ws, torch.device("cpu"), include_derived=False)
    drain(an.load())
    old, new = _old().Timeline(an, points), Timeline(an, points)
    drain(old.prepare())
    drain(new.prepare())
    for rep in range(int(os.environ.get("REPS", "1"))):
        first, second = (new, old) if rep % 2 == 0 else (old, new)

        an.timeline = Both(first, second)
        student, head, schedule = new_student(an, MitigateParams(seed=0))
        t0 = time.perf_counter()
        with (
            old.recording("a", "finetune", "method", "g", 0),
            new.recording("a", "finetune", "method", "g", 0),
        ):
            drain(fit(an, student, head, schedule, phase="finetune"))
        wall = time.perf_counter() - t0
        ro, rn = old.runs[-1], new.runs[-1]
        train = wall - ro.eval_s - rn.eval_s
        keys = ("val_accuracy", "val_dir", "test_accuracy", "test_dir")
        same = [[p[k] for k in keys] for p in ro.points] == [[p[k] for k in keys] for p in rn.points]
        print(
            f"rep {rep} (new evaluates {'first' if first is new else 'second'}): {len(rn.points)} points; "
            f"training alone {train:.2f} s; old evaluation {ro.eval_s:.2f} s = {ro.eval_s / train:.1%}; "
            f"new {rn.eval_s:.2f} s = {rn.eval_s / train:.1%}; same figures at every point: {same}",
            flush=True,
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
