"""A run directory of `analyze demo` holds all four levels, loadable in a process that never imports torch."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tltui.jobs import api

CHECK = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tltui.base.runfiles import load_json, load_npz
    run = Path(sys.argv[1])
    s = load_json(run / "summary.json")
    from tltui.base import rundir
    assert s["format"] == rundir.FORMAT
    unknown = [p.name for p in run.iterdir() if p.is_file() and rundir.producer(p.name) is None]
    assert not unknown, f"files no part of the run-directory format: {unknown}"
    variants = list(s["variants"])
    models = ["teacher", *variants]
    # overall
    o = load_json(run / "overall.json")
    assert set(o["per_class"]) == set(variants)
    assert len(o["per_class"]["finetune"]["accuracy"]) == len(o["classes"]) == 5
    assert o["cka"]["names"] == models and len(o["cka"]["all"]) == len(models)
    assert abs(o["cka"]["all"][0][0] - 1) < 1e-9
    assert "score" in o["transferability"] and len(o["radar"]["values"]) == len(variants)
    # instances
    inst = load_npz(run / "instances.npz")
    n = s["n_test"]
    assert inst["x"].shape[0] == inst["x_teacher_adv"].shape[0] == n
    for v in variants:
        assert inst[f"{v}.pred"].shape == inst[f"{v}.teacher_adv_pred"].shape == (n,)
    proj = load_npz(run / "projection.npz")
    assert all(proj[f"{m}.clean"].shape == (n, 2) and proj[f"{m}.adv"].shape == (n, 2) for m in models)
    # features
    fj, fz = load_json(run / "features.json"), load_npz(run / "features.npz")
    assert set(fj["model_doctor"]) == set(models)
    assert fz["md.finetune.mask"].shape[0] == 5
    layer = next(iter(fj["discriminative"]["teacher"]))
    assert fz[f"disc.teacher.{layer}.hist_source"].shape == fz[f"disc.teacher.{layer}.hist_target"].shape
    det = load_npz(run / "details.npz")
    assert det["cam.finetune.adv"].shape[1:] == inst["x"].shape[2:]
    assert det["win.teacher.top"].ndim == 3
    # layers
    lj, lz = load_json(run / "layers.json"), load_npz(run / "layers.npz")
    assert [r["name"] for r in s["layers"]] == lj["names"]
    row = s["layers"][0]
    assert set(row["weight_change"]) == set(variants) and row["weight_change"]["probe"] == 0.0
    assert set(row["adv_deviation"]) == set(models) and 0 <= row["coverage"] <= 1
    assert lj["distance_layers"] and all(lz[f"dist.finetune@{n}"].ndim == 2 for n in lj["distance_layers"])
    assert "torch" not in sys.modules and "sklearn" not in sys.modules, "loading results imported torch"
    print("ok")
    """
)


def test_run_dir_loads_without_torch(demo_run: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHECK, str(demo_run)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_details_job_for_any_instance(demo_run: Path, isolated_home: Path) -> None:
    job = api.submit(
        "details", {"study": "demo", "run": str(demo_run), "indices": [200]}, study="demo", device="cpu"
    )
    rec = api.wait(job, timeout=600)
    assert rec.status == "done", api.logs(job)
    import numpy as np

    with np.load(demo_run / "details-200.npz") as d:
        assert int(d["index"][0]) == 200
        assert d["sal.teacher.clean"].shape == (1, 16, 16)
