"""Keeping at most N Ray tasks in flight and handing back each result as it lands; cancelling the rest on exit."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import ray

from tltui.core.distributed.cluster import cancel, task_error

WAIT = 0.25
"""Seconds between checks, so a SIGTERM (job cancel) is handled promptly by the job's signal handler."""


def in_flight(submits: list[Callable[[], Any]], limit: int | None) -> Generator[tuple[int, Any], None, None]:
    """(index, result) of each submitted task as it finishes, at most `limit` at once (None: all at once).

    Close it (or let an exception through) and every task still pending or running is cancelled."""
    cap = len(submits) if limit is None else max(1, limit)
    queue = list(range(len(submits)))
    queue.reverse()
    pending: dict[Any, int] = {}
    try:
        while queue or pending:
            while queue and len(pending) < cap:
                i = queue.pop()
                pending[submits[i]()] = i
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=WAIT)
            for ref in ready:
                i = pending.pop(ref)
                try:
                    value = ray.get(ref)
                except (ray.exceptions.RayTaskError, ray.exceptions.WorkerCrashedError) as exc:
                    raise task_error(exc) from None
                yield i, value
    finally:
        cancel(pending)
