"""Measure every mitigation method on the demo study: AOI and DIR per method over several seeds, as a table.

`.venv/bin/python scripts/mitigate_table.py [--seeds 10] [--ratio R] [--methods remos,finetune] [--workspace DIR]`
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue import MITIGATIONS
from tltui.base.catalogue.mitigation import RemosParams
from tltui.base.progress import drain
from tltui.base.study import demo_study
from tltui.base.workspace import resolve_workspace
from tltui.core.analysis import Analysis
from tltui.core.device import resolve_device
from tltui.core.metrics import accuracy, defect_inheritance_rate


def main(argv: list[str] | None = None) -> None:
    """Load the demo (building it if needed), run each method per seed, print mean ± std of AOI and DIR."""
    ap = argparse.ArgumentParser(description="AOI and DIR of every mitigation method on the demo study.")
    ap.add_argument("--workspace", type=Path, default=None, help="default: tltui's ($TLTUI_WORKSPACE, ...)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--methods", default=",".join(MITIGATIONS))
    ap.add_argument(
        "--seeds", type=int, default=10, help="seeds 0..N-1 per method (DIR varies a lot by seed)"
    )
    ap.add_argument("--ratio", type=float, default=RemosParams.ratio)
    ap.add_argument("--threshold", type=float, default=RemosParams.threshold)
    ap.add_argument("--criterion", default=RemosParams.criterion)
    ap.add_argument("--epochs", type=int, default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)  # small nets: more threads only thrash on a shared two-core machine

    an = Analysis(demo_study(), resolve_workspace(args.workspace), resolve_device(args.device))
    drain(an.load())
    x_adv = drain(an.teacher_crafted())
    y = an.data.test.y.numpy()
    given = {
        "ratio": args.ratio,
        "threshold": args.threshold,
        "criterion": args.criterion,
        "epochs": args.epochs,
    }
    print(
        f"demo: {len(y)} test images, teacher-crafted inputs ({an.study.attack.teacher.name}, ε={an.study.attack.eps})"
    )
    print(f"params: {given}; seeds 0..{args.seeds - 1}")
    print(f"{'model':<20}{'AOI':>14}{'DIR':>14}{'s/run':>8}")
    for name, model in an.variants.items():
        aoi, dir_ = _evaluate(an, model, x_adv, y)
        print(f"{'variant ' + name:<20}{aoi:>14.3f}{dir_:>14.3f}{'cached':>8}")
    runs: dict[str, tuple[list[float], list[float]]] = {}
    for name in args.methods.split(","):
        t0, aois, dirs = time.perf_counter(), [], []
        for seed in range(args.seeds):
            entry = MITIGATIONS[name]
            own = {s.name for s in entry.specs()}
            params = entry.build({**{k: v for k, v in given.items() if k in own}, "seed": seed})
            model = drain(entry.load()(an, params))
            aoi, dir_ = _evaluate(an, model, x_adv, y)
            aois.append(aoi)
            dirs.append(dir_)
        runs[name] = (aois, dirs)
        sec = (time.perf_counter() - t0) / args.seeds
        print(f"{name:<20}{_pm(aois):>14}{_pm(dirs):>14}{sec:>8.1f}", flush=True)
    if "remos" in runs and "finetune" in runs:
        (ra, rd), (fa, fd) = runs["remos"], runs["finetune"]
        cut = 1 - np.mean(rd) / np.mean(fd) if np.mean(fd) > 0 else float("nan")
        wins = sum(r < f for r, f in zip(rd, fd, strict=True))
        print(
            f"remos vs finetune (means): DIR {cut:.0%} lower (target ≥ 50%), "
            f"AOI {100 * (np.mean(ra) - np.mean(fa)):+.1f} points (target ≥ −3); "
            f"remos has the lower DIR on {wins}/{len(rd)} seeds"
        )


def _evaluate(an: Analysis, model: nn.Module, x_adv: torch.Tensor, y: np.ndarray) -> tuple[float, float]:
    pred, _, _ = an.predict(model, an.data.test.x)
    tpred, _, _ = an.predict(model, x_adv)
    return accuracy(y, pred), defect_inheritance_rate(y, pred, tpred)


def _pm(values: list[float]) -> str:
    return f"{np.mean(values):.3f}±{np.std(values):.3f}"


if __name__ == "__main__":
    main()
