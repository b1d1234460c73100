"""Attack shards on Ray: one task per (attack set × test shard); merged on the driver into the adversarial cache."""

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

MAX_RETRIES = 3
"""Ray reruns a shard whose worker died this many times (a shard is pure: rerunning gives the same images)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@ray.remote
def attack_task(
    s: dict[str, Any], model: nn.Module, x: np.ndarray, y: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, str, float]:
    """One shard: the images [lo, hi) of the set `s` describes; `x` and `y` are the job's one shared copy."""
    t0 = time.perf_counter()
    torch.set_num_threads(s["threads"])
    dev = torch.device(s["device"])
    target = attack_target(s["kind"], model.to(dev), s["mean"], s["std"], dev, s["compile"])
    prepare_target(target, dev)
    xb = torch.from_numpy(np.array(x[lo:hi]))  # a copy of this shard only: the shared array is read-only
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
    x, y = an.data.test.x, an.data.test.y
    bounds = shard_bounds(len(x), an.batch_size)
    cpus, gpus, device = shard_resources(ex, an.device)
    shards = [(s, b) for s in todo for b in range(len(bounds))]
    total = len(shards)
    yield Progress("attacks", 0, total, f"{len(todo)} attack sets as {total} Ray shards")
    with joined(ex, log):
        x_ref, y_ref = ray.put(x.numpy()), ray.put(y.numpy())  # one copy per job in the object store
        models = {id(s.model): ray.put(_cpu(s.model)) for s in todo}
        task = attack_task.options(num_cpus=cpus, num_gpus=gpus, max_retries=MAX_RETRIES)
        described = {s.key: _describe(an, s, device) for s in todo}

        def submit(s: AttackSet, b: int) -> Callable[[], Any]:
            args = {**described[s.key], "seed": s.seed + b}
            return lambda: task.remote(args, models[id(s.model)], x_ref, y_ref, *bounds[b])

        parts: dict[str, dict[int, np.ndarray]] = {s.key: {} for s in todo}
        speed = Throughput()
        t0 = time.perf_counter()
        with contextlib.closing(in_flight([submit(s, b) for s, b in shards], ex.workers)) as results:
            for done, (i, (arr, who, secs)) in enumerate(results, start=1):
                s, b = shards[i]
                parts[s.key][b] = arr
                speed.add(who, len(arr), secs)
                if len(parts[s.key]) == len(bounds):
                    merged = np.concatenate([parts[s.key].pop(k) for k in range(len(bounds))])
                    an.cache.put(s.key, torch.from_numpy(merged))
                yield Progress("attacks", done, total, f"{done}/{total} shards · {speed.line()}")
        seconds = time.perf_counter() - t0
        log(f"Ray attack shards: {total} on {speed.detail()}")
    return {"shards": total, "seconds": seconds, "workers": dict(speed.images)}
