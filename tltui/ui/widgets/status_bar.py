"""The one-line status bar: study, run, device, GPU (only with NVML), running jobs with their progress."""

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
        background: $panel;
        color: $foreground;
    }
    """

    study: reactive[str] = reactive("")
    run: reactive[str] = reactive("")
    device: reactive[str] = reactive("")
    gpu: reactive[str] = reactive("")
    running: reactive[int] = reactive(0)
    jobs: reactive[str] = reactive("")
    """The running jobs' progress, as the Jobs panel shows it (`analyze 42% ETA 0:05 +1`)."""
    note: reactive[str] = reactive("")

    def __init__(self, study: str = "", device: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_reactive(StatusBar.study, study)
        self.set_reactive(StatusBar.device, device)

    def render(self) -> Text:
        width = self.size.width or 80
        labelled = width >= 140
        fields = [
            ("study", self.study),
            ("run", self.run),
            ("device", self.device),
            ("", self.gpu),
            ("jobs", self.jobs or (f"{self.running} running" if self.running else "none running")),
            ("", self.note),
        ]
        left = " " + "  │  ".join(
            (f"{name}: {value}" if labelled and name else value) for name, value in fields if value
        )
        right = "F1 help  ^P commands "
        if len(left) + len(right) + 1 > width:
            right = "F1 help "
        room = width - len(right) - 1
        if len(left) > room:  # the help key stays in sight; the fields give way
            left = left[: max(0, room - 1)] + "…"
        gap = max(1, width - len(left) - len(right))
        return Text(left + " " * gap + right, no_wrap=True, overflow="ellipsis")
