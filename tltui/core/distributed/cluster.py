"""Joining (or starting) the Ray cluster a job's shards run on, and leaving it with nothing of ours running."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

import ray
import torch

from tltui.base.errors import JobError
from tltui.base.executor import INSTALL_HINT, Executor

QUIET = {
    "RAY_USAGE_STATS_ENABLED": "0",  # no usage report leaves the machine
    "RAY_DEDUP_LOGS": "0",
}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


@contextlib.contextmanager
def joined(ex: Executor, log: Any = print) -> Iterator[dict[str, float]]:
    """Connected to `ex.address` (or to a Ray instance started here for the job and stopped after it); yields
    the cluster's resources. Leaving always disconnects, so a cancelled job leaves no driver behind; a process
    already connected stays so."""
    if ray.is_initialized():  # a caller holding the cluster already (the benchmark) keeps it
        yield ray.cluster_resources()
        return
    for k, v in QUIET.items():
        os.environ.setdefault(k, v)
    started = ex.address is None
    try:
        if started:
            ray.init(
                address="local",
                num_cpus=ex.workers,
                include_dashboard=False,
                logging_level=logging.ERROR,
                log_to_driver=False,
            )
        else:
            ray.init(address=ex.address, logging_level=logging.ERROR, log_to_driver=False)
    except BaseException as exc:
        ray.shutdown()  # whatever a half-done start left (a cancel can land here too)
        if not isinstance(exc, Exception):
            raise
        where = "start a local Ray instance" if started else f"join the Ray cluster at {ex.address}"
        raise JobError(
            f"cannot {where} ({_first_line(exc)}); check `ray status` there, or run with --executor local",
            title="Ray unavailable",
        ) from None
    try:
        resources = ray.cluster_resources()
        log(
            f"Ray: {'started a local instance' if started else 'joined ' + str(ex.address)} · "
            f"{resources.get('CPU', 0):g} CPUs, {resources.get('GPU', 0):g} GPUs"
        )
        yield resources
    finally:
        ray.shutdown()  # also stops the instance when this job started it


def shard_resources(ex: Executor, job_device: torch.device) -> tuple[float, float, str]:
    """(CPUs, GPUs) each shard asks Ray for, and the torch device it runs on: `--shard-gpus`, else a whole GPU
    when the job's device is CUDA; CPU shards take the job's torch threads (its CPU share)."""
    gpus = ex.shard_gpus if ex.shard_gpus is not None else (1.0 if job_device.type == "cuda" else 0.0)
    device = "cuda" if gpus > 0 else "cpu"
    return (float(torch.get_num_threads()) if device == "cpu" else 1.0), gpus, device


def cancel(refs: Iterable[Any]) -> None:
    """Cancel tasks still pending or running, killing the worker of a running one (it may hold a GPU)."""
    for ref in refs:
        with contextlib.suppress(Exception):
            ray.cancel(ref, force=True, recursive=True)


def task_error(exc: BaseException) -> JobError:
    """A shard that failed for good (its own error, or its worker lost more often than Ray retries)."""
    cause = getattr(exc, "cause", None) or exc
    return JobError(f"a Ray shard failed: {_first_line(cause)}", title="Shard failed")


__all__ = ["INSTALL_HINT", "cancel", "joined", "task_error"]
