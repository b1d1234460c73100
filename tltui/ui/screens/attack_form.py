"""A modal form of the attack's parameters (generated from the catalogue's specs) for one analysis job."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from tltui.base.catalogue import JOBS
from tltui.base.catalogue.attacks import attack_overrides
from tltui.base.errors import ParamError, StudyError
from tltui.base.jobparams import job_params
from tltui.base.study import Study, load_study

_BOOL = [("yes", "true"), ("no", "false")]


class AttackForm(ModalScreen[dict[str, Any] | None]):
    """One box per attack parameter over the study's [attack]; an empty box keeps the study's value.

    Run checks the values with `job_params` (as the CLI checks `--eps` …) and dismisses with the analyze job's
    parameters; a bad value is shown in one line and nothing is submitted. Esc cancels (None)."""

    DEFAULT_CSS = """
    AttackForm { align: center middle; }
    AttackForm > Vertical {
        width: 84; max-width: 100%; height: 90%; border: thick $primary; background: $surface; padding: 0 1;
    }
    AttackForm .af-row { height: auto; }
    AttackForm .af-row Label { width: 22; padding: 1 1 0 0; }
    AttackForm .af-row Input, AttackForm .af-row Select { width: 1fr; }
    AttackForm #af-error { height: auto; color: $error; }
    AttackForm #af-buttons { height: auto; }
    AttackForm Button { margin: 0 2 0 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]  # noqa: RUF012

    def __init__(self, study: str) -> None:
        super().__init__()
        self.study_ref = study
        self.study: Study | None = None
        try:
            self.study = load_study(study)  # torch-free; the study's values are the placeholders
        except StudyError:
            self.study = None  # checked against the default [attack]; the job reports the study's problem

    def _current(self, key: str) -> str:
        if self.study is None:
            return ""
        which, name, _spec = attack_overrides()[key]
        a = self.study.attack
        value = getattr(a.teacher if which == "teacher" else a, name)
        if isinstance(value, tuple):
            return ",".join(f"{v:g}" for v in value)
        return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Run analysis with attack settings (empty: the study's value)", classes="section")
            with VerticalScroll():
                for key, (_which, _name, spec) in attack_overrides().items():
                    with Horizontal(classes="af-row"):
                        yield Label(spec.label)
                        study = self._current(key)
                        if spec.kind == "bool" or spec.choices:
                            options = _BOOL if spec.kind == "bool" else [(c, c) for c in spec.choices]
                            box: Select[str] | Input = Select(
                                options, prompt=f"study's: {study or 'not set'}", id=f"af-{key}"
                            )
                        else:
                            box = Input("", placeholder=study or "not set", id=f"af-{key}")
                        box.tooltip = spec.describe()
                        yield box
            yield Static("", id="af-error", markup=False)
            with Horizontal(id="af-buttons"):
                yield Button("Run analysis", variant="primary", id="af-run")
                yield Button("Cancel (Esc)", id="af-cancel")

    def raw(self) -> dict[str, str]:
        """The boxes' text by job key (empty: not given)."""
        out: dict[str, str] = {}
        for key in attack_overrides():
            box = self.query_one(f"#af-{key}")
            value = box.value if isinstance(box, (Input, Select)) else None
            out[key] = value.strip() if isinstance(value, str) else ""
        return out

    def submit(self) -> None:
        try:
            params = job_params(JOBS["analyze"], self.raw(), self.study)
        except ParamError as exc:
            self.query_one("#af-error", Static).update(exc.msg)
            return
        self.dismiss(params)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "af-run":
            self.submit()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.submit()
