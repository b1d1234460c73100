"""The slicing previews of the Mitigate view: ReMoS's network-wide slice order as layer ids, so the UI draws any
ratio's per-layer cut with one numpy bincount (no torch, no job per slider step); SeaM's learnt mask per layer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from tltui.base import rundir
from tltui.base.catalogue import RemosParams, SeamParams
from tltui.base.progress import Progress
from tltui.base.rundir import keys
from tltui.base.runfiles import save_json, save_npz
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.mitigate import remos, seam
from tltui.core.mitigate._student import check, recipe


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


def write_seam_preview(an: Analysis, mp: SeamParams, out: Path) -> Iterator[Progress]:
    """Learn SeaM's mask (steps 1 and 2, no fine-tuning) and write preview.npz (layers, sizes, the fraction of each
    layer removed, the kept fraction) and preview.json (`seam.preview_of`) into `out`."""
    check(mp)
    n_classes, _ = recipe(an, mp)
    result = yield from seam.search(an, mp, n_classes)
    yield Progress("seam mask", 1, 1, seam.describe(result))
    shown = seam.preview_of(result)
    rows = shown["layers"]
    assert isinstance(rows, list)
    preview = {
        keys.PREVIEW_LAYERS: np.array([r["name"] for r in rows]),
        keys.PREVIEW_SIZES: np.array([r["size"] for r in rows], dtype=np.int64),
        keys.PREVIEW_CUT: np.array([r["layer_fraction"] for r in rows], dtype=np.float64),
        keys.PREVIEW_KEPT: np.array(result.kept, dtype=np.float64),
    }
    save_npz(out / rundir.PREVIEW_NPZ, **preview)
    summary = {"study": an.study.name, "params": dataclasses.asdict(mp), "head": M.head_name(an.teacher)}
    save_json(out / rundir.PREVIEW_JSON, {**summary, "method": "seam", **shown})
