"""What a job is asked to do (spec.json in its run directory) and the names of its run-directory files."""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tltui.base.errors import JobError

SPEC_FILE = "spec.json"
EVENTS_FILE = "events.jsonl"
LOG_FILE = "log.txt"


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

    def to_json(self) -> str:
        try:
            return json.dumps(asdict(self), indent=2)
        except (TypeError, ValueError) as exc:
            raise JobError(f"job parameters must be plain JSON values ({exc})") from None

    def write(self, run_dir: Path) -> Path:
        text = self.to_json()
        path = run_dir / SPEC_FILE
        tmp = run_dir / f".{SPEC_FILE}.tmp"
        tmp.write_text(text)
        os.replace(tmp, path)
        return path

    @classmethod
    def read(cls, run_dir: Path) -> JobSpec:
        path = run_dir / SPEC_FILE
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            raise JobError(f"{path}: cannot read the job spec ({exc})") from None
        return cls(**data)
