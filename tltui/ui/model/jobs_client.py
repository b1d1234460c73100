"""The UI's only door to jobs: tltui.jobs.api, imported where first used (after the first frame) and typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tltui.base.rundir import SUMMARY
from tltui.base.rundir import job_results as results_dir

if TYPE_CHECKING:
    from tltui.jobs.events import Event
    from tltui.jobs.progress import JobProgress
    from tltui.jobs.record import JobRecord

TERMINAL = ("done", "failed", "cancelled")


def timestamp(value: object) -> float | None:
    """Epoch seconds from a float or an ISO-8601 string (the record may use either)."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def short_id(job_id: str) -> str:
    """A job id short enough for a table cell: the part after the date for date-stamped ids."""
    parts = job_id.split("-", 1)
    return parts[1] if len(parts) == 2 and parts[0].isdigit() and len(parts[0]) == 8 else job_id[:12]


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


class JobsClient:
    """`tltui.jobs.api` bound to a workspace. Each call imports the API where it runs: SQLite and the runner
    (a few hundred ms) load after the first frame, and import-linter still sees the ui → jobs edge."""

    def __init__(self, workspace: str | Path | None = None) -> None:
        self.workspace = workspace

    @property
    def available(self) -> bool:
        """Whether jobs can be run (always, since the job runner ships with the UI; a session without a client
        has none)."""
        return True

    def list_jobs(self, *, status: str | None = None, limit: int | None = None) -> list[JobRecord]:
        from tltui.jobs import api

        return list(api.list_jobs(self.workspace, status=status, limit=limit))

    def get(self, job_id: str) -> JobRecord:
        from tltui.jobs import api

        return api.get(job_id, self.workspace)

    def submit(
        self, kind: str, params: dict[str, Any], *, study: str | None, variant: str | None = None, device: str
    ) -> str:
        from tltui.jobs import api

        return str(
            api.submit(kind, params, study=study, variant=variant, device=device, workspace=self.workspace)
        )

    def progress(
        self, record: JobRecord, event: Event | None = None, now: float | None = None
    ) -> JobProgress:
        """Where a job stands now, by the one progress model (tltui.jobs.progress) every view uses: from
        `event` (a progress event just read) or from the job's newest one."""
        from tltui.jobs import events

        if event is not None:
            return events.progress_of(event, record.started, now)
        return events.job_progress(record, now)

    def cancel(self, job_id: str) -> None:
        from tltui.jobs import api

        api.cancel(job_id, self.workspace)

    def run_dir(self, job_id: str) -> Path | None:
        from tltui.jobs import api

        d = api.run_dir(job_id, self.workspace)
        return Path(d) if d else None

    async def watch(self, job_id: str, *, poll: float = 0.1) -> AsyncIterator[Event]:
        from tltui.jobs import api

        async for event in api.watch(job_id, self.workspace, poll=poll):
            yield event

    def latest_run(self, kind: str, study: str, marker: str = SUMMARY) -> Path | None:
        """The results directory of the newest finished job of `kind` for `study` that has `marker`."""
        jobs = [j for j in self.list_jobs(status="done") if j.kind == kind and same_study(j.study, study)]
        jobs.sort(key=lambda j: timestamp(getattr(j, "ended", None) or j.created) or 0.0, reverse=True)
        for job in jobs:
            d = results_dir(job, marker)
            if d is not None:
                return d
        return None


def same_study(a: object, b: object) -> bool:
    """Whether two study references name the same study ('demo', or paths to one TOML file)."""
    if a is None or b is None:
        return False
    if str(a) == str(b):
        return True
    try:
        return Path(str(a)).expanduser().resolve() == Path(str(b)).expanduser().resolve()
    except OSError:
        return False
