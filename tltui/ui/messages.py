"""Messages between widgets: small classes with past-tense names, posted up the DOM to the app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tltui.ui.rundata import RunData


class JobFinished(Message):
    """A job left the running state (done, failed or cancelled)."""

    def __init__(self, job_id: str, kind: str, status: str, run_dir: Path | None, error: str = "") -> None:
        super().__init__()
        self.job_id = job_id
        self.kind = kind
        self.status = status
        self.run_dir = run_dir
        self.error = error


class JobSubmitted(Message):
    """A job was queued from the UI."""

    def __init__(self, job_id: str, kind: str) -> None:
        super().__init__()
        self.job_id = job_id
        self.kind = kind


class RunLoaded(Message):
    """A run directory was read; every view should show it."""

    def __init__(self, run: RunData) -> None:
        super().__init__()
        self.run = run


class RunRequested(Message):
    """The user asked to show a run directory (explorer, palette)."""

    def __init__(self, run_dir: Path) -> None:
        super().__init__()
        self.run_dir = run_dir


class InstanceSelected(Message):
    """A test instance was chosen (drives the Features view)."""

    def __init__(self, index: int) -> None:
        super().__init__()
        self.index = index


class LayerSelected(Message):
    """A layer was chosen (Layers table, Features discriminative-layer picker); every view follows."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class VariantPicked(Message):
    """A variant was chosen (explorer, palette)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class ThemeChanged(Message):
    """The theme was switched (and remembered)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class MitigationRequested(Message):
    """A Mitigate or Treat control asked for a job."""

    def __init__(self, kind: str, method: str, params: dict[str, object]) -> None:
        super().__init__()
        self.kind = kind
        self.method = method
        self.params = params


class ComputeRequested(Message):
    """A view needs an on-demand artifact (`file` in the run directory) that a job of `kind` writes."""

    def __init__(self, kind: str, file: str, params: dict[str, object]) -> None:
        super().__init__()
        self.kind = kind
        self.file = file
        self.params = params


class LineLogged(Message):
    """A line for the Log panel (job messages, app events)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
