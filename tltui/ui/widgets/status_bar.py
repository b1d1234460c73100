"""The one-line status bar: study, run, device, GPU (only with NVML), running jobs."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class StatusBar(Widget):
    """VS Code-like status line; every field is a reactive set by the app."""

    DEFAULT_CSS = """
    StatusBar {
        dock: bottom;
        height: 1;
        background: $primary-background;
        color: $foreground;
    }
    """

    study: reactive[str] = reactive("")
    run: reactive[str] = reactive("")
    device: reactive[str] = reactive("")
    gpu: reactive[str] = reactive("")
    running: reactive[int] = reactive(0)
    note: reactive[str] = reactive("")

    def __init__(self, study: str = "", device: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(StatusBar.study, study)
        self.set_reactive(StatusBar.device, device)

    def render(self) -> Text:
        parts = [f" study: {self.study}"]
        if self.run:
            parts.append(f"run: {self.run}")
        parts.append(f"device: {self.device}")
        if self.gpu:
            parts.append(self.gpu)
        parts.append(f"jobs running: {self.running}")
        if self.note:
            parts.append(self.note)
        left = "  │  ".join(parts)
        right = "F1 help  ^P commands "
        gap = max(1, self.size.width - len(left) - len(right))
        return Text(left + " " * gap + right, no_wrap=True, overflow="ellipsis")
