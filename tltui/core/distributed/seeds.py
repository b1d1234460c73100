"""Seed builds on Ray: each planned run (a seed, or its matched baseline) is a task returning the built model."""

from __future__ import annotations

import contextlib
import importlib
import time
from collections.abc import Callable, Generator
from typing import Any

import ray
import torch
from torch import nn

from tltui.base.catalogue import Entry
from tltui.base.executor import Executor
from tltui.base.progress import Progress, drain
from tltui.core.analysis import Analysis
from tltui.core.distributed.attacks import MAX_RETRIES, worker_name
from tltui.core.distributed.cluster import joined, shard_resources
from tltui.core.distributed.schedule import in_flight


@ray.remote
def build_task(
    an: Analysis, entry: Entry, settings: Any, device: str, threads: int
) -> tuple[nn.Module, str, float]:
    """One planned run, as the local executor runs it (every method seeds itself from its `seed`)."""
    t0 = time.perf_counter()
    torch.set_num_threads(threads)
    an.device = torch.device(device)
    for m in (an.teacher, *an.variants.values()):
        m.to(an.device)
    model: nn.Module = drain(entry.load()(an, settings))
    return model.cpu(), worker_name(), time.perf_counter() - t0


def prepare(an: Analysis, entry: Entry, settings: Any) -> Generator[Progress, None, None]:
    """A method's shared work done once on the driver before its seeds fan out (its module's `prepare`, e.g.
    ReMoS's teacher profile): what would otherwise be computed, and cached, by every seed at once."""
    module = importlib.import_module(entry.target.partition(":")[0])
    step: Callable[..., Generator[Progress, None, None]] | None = getattr(module, "prepare", None)
    if step is not None:
        yield from step(an, settings)


@contextlib.contextmanager
def _portable(an: Analysis) -> Any:
    """The analysis with its models on the CPU while it is serialised (workers may have no GPU), then back."""
    models = (an.teacher, *an.variants.values())
    if an.device.type == "cpu":
        yield an
        return
    for m in models:
        m.cpu()
    try:
        yield an
    finally:
        for m in models:
            m.to(an.device)


def build_all(
    an: Analysis, runs: list[Any], ex: Executor, log: Callable[[str], None] = print
) -> Generator[Progress, None, dict[str, nn.Module]]:
    """Every run of `runs` (tltui.core.produce.Planned) built on Ray, at most `ex.workers` at once; name -> model."""
    total = len(runs)
    for r in {r.entry.name: r for r in runs}.values():
        yield from prepare(an, r.entry, r.settings)
    cpus, gpus, device = shard_resources(ex, an.device)
    threads = torch.get_num_threads()
    yield Progress("seed builds", 0, total, f"{total} runs as Ray tasks")
    built: dict[str, nn.Module] = {}
    with joined(ex, log), _portable(an):
        an_ref = ray.put(an)  # one copy per job: data, teacher and variants
        task = build_task.options(num_cpus=cpus, num_gpus=gpus, max_retries=MAX_RETRIES)

        def submit(r: Any) -> Callable[[], Any]:
            return lambda: task.remote(an_ref, r.entry, r.settings, device, threads)

        with contextlib.closing(in_flight([submit(r) for r in runs], ex.workers)) as results:
            for done, (i, (model, who, secs)) in enumerate(results, start=1):
                built[runs[i].name] = model
                log(f"built '{runs[i].name}' on Ray worker {who} in {secs:.1f} s")
                yield Progress("seed builds", done, total, f"{done}/{total} seed builds on Ray")
    return built
