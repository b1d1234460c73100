"""`tltui jobs [list|show ID|cancel ID|logs ID [--follow]|reindex]`: inspect and control background jobs."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from tltui.base.errors import JobError, TltuiError
from tltui.base.names import shown, shown_lines
from tltui.base.rundir import SUMMARY, job_results, read_summary
from tltui.commands.flags import add_common
from tltui.jobs import api
from tltui.jobs.events import EventReader, job_progress
from tltui.jobs.foreground import ProgressLine
from tltui.jobs.spec import EVENTS_FILE, LOG_FILE
from tltui.jobs.store import STATUSES, JobRecord

ACTIONS = ("list", "show", "cancel", "logs", "reindex")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = subparsers.add_parser(
        "jobs",
        help="list, show, cancel or follow background jobs",
        description="Background jobs of this workspace. `tltui jobs` alone lists them.",
    )
    add_common(p)
    p.add_argument("action", nargs="?", default="list", choices=ACTIONS, help="default: list")
    p.add_argument(
        "job_id",
        nargs="?",
        metavar="ID",
        help="a job id, a unique prefix, or the short id the workbench shows",
    )
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


def variant_of(record: JobRecord) -> str:
    """The variant a job is about: as submitted, else the one a mitigate or treat job produces (its spec)."""
    if record.variant:
        return record.variant
    if record.kind not in ("mitigate", "treat"):
        return "-"
    try:
        params = json.loads((record.run_dir / "spec.json").read_text()).get("params", {})
    except (OSError, ValueError, AttributeError):
        return "-"
    return str(params.get("name") or params.get("method") or "-")


def table(records: list[JobRecord], now: float | None = None) -> str:
    """An aligned table: id, kind, study, variant, status, progress and ETA (the workbench's numbers), device,
    age, duration."""
    now = time.time() if now is None else now
    header = ("ID", "KIND", "STUDY", "VARIANT", "STATUS", "PROG", "ETA", "DEVICE", "AGE", "TIME")
    rows: list[tuple[str, ...]] = [header]
    for r in records:
        progress = job_progress(r, now)
        prog = "-" if r.status == "queued" else progress.percent
        rows.append(
            (
                r.id,
                r.kind,
                r.study or "-",
                variant_of(r),
                r.status,
                prog,
                progress.eta_text if r.status == "running" else "-",
                r.device,
                format_seconds(now - r.created),
                format_seconds(r.duration),
            )
        )
    rows = [tuple(shown(c) for c in row) for row in rows]  # names hold no escape sequence on a terminal
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {5, 6, 8, 9}
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
    return "\n".join(f"{k.ljust(width)}  {shown(v)}" for k, v in fields)


def resolve(job_id: str, workspace: str | None) -> JobRecord:
    """The job `job_id` names: a full id, a unique prefix, or the short id the workbench shows (its end)."""
    try:
        return api.get(job_id, workspace)
    except JobError:
        matches = [r for r in api.list_jobs(workspace) if r.id.endswith(job_id)] if job_id else []
        if len(matches) != 1:
            raise
        return matches[0]


def follow_log(job_id: str, workspace: str | None, *, poll: float = 0.2) -> None:
    """Print the job's log as it grows with a progress line now and then (the workbench's numbers) until the
    job has ended, then its result table."""
    record = api.get(job_id, workspace)
    path: Path = record.run_dir / LOG_FILE
    events = EventReader(record.run_dir / EVENTS_FILE)
    bar = ProgressLine(sys.stdout, tty=False, messages=False, started=record.started)
    offset = 0
    while True:
        record = api.get(record.id, workspace)  # checked before reading, so the tail is complete
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                chunk = fh.read()
        except FileNotFoundError:
            chunk = b""
        offset += len(chunk)
        if chunk:
            sys.stdout.write(shown_lines(chunk.decode(errors="replace")))  # it names the user's files
            sys.stdout.flush()
        for ev in events.read_new():
            bar.update(ev)
        if record.final:
            break
        time.sleep(poll)
    results = job_results(record) if record.status == "done" else None
    if results is not None:
        from tltui.commands.common import print_checks, print_summary

        try:
            summary = read_summary(results / SUMMARY)
            print_summary(summary)
            print_checks(summary)
        except (OSError, ValueError, KeyError, TltuiError) as exc:
            print(f"{SUMMARY} not readable: {shown(exc)}")
        print(f"results in {shown(results)}")


def run(args: argparse.Namespace) -> int:
    ws = args.workspace
    if args.action == "reindex":  # the index is rebuilt from every run directory's spec.json and events.jsonl
        print(f"re-indexed {api.reindex(ws)} jobs from their run directories")
        return 0
    if args.action != "list" and not args.job_id:
        raise JobError(f"`tltui jobs {args.action}` needs a job id; see `tltui jobs list`")
    if args.action == "list":
        records = api.list_jobs(ws, status=args.status, limit=args.limit)
        print(table(records) if records else "no jobs")
    elif args.action == "show":
        print(show(resolve(args.job_id, ws)))
    elif args.action == "cancel":
        before = resolve(args.job_id, ws)
        if before.final:
            print(f"{before.id} already {before.status}")
        else:
            after = api.cancel(before.id, ws, grace=args.grace)
            print(f"{after.id} {after.status}")
    elif args.follow or resolve(args.job_id, ws).final:  # a finished job's log reads as --follow showed it
        follow_log(resolve(args.job_id, ws).id, ws)
    else:
        sys.stdout.write(shown_lines(api.logs(resolve(args.job_id, ws).id, ws)))
    return 0
