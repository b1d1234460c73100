"""The Jobs panel: every job with the whole job's progress and ETA (tltui.jobs.progress, the numbers the status
bar and `tltui jobs` show), live progress of the followed job, cancel after a confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.reactive import reactive
from textual.widgets import DataTable, Label, ProgressBar

from tltui.base.errors import TltuiError
from tltui.ui.keys import PANEL_KEYS, bindings
from tltui.ui.messages import CancelRequested, JobFinished, LineLogged
from tltui.ui.model.jobs_client import TERMINAL, JobsClient, short_id
from tltui.ui.widgets.table import Table

COLUMNS = ("id", "kind", "study", "variant", "status", "progress", "ETA", "phase")


def bar(fraction: float, width: int = 12) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled) + f" {fraction * 100:3.0f}%"


class JobsPanel(Vertical):
    """Polls `list_jobs` every POLL seconds and watches the followed job's event stream."""

    DEFAULT_CSS = """
    JobsPanel { height: 1fr; }
    JobsPanel DataTable { height: 1fr; background: $surface; }
    JobsPanel #job-live { height: 1; padding: 0 1; }
    JobsPanel #job-live Label { width: auto; padding: 0 1 0 0; }
    JobsPanel #job-live ProgressBar { width: auto; }
    """

    BINDINGS = bindings(PANEL_KEYS)
    POLL = 1.0

    followed: reactive[str | None] = reactive(None)

    def __init__(self, client: JobsClient | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client = client
        self.jobs: list[Any] = []
        self._seen_active: set[str] = set()
        self._announced: set[str] = set()
        self._known: set[str] | None = None
        """Jobs in the index at the first poll (their ends are old news); None before it."""
        self.progress: dict[str, Any] = {}
        """Job id → its JobProgress at the last poll or event: what the table, the live line and the status
        bar all show."""

    def compose(self) -> ComposeResult:
        table = Table(id="jobs-table", cursor_type="row", zebra_stripes=True)
        for column in COLUMNS:
            table.add_column(column, key=column)
        yield table
        with Horizontal(id="job-live"):
            yield Label("no job followed", id="job-live-label")
            # No percentage of its own: the line beside it says it, and its label would lay out the whole screen
            # at every step.
            yield ProgressBar(total=1.0, show_eta=False, show_percentage=False, id="job-live-bar")

    def on_mount(self) -> None:
        # The jobs API (sqlite, numpy) loads after the first frame.
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        if self.client is None or not self.client.available:
            self._live("jobs unavailable: the job runner (tltui.jobs.api) is not in this build")
            return
        self.poll()
        self.set_interval(self.POLL, self.poll)

    @property
    def running(self) -> int:
        return sum(1 for j in self.jobs if j.status in ("queued", "running"))

    def poll(self) -> None:
        """Refresh the table from the job index; announce jobs that finished since the last poll."""
        if self.client is None:
            return
        try:
            jobs = self.client.list_jobs(limit=50)
        except TltuiError as exc:
            self._live(f"jobs: {exc.msg}")
            return
        self.jobs = jobs
        first = self._known is None
        known = self._known if self._known is not None else set()
        for job in jobs:
            if job.status in ("queued", "running"):
                self._seen_active.add(job.id)
            elif job.id in self._seen_active or not (first or job.id in known):
                # also a job that began and ended between two polls (e.g. a short one started from the CLI)
                self._announce(job.id, job.kind, job.status, job.run_dir, job.error or "")
            known.add(job.id)
        self._known = known
        self._fill(jobs)
        if self.followed is None:
            active = [j for j in jobs if j.status == "running"]
            if active:
                self.follow(active[0].id)

    def _progress_of(self, job: Any, event: Any = None) -> Any:
        """The job's progress by the one model, kept so every place shows the same numbers."""
        if self.client is None:
            return None
        progress = self.client.progress(job, event)
        if progress is not None:
            self.progress[job.id] = progress
        return progress

    def _cells(self, job: Any) -> tuple[Any, ...]:
        p = self.progress.get(job.id)
        fraction = 1.0 if job.status == "done" else p.fraction if p is not None else float(job.progress or 0)
        eta = p.eta_text if p is not None and job.status == "running" else ""
        phase = (p.phase if p is not None else job.phase) or ""
        return (Text(bar(fraction)), eta, phase)

    def _fill(self, jobs: list[Any]) -> None:
        table: DataTable[Any] = self.query_one(DataTable)
        rows: list[tuple[Any, ...]] = []
        for j in jobs:
            if j.status in ("queued", "running") or j.id not in self.progress:
                self._progress_of(j)
            study = Path(str(j.study)).stem if j.study else ""
            rows.append((short_id(j.id), j.kind, study, j.variant or "", j.status, *self._cells(j)))
        if [str(key.value) for key in table.rows] == [j.id for j in jobs]:
            # The same jobs: change the cells that changed. Rebuilding the table at every poll re-rendered it
            # and laid out the whole screen, once a second while a job ran.
            for j, row in zip(jobs, rows, strict=True):
                self._set_cells(j.id, COLUMNS, row)
        else:
            cursor = table.cursor_row
            table.clear()
            for j, row in zip(jobs, rows, strict=True):
                table.add_row(*row, key=j.id)
            if jobs:
                table.move_cursor(row=min(cursor, len(jobs) - 1))
        self._show_live()

    def _show_live(self) -> None:
        """The followed job's line under the table, from the same numbers as its row."""
        job = next((j for j in self.jobs if j.id == self.followed), None)
        p = self.progress.get(job.id) if job is not None else None
        if job is None or p is None or job.status not in ("queued", "running"):
            return
        self.query_one("#job-live-bar", ProgressBar).update(progress=p.fraction)
        self._live(f"{short_id(job.id)} {job.kind}: {p.phase or job.status} {p.percent} ETA {p.eta_text}")

    def _live(self, text: str) -> None:
        """The live line's text. A progress step changes a digit or two: the line is repainted, and the screen
        laid out again only when the text's width changed (every layout is the whole screen's)."""
        label = self.query_one("#job-live-label", Label)
        before = str(label.content)
        if text != before:
            label.update(text, layout=cell_len(text) != cell_len(before))

    def summary(self) -> str:
        """One line for the status bar: the running jobs, the first with its progress and ETA."""
        running = [j for j in self.jobs if j.status in ("queued", "running")]
        if not running:
            return ""
        job = next((j for j in running if j.id == self.followed), running[0])
        p = self.progress.get(job.id)
        text = f"{job.kind} {p.percent} ETA {p.eta_text}" if p is not None else f"{job.kind} {job.status}"
        return text + (f" +{len(running) - 1}" if len(running) > 1 else "")

    def _announce(self, job_id: str, kind: str, status: str, run_dir: Any, error: str) -> None:
        if job_id in self._announced:
            return
        self._announced.add(job_id)
        self._seen_active.discard(job_id)
        self.post_message(JobFinished(job_id, kind, status, Path(run_dir) if run_dir else None, error))

    def selected_job_id(self) -> str | None:
        table: DataTable[Any] = self.query_one(DataTable)
        if not self.jobs or table.cursor_row < 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0))
        return str(row_key.value) if row_key.value is not None else None

    def follow(self, job_id: str) -> None:
        """Watch one job's events for live progress (one watcher at a time)."""
        self._seen_active.add(job_id)
        self.followed = job_id
        self._watch(job_id)

    @work(exclusive=True, group="job-watch")
    async def _watch(self, job_id: str) -> None:
        if self.client is None:
            return
        progress = self.query_one("#job-live-bar", ProgressBar)
        try:
            record = self.client.get(job_id)
            async for ev in self.client.watch(job_id):
                if ev.type == "started":
                    record = self.client.get(job_id)
                elif ev.type == "progress":
                    self._progress_of(record, ev)
                    self._show_row(job_id, record)
                elif ev.type == "message" and ev.msg:
                    self.post_message(LineLogged(f"[{short_id(job_id)}] {ev.msg}"))
                elif ev.type in TERMINAL or ev.type == "finished":
                    status = {"finished": "done"}.get(ev.type, ev.type)
                    progress.update(progress=1.0 if status == "done" else progress.progress)
                    why = f": {ev.error_title or ''} {ev.error}" if ev.error else ""
                    self._live(f"{short_id(job_id)} {status}{why}")
                    job = self.client.get(job_id)
                    self._announce(job_id, job.kind, status, job.run_dir, ev.error or "")
                    break
        except TltuiError as exc:
            self._live(f"{short_id(job_id)}: {exc.msg}")
        finally:
            if self.followed == job_id:
                self.followed = None

    def _show_row(self, job_id: str, record: Any) -> None:
        """A new progress step of the followed job: its row and the live line, from the same numbers."""
        job = next((j for j in self.jobs if j.id == job_id), record)
        if job_id in self.query_one(DataTable).rows:
            self._set_cells(job_id, ("progress", "ETA", "phase"), self._cells(job))
        self._show_live()

    def _set_cells(self, job_id: str, columns: tuple[str, ...], values: tuple[Any, ...]) -> None:
        """Change the cells of `job_id`'s row whose value changed (each change repaints the table)."""
        table: DataTable[Any] = self.query_one(DataTable)
        for column, value in zip(columns, values, strict=True):
            if table.get_cell(job_id, column) != value:
                # the column grows with its content: `queued` → `running` must not read `runnin`
                table.update_cell(job_id, column, value, update_width=True)

    def action_cancel_job(self) -> None:
        """Ask first: cancelling loses the job's work so far."""
        job_id = self.selected_job_id()
        if job_id is not None:
            self.ask_cancel(job_id)

    def ask_cancel(self, job_id: str) -> None:
        """Have the app ask whether to cancel a running job (the key `x` and the palette both come here)."""
        if self.client is None:
            return
        job = next((j for j in self.jobs if j.id == job_id), None)
        if job is None or job.status not in ("queued", "running"):
            self.notify(f"job {short_id(job_id)} is not running", title="Jobs")
            return
        question = f"Cancel job {short_id(job_id)} ({job.kind}{', ' + job.variant if job.variant else ''})?"
        question += " Its work so far is lost."
        self.app.post_message(CancelRequested(job_id, question))  # the app asks, then calls `cancel`

    def cancel(self, job_id: str) -> None:
        """Cancel a job (the user confirmed)."""
        if self.client is None:
            return
        try:
            self.client.cancel(job_id)
        except TltuiError as exc:
            self.notify(exc.msg, title=exc.title, severity="error")
            return
        self.notify(f"cancel requested for job {short_id(job_id)}", title="Jobs")
        self.poll()

    def action_watch_job(self) -> None:
        job_id = self.selected_job_id()
        if job_id is not None:
            self.follow(job_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.follow(str(event.row_key.value))
