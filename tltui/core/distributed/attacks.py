"""Attack shards on Ray: one task per (attack set × test shard), its pixels shipped as uint8 when the study's data
are; each shard written into its set's adversarial-cache file as it lands."""

from __future__ import annotations

import contextlib
import copy
import os
import socket
import time
from collections.abc import Callable, Generator
from typing import Any

import numpy as np
import ray
import torch
from torch import nn

from tltui.base.executor import Executor
from tltui.base.progress import Progress
from tltui.core.analysis import Analysis, AttackSet, attack_run, attack_target
from tltui.core.attacks.engine import AttackConfig
from tltui.core.distributed.cluster import joined, shard_resources
from tltui.core.distributed.schedule import in_flight
from tltui.core.evaluate import attack_shard, prepare_target, shard_bounds
from tltui.core.images import Images, Uint8Source

MAX_RETRIES = 3
"""Ray reruns a shard whose worker died this many times (a shard is pure: rerunning gives the same images)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@ray.remote
def attack_task(
    s: dict[str, Any], model: nn.Module, x: np.ndarray, y: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, str, float]:
    """One shard: the images [lo, hi) of the set `s` describes; `x` holds them (uint8 from the decoded-data
    cache, or float32), `y` is the job's one shared copy of the labels."""
    t0 = time.perf_counter()
    torch.set_num_threads(s["threads"])
    dev = torch.device(s["device"])
    target = attack_target(s["kind"], model.to(dev), s["mean"], s["std"], dev, s["compile"])
    prepare_target(target, dev)
    # the shard's pixels only; uint8 ones become floats as Uint8Source.read makes them (bit for bit)
    xb = torch.from_numpy(np.array(x))
    xb = xb.float().div_(255.0) if xb.dtype == torch.uint8 else xb
    yb = None if s["kind"] == "teacher" else torch.from_numpy(np.array(y[lo:hi]))
    cfg = AttackConfig(**s["cfg"])
    adv = attack_shard(attack_run(s["kind"], s["attack"]), target, xb, yb, cfg, device=dev, seed=s["seed"])
    return adv.cpu().float().numpy(), worker_name(), time.perf_counter() - t0


@ray.remote
def warm_task(hold: float) -> str:
    """Nothing but the imports a shard needs (torch, the core), held a moment so N run on N workers at once."""
    time.sleep(hold)
    return worker_name()


def warm(n: int, ex: Executor, job_device: torch.device) -> float:
    """Start `n` workers with their imports done (the benchmark times shards, not interpreter start); seconds."""
    t0 = time.perf_counter()
    cpus, gpus, _ = shard_resources(ex, job_device)
    task = warm_task.options(num_cpus=cpus, num_gpus=gpus)
    ray.get([task.remote(0.5) for _ in range(n)])
    return time.perf_counter() - t0


def _cpu(model: nn.Module) -> nn.Module:
    on_cpu = all(p.device.type == "cpu" for p in model.parameters())
    return model if on_cpu else copy.deepcopy(model).cpu()


def shard_pixels(images: Images, lo: int, hi: int) -> np.ndarray:
    """Images lo…hi−1 as a shard ships them: uint8 when they come from the decoded-data cache (a quarter of the
    bytes, and no float copy of the set anywhere), else the float32 pixels."""
    src = images.source
    if isinstance(src, Uint8Source) and images.norm is None:
        rows = slice(lo, hi) if images.rows is None else images.rows[lo:hi]
        return np.array(src.arr[rows])
    return np.ascontiguousarray(images[lo:hi].numpy())


def _describe(an: Analysis, s: AttackSet, device: str) -> dict[str, Any]:
    cfg = {k: getattr(s.cfg, k) for k in ("eps", "alpha", "steps", "random_start", "norm", "scale")}
    return {
        "kind": s.kind,
        "attack": s.attack,
        "cfg": cfg,
        "mean": an.mean,
        "std": an.std,
        "device": device,
        "compile": an.compile and s.kind == "whitebox",
        "threads": torch.get_num_threads(),
    }


class Throughput:
    """Images per second of each Ray worker, for the job's progress messages."""

    def __init__(self) -> None:
        self.images: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def add(self, who: str, n: int, secs: float) -> None:
        self.images[who] = self.images.get(who, 0) + n
        self.seconds[who] = self.seconds.get(who, 0.0) + secs

    def line(self) -> str:
        rates = [self.images[w] / max(self.seconds[w], 1e-9) for w in self.images]
        return (
            f"{len(rates)} Ray worker{'s' if len(rates) != 1 else ''}, "
            f"{sum(rates) / max(len(rates), 1):,.0f} img/s per worker"
        )

    def detail(self) -> str:
        return "; ".join(
            f"{w} {self.images[w]:,} img at {self.images[w] / max(self.seconds[w], 1e-9):,.0f} img/s"
            for w in sorted(self.images)
        )


def prefetch(
    an: Analysis, sets: list[AttackSet], ex: Executor, log: Callable[[str], None] = print
) -> Generator[Progress, None, dict[str, Any]]:
    """Compute every set of `sets` not yet cached as Ray shards and hand the merged sets to `an.cache`.

    Shards are the fixed batches of `an.batch_size` that the local executor runs too, each seeded with the set's
    seed plus its index, so the images are those of a local run whatever the number of workers. Returns what
    ran: shards, seconds from the first submission to the last result, images per worker."""
    todo = list({s.key: s for s in sets if not an.cache.has(s.key)}.values())
    if not todo:
        return {"shards": 0, "seconds": 0.0, "workers": {}}
    images, y = an.data.test.images, an.data.test.y
    bounds = shard_bounds(len(images), an.batch_size)
    cpus, gpus, device = shard_resources(ex, an.device)
    shards = [(s, b) for s in todo for b in range(len(bounds))]
    total = len(shards)
    yield Progress("attacks", 0, total, f"{len(todo)} attack sets as {total} Ray shards")
    with joined(ex, log) as resources:
        y_ref = ray.put(y.numpy())  # one copy per job in the object store; pixels travel per shard
        models = {id(s.model): ray.put(_cpu(s.model)) for s in todo}
        task = attack_task.options(num_cpus=cpus, num_gpus=gpus, max_retries=MAX_RETRIES)
        described = {s.key: _describe(an, s, device) for s in todo}

        def submit(s: AttackSet, b: int) -> Callable[[], Any]:
            args = {**described[s.key], "seed": s.seed + b}
            lo, hi = bounds[b]
            return lambda: task.remote(args, models[id(s.model)], shard_pixels(images, lo, hi), y_ref, lo, hi)

        # each shard's images are written into the set's cache file as they land: no set is merged in memory
        writers = {s.key: an.cache.open(s.key, tuple(images.shape)) for s in todo}
        left = {s.key: len(bounds) for s in todo}
        speed = Throughput()
        t0 = time.perf_counter()
        limit = ex.workers or 2 * max(1, int(resources.get("GPU" if gpus else "CPU", 1.0) / (gpus or cpus)))
        try:
            with contextlib.closing(in_flight([submit(s, b) for s, b in shards], limit)) as results:
                for done, (i, (arr, who, secs)) in enumerate(results, start=1):
                    s, b = shards[i]
                    writers[s.key].write_at(bounds[b][0], arr)
                    speed.add(who, len(arr), secs)
                    left[s.key] -= 1
                    if not left[s.key]:
                        an.cache.hand(s.key, writers.pop(s.key))
                    yield Progress("attacks", done, total, f"{done}/{total} shards · {speed.line()}")
        finally:
            for w in writers.values():  # a cancelled or failed job leaves no half-written set
                w.discard()
        seconds = time.perf_counter() - t0
        log(f"Ray attack shards: {total} on {speed.detail()}")
    return {"shards": total, "seconds": seconds, "workers": dict(speed.images)}
