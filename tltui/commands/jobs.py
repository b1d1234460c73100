"""`tltui jobs [list|show ID|cancel ID|logs ID [--follow]]`: inspect and control background jobs."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tltui.base.errors import JobError
from tltui.commands.flags import add_common
from tltui.jobs import api
from tltui.jobs.spec import LOG_FILE
from tltui.jobs.store import STATUSES, JobRecord

ACTIONS = ("list", "show", "cancel", "logs")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "jobs",
        help="list, show, cancel or follow background jobs",
        description="Background jobs of this workspace. `tltui jobs` alone lists them.",
    )
    add_common(p)
    p.add_argument("action", nargs="?", default="list", choices=ACTIONS, help="default: list")
    p.add_argument("job_id", nargs="?", metavar="ID", help="a job id (or a unique prefix of one)")
    p.add_argument("-f", "--follow", action="store_true", help="logs: keep printing until the job ends")
    p.add_argument("--status", choices=STATUSES, help="list: only jobs with this status")
    p.add_argument("-n", "--limit", type=int, default=50, help="list: at most this many jobs (default 50)")
    p.add_argument("--grace", type=float, default=5.0, help="cancel: seconds before SIGKILL (default 5)")


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    if s < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def table(records: list[JobRecord], now: float | None = None) -> str:
    """An aligned table: id, kind, study, variant, status, progress, device, age, duration."""
    now = time.time() if now is None else now
    header = ("ID", "KIND", "STUDY", "VARIANT", "STATUS", "PROG", "DEVICE", "AGE", "TIME")
    rows = [header]
    for r in records:
        prog = "-" if r.status == "queued" else f"{r.progress * 100:.0f}%"
        rows.append(
            (
                r.id,
                r.kind,
                r.study or "-",
                r.variant or "-",
                r.status,
                prog,
                r.device,
                format_seconds(now - r.created),
                format_seconds(r.duration),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {5, 7, 8}
    lines = []
    for row in rows:
        cells = [
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def show(record: JobRecord) -> str:
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.started)) if record.started else "-"
    fields = [
        ("id", record.id),
        ("kind", record.kind),
        ("study", record.study or "-"),
        ("variant", record.variant or "-"),
        ("status", record.status),
        ("progress", f"{record.progress * 100:.0f}%" + (f" ({record.phase})" if record.phase else "")),
        ("device", record.device),
        ("pid", str(record.pid) if record.pid else "-"),
        ("created", time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(record.created))),
        ("started", started),
        ("duration", format_seconds(record.duration)),
        ("run dir", str(record.run_dir)),
    ]
    if record.error:
        fields.append(
            ("error", f"{record.error_title}: {record.error}" if record.error_title else record.error)
        )
    width = max(len(k) for k, _ in fields)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in fields)


def follow_log(job_id: str, workspace: str | None, *, poll: float = 0.2) -> None:
    """Print the job's log as it grows until the job has ended."""
    path: Path = api.run_dir(job_id, workspace) / LOG_FILE
    offset = 0
    while True:
        ended = api.get(job_id, workspace).final  # checked before reading, so the tail is complete
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                chunk = fh.read()
        except FileNotFoundError:
            chunk = b""
        offset += len(chunk)
        if chunk:
            sys.stdout.write(chunk.decode(errors="replace"))
            sys.stdout.flush()
        if ended:
            return
        time.sleep(poll)


def run(args: argparse.Namespace) -> int:
    ws = args.workspace
    if args.action != "list" and not args.job_id:
        raise JobError(f"`tltui jobs {args.action}` needs a job id; see `tltui jobs list`")
    if args.action == "list":
        records = api.list_jobs(ws, status=args.status, limit=args.limit)
        print(table(records) if records else "no jobs")
    elif args.action == "show":
        print(show(api.get(args.job_id, ws)))
    elif args.action == "cancel":
        before = api.get(args.job_id, ws)
        if before.final:
            print(f"{before.id} already {before.status}")
        else:
            after = api.cancel(before.id, ws, grace=args.grace)
            print(f"{after.id} {after.status}")
    elif args.follow:
        follow_log(args.job_id, ws)
    else:
        sys.stdout.write(api.logs(args.job_id, ws))
    return 0
