"""The command palette's provider: commands derived from the current state of the workbench."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tltui.ui.jobs_client import short_id
from tltui.ui.methods import MITIGATION_METHODS, TREATMENT_METHODS
from tltui.ui.tabs import TABS

if TYPE_CHECKING:
    from tltui.ui.app import WorkbenchApp

PaletteCommand = tuple[str, str, Callable[[], object]]


def palette_commands(app: WorkbenchApp) -> list[PaletteCommand]:
    """Every command that makes sense now: jobs for this study, variants and instances shown, themes, layout."""
    screen = app.workbench
    cmds: list[PaletteCommand] = [
        ("Run analysis", f"diagnose {app.session.study} as a job", app.action_run_analysis),
    ]
    cmds += [
        (f"Mitigate: {m}", help_, partial(app.request_job, "mitigate", m))
        for m, help_ in MITIGATION_METHODS.items()
    ]
    cmds += [
        (f"Treat: {m}", help_, partial(app.request_job, "treat", m)) for m, help_ in TREATMENT_METHODS.items()
    ]
    run = app.session.run
    if run is not None:
        cmds += [
            (f"Pick variant: {v}", "highlight it in every view", partial(app.pick_variant, v))
            for v in run.variants
        ]
    instances = screen.instance_choices() if screen is not None else []
    cmds += [(f"Pick instance: #{i}", note, partial(app.pick_instance, i)) for i, note in instances]
    for key, entry in TABS.items():
        cmds.append((f"Show view: {entry.title}", "switch the view tab", partial(app.show_view, key)))
    for name in sorted(app.tltui_themes):
        cmds.append((f"Theme: {name}", "switch theme (remembered)", partial(app.set_theme, name)))
    cmds += [
        ("Toggle sidebar", "show/hide the explorer", partial(app.layout_action, "toggle_sidebar")),
        ("Toggle panel", "show/hide jobs and log", partial(app.layout_action, "toggle_panel")),
        ("Maximise view", "maximise the focused area / restore", partial(app.layout_action, "maximise")),
        ("Export view as CSV", "into the run's exports/ folder", partial(app.action_export, "csv")),
        ("Export view as JSON", "into the run's exports/ folder", partial(app.action_export, "json")),
        ("Export screen as SVG", "a screenshot into exports/", partial(app.action_export, "svg")),
        ("Help: keys", "every key binding", app.action_help),
    ]
    for job in app.running_jobs():
        cmds.append(
            (f"Cancel job {short_id(job.id)} ({job.kind})", "stop it", partial(app.cancel_job, job.id))
        )
    for label, path in app.session.runs():
        cmds.append((f"Open run: {label}", str(path), partial(app.open_run, path)))
    return cmds


class WorkbenchCommands(Provider):
    """Lists `palette_commands`; fuzzy-matched on the title."""

    def _commands(self) -> list[PaletteCommand]:
        from tltui.ui.app import WorkbenchApp

        app = self.app
        return palette_commands(cast(WorkbenchApp, app)) if isinstance(app, WorkbenchApp) else []

    async def discover(self) -> Hits:
        for title, help_, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_)
