"""A modal for a user-facing error: its title and one-line message, no traceback."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tltui.base.names import shown, shown_lines


class ErrorScreen(ModalScreen[None]):
    """Shows a TltuiError (title + message); Enter or Esc closes."""

    DEFAULT_CSS = """
    ErrorScreen { align: center middle; }
    ErrorScreen > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%; border: thick $error; background: $surface;
        padding: 1 2;
    }
    ErrorScreen #error-title { text-style: bold; color: $error; }
    ErrorScreen Button { margin: 1 0 0 0; }
    """
    BINDINGS = [Binding("escape,enter", "close", "Close", priority=True)]  # noqa: RUF012

    def __init__(self, title: str, msg: str) -> None:
        super().__init__()
        self.error_title = title
        self.msg = msg

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(shown(self.error_title), id="error-title", markup=False)
            yield Static(shown_lines(self.msg), id="error-msg", markup=False)
            yield Button("OK", variant="error", id="error-ok")

    def action_close(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self) -> None:
        self.dismiss(None)
