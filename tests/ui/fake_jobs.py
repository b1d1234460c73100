"""Fake job kinds for the UI tests ("tests.ui.fake_jobs:NAME"); they never import torch."""

from __future__ import annotations

import json
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


def produce(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Stands in for `mitigate`: a real run's results plus a produced variant `params["name"]` (finetune's row,
    DIR halved) made from finetune."""
    src = Path(params.get("src") or os.environ["TLTUI_UI_FAKE_SRC"])
    for name in ("instances.npz", "overall.json"):
        if (src / name).exists():
            shutil.copy(src / name, ctx.run_dir / name)
    summary = json.loads((src / "summary.json").read_text())
    name = str(params.get("name", "remos"))
    row = dict(summary["variants"]["finetune"])
    row["dir"] = row["dir"] / 2
    summary["variants"][name] = row
    summary["derived"] = {name: {"kind": "mitigation", "method": "remos", "base": "finetune"}}
    (ctx.run_dir / "summary.json").write_text(json.dumps(summary))
    yield Progress("produce", 1, 1, name)


def preview(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Stands in for `preview`: a slice order over two layers of 4 and 12 weights."""
    import numpy as np

    np.savez(
        ctx.run_dir / "preview.npz",
        order=np.array([1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1]),
        layers=np.array(["conv1", "conv2"]),
        sizes=np.array([4, 12]),
    )
    yield Progress("profile", 1, 1)


def forever(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Runs until cancelled, reporting progress."""
    i = 0
    while True:
        i += 1
        yield Progress("spin", i % 100, 100)
        time.sleep(0.05)
