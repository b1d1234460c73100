"""Notifications (toasts) drawn by the one display rule: their text may name the user's files and classes."""

from __future__ import annotations

from textual.app import App
from textual.notifications import SeverityLevel

from tltui.base.names import shown, shown_lines, shown_markup


class ToastingApp(App[None]):
    """An App whose `notify` (every widget's too: theirs calls it) escapes control characters in the title and
    message and, unless told the message is plain, neutralises markup in it (tltui.base.names)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        text = (
            "\n".join(shown_markup(line) for line in message.split("\n")) if markup else shown_lines(message)
        )
        super().notify(text, title=shown(title), severity=severity, timeout=timeout, markup=markup)
