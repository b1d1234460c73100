"""The workbench views on a real run: discriminative channels, on-demand details and t-SNE (real jobs),
the "updated" column, the layer window and weight histograms, fairness, the study description."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from textual.widgets import DataTable, Select

from tests.ui.helpers import SIZE, MakeApp, ready, wait_until
from tltui.ui.model.details import instance_details
from tltui.ui.model.rundata import RunData
from tltui.ui.model.studyinfo import read_study
from tltui.ui.tabs.features import MIRRORED, FeaturesTab
from tltui.ui.tabs.instances import InstancesTab
from tltui.ui.tabs.layers import LayersTab
from tltui.ui.widgets.chart import Chart
from tltui.ui.widgets.image import HalfBlockImage
from tltui.ui.widgets.layer_window import LayerWindow
from tltui.ui.widgets.mirror import MirroredHistograms

JOB_TIMEOUT = 120.0
"""Seconds an on-demand job may take (a few seconds with the cached demo models)."""


def titled(chart: Chart, start: str = "", end: str = "") -> bool:
    """Whether the chart shows a spec titled so (a redraw may wait for the chart's throttle)."""
    spec = chart.spec
    return spec is not None and spec.title.startswith(start) and spec.title.endswith(end)


def outside_details(run: Path) -> int:
    """A test instance that details.npz does not hold."""
    index = set(np.load(run / "details.npz")["index"].tolist())
    n = len(np.load(run / "instances.npz")["y"])
    return next(i for i in range(n - 1, -1, -1) if i not in index)


async def test_discriminative_channels_per_model_and_layer(make_app: MakeApp, run_dir: Path) -> None:
    meta = json.loads((run_dir / "features.json").read_text())["discriminative"]
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+3")
        await pilot.pause()
        view = app.workbench.query_one(FeaturesTab)
        model, layer = view.disc_model, view.disc_layer
        assert model in meta and layer == list(meta[model])[-1]
        mirror = view.query_one("#ft-mirror", MirroredHistograms)
        order = meta[model][layer]["order"]
        assert [c.title.split()[0] for c in mirror.channels] == [f"c{c}" for c in order[:MIRRORED]]
        assert mirror.size.height > 2 * mirror.bar_height
        chart = view.query_one("#ft-disc-proj", Chart)
        await wait_until(pilot, lambda: titled(chart, f"{model} {layer}:"))
        proj = chart.spec
        domain = np.load(run_dir / "features.npz")[f"disc.{model}.{layer}.domain"]
        assert proj is not None and [len(s.y) for s in proj.series] == [
            int((domain == 0).sum()),
            int((domain == 1).sum()),
        ]
        # Another layer and another model redraw both.
        first = next(iter(meta[model]))
        view.query_one("#ft-disc-layer", Select).value = first
        await pilot.pause()
        assert view.disc_layer == first
        assert [c.title.split()[0] for c in mirror.channels] == [
            f"c{c}" for c in meta[model][first]["order"][:MIRRORED]
        ]
        view.query_one("#ft-disc-model", Select).value = "teacher"
        await pilot.pause()
        assert view.disc_model == "teacher" and view.disc_layer == first
        await wait_until(pilot, lambda: titled(chart, f"teacher {first}:"))


async def test_any_student_is_compared_with_the_teacher(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.pick_instance(0)
        await pilot.press("alt+3")
        await pilot.pause()
        view = app.workbench.query_one(FeaturesTab)
        for student in app.session.run.variants:  # type: ignore[union-attr]
            view.query_one("#ft-student", Select).value = student
            await pilot.pause()
            assert str(view.query_one("#ft-l-student").render()) == student  # the row's model
            assert str(view.query_one("#ft-l-student-cam-adv").render()) == "Grad-CAM adv"
            assert view.query_one("#ft-student-cam-adv", HalfBlockImage).size.height > 0


async def test_details_of_any_instance_come_from_a_job(
    make_app: MakeApp, run_dir: Path, models_ws: Path
) -> None:
    index = outside_details(run_dir)
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.pick_instance(index)
        await pilot.pause()
        assert not app.session.computing  # hidden views start nothing
        await pilot.press("alt+3")
        await pilot.pause()
        view = app.workbench.query_one(FeaturesTab)
        await wait_until(pilot, lambda: list(app.session.computing.values()) == [f"details-{index}.npz"])
        assert "computing" in str(view.query_one("#ft-instance").render())
        assert not view.query_one("#ft-maps").display
        await wait_until(pilot, lambda: view.query_one("#ft-maps").display, JOB_TIMEOUT)
        assert (run_dir / f"details-{index}.npz").is_file()
        assert not app.session.computing
        name = app.session.run.instance_name(index)  # type: ignore[union-attr]
        assert str(view.query_one("#ft-instance").render()).startswith(f"Instance {name}:")
        assert view.query_one("#ft-teacher-cam-adv", HalfBlockImage).size.height > 0
        # The Layers view draws the same instance's window from that file, with no second job.
        await pilot.press("alt+4")
        await pilot.pause()
        window = app.workbench.query_one("#ly-window", LayerWindow)
        assert window.window is not None and window.edges()
        assert not app.session.computing
    # A later session loads the file at once.
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.pick_instance(index)
        await pilot.press("alt+3")
        await pilot.pause()
        assert app.workbench.query_one("#ft-maps").display and not app.session.computing


async def test_tsne_on_request_and_back(make_app: MakeApp, run_dir: Path, models_ws: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+2")
        await pilot.pause()
        view = app.workbench.query_one(InstancesTab)
        chart = view.query_one("#in-proj", Chart)
        model = view.proj_model
        await wait_until(pilot, lambda: titled(chart, end="(PCA)"))
        view.query_one("#in-table").focus()
        await pilot.press("t")
        await pilot.pause()
        assert list(app.session.computing.values()) == [f"tsne-{model}.npz"]
        assert "computing" in str(view.query_one("#in-proj-note").render())
        await wait_until(
            pilot, lambda: chart.spec is not None and chart.spec.title.endswith("(t-SNE)"), JOB_TIMEOUT
        )
        tsne = np.load(run_dir / f"tsne-{model}.npz")
        assert chart.spec is not None and chart.spec.series[0].x[0] in tsne["clean"][:, 0]
        await pilot.press("t")
        await wait_until(pilot, lambda: titled(chart, end="(PCA)"))


async def test_projection_marks_mispredictions_and_the_selected_twin(
    make_app: MakeApp, run_dir: Path
) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+2")
        await pilot.pause()
        view = app.workbench.query_one(InstancesTab)
        view.select(5)
        chart = view.query_one("#in-proj", Chart)
        name = app.session.run.instance_name(5)  # type: ignore[union-attr]
        await wait_until(
            pilot, lambda: chart.spec is not None and chart.spec.series[-1].label == f"{name} adv"
        )
        spec = chart.spec
        assert spec is not None
        by_label = {s.label: s for s in spec.series}
        arrays = np.load(run_dir / "instances.npz")
        model = view.proj_model
        wrong = int((arrays[f"{model}.pred"] != arrays["y"]).sum())
        marked = [s for s in spec.series if s.marker == "x"]
        assert sum(len(s.y) for s in marked) == wrong and [s.label for s in marked][:1] == ["x mispredicted"]
        # Coloured by class: one clean series per class, in the class's colour, and its twins in the same one.
        summary = json.loads((run_dir / "summary.json").read_text())
        y = arrays["y"]
        for k in np.unique(y).tolist():
            clean = by_label[summary["classes"][k]]
            assert clean.color == k and clean.marker == ""
            twins = [s for s in spec.series if s.marker == "+" and s.color == k]
            assert len(twins) == 1 and len(twins[0].y) == int((y == k).sum())
        assert by_label[name].marker == "◉" and by_label[f"{name} adv"].marker == "◈"
        proj = np.load(run_dir / "projection.npz")
        assert by_label[f"{name} adv"].x == (float(proj[f"{model}.adv"][5, 0]),)


def add_derived(run: Path, dst: Path, name: str = "fixed-ft", base: str = "finetune") -> Path:
    """A copy of `run` with a produced variant that gets every teacher-crafted input right (as if it
    came from `tltui mitigate`: summary `derived`, ordinary instances columns)."""
    shutil.copytree(run, dst)
    arrays = dict(np.load(dst / "instances.npz"))
    for key in [k for k in arrays if k.startswith(f"{base}.")]:
        arrays[name + key[len(base) :]] = arrays[key]
    arrays[f"{name}.teacher_adv_pred"] = arrays["y"].copy()
    np.savez(dst / "instances.npz", **arrays)
    summary = json.loads((dst / "summary.json").read_text())
    summary["variants"][name] = dict(summary["variants"][base])
    summary["derived"] = {name: {"kind": "mitigation", "method": "finetune", "base": base}}
    (dst / "summary.json").write_text(json.dumps(summary))
    return dst


async def test_updated_column_shows_what_a_mitigation_fixed(
    make_app: MakeApp, run_dir: Path, tmp_path: Path
) -> None:
    mitigated = add_derived(run_dir, tmp_path / "mitigated")
    arrays = np.load(run_dir / "instances.npz")
    fixed = int((arrays["finetune.teacher_adv_pred"] != arrays["y"]).sum())
    assert fixed > 0
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        # As after a mitigation job: the produced run is joined to the one shown.
        assert app.session.run is not None
        app.session.run = app.session.run.merged(RunData.load(mitigated))
        app.workbench.show_run(app.session.run)
        await pilot.press("alt+2")
        await pilot.pause()
        view = app.workbench.query_one(InstancesTab)
        assert view.data is not None and view.data.updates == (("fixed-ft", "finetune"),)
        table = view.query_one("#in-table", DataTable)
        header = [str(c.label) for c in table.columns.values()]
        assert header[2] == "fixed-ft updated (t-adv: finetune → fixed-ft)"  # next to the label
        cells = [str(table.get_row_at(r)[2]) for r in range(table.row_count)]
        assert sum(c.endswith("fixed") for c in cells) == fixed
        view.query_one("#in-filter").value = "fixed"  # type: ignore[attr-defined]
        await pilot.pause()
        assert table.row_count == fixed


async def test_layer_window_threshold_changes_the_links(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.pick_instance(0)
        await pilot.press("alt+4")
        await pilot.pause()
        window = app.workbench.query_one("#ly-window", LayerWindow)
        assert window.window is not None
        links = np.load(run_dir / "details.npz")[
            f"win.{app.workbench.query_one(LayersTab).window_model}.links"
        ][0]
        assert window.window.links.shape == links.shape
        window.focus()
        before, drawn = len(window.edges()), str(window.render())
        await pilot.press("plus", "plus", "plus")
        await pilot.pause()
        assert window.threshold == 0.65 and len(window.edges()) < before
        assert str(window.render()) != drawn
        for _ in range(13):
            await pilot.press("minus")
        await pilot.pause()
        assert window.threshold == 0.0 and len(window.edges()) == links.size
        # Another model's window.
        view = app.workbench.query_one(LayersTab)
        view.query_one("#ly-win-model", Select).value = "teacher"
        await pilot.pause()
        teacher = np.load(run_dir / "details.npz")["win.teacher.top"][0]
        assert window.window is not None and np.array_equal(window.window.top, teacher)


async def test_selected_layer_drives_the_weight_histograms(make_app: MakeApp, run_dir: Path) -> None:
    meta = json.loads((run_dir / "layers.json").read_text())
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+4")
        await pilot.pause()
        table = app.workbench.query_one("#ly-table", DataTable)
        # The table opens on the layer shown in the detail (the last conv), then follows the cursor.
        assert table.cursor_row == meta["names"].index(meta["distance_layer"])
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("down")
        await pilot.pause()
        layer = meta["names"][1]
        chart = app.workbench.query_one("#ly-hist", Chart)
        await wait_until(pilot, lambda: titled(chart, f"weights of {layer}"))
        assert chart.spec is not None
        assert [s.label for s in chart.spec.series] == meta["hist_models"]
        counts = np.load(run_dir / "layers.npz")["hist.counts"]
        assert chart.spec.series[0].y == tuple(float(c) for c in counts[0, 1])
        assert layer in str(app.workbench.query_one("#ly-detail-title").render())
        # The neuron distance matrices follow the selected layer (every conv layer has them).
        labels = lambda: [str(w.render()) for w in app.workbench.query("#ly-dist Label")]  # noqa: E731
        if layer in meta["distance_layers"]:
            await wait_until(pilot, lambda: labels() and all(f" at {layer} (" in t for t in labels()))


async def test_overview_fairness_table(make_app: MakeApp, run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        table = app.workbench.query_one("#ov-fairness", DataTable)
        title = str(app.workbench.query_one("#ov-fairness-title").render())
        if summary.get("fairness") is None:
            assert not table.display
            return
        assert table.display and summary["fairness"]["attribute"] in title
        assert table.row_count == sum(1 for v in summary["variants"].values() if v.get("fairness"))
        first = next(iter(summary["variants"]))
        assert str(table.get_row_at(0)[3]) == f"{summary['variants'][first]['fairness']['spd']:.3f}"


def test_instance_details_read_bulk_and_single_files(run_dir: Path) -> None:
    run = RunData.load(run_dir)
    bulk = instance_details(run, 0)
    assert bulk is not None and bulk["sal.teacher.clean"].ndim == 2 and bulk["win.teacher.layers"].ndim == 1
    index = outside_details(run_dir)
    assert instance_details(run, index) is None
    np.savez(run_dir / f"details-{index}.npz", **{k: v[None] for k, v in bulk.items() if "layers" not in k})
    single = instance_details(run, index)
    assert single is not None and np.array_equal(single["sal.teacher.clean"], bulk["sal.teacher.clean"])


def test_study_description_uses_the_study_parser(tmp_path: Path) -> None:
    demo = read_study("demo")
    assert "CNN" in demo.teacher and "MLP" not in demo.teacher
    assert demo.variants == ("scratch", "probe", "finetune") and not demo.problem
    bad = tmp_path / "bad.toml"
    bad.write_text("name = 'x'\n[teacher]\narch = 1\n")
    info = read_study(str(bad))
    assert info.problem and "bad.toml" in info.problem
    assert read_study(str(tmp_path / "missing.toml")).problem.endswith("or `demo`)")


async def test_a_selected_layer_is_followed_by_the_other_views(make_app: MakeApp, run_dir: Path) -> None:
    meta = json.loads((run_dir / "layers.json").read_text())
    disc = json.loads((run_dir / "features.json").read_text())["discriminative"]
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+3")
        await pilot.pause()
        features = app.workbench.query_one(FeaturesTab)
        layers_view = app.workbench.query_one(LayersTab)
        in_both = [n for n in meta["names"] if n in disc[features.disc_model]]
        assert len(in_both) >= 2
        first, second = in_both[0], in_both[1]
        # Features → Layers
        features.query_one("#ft-disc-layer", Select).value = first
        await wait_until(pilot, lambda: layers_view.selected_layer == first)
        # Layers → Features (a row of the per-layer table)
        await pilot.press("alt+4")
        await pilot.pause()
        table = layers_view.query_one("#ly-table", DataTable)
        table.move_cursor(row=meta["names"].index(second))
        await wait_until(pilot, lambda: features.disc_layer == second)
        assert layers_view.selected_layer == second
