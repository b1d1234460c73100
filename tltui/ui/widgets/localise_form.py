"""A modal form of `tltui localise`'s parameters (the variant, its layers or blocks, the interventions, top k)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from tltui.base.catalogue import JOBS
from tltui.ui.widgets.param_form import ParamForm


class LocaliseForm(ModalScreen[dict[str, Any] | None]):
    """The catalogue's localise parameters as a form (checked as the CLI checks them, layers against the run's);
    Run dismisses with the job's parameters, Esc with None."""

    DEFAULT_CSS = """
    LocaliseForm { align: center middle; }
    LocaliseForm > Vertical {
        width: 84; max-width: 100%; height: auto; max-height: 90%; border: thick $primary; background: $surface;
        padding: 0 1;
    }
    LocaliseForm VerticalScroll { height: auto; }
    LocaliseForm #lf-buttons { height: auto; }
    LocaliseForm Button { margin: 0 2 0 0; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", priority=True)]  # noqa: RUF012

    def __init__(self, variant: str, layers: list[tuple[str, str]] | None) -> None:
        super().__init__()
        self.variant, self.model_layers = variant, layers

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Layer interventions: each layer (or block) alone, then the top k together (docs/localise.md)",
                classes="section",
            )
            with VerticalScroll():
                yield ParamForm({"localise": JOBS["localise"]}, prefix="lf", method="localise")
            with Horizontal(id="lf-buttons"):
                yield Button("Run as job", variant="primary", id="lf-run")
                yield Button("Cancel (Esc)", id="lf-cancel")

    def on_mount(self) -> None:
        self.query_one("#lf-variant", Input).value = self.variant

    def submit(self) -> None:
        params = self.query_one(ParamForm).job_params("localise", self.model_layers, "Localise")
        if params is not None:
            params.pop("method", None)
            self.dismiss(params)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "lf-run":
            self.submit()
        else:
            self.dismiss(None)
