"""Fake job functions the worker runs in tests (kind "tests.jobs.fake_jobs:NAME"); none needs torch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tltui.base.errors import DataError
from tltui.base.progress import JobContext, Progress
from tltui.base.runfiles import save_json


def count(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Counts to `n`, logs a line, writes result.json (with whether torch got imported)."""
    n = int(params.get("n", 3))
    ctx.log("hello from the job")
    for i in range(n):
        yield Progress("count", i + 1, n, f"step {i + 1}")
    save_json(ctx.run_dir / "result.json", {"n": n, "device": ctx.device, "torch": "torch" in sys.modules})


def gated(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Waits until the file `gate` exists, then finishes; writes `ready` once it runs."""
    gate = Path(params["gate"])
    ctx.log("waiting at the gate")
    if "ready" in params:
        Path(params["ready"]).touch()
    i = 0
    while not gate.exists():
        i += 1
        yield Progress("wait", i, 0)
        time.sleep(0.01)
    ctx.log("through the gate")
    yield Progress("done", 1, 1)


def flood(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Yields a great many progress steps as fast as it can."""
    n = int(params.get("n", 200_000))
    for i in range(n):
        yield Progress("flood", i + 1, n)


def forever(params: dict[str, Any], ctx: JobContext) -> None:
    """Prints a line and then sleeps until killed."""
    print("forever job up", flush=True)
    ctx.log("sleeping")
    while True:
        time.sleep(0.05)


def with_grandchild(params: dict[str, Any], ctx: JobContext) -> None:
    """Starts a child that ignores SIGTERM, records its pid, then sleeps until cancelled."""
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(120)"
    child = subprocess.Popen([sys.executable, "-c", code])
    (ctx.run_dir / "grandchild.pid").write_text(str(child.pid))
    (ctx.run_dir / "worker.pid").write_text(str(os.getpid()))
    while True:
        time.sleep(0.05)


def ignore_term(params: dict[str, Any], ctx: JobContext) -> None:
    """A job that survives SIGTERM, so only SIGKILL stops it."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    (ctx.run_dir / "ready").touch()
    while True:
        time.sleep(0.05)


class OutOfMemoryError(RuntimeError):
    """Named like torch.cuda.OutOfMemoryError, which the worker recognises by name."""


def oom(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """Runs out of "GPU memory" while batch_size > 8 (or always, with `always`)."""
    batch = params["batch_size"]
    with open(ctx.run_dir / "attempts.txt", "a") as fh:
        fh.write(f"{batch}\n")
    yield Progress("train", 0, 4)
    if batch > 8 or params.get("always"):
        raise OutOfMemoryError(f"CUDA out of memory. Tried to allocate {batch} GiB")
    yield Progress("train", 4, 4)
    save_json(ctx.run_dir / "result.json", {"batch_size": batch})


def bad_input(params: dict[str, Any], ctx: JobContext) -> None:
    raise DataError("no images under data/train; check the study's [data] paths")


def crash(params: dict[str, Any], ctx: JobContext) -> None:
    raise ValueError("boom")


def phases(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """A diagnosis in miniature: the phases of `analyze`, a warning, and a summary.json with one variant."""
    pause = float(params.get("pause", 0.02))
    for phase, total in (("load data", 1), ("train teacher", 4), ("load models", 2), ("attacks", 3)):
        for i in range(total + 1):
            yield Progress(phase, i, total)
            time.sleep(pause)
    ctx.log("warning: 3 test images are blank")
    for i in range(5):
        yield Progress("levels", i, 4)
    metrics = {"aoi": 0.9, "aai": 0.1, "dr": 0.889, "robust": 0.111, "macro_f1": 0.9, "macro_recall": 0.9}
    save_json(
        ctx.run_dir / "summary.json",
        {
            "study": "demo",
            "device": ctx.device,
            "n_test": 10,
            "attack": {"name": "pgd", "eps": 0.1, "alpha": 0.02, "steps": 10},
            "variants": {"finetune": {**metrics, "dir": 0.3}},
        },
    )
    yield Progress("done", 1, 1)
