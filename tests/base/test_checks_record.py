"""`[checks]` in a study, and the findings as the CLI, the workbench banner and the report show them (no torch)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.studies import GOOD, study_files
from tltui.base.errors import StudyError
from tltui.base.rundir import RunSummary
from tltui.base.rundir.shape_attacks import CheckFinding, ChecksBlock
from tltui.base.study import load_study
from tltui.commands.common import print_checks


def study(tmp: Path, checks: str) -> Path:
    study_files(tmp)
    p = tmp / "study.toml"
    p.write_text(GOOD + "[checks]\n" + checks)
    return p


def test_acknowledged_checks_and_the_expectation_parse(tmp_path: Path) -> None:
    s = load_study(
        study(tmp_path, 'acknowledge = ["batch-dependence", "input-gradients:ft"]\nexpect_accuracy = 0.9')
    )
    assert (
        s.checks.acknowledge == ("batch-dependence", "input-gradients:ft") and s.checks.expect_accuracy == 0.9
    )


@pytest.mark.parametrize(
    ("checks", "message"),
    [
        ('acknowledge = ["batch-dependance"]', "[checks] acknowledge 'batch-dependance': give a check"),
        (
            'acknowledge = ["batch-dependence:a/b"]',
            "optionally as check:model (teacher, a variant or a produced one)",
        ),
        ('acknowledge = ["batch-dependence:"]', "optionally as check:model"),
        ('acknowledge = "batch-dependence"', "[checks] acknowledge must be a list of names"),
        ("expect_accuracy = 1.5", "[checks] expect_accuracy must be in (0, 1], got 1.5"),
        ("silence = true", "silence"),
    ],
)
def test_a_bad_checks_table_is_one_line(tmp_path: Path, checks: str, message: str) -> None:
    with pytest.raises(StudyError) as err:
        load_study(study(tmp_path, checks))
    assert message in err.value.msg and "study.toml" in err.value.msg


def block(*findings: CheckFinding) -> ChecksBlock:
    return ChecksBlock(
        ran=["randomised-forward", "batch-dependence"],
        models=["teacher", "ft"],
        sample=16,
        findings=list(findings),
        acknowledged=[],
        seconds=0.1,
    )


def test_the_cli_prints_one_line_and_each_finding() -> None:
    out = io.StringIO()
    print_checks(
        RunSummary({"study": "s", "variants": {}, "n_test": 1, "classes": [], "checks": block()}), out
    )
    assert out.getvalue() == "checks: 2 ran on 2 models, none fired · docs/checks.md\n"
    f = CheckFinding(
        check="batch-dependence", stage="pre-flight", model="ft", message="m", acknowledged=False
    )
    out = io.StringIO()
    print_checks(
        RunSummary({"study": "s", "variants": {}, "n_test": 1, "classes": [], "checks": block(f)}), out
    )
    assert out.getvalue().splitlines() == [
        "checks: 2 ran on 2 models, 1 fired (0 acknowledged) · docs/checks.md",
        '  ⚠ check batch-dependence (ft): m (acknowledge: [checks] acknowledge = ["batch-dependence"])',
    ]


def test_a_run_before_the_checks_prints_nothing() -> None:
    out = io.StringIO()
    print_checks(RunSummary({"study": "s", "variants": {}, "n_test": 1, "classes": []}), out)
    assert out.getvalue() == ""
