"""The Textual application: wires settings, themes, keys, the session and the workbench screen together."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App
from textual.command import Provider
from textual.notifications import SeverityLevel
from textual.theme import Theme

from tltui.base.errors import TltuiError
from tltui.ui.gcpolicy import COLLECTOR
from tltui.ui.gpu import GpuProbe
from tltui.ui.keys import APP_KEYS, bindings, read_keymap
from tltui.ui.messages import (
    CancelRequested,
    ComputeRequested,
    JobFinished,
    LineLogged,
    MitigationRequested,
    RunRequested,
    StateRequested,
    VariantPicked,
)
from tltui.ui.model.jobs_client import short_id
from tltui.ui.model.rundata import RunData
from tltui.ui.model.session import Session
from tltui.ui.model.settings import DEFAULT_THEME, Settings, save_settings
from tltui.ui.screens.error import ErrorScreen
from tltui.ui.screens.workbench import WorkbenchScreen
from tltui.ui.themes import load_themes
from tltui.ui.toasts import ToastingApp
from tltui.ui.widgets.explorer import Explorer
from tltui.ui.widgets.jobs_panel import JobsPanel
from tltui.ui.widgets.status_bar import StatusBar

HIGH_CONTRAST = "tltui-high-contrast"
ANSI = "tltui-ansi"


def _palette() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (not before the first frame)."""
    from tltui.ui.commands import WorkbenchCommands

    return WorkbenchCommands


class WorkbenchApp(ToastingApp):
    """tltui: the workbench. Domain work lives in the session and in jobs; this class only routes."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "tltui"
    BINDINGS = bindings(APP_KEYS)
    COMMANDS = App.COMMANDS | {lambda: _palette()}

    def __init__(
        self,
        session: Session,
        settings: Settings | None = None,
        *,
        keymap: dict[str, str] | None = None,
        persist: bool = True,
        gpu: GpuProbe | None = None,
    ) -> None:
        super().__init__()
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            # Sliding tab underlines and smooth scrolls repaint the screen a dozen times per key: over SSH and
            # on two cores that is latency, not polish. TEXTUAL_ANIMATIONS=full brings them back.
            self.animation_level = "none"
        self.session = session
        self.settings = settings or Settings()
        self.persist = persist
        self.user_keymap = dict(keymap or {})
        self.gpu = gpu if gpu is not None else (GpuProbe() if self.settings.gpu_stats else None)
        self.last_exports: list[Path] = []
        self.started = False
        """Whether the session start (after the first frame) has shown its run."""
        self.tltui_themes: dict[str, Theme] = load_themes()
        for theme in self.tltui_themes.values():
            self.register_theme(theme)
        self.theme = self._initial_theme()

    @property
    def few_colors(self) -> bool:
        """A terminal of 16 colours or fewer (TERM=xterm, linux): blended and bright colours are not drawn."""
        return self.console.color_system in ("standard", "windows")

    def _initial_theme(self) -> str:
        # Monochrome output (NO_COLOR) reads best from the theme with the widest luminance spread.
        if self.no_color and HIGH_CONTRAST in self.available_themes:
            return HIGH_CONTRAST
        for name in (self.settings.theme, DEFAULT_THEME):
            if name in self.available_themes:
                return self._drawable(name)
        return "textual-dark"

    def _drawable(self, name: str) -> str:
        """`name`, or on a 16-colour terminal the ANSI theme in place of a light one (whose white background
        such a terminal may not draw, leaving black text on its own background)."""
        theme = self.get_theme(name)
        if self.few_colors and theme is not None and not theme.dark and ANSI in self.available_themes:
            return ANSI
        return name

    def get_default_screen(self) -> WorkbenchScreen:
        return WorkbenchScreen(
            self.session.jobs,
            StatusBar(self.session.study, self.session.device, id="status"),  # its name after the first frame
            sidebar=self.settings.sidebar,
            panel=self.settings.panel,
        )

    @property
    def workbench(self) -> WorkbenchScreen:
        for screen in self.screen_stack:
            if isinstance(screen, WorkbenchScreen):
                return screen
        raise LookupError("the workbench screen is not mounted")

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        for problem in read_keymap()[1]:
            self.log_line(problem)
            self.notify(problem, title="keys.toml", severity="warning", timeout=10)
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_interval(1.0, self._update_status)
        if COLLECTOR.active:
            self.set_interval(0.25, COLLECTOR.tick)
        self.call_after_refresh(self._start_session)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            COLLECTOR.input()
        await super().on_event(event)

    # session start and jobs
    def _start_session(self) -> None:
        """After the first frame: show `--run` or the latest analysis, else offer (demo: start) one."""
        COLLECTOR.first_frame()
        try:
            run = self.session.initial_run()
        except TltuiError as exc:
            self.show_error(exc)
            run = None
        self._show(run)
        self._show_preview(self.session.latest_preview())
        self.started = True
        if run is not None or not self.session.jobs_available:
            if run is None:
                self.log_line(
                    "no run to show and no job runner: open a run with `tltui open STUDY --run DIR`"
                )
            return
        if self.session.autostart:
            self.action_run_analysis()
        else:
            self.notify(
                f"No finished analysis of {self.session.study} yet: press F5 to run one.", title="tltui"
            )

    def _show(self, run: RunData | None) -> None:
        screen = self.workbench
        screen.show_run(run)
        explorer = screen.query_one(Explorer)
        explorer.set_study(self.session.info, run.variants if run else {})
        explorer.set_runs(self.session.runs(), run.run_dir if run else None, self.session.showing_state)
        self._update_status()

    def _show_preview(self, folder: Path | None) -> None:
        if folder is not None:
            self.workbench.show_preview(folder)  # kept for the views not put in yet

    def action_run_analysis(self) -> None:
        self._submit(lambda: self.session.start_analysis(), "analyze")

    def request_job(self, kind: str, method: str, params: dict[str, Any] | None = None) -> None:
        """A job of `kind` for this study; without params, the view hosting that kind's form submits it."""
        if params is None:
            view = self.workbench.requester(kind)
            if view is not None:
                view.request(method)
            else:
                self.log_line(f"no view hosts a {kind} form (yet): {kind} {method} not started")
            return
        self._submit(lambda: self.session.submit(kind, params), f"{kind} {method}")

    def _submit(self, submit: Any, what: str) -> str | None:
        if not self.session.jobs_available:
            self.show_error(TltuiError("the job runner is not available in this build", title="Jobs"))
            return None
        try:
            job_id = submit()
        except TltuiError as exc:
            self.show_error(exc)
            return None
        if job_id is None:
            return None
        self.notify(f"{what}: job {short_id(job_id)} queued", title="Jobs")
        self.log_line(f"queued {what} as job {job_id}")
        jobs = self.workbench.query_one(JobsPanel)
        jobs.follow(job_id)
        jobs.poll()
        return str(job_id)

    def on_compute_requested(self, message: ComputeRequested) -> None:
        """A view needs an on-demand artifact: one job per file, the views hear when it ended."""
        if message.file in self.session.computing.values():
            return
        started = self._submit(
            lambda: self.session.compute(message.kind, message.file, dict(message.params)),
            f"{message.kind} → {message.file}",
        )
        if started is None and message.file not in self.session.computing.values():
            for view in self.workbench.views:
                view.computed(message.kind, "failed", "the job could not be started")

    def on_mitigation_requested(self, message: MitigationRequested) -> None:
        self.request_job(message.kind, message.method, message.params)

    def on_job_finished(self, message: JobFinished) -> None:
        self.log_line(
            f"job {short_id(message.job_id)} ({message.kind}) {message.status}"
            + (f": {message.error}" if message.error else "")
        )
        severity: SeverityLevel = (
            "information"
            if message.status == "done"
            else "error"
            if message.status == "failed"
            else "warning"
        )
        self.notify(
            f"{message.kind} job {short_id(message.job_id)} {message.status}", title="Jobs", severity=severity
        )
        if self.session.computed(message.job_id) is not None:
            for view in self.workbench.views:
                view.computed(message.kind, message.status, message.error)
            return
        if message.kind == "preview" and message.status == "done":
            self._show_preview(self.session.preview_dir(message.job_id, message.run_dir))
            return
        try:
            run = self.session.finished(message.job_id, message.kind, message.status, message.run_dir)
        except TltuiError as exc:
            self.show_error(exc)
            return
        if run is not None:
            self._show(run)
        elif self.session.newer:
            self._offer_newer()

    def _offer_newer(self) -> None:
        """A run of this study ended elsewhere: say so, and how to see it; never switch unasked."""
        keys = self.workbench.key_for("show_state") or "the palette"
        self.notify(
            f"{self.session.newer} (started elsewhere) finished. Press {keys} to show the newest results"
            " of every variant.",
            title="Newer results",
            timeout=15,
        )
        self.log_line(f"{self.session.newer} finished elsewhere; {keys} shows it")
        self._update_status()

    def action_show_state(self) -> None:
        """Show the study state: the newest diagnosis of every variant (what a fresh start shows)."""
        try:
            run = self.session.load_state()
        except TltuiError as exc:
            self.show_error(exc)
            return
        self._show(run)
        if run is not None:
            self.notify(f"showing {run.name} and the runs it joins", title="Study state")

    def on_cancel_requested(self, message: CancelRequested) -> None:
        """Cancelling loses a job's work: ask first (y / n)."""
        from tltui.ui.screens.confirm import ConfirmScreen

        panel = self.workbench.query_one(JobsPanel)
        self.push_screen(
            ConfirmScreen(message.question, "Cancel the job"),
            lambda yes: panel.cancel(message.job_id) if yes else None,
        )

    def running_jobs(self) -> list[Any]:
        return [j for j in self.workbench.query_one(JobsPanel).jobs if j.status in ("queued", "running")]

    def cancel_job(self, job_id: str) -> None:
        """The palette's cancel: asked first, as from the Jobs panel."""
        self.workbench.query_one(JobsPanel).ask_cancel(job_id)

    # what is shown
    def open_run(self, path: Path) -> None:
        label = next((name for name, p in self.session.runs() if p == path), "")
        try:
            run = RunData.load(path)
            self.session.run = run.named(label) if label else run
            self.session.showing_state = False
        except TltuiError as exc:
            self.show_error(exc)
            return
        self._show(self.session.run)

    def on_run_requested(self, message: RunRequested) -> None:
        self.open_run(message.run_dir)

    def on_state_requested(self, message: StateRequested) -> None:
        self.action_show_state()

    def on_variant_picked(self, message: VariantPicked) -> None:
        self.log_line(f"variant picked: {message.name}")

    def pick_variant(self, name: str) -> None:
        self.workbench.post_message(VariantPicked(name))

    def pick_instance(self, index: int) -> None:
        self.workbench.pick_instance(index)

    def show_view(self, key: str) -> None:
        self.workbench.show_tab(key)

    def layout_action(self, name: str) -> None:
        getattr(self.workbench, f"action_{name}")()

    def log_line(self, text: str) -> None:
        self.workbench.post_message(LineLogged(text))

    def show_error(self, exc: TltuiError) -> None:
        self.log_line(f"{exc.title}: {exc.msg}")
        self.push_screen(ErrorScreen(exc.title, exc.msg))

    def _update_status(self) -> None:
        try:
            status = self.workbench.query_one(StatusBar)
            panel = self.workbench.query_one(JobsPanel)  # composed later than the status bar, by its tabs
        except Exception:  # not composed yet
            return
        run = self.session.run
        status.study = self.session.info.name
        status.run = (run.name + (f" +{len(run.merged_from)}" if run.merged_from else "")) if run else "none"
        status.note = f"newer: {self.session.newer}" if self.session.newer else ""
        status.device = self.session.device + (
            f" (run on {run.device})" if run and run.device not in ("?", self.session.device) else ""
        )
        status.running = len(self.running_jobs())
        status.jobs = panel.summary()
        self.workbench.query_one(Explorer).set_jobs(panel.jobs[:15])
        status.gpu = (self.gpu.sample() or "") if self.gpu is not None else ""

    # themes, help, export
    def set_theme(self, name: str) -> None:
        self.theme = name

    def _theme_changed(self, theme: Theme) -> None:
        if self.persist and not self.no_color:
            self.settings = self.settings.replace(theme=theme.name)
            try:
                save_settings(self.settings)
            except OSError as exc:
                self.log_line(f"could not remember the theme: {exc}")

    def action_next_theme(self) -> None:
        names = sorted(self.tltui_themes) or sorted(self.available_themes)
        if self.few_colors:
            names = [n for n in names if n == self._drawable(n)]
        current = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(current + 1) % len(names)]
        self.notify(f"theme: {self.theme}", title="Theme")

    def action_help(self) -> None:
        from tltui.ui.screens.help import HelpScreen  # after the first frame, when asked for

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.user_keymap))

    def action_export(self, formats: str) -> None:
        """Write the current view's data (csv, json) and/or the screen (svg) into the run's exports/."""
        from tltui.ui.export import export_view

        view = self.workbench.current_view()
        if view is None:
            return
        run = self.session.run
        written, empty = export_view(view, run.run_dir if run else None, formats, self.save_screenshot)
        if empty:
            self.notify(f"{view.TITLE}: nothing to export yet", title="Export", severity="warning")
        if written:  # one folder per run: say where, then each file's name (the toast escapes them)
            folders = dict.fromkeys(str(p.parent) for p in written)
            names = "\n".join(p.name for p in written)
            self.notify(f"into {', '.join(folders)}:\n{names}", title="Exported")
            for p in written:
                self.log_line(f"exported {p}")
        self.last_exports = written
