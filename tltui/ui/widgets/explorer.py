"""The explorer sidebar: a tree of the study (teacher, variants, data), runs, and jobs."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from tltui.ui.messages import RunRequested, StateRequested, VariantPicked
from tltui.ui.model.jobs_client import short_id

if TYPE_CHECKING:
    from tltui.ui.model.studyinfo import StudyInfo

NodeData = tuple[str, Any]
STATUS_MARKS = {"queued": "…", "running": "▶", "done": "✓", "failed": "✗", "cancelled": "⊘"}
"""A job's status in one cell, so the sidebar's narrow lines keep the kind and the id."""


class Explorer(Tree[NodeData]):
    """Select a variant to pick it, a run to show it; jobs are listed for orientation."""

    DEFAULT_CSS = """
    Explorer {
        background: $surface;
        padding: 0 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("study", id=id)
        self.show_root = False
        self._study = self.root.add("study", expand=True)
        self._runs = self.root.add("runs", expand=True)
        self._jobs = self.root.add("jobs", expand=True)
        self._job_labels: list[str] = []

    def set_study(self, info: StudyInfo, variants: Iterable[str] = ()) -> None:
        node = self._study
        node.remove_children()
        node.set_label(f"study: {info.name}")
        if info.problem:
            node.add_leaf(info.problem)
        node.add_leaf(f"teacher: {info.teacher}", data=("teacher", None))
        vnode = node.add("variants", expand=True)
        for name in dict.fromkeys([*info.variants, *variants]):
            vnode.add_leaf(name, data=("variant", name))
        dnode = node.add("data", expand=False)
        for item in info.data:
            dnode.add_leaf(item)

    def set_runs(self, runs: Iterable[tuple[str, Path]], current: Path | None, state: bool = False) -> None:
        """The study's runs, newest first; ● marks the one shown (with `state`: the state's newest run)."""
        self._runs.remove_children()
        self._runs.add_leaf(("● " if state else "  ") + "newest of every variant", data=("state", None))
        for label, path in runs:
            mark = "● " if current is not None and path == current and not state else "  "
            self._runs.add_leaf(mark + label, data=("run", path))

    def set_jobs(self, jobs: Iterable[Any]) -> None:
        items = [(f"{STATUS_MARKS.get(j.status, '?')} {j.kind} {short_id(j.id)}", j.id) for j in jobs]
        if [label for label, _ in items] == self._job_labels:
            return  # rebuilding on every poll would move the cursor
        self._job_labels = [label for label, _ in items]
        self._jobs.remove_children()
        for label, job_id in items:
            self._jobs.add_leaf(label, data=("job", job_id))

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        node: TreeNode[NodeData] = event.node
        if node.data is None:
            return
        kind, value = node.data
        if kind == "variant":
            self.post_message(VariantPicked(value))
        elif kind == "run":
            self.post_message(RunRequested(value))
        elif kind == "state":
            self.post_message(StateRequested())
