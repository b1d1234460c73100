"""`tltui report` end to end in a subprocess: the recorded demo run and a hand-made multi-seed run, bad input."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.base.rundirs import make_run, seed_run

DEMO = Path(__file__).parents[1] / "ui" / "fixtures" / "demo-run"
pytestmark = pytest.mark.e2e


def test_report_of_the_demo_run(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    run = tmp_path / "demo-run"
    shutil.copytree(DEMO, run)
    proc = cli("report", str(run), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("study: finetune DIR ")
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.startswith("# Report: study demo") and "teacher attack (DIR): feature" in md
    assert "no method to compare" in md and "| finetune | 1 | 0." in md
    svg = ElementTree.parse(tmp_path / "out" / "pareto.svg").getroot()
    assert svg.tag.endswith("svg")
    assert {"scratch", "probe", "finetune"} <= {t.text for t in svg.iter() if t.tag.endswith("title")}


def test_report_of_seed_groups_gives_one_verdict_per_method(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    remos = seed_run(tmp_path / "remos", "remos", 5, effect=0.3)
    fmt = seed_run(tmp_path / "fmt", "fmt", 2, effect=0.0)
    proc = cli("report", str(remos), str(fmt), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert re.fullmatch(
        r"remos removes \d+ % of the inheritance at −\d\.\d points of accuracy, beyond noise, 5 seeds",
        lines[0],
    )
    assert lines[1].endswith("more seeds needed (2 seeds)")
    md = (tmp_path / "out" / "report.md").read_text()
    assert "### remos against finetune, matched seeds" in md and md.count("| remos-s") == 5
    assert "| remos | finetune, matched seeds | 5 | −0.3" in md
    assert "finetune, matched seeds, for fmt" in md  # the other group's baselines are their own point


def test_bad_input_is_one_line_and_status_2(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    missing = cli("report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    other = make_run(tmp_path / "other", {"finetune": (0.9, 0.3, 1)})
    (other / "summary.json").write_text((other / "summary.json").read_text().replace('"tiny"', '"other"'))
    mixed = cli(
        "report", str(seed_run(tmp_path / "a", "remos", 3, 0.3)), str(other), "--out", str(tmp_path / "o")
    )
    assert mixed.returncode == 2 and "different studies" in mixed.stderr
    (tmp_path / "empty").mkdir()
    empty = cli("report", str(tmp_path / "empty"), "--out", str(tmp_path / "o"))
    assert empty.returncode == 2 and len(empty.stderr.strip().splitlines()) == 1
