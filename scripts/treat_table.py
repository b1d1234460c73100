"""Treat the demo's fine-tuned variant with every treatment and print robustness and fairness before/after.

`.venv/bin/python scripts/treat_table.py [--variant finetune] [--methods model-doctor,dare,fmt] [--workspace DIR]`
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue import TREATMENTS
from tltui.base.progress import drain
from tltui.base.rundir.metrics import AAI, AAOD, AOI, DIR, EOD, MACRO_F1, SPD
from tltui.base.study import demo_study
from tltui.base.workspace import resolve_workspace
from tltui.core.analysis import Analysis, attack_config
from tltui.core.fairness import fairness_report, study_groups
from tltui.core.metrics import accuracy, defect_inheritance_rate


def measure(
    an: Analysis, model: nn.Module, x_teacher_adv: torch.Tensor, g_test: np.ndarray
) -> dict[str, Any]:
    """AOI, AAI (white-box PGD at the study's attack), DIR and the fairness report of `model` on the test set."""
    y = an.data.test.y.numpy()
    pred, _, _ = an.predict(model, an.data.test.x)
    adv = drain(an.whitebox(model, attack_config(an.study)))
    apred, _, _ = an.predict(model, adv)
    tpred, _, _ = an.predict(model, x_teacher_adv)
    return {
        AOI.key: accuracy(y, pred),
        AAI.key: accuracy(y, apred),
        DIR.key: defect_inheritance_rate(y, pred, tpred),
        **fairness_report(y, pred, g_test, an.data.test.num_classes),
    }


def main(argv: list[str] | None = None) -> None:
    """Load the demo (building it if needed), treat the variant with each method, print one row per model."""
    ap = argparse.ArgumentParser(
        description="Robustness and fairness of the demo variant before/after each treatment."
    )
    ap.add_argument("--workspace", type=Path, default=None, help="default: tltui's ($TLTUI_WORKSPACE, ...)")
    ap.add_argument("--variant", default="finetune")
    ap.add_argument("--methods", default=",".join(TREATMENTS))
    args = ap.parse_args(argv)
    torch.set_num_threads(1)  # two loaded cores: more threads only thrash
    an = Analysis(demo_study(), resolve_workspace(args.workspace), torch.device("cpu"))
    drain(an.load())
    x_teacher_adv = drain(an.teacher_crafted())
    g_test = study_groups(an).test
    rows = [(args.variant, measure(an, an.variants[args.variant], x_teacher_adv, g_test), 0.0)]
    for name in args.methods.split(","):
        t0 = time.perf_counter()
        model = drain(TREATMENTS[name].load()(an, TREATMENTS[name].build({"variant": args.variant})))
        rows.append((name, measure(an, model, x_teacher_adv, g_test), time.perf_counter() - t0))
    cols = (AOI, AAI, DIR, MACRO_F1, SPD, AAOD, EOD)
    print(f"{'model':<14}" + "".join(f"{c.key:>9}" for c in cols) + f"{'seconds':>9}")
    for name, m, secs in rows:
        print(f"{name:<14}" + "".join(f"{c.raw(m):>9.3f}" for c in cols) + f"{secs:>9.1f}")


if __name__ == "__main__":
    main()
