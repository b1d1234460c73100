"""Two cold analyses and a re-run of a mitigation at once, in one workspace: the solo numbers, nothing lost."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.faults.conftest import tltui
from tests.quick import QUICK_ATTACK
from tltui.base import rundir
from tltui.jobs import api

pytestmark = pytest.mark.e2e


def summary(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / rundir.SUMMARY).read_text())


def test_concurrent_jobs_give_the_solo_numbers(demo_ws: Path, demo_run: Path, tmp_path: Path) -> None:
    common = ("--device", "cpu", "--workspace", str(demo_ws), *QUICK_ATTACK)
    mitigate = ("mitigate", "demo", "--method", "finetune", "--epochs", "1", "--name", "m")
    solo = tmp_path / "solo"
    proc = tltui(*mitigate, "--out", str(solo), *common)
    assert proc.returncode == 0, proc.stderr[-3000:]
    solo_m = summary(solo)["variants"]["m"]
    want = {
        k: v for k, v in summary(solo)["variants"].items() if k != "m"
    }  # the study's, as a solo run gives them
    # Cold: no adversarial example cached, and one model to build again (both analyses build and save it).
    shutil.rmtree(demo_ws / "adv")
    for p in (demo_ws / "models" / "demo").glob("probe-*"):
        p.unlink()
    outs = {name: tmp_path / name for name in ("a", "b", "re")}
    jobs = []
    for name in ("a", "b"):
        proc = tltui("analyze", "demo", "--out", str(outs[name]), "--detach", *common)
        assert proc.returncode == 0, proc.stderr
        jobs.append(proc.stdout.strip())
    proc = tltui(*mitigate, "--out", str(outs["re"]), "--detach", *common)
    assert proc.returncode == 0, proc.stderr
    jobs.append(proc.stdout.strip())
    for job in jobs:
        record = api.wait(job, demo_ws, timeout=600)
        assert record.status == "done", (record.error_title, record.error, api.logs(job, demo_ws)[-3000:])
    for name, out in outs.items():
        got = summary(out)["variants"]
        assert {k: got[k] for k in want} == want, name  # the study's variants as a solo run gives them
        assert got["m"] == solo_m, name  # the produced variant: old or new, never missing, same numbers
    assert sorted(p.name for p in (demo_ws / "variants" / "demo").iterdir()) == ["m.json", "m.safetensors"]
    assert len(api.list_jobs(demo_ws)) == 4  # every job is in the index
