"""`tltui mitigate --method remos --then model-doctor`: one job, the chain recorded in each later stage's record and
its verdicts printed; a bad chain is one line before any job (docs/mitigation.md#stacked-mitigations)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.quick import QUICK_ATTACK as QUICK


@pytest.mark.e2e
def test_a_stacked_job_records_its_chain(tmp_path: Path, demo_run: Path, isolated_home: Path, cli) -> None:  # type: ignore[no-untyped-def]
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")  # the demo's cached models: nothing rebuilds
    flags = ("--epochs", "1", "--param", "2.epochs=1", "--param", "2.channel_alpha=3", "--seed", "2")
    out = tmp_path / "out"
    proc = cli(
        "mitigate", "demo", "--method", "remos", "--then", "model-doctor", *flags, "--out", str(out),
        "--device", "cpu", "--workspace", str(ws), *QUICK,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    s = json.loads((out / "summary.json").read_text())
    assert s["produced"]["names"] == ["remos-s2", "finetune-e1-s2", "remos+model-doctor-s2"]
    rec = s["derived"]["remos+model-doctor-s2"]
    assert (rec["kind"], rec["method"], rec["base"], rec["matched"]) == (
        "treatment", "model-doctor", "remos-s2", "finetune-e1-s2",
    )  # fmt: skip
    one, two = rec["chain"]
    assert (one["method"], one["variant"], one["params"]["epochs"], one["recipe"]["epochs"]) == (
        "remos",
        "remos-s2",
        1,
        1,
    )
    assert (two["method"], two["base"], two["params"]["channel_alpha"], two["recipe"]["source"]) == (
        "model-doctor", "remos-s2", 3.0, "model-doctor",
    )  # fmt: skip
    assert two["params"]["variant"] == "remos-s2" and two["params"]["seed"] == 2  # seed 2 from seed 2
    assert s["seeds"]["pairs"] == [
        {"seed": 2, "variant": "remos+model-doctor-s2", "baseline": "finetune-e1-s2"}
    ]
    lines = [x for x in proc.stdout.splitlines() if x.startswith("verdict: ")]
    assert [x.split(" ")[1] for x in lines] == ["remos", "remos+model-doctor", "remos+model-doctor"]
    assert "over remos" in lines[-1]
    bad = cli("mitigate", "demo", "--method", "remos", "--then", "retrain", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "--then retrain: it re-initialises" in bad.stderr
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
