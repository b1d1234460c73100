"""What analyze, mitigate and treat share: job flags, and running a job in the foreground or detached."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tltui.base.runfiles import load_json
from tltui.jobs import api
from tltui.jobs.foreground import raise_if_failed, run_foreground
from tltui.jobs.store import JobRecord


def add_job_flags(p: argparse.ArgumentParser) -> None:
    """--detach and --trust-checkpoints."""
    p.add_argument("--detach", action="store_true", help="start the job and return its id at once")
    p.add_argument(
        "--trust-checkpoints",
        action="store_true",
        help="allow .pt/.pth files that need arbitrary unpickling (runs code from the file: only if you trust it)",
    )


def run_job(
    kind: str,
    params: dict[str, Any],
    args: argparse.Namespace,
    *,
    study: str | None = None,
    variant: str | None = None,
) -> JobRecord | None:
    """Submit a job; follow it with a progress bar (None when --detach), raising its error if it failed."""
    job_id = api.submit(
        kind, params, study=study, variant=variant, device=args.device, workspace=args.workspace
    )
    if getattr(args, "detach", False):
        print(job_id)
        return None
    print(
        f"job {job_id} ({kind}) · follow it elsewhere with `tltui jobs logs {job_id} --follow`",
        file=sys.stderr,
    )
    return raise_if_failed(run_foreground(job_id, args.workspace))


def run_and_report(
    kind: str,
    params: dict[str, Any],
    args: argparse.Namespace,
    out: Path,
    *,
    study: str | None = None,
    variant: str | None = None,
) -> int:
    """Run a job that writes `out/summary.json`, then print its metric table (nothing more under --detach)."""
    from tltui.commands.analyze import print_summary

    if run_job(kind, params, args, study=study, variant=variant) is None:
        return 0
    print_summary(load_json(out / "summary.json"))
    print(f"wrote {out / 'summary.json'}")
    return 0
