"""End to end: `tltui localise demo --variant finetune` runs as a job (progress events, a table, interventions.json)
and can be cancelled while it runs, leaving no interventions.json."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.quick import QUICK_ATTACK
from tltui.jobs import api


@pytest.fixture
def workspace(tmp_path: Path, demo_run: Path, isolated_home: Path) -> Path:
    """A workspace of its own holding the demo's cached models (so nothing retrains, nothing leaks)."""
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    return ws


def test_localise_runs_as_a_job_and_cancels(workspace: Path, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "loc"
    flags = ("--device", "cpu", "--workspace", str(workspace))
    proc = cli(
        "localise", "demo", "--variant", "finetune", "--out", str(out), "--layers", "conv1,conv4",
        "--interventions", "restore,reinit", "--top-k", "1", *flags, *QUICK_ATTACK,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "interventions" in proc.stderr  # the progress bar's phase
    assert "| rank | layer | Δ DIR restore | Δ DIR reinit |" in proc.stdout
    iv = json.loads((out / "interventions.json").read_text())
    assert [x["name"] for x in iv["layers"]] == ["conv1", "conv4"] and iv["variant"] == "finetune"
    assert len(iv["cumulative"]) == 1 and set(iv["correlations"]) >= {"weight_change", "cka"}
    (job,) = api.list_jobs(workspace)
    assert job.kind == "localise" and job.status == "done"
    assert any(e.type == "progress" and e.phase == "interventions" for e in api.events(job.id, workspace))

    # cancelled once its worker runs (the whole net, three interventions, the study's attack): nothing is written
    gone = tmp_path / "cancelled"
    gone.mkdir()
    job_id = api.submit(
        "localise",
        {"study": "demo", "out": str(gone), "variant": "finetune"},
        device="cpu",
        workspace=workspace,
    )
    deadline = time.monotonic() + 60
    while (
        not any(e.type == "progress" for e in api.events(job_id, workspace)) and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert api.cancel(job_id, workspace, grace=1).status == "cancelled"
    assert not (gone / "interventions.json").exists()
