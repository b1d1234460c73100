"""The undertrained-baseline check and the study's [tuning] table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.studies import GOOD, study_files
from tltui.base.baselinecheck import undertrained_warning
from tltui.base.errors import StudyError
from tltui.base.rundir import keys
from tltui.base.study import demo_study, load_study


def _run(acc_finetune: float, acc_scratch: float, n: int = 300) -> tuple[Any, dict[str, np.ndarray]]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, n)
    arrays = {keys.LABELS: y}
    variants = {}
    for name, acc in (("scratch", acc_scratch), ("finetune", acc_finetune)):
        right = np.arange(n) < round(acc * n)
        pred = np.where(right, y, (y + 1) % 5)
        arrays[keys.pred_key(name)] = pred
        arrays[keys.pred_key(name, "teacher_adv_pred")] = pred
        variants[name] = {"aoi": float(right.mean())}
    return {"variants": variants, "derived": {}}, arrays


def test_a_baseline_far_behind_scratch_is_flagged_once() -> None:
    summary, arrays = _run(0.82, 0.99)
    line = undertrained_warning(summary, arrays)
    assert line == (
        "the finetune baseline may be undertrained (accuracy 0.82 vs scratch 0.99): tune it with --tune-baseline"
    )
    summary["tuning"] = {"trained": "finetune"}
    assert "widen the study's [tuning] grid" in str(undertrained_warning(summary, arrays))


@pytest.mark.parametrize(("ft", "scratch"), [(0.98, 0.99), (0.99, 0.97)])
def test_a_gap_within_its_interval_or_a_better_baseline_is_not_flagged(ft: float, scratch: float) -> None:
    summary, arrays = _run(ft, scratch)
    assert undertrained_warning(summary, arrays) is None


def test_matched_baselines_are_the_ones_checked() -> None:
    summary, arrays = _run(0.99, 0.99)
    arrays[keys.pred_key("finetune-s0")] = np.zeros_like(arrays[keys.LABELS]) + 9  # always wrong
    arrays[keys.pred_key("finetune-s0", "teacher_adv_pred")] = arrays[keys.pred_key("finetune-s0")]
    summary["variants"]["finetune-s0"] = {"aoi": 0.0}
    summary["derived"] = {"finetune-s0": {"role": "baseline", "method": "finetune"}}
    assert "accuracy 0.00" in str(undertrained_warning(summary, arrays))


def test_missing_predictions_give_no_warning() -> None:
    summary, arrays = _run(0.5, 0.99)
    del arrays[keys.pred_key("scratch")]
    assert undertrained_warning(summary, arrays) is None


def test_the_tuning_table_is_read_and_checked(tmp_path: Path) -> None:
    assert demo_study().tuning.lr == (0.005, 0.01, 0.05) and demo_study().tuning.epochs == ()
    d = study_files(tmp_path)
    p = d / "s.toml"
    p.write_text(GOOD + "[tuning]\nlr = [0.001, 0.01]\nepochs = [5, 10]\n")
    s = load_study(p)
    assert s.tuning.lr == (0.001, 0.01) and s.tuning.epochs == (5.0, 10.0)
    for bad, message in (
        ("lr = [0.0]", "[tuning] lr values must be > 0"),
        ("epochs = [1.5]", "[tuning] epochs must be whole numbers"),
        ("rate = [1]", "unknown key 'rate' in [tuning]"),
    ):
        p.write_text(GOOD + f"[tuning]\n{bad}\n")
        with pytest.raises(StudyError, match=message.replace("[", r"\[").replace("]", r"\]")):
            load_study(p)
