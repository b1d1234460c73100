"""Messages between widgets: small dataclasses with past-tense names, posted up the DOM to the app (Textual's
`Message.__post_init__` does its set-up for dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from tltui.ui.model.rundata import RunData


@dataclass(eq=False)
class JobFinished(Message):
    """A job left the running state (done, failed or cancelled)."""

    job_id: str
    kind: str
    status: str
    run_dir: Path | None
    error: str = ""


@dataclass(eq=False)
class RunLoaded(Message):
    """A run directory was read; every view should show it."""

    run: RunData


@dataclass(eq=False)
class RunRequested(Message):
    """The user asked to show a run directory (explorer, palette)."""

    run_dir: Path


@dataclass(eq=False)
class StateRequested(Message):
    """The user asked for the study state: the newest diagnosis of every variant (explorer)."""


@dataclass(eq=False)
class InstanceSelected(Message):
    """A test instance was chosen (drives the Features view)."""

    index: int


@dataclass(eq=False)
class LayerSelected(Message):
    """A layer was chosen (Layers table, Features discriminative-layer picker); every view follows."""

    name: str


@dataclass(eq=False)
class VariantPicked(Message):
    """A variant was chosen (explorer, palette)."""

    name: str


@dataclass(eq=False)
class MitigationRequested(Message):
    """A Mitigate or Treat control asked for a job."""

    kind: str
    method: str
    params: dict[str, object]


@dataclass(eq=False)
class ComputeRequested(Message):
    """A view needs an on-demand artifact (`file` in the run directory) that a job of `kind` writes."""

    kind: str
    file: str
    params: dict[str, object]


@dataclass(eq=False)
class CancelRequested(Message):
    """The user asked to cancel a job; the app asks for confirmation first (`question`)."""

    job_id: str
    question: str


@dataclass(eq=False)
class LineLogged(Message):
    """A line for the Log panel (job messages, app events)."""

    text: str


@dataclass(eq=False)
class FormPrefilled(Message):
    """A view offers a job form filled in (Layers: "slice these layers" as a ReMoS `--scope`); the workbench hands
    it to the view hosting `kind`'s form and shows that view."""

    kind: str
    method: str
    values: dict[str, str]
