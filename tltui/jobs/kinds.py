"""Job kinds: a name in the catalogue's JOBS (or a "module:function" string), so the parent never imports job code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tltui.base.catalogue import JOBS, load_target
from tltui.base.errors import JobError, TltuiError
from tltui.base.progress import JobContext, Progress

JobFunction = Callable[[dict[str, Any], JobContext], "Iterator[Progress] | None"]


def target(kind: str) -> str:
    """The "module:function" string for `kind`, without importing it; a `JobError` if it names nothing."""
    if kind in JOBS:
        return JOBS[kind].target
    module, sep, func = kind.partition(":")
    if sep and module and func.isidentifier():
        return kind  # the tests run fake jobs this way
    raise JobError(f"unknown job kind {kind!r} (known: {', '.join(sorted(JOBS))}; or give module:function)")


def load(kind: str) -> JobFunction:
    """Import the job function for `kind` (only the worker calls this)."""
    try:
        func = load_target(target(kind))
    except JobError:
        raise
    except TltuiError as exc:
        raise JobError(f"job kind {kind!r}: {exc.msg}") from None
    if not callable(func):
        raise JobError(f"job kind {kind!r}: {target(kind)} is not a function")
    job: JobFunction = func
    return job
