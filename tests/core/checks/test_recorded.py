"""The checks as a diagnosis runs them: every model probed, findings acknowledged by the study, models unchanged,
recorded in summary.json; on the demo none fires."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import torch

from tests.core.checks import planted
from tests.core.checks.test_preflight import CLASSES, model, study
from tltui.base.checklines import check_lines
from tltui.base.rundir import read_summary
from tltui.core.analysis import Analysis
from tltui.core.checks.run import checks_block, preflight
from tltui.core.data import Split, StudyData


def analysis(tmp: Path, **checks: object) -> Analysis:
    an = Analysis(study(**checks), tmp, torch.device("cpu"))
    x, y = planted.images(64)
    an.data = StudyData(None, Split(x, y, CLASSES, [str(i) for i in range(64)]), None)
    an.teacher = model("clean")
    an.variants = {"scratch": model("clean"), "bn": model("batchnorm_train"), "soft": model("softmax")}
    return an


def test_every_model_is_probed_and_its_findings_recorded(tmp_path: Path) -> None:
    an = analysis(tmp_path, acknowledge=("probability-outputs:soft",))
    before = {k: v.clone() for k, v in an.variants["bn"].state_dict().items()}
    found = preflight(an, {"scratch": planted.images(64)[1].numpy()})
    assert {(f["check"], f["model"], f["acknowledged"]) for f in found} == {
        ("batch-dependence", "bn", False),
        ("probability-outputs", "soft", True),
    }
    after = an.variants["bn"].state_dict()
    assert all(
        torch.equal(before[k], after[k]) for k in before
    )  # the BatchNorm's statistics are as they were
    block = checks_block(an.study, ["teacher", *an.variants], found, 0.1)
    lines = check_lines(block)
    assert lines[0].startswith("⚠ check batch-dependence (bn):")
    assert 'acknowledge: [checks] acknowledge = ["batch-dependence"]' in lines[0]
    assert lines[1].startswith("✓ acknowledged check probability-outputs (soft):")


def test_a_teacher_of_another_task_is_probed_without_labels(tmp_path: Path) -> None:
    an = analysis(tmp_path)
    an.study = replace(an.study, checks=replace(an.study.checks, expect_accuracy=0.99))
    an.variants = {"scratch": model("clean")}
    an.teacher = model("permuted")  # at chance on the target labels, but the teacher has no labels here
    assert preflight(an) == []


def test_no_check_fires_on_the_demo(demo_run: Path) -> None:
    block = read_summary(demo_run / "summary.json").checks
    assert block is not None
    assert block["models"] == ["teacher", "scratch", "probe", "finetune"] and len(block["ran"]) == 10
    assert block["findings"] == [], json.dumps(block["findings"], ensure_ascii=False)
