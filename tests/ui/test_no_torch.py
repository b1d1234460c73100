"""The UI process never imports torch, scikit-learn or Ray: mount the app in a fresh interpreter, visit every view."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path
    from tltui.ui.app import WorkbenchApp
    from tltui.ui.model.jobs_client import JobsClient
    from tltui.ui.model.session import Session
    from tltui.ui.model.settings import Settings
    from tltui.ui.tabs import TABS

    async def main() -> None:
        session = Session(study="demo", jobs=JobsClient(), run_dir=Path(sys.argv[1]), autostart=False)
        app = WorkbenchApp(session, Settings(gpu_stats=False))
        async with app.run_test(size=(160, 48)) as pilot:
            while not app.started:  # the run is shown after the first frame
                await pilot.pause(0.05)
            await pilot.pause()
            for i in range(len(TABS)):
                await pilot.press(f"alt+{i + 1}")
                await pilot.pause()
            await pilot.press("f1", "escape", "ctrl+p")
            await pilot.pause()
            app.workbench.query_one("#jobs").poll()
        bad = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "torchvision", "sklearn", "torchattacks", "ray"))
        print(json.dumps({"bad": bad, "jobs": "tltui.jobs.api" in sys.modules}))

    asyncio.run(main())
    """
)


def test_the_ui_never_imports_torch(run_dir: Path, env: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(run_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["jobs"], "the jobs API was not exercised"
    assert result["bad"] == []
