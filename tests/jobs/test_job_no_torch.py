"""The caller's side of jobs (submit, watch, load results) never imports torch."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.jobs.helpers import fake

SCRIPT = """
import sys
from tltui.jobs import api
from tltui.jobs.foreground import run_foreground, raise_if_failed
from tltui.base.runfiles import load_json

job_id = api.submit({kind!r}, {{"n": 2}}, device="cpu")
events = list(api.follow(job_id, poll=0.01))
assert events[-1].type == "finished", events
record = raise_if_failed(api.get(job_id))
result = load_json(record.run_dir / "result.json")
assert result["n"] == 2, result
assert "torch" not in sys.modules, "the caller imported torch"
assert "textual" not in sys.modules, "the jobs layer imported textual"
print("ok")
"""


def test_caller_side_imports_no_torch(ws: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(kind=fake("count"))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
