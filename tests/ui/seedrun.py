"""A run directory with `--seeds` groups, made from the recorded demo run: remos and magprune (finetune at matched
seeds), model-doctor (its α = 0 control), dare (the untreated finetune built at each seed: remos' baselines,
reused) at 3 seeds, and fmt (one untreated finetune, as runs before matched untreated models) at 2 identical seeds.

`python -m tests.ui.seedrun DST` writes one (for a look in tmux: `tltui --run DST`).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from tltui.base.intervals import Outcomes, point
from tltui.base.rundir import keys

RECORDED = Path(__file__).parent / "fixtures" / "demo-run"

# group → (kind, method, its matched baseline's method and name stem (None: the untreated finetune), seeds,
# how often a right answer becomes fooled, how often the method answers wrong)
GROUPS: dict[str, tuple[str, str, tuple[str, str] | None, int, float, float]] = {
    "remos": ("mitigation", "remos", ("finetune", "finetune"), 3, 0.05, 0.02),
    "magprune": ("mitigation", "magprune", ("finetune", "finetune"), 3, 0.20, 0.04),
    "model-doctor": ("treatment", "model-doctor", ("model-doctor", "model-doctor-control"), 3, 0.12, 0.02),
    "dare": ("treatment", "dare", None, 3, 0.15, 0.02),
    "fmt": ("treatment", "fmt", None, 2, 0.21, 0.0),
}

MATCHED_UNTREATED = {"dare"}
"""Treatment groups that treated the untreated model built at each seed (tltui.core.produce.untreated_run)."""


def _variant(like: dict[str, Any], o: Outcomes) -> dict[str, Any]:
    aoi, dir_ = point(o)
    return {**like, "aoi": aoi, "dir": dir_}


def make_seed_run(dst: Path, src: Path = RECORDED) -> Path:
    """Copy `src` to `dst` and add the groups' variants: records, metrics and per-image predictions."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("exports"))
    summary = json.loads((dst / "summary.json").read_text())
    with np.load(dst / "instances.npz") as data:
        arrays = {k: data[k] for k in data.files}
    y = arrays[keys.LABELS]
    like = summary["variants"]["finetune"]
    k = len(summary["classes"])
    made: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def predictions(name: str, fooled: float, wrong: float, seed: int) -> None:
        rng = np.random.default_rng(seed)
        pred = np.where(rng.random(len(y)) < wrong, (y + 1) % k, y)
        tpred = np.where(rng.random(len(y)) < fooled, (pred + 1) % k, pred)
        made[name] = (pred, tpred)
        for kind in keys.PRED_KINDS:
            source = arrays[keys.pred_key("finetune", kind)]
            arrays[keys.pred_key(name, kind)] = {"pred": pred, "teacher_adv_pred": tpred}.get(kind, source)
        summary["variants"][name] = _variant(like, Outcomes.of(y, pred, tpred))

    derived = summary.setdefault("derived", {})
    for n, (group, (kind, method, baseline, seeds, fooled, wrong)) in enumerate(GROUPS.items()):
        for s in range(seeds):
            name = f"{group}-s{s}"
            predictions(name, fooled, wrong, 100 * n + (0 if group == "fmt" else s))
            derived[name] = {
                "kind": kind,
                "method": method,
                "base": f"finetune-s{s}" if group in MATCHED_UNTREATED else "finetune",
                "role": "method",
                "group": group,
            }
            derived[name]["seed"] = s
            if baseline is not None:
                b_method, stem = baseline
                b_name = f"{stem}-s{s}"
                if b_name in made:
                    continue  # reused by a later group: its record names the group that made it
                predictions(b_name, 0.25, 0.03, 1000 + s)
                derived[b_name] = {"kind": kind, "method": b_method, "base": "finetune", "role": "baseline"}
                derived[b_name].update(group=group, seed=s)
    np.savez_compressed(dst / "instances.npz", **arrays)
    (dst / "summary.json").write_text(json.dumps(summary, indent=1))
    return dst


if __name__ == "__main__":
    print(make_seed_run(Path(sys.argv[1])))
