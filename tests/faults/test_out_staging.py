"""A finished --out is replaced only by a run that finishes: a re-run that fails, is cancelled or is SIGKILLed leaves
the earlier run byte for byte; one that finishes replaces it (and the user's own files in --out stay)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import REPO, holding, tree
from tests.nets import tiny_analysis
from tltui.base import outstage, rundir
from tltui.base.errors import WriteError
from tltui.base.outlock import release_out
from tltui.base.progress import Progress, drain
from tltui.base.runfiles import save_json
from tltui.core import pipeline

OLD = {"format": 1, "study": "earlier"}


def earlier_run(out: Path) -> dict[str, str]:
    """A finished run in `out` with an on-demand file and a file of the user's; the digest of every file."""
    save_json(out / rundir.SUMMARY, OLD)
    (out / rundir.INSTANCES).write_bytes(b"old instances")
    (out / rundir.details_name(3)).write_bytes(b"old details")
    (out / "notes.txt").write_text("mine")
    return tree(out)


class _Failing:
    """The per-layer diagnosis: writes one level file, then fails (a job that dies midway)."""

    def __init__(self, _an: Any, _adv: Any, dest: Path) -> None:
        self.dest = dest

    def run(self, *_args: Any) -> Generator[Progress, None, list[Any]]:
        save_json(self.dest / rundir.OVERALL, {"new": True})
        yield Progress("levels", 1, 4)
        raise RuntimeError("died midway")


class _NoLevels(_Failing):
    def run(self, *_args: Any) -> Generator[Progress, None, list[Any]]:
        save_json(self.dest / rundir.OVERALL, {"new": True})
        yield Progress("levels", 4, 4)
        return []


@pytest.fixture
def ws(tmp_path: Path) -> Generator[Path, None, None]:
    ws = tmp_path / "ws"
    yield ws
    release_out(ws, tmp_path / "out")


def test_a_re_run_that_fails_midway_leaves_the_earlier_run_whole(
    tmp_path: Path, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    before = earlier_run(out)
    monkeypatch.setattr(pipeline, "Levels", _Failing)
    an = tiny_analysis(ws)
    with pytest.raises(RuntimeError, match="died midway"):
        drain(pipeline.analyze(an.study, out, workspace=ws, loaded=an))
    assert {k: v for k, v in tree(out).items() if not k.startswith(outstage.STAGING)} == before
    # The next run: the earlier run is still finished there.
    assert pipeline.begin_run(out, ws) == outstage.staging_dir(out)
    assert list(outstage.staging_dir(out).iterdir()) == []  # the failed run's half is gone


def test_a_re_run_that_finishes_replaces_the_earlier_run(
    tmp_path: Path, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    earlier_run(out)
    monkeypatch.setattr(pipeline, "Levels", _NoLevels)
    an = tiny_analysis(ws)
    drain(pipeline.analyze(an.study, out, workspace=ws, loaded=an))
    assert rundir.read_summary(out / rundir.SUMMARY).variants.keys() == {"finetune", "scratch"}
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([rundir.SUMMARY, rundir.INSTANCES, rundir.OVERALL, "notes.txt"])  # no old details
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / rundir.INSTANCES).read_bytes() != b"old instances"


def test_a_run_killed_while_moving_its_files_in_is_completed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    earlier_run(out)
    stage = outstage.begin(out)
    save_json(stage / rundir.INSTANCES, {"new": 1})
    save_json(stage / rundir.SUMMARY, {"format": 1, "study": "new"})
    real = os.replace
    calls = []

    def killed(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) > 1:
            raise OSError(28, os.strerror(28))
        real(src, dst)

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(WriteError, match=str(out)):
        outstage.commit(out, stage)
    monkeypatch.setattr(os, "replace", real)
    assert not (out / rundir.SUMMARY).exists()  # never a mix that reads as finished
    assert outstage.begin(out) == outstage.staging_dir(out)  # the next run completes the move first
    assert (out / rundir.SUMMARY).read_text().count('"new"') == 1
    assert not (out / rundir.details_name(3)).exists() and (out / "notes.txt").read_text() == "mine"


KILLED = """
import os, signal, sys
from pathlib import Path
from tltui.base import rundir
from tltui.base.outlock import hold_out
from tltui.base.outstage import begin
from tltui.base.runfiles import save_json
ws, out = Path(sys.argv[1]), Path(sys.argv[2])
hold_out(ws, out)
stage = begin(out)
save_json(stage / rundir.INSTANCES, {"half": 1})
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_sigkilled_re_run_leaves_the_earlier_run_whole(tmp_path: Path, ws: Path) -> None:
    out = tmp_path / "out"
    before = earlier_run(out)
    proc = subprocess.run(
        [sys.executable, "-c", KILLED, str(ws), str(out)], env={"PYTHONPATH": str(REPO)}, capture_output=True
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert {k: v for k, v in tree(out).items() if not k.startswith(outstage.STAGING)} == before
    pipeline.begin_run(out, ws)
    assert list(outstage.staging_dir(out).iterdir()) == []


def _fake_analyze(study: Any, out: Path, *, workspace: Path, **_kw: Any) -> Generator[Progress, None, None]:
    """A diagnosis that takes `out`, writes half its files, then fails."""
    dest = pipeline.begin_run(out, workspace)
    save_json(dest / rundir.INSTANCES, {"half": 1})
    yield Progress("attacks", 1, 2)
    raise RuntimeError("died midway")


def test_a_failed_job_leaves_no_staging_folder_and_a_refused_one_touches_none(
    tmp_path: Path, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tltui.base.errors import ResultsError
    from tltui.base.progress import JobContext
    from tltui.core import entrypoints

    out = tmp_path / "out"
    before = earlier_run(out)
    monkeypatch.setattr(entrypoints, "analyze", _fake_analyze)
    ctx = JobContext(run_dir=tmp_path / "run", workspace=ws)
    with pytest.raises(RuntimeError, match="died midway"):
        drain(entrypoints.analyze_job({"study": "demo", "out": str(out)}, ctx))
    assert tree(out) == before and not outstage.staging_dir(out).exists()
    release_out(ws, out)
    with holding(HOLDER, ws, out):
        with pytest.raises(ResultsError, match="another job"):
            drain(entrypoints.analyze_job({"study": "demo", "out": str(out)}, ctx))
        assert (outstage.staging_dir(out) / rundir.INSTANCES).is_file()  # the running job's: left alone


HOLDER = """
import sys, time
from pathlib import Path
from tltui.base import rundir
from tltui.base.outlock import hold_out
from tltui.base.outstage import begin
from tltui.base.runfiles import save_json
hold_out(Path(sys.argv[1]), Path(sys.argv[2]))
save_json(begin(Path(sys.argv[2])) / rundir.INSTANCES, {"running": 1})
print("held", flush=True)
time.sleep(60)
"""
