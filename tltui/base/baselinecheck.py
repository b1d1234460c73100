"""The undertrained-baseline check: a finetune baseline that trails the scratch student by more than its interval."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from tltui.base.intervals import Outcomes, group_delta
from tltui.base.rundir import keys
from tltui.base.rundir import metrics as M
from tltui.base.rundir.shape import Summary

SCRATCH, FINETUNE = "scratch", "finetune"


def finetune_baselines(summary: Summary) -> list[str]:
    """The finetune baselines a comparison measures against: the matched ones a run produced (role `baseline`,
    method finetune), else the study's own `finetune` variant."""
    derived = summary.get("derived") or {}
    matched = [
        name
        for name, rec in derived.items()
        if rec.get("role") == "baseline" and rec.get("method") == FINETUNE and name in summary["variants"]
    ]
    return matched or ([FINETUNE] if FINETUNE in summary["variants"] else [])


def undertrained_warning(summary: Summary, instances: Mapping[str, np.ndarray]) -> str | None:
    """One line when the finetune baseline's clean accuracy trails the scratch student's by more than the 95 %
    interval of the difference (paired bootstrap over test images; over seeds and images for several matched
    baselines, tltui.base.intervals.group_delta); None when it does not, or when a model or prediction is missing."""
    names = finetune_baselines(summary)
    y = instances.get(keys.LABELS)
    need = [SCRATCH, *names]
    if not names or SCRATCH not in summary["variants"] or y is None:
        return None
    if any(
        keys.pred_key(n) not in instances or keys.pred_key(n, "teacher_adv_pred") not in instances
        for n in need
    ):
        return None

    def outcomes(name: str) -> Outcomes:
        return Outcomes.of(
            y, instances[keys.pred_key(name)], instances[keys.pred_key(name, "teacher_adv_pred")]
        )

    scratch = outcomes(SCRATCH)
    gap = group_delta([(outcomes(n), scratch) for n in names]).delta[M.AOI.key]
    if gap.hi >= 0.0:
        return None
    accs = [M.AOI.of(summary["variants"][n]) for n in names]
    acc = (
        float(np.mean([a for a in accs if a is not None])) if any(a is not None for a in accs) else gap.value
    )
    s_acc = M.AOI.of(summary["variants"][SCRATCH])
    fix = (
        "widen the study's [tuning] grid"
        if summary.get("tuning") is not None
        else "tune it with --tune-baseline"
    )
    return (
        f"the finetune baseline may be undertrained (accuracy {acc:.2f} vs scratch "
        f"{(s_acc if s_acc is not None else acc - gap.value):.2f}): {fix}"
    )
