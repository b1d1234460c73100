"""The ReMoS slice preview: the network-wide slice order as layer ids, so the UI draws any ratio's per-layer cut
with one numpy bincount (no torch, no job per slider step)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from tltui.base import rundir
from tltui.base.catalogue import RemosParams
from tltui.base.progress import Progress
from tltui.base.rundir import keys
from tltui.base.runfiles import save_json, save_npz
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.mitigate import remos


def write_preview(an: Analysis, mp: RemosParams, out: Path) -> Iterator[Progress]:
    """Write preview.npz (slice order, layers, sizes) and preview.json (the cut at `mp.ratio`) into `out`."""
    yield Progress("profile", 0, 1, "coverage profile of the teacher")
    layers = remos.scope_layers(an.teacher, mp)
    order = remos.preview_order(an, mp, layers)
    sizes = np.array([remos.conv_size(an.teacher, n) for n in layers], dtype=np.int64)
    preview = {
        keys.PREVIEW_ORDER: order.astype(np.int16 if len(layers) < 2**15 else np.int32),
        keys.PREVIEW_LAYERS: np.array(layers),
        keys.PREVIEW_SIZES: sizes,
    }
    save_npz(out / rundir.PREVIEW_NPZ, **preview)
    summary = {"study": an.study.name, "params": dataclasses.asdict(mp), "head": M.head_name(an.teacher)}
    save_json(out / rundir.PREVIEW_JSON, {**summary, **remos.preview(an, mp)})
    yield Progress("profile", 1, 1, "done")
