"""What a job is asked to do (spec.json in its run directory) and the names of its run-directory files."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from tltui.base import tempfiles
from tltui.base.errors import JobError

SPEC_FILE = "spec.json"
EVENTS_FILE = "events.jsonl"
LOG_FILE = "log.txt"
WORKER_FILE = "worker.json"
"""The worker's pid and device, written when it starts: with spec.json and events.jsonl, enough to re-index."""


def new_job_id(now: float | None = None) -> str:
    """A short id that sorts by creation time: `20261123-084512-3f2a`."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    return f"{stamp}-{secrets.token_hex(2)}"


@dataclass(frozen=True)
class JobSpec:
    """Everything the worker needs to run a job; written by the submitter, read by the child."""

    id: str
    kind: str
    """A name in `tltui.jobs.kinds.KINDS`, or a `module:function` import string."""
    workspace: str
    params: dict[str, Any] = field(default_factory=dict)
    study: str | None = None
    variant: str | None = None
    device: str = "auto"
    """As requested: 'auto', 'cpu', 'cuda', 'cuda:N' (resolved by the worker) or any other slot name."""
    created: float | None = None
    """When it was submitted (seconds since the epoch); None in specs written before the field existed."""

    def to_json(self) -> str:
        try:
            return json.dumps(asdict(self), indent=2)
        except (TypeError, ValueError) as exc:
            raise JobError(f"job parameters must be plain JSON values ({exc})") from None

    def write(self, run_dir: Path) -> Path:
        text = self.to_json()
        path = run_dir / SPEC_FILE
        fd, tmp = tempfile.mkstemp(dir=run_dir, prefix=tempfiles.prefix(SPEC_FILE), suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    @classmethod
    def read(cls, run_dir: Path) -> JobSpec:
        path = run_dir / SPEC_FILE
        try:
            data = json.loads(path.read_text())
            known = {f.name for f in fields(cls)}
            return cls(**{k: v for k, v in data.items() if k in known})
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise JobError(f"{path}: cannot read the job spec ({type(exc).__name__}: {exc})") from None
