"""Fake job kinds for the UI tests ("tests.ui.fake_jobs:NAME"); they never import torch."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tltui.base.progress import JobContext, Progress


def analyze(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Stands in for `analyze`: copies a real run's results ($TLTUI_UI_FAKE_SRC) into the run directory."""
    src = Path(params.get("src") or os.environ["TLTUI_UI_FAKE_SRC"])
    for i, name in enumerate(("instances.npz", "summary.json")):
        if (src / name).exists():
            shutil.copy(src / name, ctx.run_dir / name)
        yield Progress("copy", i + 1, 2, name)


def forever(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Runs until cancelled, reporting progress."""
    i = 0
    while True:
        i += 1
        yield Progress("spin", i % 100, 100)
        time.sleep(0.05)
