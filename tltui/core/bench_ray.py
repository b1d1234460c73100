"""`tltui bench --executor ray`: the demo's attacks on N Ray workers against 1, and Ray against the local executor."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from tltui.base.executor import Executor
from tltui.base.progress import Progress, drain
from tltui.base.study import demo_study
from tltui.core.analysis import Analysis
from tltui.core.device import resolve_device
from tltui.core.distributed.attacks import prefetch, warm
from tltui.core.distributed.cluster import joined, shard_resources
from tltui.core.pipeline import analyze, attack_sets


def _fresh(ws: Path, an: Analysis | None = None) -> None:
    """No adversarial set cached, so the next measurement computes every one."""
    shutil.rmtree(ws / "adv", ignore_errors=True)
    if an is not None:
        an.cache.handed.clear()


def _timed(gen: Generator[Progress, None, Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    value = drain(gen)
    return time.perf_counter() - t0, value


def run_ray_bench(
    device: str, ex: Executor, workspace: Path, log: Any = print
) -> Generator[Progress, None, dict[str, Any]]:
    """Time the demo's attack sets as Ray shards on 1 worker and on N (the same shards), the same sets on the local
    executor, and a whole `analyze demo` on each executor; models come from (and go to) the workspace's cache."""
    dev = resolve_device(device)
    study = demo_study()
    steps = 6
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        ws.mkdir()
        (workspace / "models").mkdir(parents=True, exist_ok=True)
        (ws / "models").symlink_to(workspace / "models")  # built once, kept for the next benchmark
        yield Progress("bench", 0, steps, "load the demo models")
        an = Analysis(study, ws, dev)
        yield from an.load()
        sets = attack_sets(an)
        yield Progress("bench", 1, steps, "attacks on the local executor")
        local_s = 0.0
        for s in sets:
            secs, _ = _timed(an.run_set(s))
            local_s += secs
        yield Progress("bench", 2, steps, "starting or joining Ray")
        t0 = time.perf_counter()
        with joined(ex, log) as resources:  # held across the measurements below: each prefetch reuses it
            start_s = time.perf_counter() - t0
            cpus, gpus, _ = shard_resources(ex, dev)
            fits = resources.get("GPU", 0.0) / gpus if gpus else resources.get("CPU", 1.0) / cpus
            n = ex.workers or max(1, int(fits))  # as many shards as the cluster runs at once
            warm_s = warm(n, ex, dev)
            runs: dict[int, dict[str, Any]] = {}
            for i, w in enumerate(sorted({1, n})):
                yield Progress("bench", 3 + i, steps, f"attack shards on {w} Ray worker(s)")
                _fresh(ws, an)
                secs, stats = _timed(prefetch(an, sets, dataclasses.replace(ex, workers=w), log))
                runs[w] = {
                    "wall_s": secs,
                    "shards_s": stats["seconds"],
                    "workers_used": len(stats["workers"]),
                }
            yield Progress("bench", 5, steps, "analyze demo, local then Ray")
            with tempfile.TemporaryDirectory() as out:
                _fresh(ws, an)
                local_total, _ = _timed(analyze(study, Path(out), workspace=ws, device=str(dev)))
                _fresh(ws, an)
                ray_total, _ = _timed(analyze(study, Path(out), workspace=ws, device=str(dev), executor=ex))
    yield Progress("bench", steps, steps, "done")
    return {
        "executor": "ray",
        "device": str(dev),
        "address": ex.address or "local instance",
        "cluster_cpus": resources.get("CPU", 0.0),
        "cluster_gpus": resources.get("GPU", 0.0),
        "machine_cpus": os.cpu_count(),
        "attack_sets": len(sets),
        "shards": len(sets) * -(-len(an.data.test) // an.batch_size),
        "n_test": len(an.data.test),
        "workers": n,
        "local_attacks_s": local_s,
        "ray_attacks": {str(k): v for k, v in runs.items()},
        "speedup_n_over_1": runs[1]["shards_s"] / runs[n]["shards_s"],
        "ray_start_s": start_s,
        "worker_warmup_s": warm_s,
        "analyze_demo_local_s": local_total,
        "analyze_demo_ray_s": ray_total,
        "ray_overhead_s": ray_total - local_total,
    }
