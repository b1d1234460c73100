"""The inheritance timeline on a tiny teacher: points where they are due, training untouched, the pick reloadable."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from tests.nets import row_split
from tltui.base.catalogue import MITIGATIONS
from tltui.base.catalogue.mitigation import MitigateParams
from tltui.base.progress import drain
from tltui.core.analysis import Analysis
from tltui.core.evaluate import predict
from tltui.core.timeline import Timeline, steps_at


def test_points_are_spread_evenly_up_to_the_last_step() -> None:
    assert steps_at(10, 5) == [2, 4, 6, 8, 10]
    assert steps_at(3, 5) == [1, 2, 3]  # fewer steps than points: every step
    assert steps_at(0, 5) == []


def _finetune(an: Analysis, seed: int = 0) -> torch.nn.Module:
    return drain(MITIGATIONS["finetune"].load()(an, MitigateParams(epochs=3, lr=0.05, seed=seed)))


def test_a_recorded_run_trains_exactly_as_an_unrecorded_one(tiny_an: Analysis) -> None:
    tiny_an.data = replace(tiny_an.data, val=row_split(20, 2))
    plain = _finetune(tiny_an)
    tl = Timeline(tiny_an, 4, keep=True)
    drain(tl.prepare())
    tiny_an.timeline = tl
    with tl.recording("finetune", "finetune", "method", "finetune", 0):
        recorded = _finetune(tiny_an)
    for (k, a), b in zip(plain.state_dict().items(), recorded.state_dict().values(), strict=True):
        assert torch.equal(a, b), k  # evaluating along the way changes nothing the training does
    (run,) = tl.block({})["runs"]
    # 40 training rows at batch 64: one step per epoch, 3 epochs → steps 1, 2, 3 (and 0 before training)
    assert [p["step"] for p in run["points"]] == [0, 1, 2, 3]
    assert [p["epoch"] for p in run["points"]] == [0.0, 1.0, 2.0, 3.0]
    pred, _, _ = predict(recorded, tiny_an.data.test.x, tiny_an.mean, tiny_an.std, device=tiny_an.device)
    last = run["points"][-1]
    assert last["test_accuracy"] == pytest.approx(float(np.mean(pred == tiny_an.data.test.y.numpy())))
    assert all(p["val_accuracy"] is not None and 0.0 <= (p["val_dir"] or 0.0) <= 1.0 for p in run["points"])
    assert 0.0 <= run["hypervolume"] <= 1.0 and run["eval_s"] > 0


def test_the_picked_checkpoint_is_the_model_at_that_point(tiny_an: Analysis) -> None:
    tiny_an.data = replace(tiny_an.data, val=row_split(20, 2))
    tl = Timeline(tiny_an, 3, keep=True)
    drain(tl.prepare())
    tiny_an.timeline = tl
    with tl.recording("finetune", "finetune", "method", "finetune", 0):
        model = _finetune(tiny_an)
    found = tl.load_chosen("finetune", model)
    assert found is not None
    best, point = found
    val = tiny_an.data.val
    assert val is not None
    pred, _, _ = predict(best, val.x, tiny_an.mean, tiny_an.std, device=tiny_an.device)
    assert float(np.mean(pred == val.y.numpy())) == pytest.approx(point["val_accuracy"])
    assert tl.block({"finetune": "finetune-best"})["runs"][0]["kept"] == "finetune-best"


def test_nothing_is_recorded_outside_a_recording(tiny_an: Analysis) -> None:
    tl = Timeline(tiny_an, 3)
    drain(tl.prepare())
    tiny_an.timeline = tl
    _finetune(tiny_an)  # e.g. a tuning candidate
    assert tl.runs == []
    assert tl.block({})["n_val"] == 0
