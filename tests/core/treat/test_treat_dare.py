"""Dare: held-out split, repair set and targets as get_ats.py builds them, repaired inputs follow their targets,
only the class slices move, build checkpoints join the pool."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch

from tests.nets import body_checkpoint, row_split, tiny_analysis
from tltui.base.catalogue.treatment import DareParams
from tltui.base.errors import StudyError
from tltui.base.progress import collect, drain
from tltui.base.study import demo_study
from tltui.core import models as M
from tltui.core.build import ModelStore, checkpoint_epochs, schedule_for
from tltui.core.data import StudyData
from tltui.core.treat import dare
from tltui.core.treat._common import read_probs, resolve_tap, tap_outputs
from tltui.core.treat.pool import build_checkpoints, select_targets
from tltui.core.treat.slicing import union


def test_holdout_is_seeded_and_stratified() -> None:
    y = torch.tensor([0] * 10 + [1] * 6 + [2] * 3)
    fit, held = dare.holdout(y, 0.5, seed=3)
    assert sorted(torch.cat([fit, held]).tolist()) == list(range(len(y)))
    assert [int((y[held] == k).sum()) for k in range(3)] == [5, 3, 2]  # round(1.5) = 2
    assert torch.equal(held, dare.holdout(y, 0.5, seed=3)[1])
    assert not torch.equal(held, dare.holdout(y, 0.5, seed=4)[1])


def _reference_get_ats(own: np.ndarray, y: np.ndarray, pool: list[np.ndarray]) -> list[int]:
    """get_ats.py's loop, input by input (the candidate giving each input its target, −1 for none)."""
    value = [own[j][y[j]] for j in range(len(y))]
    chosen = [-1] * len(y)
    for i, tmp2 in enumerate(pool):
        for j in range(len(y)):
            v = tmp2[j][y[j]]
            if np.argmax(own[j]) == y[j]:
                if v > value[j]:
                    chosen[j], value[j] = i, v
            elif np.argmax(tmp2[j]) == y[j] and v > value[j]:
                chosen[j], value[j] = i, v
    return chosen


def test_select_targets_is_get_ats() -> None:
    own = np.array([[0.6, 0.4], [0.6, 0.4], [0.4, 0.6], [0.55, 0.45], [0.9, 0.1]])
    y = np.array([0, 1, 0, 0, 1])
    a = np.array([[0.7, 0.3], [0.45, 0.55], [0.45, 0.55], [0.5, 0.5], [0.8, 0.2]])
    b = np.array([[0.65, 0.35], [0.3, 0.7], [0.8, 0.2], [0.1, 0.9], [0.95, 0.05]])
    # 0: right, a more confident (b less than a); 1: wrong, a right → a, then b more confident → b;
    # 2: wrong, a still wrong though more confident → b; 3: right, nobody more confident; 4: nobody right
    assert select_targets(own, y, [a, b]).tolist() == [0, 1, 1, -1, -1]
    rng = np.random.default_rng(0)
    for _ in range(20):
        probs = [rng.dirichlet(np.ones(3), size=30) for _ in range(4)]
        yy = rng.integers(0, 3, 30)
        assert select_targets(probs[0], yy, probs[1:]).tolist() == _reference_get_ats(probs[0], yy, probs[1:])


def test_repair_set_and_targets_are_the_references_and_repaired_inputs_follow(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    # two epochs of body training: better than the variant on part of the held-out half only
    ck = body_checkpoint(an, tmp_path, epochs=2)
    params = DareParams(pool="checkpoints", checkpoints=(ck,), epochs=60, lr=1e-2, train_batch_size=8)
    model = copy.deepcopy(an.variants["finetune"])
    tap = resolve_tap(model, None)
    p = drain(dare.plan(an, params, model, tap))
    # the reference, by hand: the candidate is the checkpoint read by its own head, on the held-out half
    cand = copy.deepcopy(model)
    M.load_state_dict(cand, M.read_state_dict(ck), source="ck")
    assert an.data.train is not None
    _, held_idx = dare.holdout(an.data.train.y, 0.5, 0)
    x, y = an.data.train.x[held_idx], an.data.train.y[held_idx].numpy()
    chosen = _reference_get_ats(read_probs(model, x, an), y, [read_probs(cand, x, an)])
    expect = [j for j, c in enumerate(chosen) if c == 0]
    assert 0 < len(expect) < len(y)
    assert p.repair.tolist() == expect
    assert torch.equal(p.targets, tap_outputs(cand, x, an, tap)[expect])
    assert p.sources == [ck.name.removesuffix(".safetensors")] * len(expect)

    def key_err(m: torch.nn.Module) -> float:
        out = tap_outputs(m, x[expect], an, tap)
        return float(dare.key_mse(out, p.targets, p.keys[torch.as_tensor(y[expect])]).mean())

    treated = drain(dare.run(an, params))
    assert key_err(treated) < 0.2 * key_err(model)


def test_dare_moves_only_the_class_slices_and_keeps_the_head(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    params = DareParams(epochs=3, lr=1e-2, slice_cut=0.9, checkpoints=(body_checkpoint(an, tmp_path),))
    original = copy.deepcopy(an.variants["finetune"])
    p = drain(dare.plan(an, params, copy.deepcopy(original), resolve_tap(original, None)))
    masks = union(p.slices)
    assert set(masks) == {"conv1.weight", "conv2.weight"}
    assert bool((~masks["conv2.weight"]).any())  # weights in no class's slice
    steps, treated = collect(dare.run(an, params))
    before, after = original.state_dict(), treated.state_dict()
    for name, m in masks.items():
        assert torch.equal(after[name][~m], before[name][~m]), f"{name}: a weight outside the slices moved"
        assert not torch.equal(after[name][m], before[name][m])
    assert torch.equal(after["fc.weight"], before["fc.weight"]) and torch.equal(
        after["fc.bias"], before["fc.bias"]
    )
    log = " | ".join(s.msg for s in steps)
    assert (
        "repair set" in log
        and "targets from" in log
        and "slice keeps (mean over classes) conv1 100%, conv2 25%" in log
    )


def test_build_checkpoints_join_the_pool(tmp_path: Path) -> None:
    assert (
        checkpoint_epochs(30) == [15, 18, 22, 25, 29]
        and checkpoint_epochs(1) == []
        and checkpoint_epochs(3) == [1, 2]
    )
    an = tiny_analysis(tmp_path)
    an.data = StudyData(train=row_split(40, 0), test=row_split(20, 1), source_test=None)
    store = ModelStore(an.study, an.data, tmp_path, an.device)
    an.store = store
    an.variants = {"finetune": drain(store.variant(demo_study().variant("finetune"), an.teacher))}
    paths = build_checkpoints(an, "finetune")
    epochs = checkpoint_epochs(schedule_for(an.study, "finetune").epochs)
    assert len(epochs) == 5 and [p.name.split(".")[1] for p in paths] == [f"epoch{e}" for e in epochs]
    p = drain(
        dare.plan(
            an,
            DareParams(pool="checkpoints"),
            an.variants["finetune"],
            resolve_tap(an.variants["finetune"], None),
        )
    )
    assert set(p.sources) <= {f"finetune epoch {e}" for e in epochs}


def test_an_empty_pool_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StudyError, match="no candidate can supply targets"):
        drain(dare.run(tiny_analysis(tmp_path), DareParams(pool="checkpoints")))
