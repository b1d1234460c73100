"""The ReMoS preview job: its slice order lets numpy alone reproduce the per-layer cut for any ratio."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from tltui.base.runfiles import load_json, load_npz
from tltui.jobs import api


def cut_per_layer(order: np.ndarray, n_layers: int, ratio: float) -> np.ndarray:
    k = round(ratio * len(order))
    return np.bincount(order[:k], minlength=n_layers)


def test_preview_job_matches_remos_preview(tmp_path: Path, demo_run: Path, isolated_home: Path) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(isolated_home / "models", ws / "models")
    job = api.submit("preview", {"study": "demo", "ratio": 0.1}, study="demo", device="cpu", workspace=ws)
    rec = api.wait(job, ws, timeout=600)
    assert rec.status == "done", api.logs(job, ws)
    arr = load_npz(Path(rec.run_dir) / "preview.npz")
    info = load_json(Path(rec.run_dir) / "preview.json")
    layers = [str(n) for n in arr["layers"]]
    assert layers == [row["name"] for row in info["layers"]]
    assert len(arr["order"]) == int(arr["sizes"].sum()) == info["total"]
    assert cut_per_layer(arr["order"], len(layers), 0.1).tolist() == [row["cut"] for row in info["layers"]]
    assert (
        cut_per_layer(arr["order"], len(layers), 0.05).sum()
        < cut_per_layer(arr["order"], len(layers), 0.1).sum()
    )
