"""Per-instance details (saliency, Grad-CAM, layer windows): details.npz rows or on-demand details-<i>.npz."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from tltui.base.errors import TltuiError
from tltui.base.rundir import DETAILS, details_name, keys
from tltui.base.runfiles import load_npz
from tltui.ui.model.rundata import RunData


def _read(path: Path) -> dict[str, np.ndarray]:
    """The file's arrays, read once per version of the file (a tab switch redraws details from memory)."""
    try:
        st = path.stat()
    except OSError:
        return {}
    return _read_version(path, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)
def _read_version(path: Path, _mtime_ns: int, _size: int) -> dict[str, np.ndarray]:
    try:
        return load_npz(path)
    except (TltuiError, OSError, ValueError):
        return {}


def _row(arrays: dict[str, np.ndarray], row: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for key, value in arrays.items():
        if key == keys.INDEX:
            continue
        out[key] = value if not keys.per_instance(key) or np.ndim(value) == 0 else value[row]
    return out


def instance_details(run: RunData | None, index: int) -> dict[str, np.ndarray] | None:
    """Every model's details for test instance `index` (first axis dropped), merged over the run and
    the runs joined to it; None when no file holds that instance yet."""
    if run is None:
        return None
    found: dict[str, np.ndarray] = {}
    hit = False
    for folder in (run.run_dir, *run.merged_from):
        single = folder / details_name(index)
        if single.is_file():
            arrays = _read(single)
            if arrays:
                hit = True
                found = {**_row(arrays, 0), **found}
                continue
        bulk = folder / DETAILS
        if bulk.is_file():
            arrays = _read(bulk)
            hits = np.nonzero(np.asarray(arrays.get(keys.INDEX, [])) == index)[0]
            if hits.size:
                hit = True
                found = {**_row(arrays, int(hits[0])), **found}
    return found if hit else None
