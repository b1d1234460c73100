"""CPU seconds and widgets until the workbench has every view mounted on the recorded demo run (not run by pytest).

usage: .venv/bin/python tests/ui/measure_ready.py [ROUNDS]
Each round builds the app in the pilot at 160x48 on a copy of tests/ui/fixtures/demo-run (throw-away workspace and
config dir), waits until all views are mounted and their workers are done, and prints this process's CPU seconds
from the app's construction (imports excluded) and the widget count per view. CPU time, not wall: on a busy
machine it is what the start would take on idle cores."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
TMP = Path(tempfile.mkdtemp())
os.environ["XDG_CONFIG_HOME"] = str(TMP / "config")
os.environ["TLTUI_WORKSPACE"] = str(TMP / "ws")

from textual.widgets import TabPane  # noqa: E402

from tests.ui.conftest import RECORDED  # noqa: E402
from tests.ui.helpers import ready  # noqa: E402
from tltui.ui.app import WorkbenchApp  # noqa: E402
from tltui.ui.model.jobs_client import JobsClient  # noqa: E402
from tltui.ui.model.session import Session  # noqa: E402
from tltui.ui.model.settings import Settings  # noqa: E402


async def one_round(run: Path) -> tuple[float, dict[str, int]]:
    start = time.process_time()
    session = Session(study="demo", device="cpu", jobs=JobsClient(TMP / "ws"), run_dir=run, autostart=False)
    app = WorkbenchApp(session, Settings(gpu_stats=False))
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        await app.workers.wait_for_complete()
        cpu = time.process_time() - start
        counts = {"all": len(list(app.screen.walk_children()))}
        counts.update({str(pane.id): len(list(pane.walk_children())) for pane in app.screen.query(TabPane)})
    return cpu, counts


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    run = TMP / "run"
    shutil.copytree(RECORDED, run)
    cpus: list[float] = []
    counts: dict[str, int] = {}
    for _ in range(rounds):
        cpu, counts = asyncio.run(one_round(run))
        cpus.append(cpu)
    print(
        f"ready: median {statistics.median(cpus):.2f} s CPU over {rounds} rounds ({', '.join(f'{c:.2f}' for c in cpus)})"
    )
    print("widgets: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])))
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
