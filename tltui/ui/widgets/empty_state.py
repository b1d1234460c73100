"""A clear note where a view has no data yet, naming the job and file that produce it."""

from __future__ import annotations

from textual.widgets import Static

from tltui.base.names import shown_lines


class EmptyState(Static):
    """'Nothing to show yet' with the reason; never a placeholder number."""

    DEFAULT_CSS = """
    EmptyState {
        width: 1fr;
        height: auto;
        padding: 1 2;
        color: $text-muted;
        border: round $panel-lighten-2;
    }
    """

    def __init__(
        self, what: str, job: str = "", file: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(self.text(what, job, file), id=id, classes=classes, markup=False)

    @staticmethod
    def text(what: str, job: str = "", file: str = "") -> str:
        lines = [what]
        if job:
            lines.append(
                f"Produced by the `{job}` job" + (f" ({file} in the run directory)." if file else ".")
            )
        return shown_lines("\n".join(lines))  # a reason may name a file or quote an error

    def set(self, what: str, job: str = "", file: str = "") -> None:
        self.update(self.text(what, job, file))
