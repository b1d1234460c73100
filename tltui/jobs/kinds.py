"""Job kinds: a name -> "module:function" import string, so the parent never imports the job's code."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

from tltui.base.errors import JobError
from tltui.base.progress import JobContext, Progress

JobFunction = Callable[[dict[str, Any], JobContext], "Iterator[Progress] | None"]

# Kind name -> "module:function". The function is `def job(params, ctx) -> Iterator[Progress] | None`.
# Register real work here, e.g. "analyze": "tltui.core.pipeline:analyze_job"; a kind may also be an
# import string itself (the tests run fake jobs that way).
KINDS: dict[str, str] = {
    "analyze": "tltui.core.pipeline:analyze_job",
    "bench": "tltui.core.bench:bench_job",
    "mitigate": "tltui.core.produce:mitigate_job",
    "treat": "tltui.core.produce:treat_job",
    "preview": "tltui.core.produce:preview_job",
    "details": "tltui.core.ondemand:details_job",
    "tsne": "tltui.core.ondemand:tsne_job",
}


def target(kind: str) -> str:
    """The "module:function" string for `kind`, without importing it; a `JobError` if it names nothing."""
    if kind in KINDS:
        return KINDS[kind]
    module, sep, func = kind.partition(":")
    if sep and module and func.isidentifier():
        return kind
    known = ", ".join(sorted(KINDS)) or "none registered"
    raise JobError(f"unknown job kind {kind!r} (known: {known}; or give module:function)")


def load(kind: str) -> JobFunction:
    """Import the job function for `kind` (only the worker calls this)."""
    module_name, _, func_name = target(kind).partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise JobError(f"job kind {kind!r}: cannot import {module_name} ({exc})") from None
    func = getattr(module, func_name, None)
    if not callable(func):
        raise JobError(f"job kind {kind!r}: {module_name} has no function {func_name}")
    return func
