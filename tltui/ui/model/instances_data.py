"""What the Instances view shows of a run: its instance table as text rows, the images and the projections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tltui.base.errors import TltuiError
from tltui.base.rundir import INSTANCES, PROJECTION, RunSummary, keys, tsne_name
from tltui.base.rundir.tables import InstanceTable, instance_table
from tltui.base.runfiles import load_npz
from tltui.ui.model.rundata import RunData

Projection = tuple[np.ndarray, "np.ndarray | None"]
"""A model's 2-D coordinates of the clean inputs (N × 2) and of their teacher-crafted twins (or None)."""


@dataclass(frozen=True)
class Instances:
    """instances.npz (merged over the joined runs) as the view shows it. The table itself (fooled, updated, …)
    is `tltui.base.rundir.tables.instance_table`; ids and class names come from summary.json."""

    arrays: dict[str, np.ndarray]
    table: InstanceTable
    classes: tuple[str, ...]
    projections: dict[str, Projection] = field(default_factory=dict)
    """projection.npz: model → its PCA of penultimate features."""

    @classmethod
    def from_arrays(
        cls,
        arrays: dict[str, np.ndarray],
        summary: RunSummary,
        projections: dict[str, Projection] | None = None,
    ) -> Instances:
        table = instance_table(arrays, summary.derived, summary.ids or None)
        return cls(arrays, table, tuple(summary.classes), projections or {})

    def __len__(self) -> int:
        return len(self.table)

    @property
    def variants(self) -> tuple[str, ...]:
        return self.table.variants

    @property
    def ids(self) -> tuple[str, ...]:
        return self.table.ids

    @property
    def fooled(self) -> np.ndarray:
        """(V, N): clean prediction right, and the teacher-crafted input changed it (the DIR numerator)."""
        return self.table.fooled

    @property
    def updates(self) -> tuple[tuple[str, str], ...]:
        """(produced variant, its base) for every produced variant whose base is in the table too."""
        return tuple((u.variant, u.base) for u in self.table.updates)

    def name(self, k: int) -> str:
        return self.classes[k] if 0 <= k < len(self.classes) else str(k)

    def label(self, i: int) -> str:
        return self.name(int(self.table.labels[i]))

    def _pred(self, column: np.ndarray | None, i: int) -> str:
        return self.name(int(column[i])) if column is not None else "–"

    def row(self, i: int) -> tuple[Any, ...]:
        cells: list[Any] = [self.ids[i], self.label(i)]
        for u in self.table.updates:
            verdict = "fixed" if u.fixed[i] else "broken" if u.broken[i] else ""
            cells.append(f"{self.name(int(u.before[i]))} → {self.name(int(u.after[i]))} {verdict}".strip())
        for col in self.table.columns.values():
            conf = f" ({float(col.conf[i]):.2f})" if col.conf is not None else ""
            cells += [
                self._pred(col.pred, i) + conf,
                self._pred(col.adv_pred, i),
                self._pred(col.teacher_adv_pred, i),
                "yes" if col.fooled[i] else "",
            ]
        return tuple(cells)

    def columns(self) -> tuple[str, ...]:
        cols = ["id", "label"]
        cols += [f"{u.variant} updated (t-adv: {u.base} → {u.variant})" for u in self.table.updates]
        for name in self.variants:
            cols += [f"{name} clean", f"{name} adv", f"{name} t-adv", f"{name} fooled"]
        return tuple(cols)

    def keep(self, only: str = "") -> tuple[bool, ...]:
        """Which of `columns()` to show: all, or the id, the label, the updates and `only`'s columns."""
        cols = self.columns()
        if not only or only not in self.variants:
            return tuple(True for _ in cols)
        fixed = 2 + len(self.table.updates)
        mine = {f"{only} clean", f"{only} adv", f"{only} t-adv", f"{only} fooled"}
        return tuple(i < fixed or c in mine for i, c in enumerate(cols))

    def matches(self, i: int, query: str) -> bool:
        for token in query.lower().split():
            if token == "fooled":
                if not bool(self.fooled[:, i].any()):
                    return False
            elif token == "fixed":
                if not bool(self.table.fixed[i]):
                    return False
            elif token.startswith("label="):
                if self.label(i).lower() != token[len("label=") :]:
                    return False
            elif token not in self.ids[i].lower():
                return False
        return True


def _projections(run: RunData) -> dict[str, Projection]:
    out: dict[str, Projection] = {}
    for path in run.artifacts(PROJECTION):
        try:
            arrays = load_npz(path)
        except (TltuiError, OSError, ValueError):
            continue  # the table does not need the projection
        for model in keys.proj_models(arrays):
            out.setdefault(
                model, (arrays[keys.proj_key(model, "clean")], arrays.get(keys.proj_key(model, "adv")))
            )
    return out


def load_instances(run: RunData) -> Instances | str:
    """The run's instances, or why there are none (a sentence for the empty state)."""
    paths = run.artifacts(INSTANCES)
    if not paths:
        return "The per-instance table, the instance drawings and the projection are not in this run."
    try:
        arrays = load_npz(paths[0])
    except (TltuiError, OSError, ValueError) as exc:
        return f"{INSTANCES} could not be read: {exc}"
    if keys.LABELS not in arrays:
        return f"{INSTANCES} has no labels ('{keys.LABELS}')."
    n = len(arrays[keys.LABELS])
    # Runs joined in (mitigations, treatments) add their variants' columns; the test set is the same.
    for extra in paths[1:]:
        try:
            more = load_npz(extra)
        except (TltuiError, OSError, ValueError):
            continue
        arrays.update({k: v for k, v in more.items() if k not in arrays and len(v) == n})
    try:
        return Instances.from_arrays(arrays, run.info, _projections(run))
    except TltuiError as exc:
        return str(exc)


def load_tsne(run: RunData | None, model: str) -> Projection | None:
    """`tsne-<model>.npz` from the run or a joined run, once the tsne job wrote it."""
    for path in run.artifacts(tsne_name(model)) if run else []:
        try:
            arrays = load_npz(path)
        except (TltuiError, OSError, ValueError):
            continue
        if set(keys.PROJ_PARTS) <= set(arrays):
            return arrays[keys.TSNE_CLEAN], arrays[keys.TSNE_ADV]
    return None
