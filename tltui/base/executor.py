"""Where a job's shards run (local or a Ray cluster): the choice, and its checks before any job starts."""

from __future__ import annotations

import importlib.util
import os
import socket
from dataclasses import dataclass
from typing import Any

from tltui.base.errors import ParamError
from tltui.base.names import shown

EXECUTORS = ("local", "ray")
EXECUTOR_ENV = "TLTUI_EXECUTOR"
ADDRESS_ENV = "RAY_ADDRESS"
"""Ray's own variable: the cluster `ray.init()` joins when no address is given."""
INSTALL_HINT = "pip install 'tltui[ray]'"
REACH_TIMEOUT = 3.0


@dataclass(frozen=True)
class Executor:
    """How a job's attack shards and seed builds run (docs/distributed.md)."""

    name: str = "local"
    address: str | None = None
    """A Ray cluster (`host:port` of its head, `ray://host:port`, or `auto`); None: start one for the job."""
    workers: int | None = None
    """At most this many shards at once; None: as many as the cluster's resources allow."""
    shard_gpus: float | None = None
    """GPUs per shard (a fraction lets small models share one); None: 1 when the job's device is CUDA, else 0."""

    @property
    def distributed(self) -> bool:
        return self.name == "ray"


def executor_from(params: dict[str, Any]) -> Executor:
    """The executor a job's parameters ask for; `$TLTUI_EXECUTOR` when they name none, else local."""
    name = params.get("executor") or os.environ.get(EXECUTOR_ENV, "").strip() or "local"
    if name not in EXECUTORS:
        raise ParamError(
            f"executor {shown(name)}: choose one of {', '.join(EXECUTORS)} (flag or ${EXECUTOR_ENV})"
        )
    address = params.get("ray_address") or os.environ.get(ADDRESS_ENV, "").strip() or None
    workers, gpus = params.get("workers"), params.get("shard_gpus")
    return Executor(
        name,
        address,
        None if workers is None else int(workers),
        None if gpus is None else float(gpus),
    )


def check_executor(ex: Executor) -> None:
    """Refuse, in one line and before any job starts, Ray chosen but not installed or its cluster unreachable."""
    if not ex.distributed:
        return
    if importlib.util.find_spec("ray") is None:
        raise ParamError(f"--executor ray: Ray is not installed here; install it with `{INSTALL_HINT}`")
    if ex.address is None or ex.address in ("auto", "local"):
        return
    host, port = split_address(ex.address)
    try:
        with socket.create_connection((host, port), timeout=REACH_TIMEOUT):
            pass
    except OSError as exc:
        raise ParamError(
            f"--ray-address {shown(ex.address)}: no Ray cluster answers there ({exc.strerror or exc}); "
            "start one with `ray start --head` or give its head's host:port"
        ) from None


def split_address(address: str) -> tuple[str, int]:
    """(host, port) of `host:port` or `ray://host:port`, or a one-line error."""
    rest = address.removeprefix("ray://")
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ParamError(f"--ray-address {shown(address)}: use host:port (the head's address), or auto")
    return host.strip("[]"), int(port)
