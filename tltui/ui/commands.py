"""The command palette's provider: commands derived from the current state of the workbench."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tltui.base.catalogue import MITIGATIONS, TREATMENTS
from tltui.base.names import shown, shown_markup
from tltui.ui.model.jobs_client import short_id
from tltui.ui.screens.attack_form import AttackForm
from tltui.ui.tabs import TABS

PaletteCommand = tuple[str, str, Callable[[], object]]


class PaletteHost(Protocol):
    """What the palette needs of the app (the app provides it; this module never imports the app)."""

    session: Any
    tltui_themes: dict[str, Any]

    @property
    def workbench(self) -> Any: ...
    def action_run_analysis(self) -> None: ...
    def push_screen(self, screen: Any, callback: Any = None) -> Any: ...
    def request_job(self, kind: str, method: str, params: dict[str, Any] | None = None) -> None: ...
    def pick_variant(self, name: str) -> None: ...
    def pick_instance(self, index: int) -> None: ...
    def show_view(self, key: str) -> None: ...
    def set_theme(self, name: str) -> None: ...
    def layout_action(self, name: str) -> None: ...
    def action_export(self, what: str) -> None: ...
    def action_help(self) -> None: ...
    def running_jobs(self) -> list[Any]: ...
    def cancel_job(self, job_id: str) -> None: ...
    def open_run(self, path: Any) -> None: ...


def attack_form(app: PaletteHost) -> None:
    """The attack form (tltui/ui/screens/attack_form.py); its values become an analyze job's parameters."""

    def run(params: dict[str, Any] | None) -> None:
        if params is not None:
            app.request_job(app.session.analyze_kind, "with attack settings", params)

    app.push_screen(AttackForm(app.session.study), run)


def palette_commands(app: PaletteHost) -> list[PaletteCommand]:
    """Every command that makes sense now: jobs for this study, variants and instances shown, themes, layout."""
    screen = app.workbench
    cmds: list[PaletteCommand] = [
        ("Run analysis", f"diagnose {app.session.study} as a job", app.action_run_analysis),
        ("Run analysis with attack settings…", "ε, α, steps, … for this job", partial(attack_form, app)),
    ]
    cmds += [
        (f"Mitigate: {m}", e.help, partial(app.request_job, "mitigate", m)) for m, e in MITIGATIONS.items()
    ]
    cmds += [(f"Treat: {m}", e.help, partial(app.request_job, "treat", m)) for m, e in TREATMENTS.items()]
    cmds.append(
        (
            "Localise: layer interventions",
            "which layers carry the inherited weakness, by intervening on each (a job; Layers shows it)",
            partial(app.request_job, "localise", "localise"),
        )
    )
    run = app.session.run
    if run is not None:
        cmds += [
            (f"Pick variant: {v}", "highlight it in every view", partial(app.pick_variant, v))
            for v in run.variants
        ]
    instances = screen.instance_choices() if screen is not None else []
    cmds += [(f"Pick instance: {name}", note, partial(app.pick_instance, i)) for i, name, note in instances]
    for key, entry in TABS.items():
        cmds.append((f"Show view: {entry.label}", "switch the view tab", partial(app.show_view, key)))
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
        app = self.app
        return palette_commands(cast(PaletteHost, app)) if hasattr(type(app), "request_job") else []

    async def discover(self) -> Hits:
        for title, help_, callback in self._commands():
            yield DiscoveryHit(shown_markup(title), callback, help=shown_markup(help_))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(shown(title)), callback, help=shown_markup(help_))
