"""The verdict board of the shown study state (tltui.base.verdicts), read from its run directories, cached."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

from tltui.base.rundir import SUMMARY
from tltui.base.verdicts import Board, Source, board, load_source
from tltui.ui.model.rundata import RunData

_CACHE: dict[tuple[object, ...], Board] = {}
_LOCK = (
    threading.Lock()
)  # the Overview and the Pareto tab ask at once: the second waits for the first's board
_KEEP = 8


def _restricted(src: Source, names: set[str]) -> Source:
    """`src` with only the variants the study state shows (a later run may hold more than it took)."""
    data = copy.copy(src.summary.data)
    data["variants"] = {n: v for n, v in src.summary.variants.items() if n in names}
    return Source(type(src.summary)(data), src.arrays, src.where)


def _stamp(d: Path) -> tuple[str, float]:
    try:
        return str(d), max(p.stat().st_mtime for p in d.iterdir() if p.suffix in (".json", ".npz"))
    except (OSError, ValueError):
        return str(d), 0.0


def run_board(run: RunData) -> Board:
    """The board of `run` and the runs joined into it, restricted to the variants it shows (blocking: the
    bootstrap intervals take about 0.2 s per variant without recorded ones, so views call it in a worker)."""
    dirs = (run.run_dir, *run.merged_from)
    names = set(run.variants)
    key = (tuple(_stamp(d) for d in dirs), tuple(sorted(names)))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            return hit
        sources = [_restricted(load_source(d), names) for d in dirs if (d / SUMMARY).is_file()]
        result = board(sources)
        _CACHE[key] = result
        while len(_CACHE) > _KEEP:
            _CACHE.pop(next(iter(_CACHE)))
        return result
