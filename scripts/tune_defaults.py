"""Check tltui's default choices on the demo's validation split (never the test set): the ReMoS slicing ratio and
Model Doctor's α, each against finetune at the same seed.

`.venv/bin/python scripts/tune_defaults.py [--seeds 3] [--ratios 0.01,0.03,0.05,0.1] [--alphas 0,1,10] [--workspace DIR]`
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue import MITIGATIONS, TREATMENTS, MitigateParams, ModelDoctorParams, RemosParams
from tltui.base.progress import drain
from tltui.base.study import demo_study
from tltui.base.workspace import resolve_workspace
from tltui.core import models as M
from tltui.core.analysis import Analysis, teacher_config
from tltui.core.attacks import TEACHER_ATTACKS
from tltui.core.device import resolve_device
from tltui.core.evaluate import attack_split, feature_fn
from tltui.core.metrics import accuracy, defect_inheritance_rate


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description="Validation-split check of the ReMoS ratio and Model Doctor's α."
    )
    ap.add_argument("--workspace", type=Path, default=None, help="default: tltui's ($TLTUI_WORKSPACE, ...)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--ratios", default="0.01,0.03,0.05,0.1")
    ap.add_argument("--alphas", default="0,1,10")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)  # small nets: more threads only thrash on a shared two-core machine
    an = Analysis(demo_study(), resolve_workspace(args.workspace), resolve_device("cpu"))
    drain(an.load())
    val = an.data.val
    assert val is not None, "the demo study carves a validation split ([data] val_fraction)"
    phi = feature_fn(an.teacher, M.head_name(an.teacher), an.mean, an.std)
    run = TEACHER_ATTACKS[an.study.attack.teacher.name]
    x_adv = drain(attack_split(run, phi, val.x, None, teacher_config(an.study), device=an.device, seed=99))
    y = val.y.numpy()
    print(f"demo validation split: {len(y)} images (the test set is not read); seeds 0..{args.seeds - 1}")
    print(f"{'run':<28}{'val acc':>14}{'val DIR':>14}")
    seeds = range(args.seeds)
    rows = {
        "finetune": [
            _eval(an, drain(MITIGATIONS["finetune"].load()(an, MitigateParams(seed=s))), x_adv, y)
            for s in seeds
        ]
    }
    for r in (float(v) for v in args.ratios.split(",")):
        rows[f"remos ratio {r:g}"] = [
            _eval(an, drain(MITIGATIONS["remos"].load()(an, RemosParams(ratio=r, seed=s))), x_adv, y)
            for s in seeds
        ]
    for a in (float(v) for v in args.alphas.split(",")):
        tp = ModelDoctorParams(channel_alpha=a)
        rows[f"model-doctor α {a:g}"] = [
            _eval(an, drain(TREATMENTS["model-doctor"].load()(an, replace(tp, seed=s))), x_adv, y)
            for s in seeds
        ]
    for name, vals in rows.items():
        acc, dir_ = np.array(vals).T
        print(
            f"{name:<28}{acc.mean():>8.3f}±{acc.std(ddof=1) if len(acc) > 1 else 0:.3f}{dir_.mean():>8.3f}±{dir_.std(ddof=1) if len(dir_) > 1 else 0:.3f}",
            flush=True,
        )


def _eval(an: Analysis, model: nn.Module, x_adv: torch.Tensor, y: np.ndarray) -> tuple[float, float]:
    assert an.data.val is not None
    pred, _, _ = an.predict(model, an.data.val.x)
    tpred, _, _ = an.predict(model, x_adv)
    return accuracy(y, pred), defect_inheritance_rate(y, pred, tpred)


if __name__ == "__main__":
    main()
