"""Each view tab on a real run: what it shows, what it leaves as a clear empty state, what it exports."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from textual.widget import Widget
from textual.widgets import DataTable, Input, Select

from tests.ui.helpers import SIZE, MakeApp, active, ready
from tltui.base.catalogue import RemosParams as MitigateParams
from tltui.base.catalogue.params import check_layers, spec_of
from tltui.base.errors import ParamError
from tltui.base.rundir.tables import preview_cut
from tltui.ui.model.rundata import RunData
from tltui.ui.tabs import TABS
from tltui.ui.tabs.instances import InstancesTab
from tltui.ui.tabs.mitigate import MitigateTab
from tltui.ui.tabs.treat import TreatTab, treated_from
from tltui.ui.widgets.chart import Chart
from tltui.ui.widgets.empty_state import EmptyState
from tltui.ui.widgets.image import HalfBlockImage


async def test_every_tab_renders_with_a_run_and_without(make_app: MakeApp, run_dir: Path) -> None:
    for run in (run_dir, None):
        app = make_app(run)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            for i, key in enumerate(TABS):
                await pilot.press(f"alt+{i + 1}")
                await pilot.pause()
                view = app.workbench.current_view()
                assert view.id == f"view-{key}"
                if run is None:
                    assert view.export_table() is None or key in ("mitigate", "treat")


async def test_overview_charts_follow_the_summary(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        summary = json.loads((run_dir / "summary.json").read_text())
        eps = app.workbench.query_one("#ov-eps", Chart).spec
        assert eps is not None and [s.label for s in eps.series] == list(summary["variants"])
        dirs = app.workbench.query_one("#ov-dir", Chart).spec
        assert dirs is not None
        assert dirs.series[0].y == tuple(v["dir"] for v in summary["variants"].values())
        overall = json.loads((run_dir / "overall.json").read_text())
        per_class = app.workbench.query_one("#ov-perclass", DataTable)
        assert per_class.row_count == len(overall["classes"]) + 1  # + transferability
        cka = app.workbench.query_one("#ov-similarity", DataTable)
        assert cka.row_count == len(overall["cka"]["names"])


async def test_instances_table_filter_and_drawing(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+2")
        await pilot.pause()
        view = app.workbench.query_one(InstancesTab)
        summary = json.loads((run_dir / "summary.json").read_text())
        table = view.query_one("#in-table", DataTable)
        assert view.data is not None and table.row_count == summary["n_test"]
        n_fooled = int(view.data.fooled.any(axis=0).sum())
        view.query_one("#in-filter", Input).value = "fooled"
        await pilot.pause()
        assert table.row_count == n_fooled
        # DIR of each variant from the table agrees with summary.json
        arrays = view.data.arrays
        for v, name in enumerate(view.data.variants):
            correct = int((arrays[f"{name}.pred"] == arrays["y"]).sum())
            assert abs(view.data.fooled[v].sum() / correct - summary["variants"][name]["dir"]) < 1e-9
        table.focus()
        await pilot.press("down")
        await pilot.pause()
        image = view.query_one("#in-img-clean", HalfBlockImage)
        assert image.size.width > 0
        features = app.workbench.query_one("#view-features")
        name = app.session.run.instance_name(features.instance)  # type: ignore[union-attr, arg-type]
        assert f"Instance {name}:" in str(features.query_one("#ft-instance").render())
        assert view.query_one("#in-proj", Chart).spec is not None  # projection.npz
        view.action_sort_fooled()
        assert view.export_table() is not None


async def test_missing_artifacts_give_empty_states_naming_job_and_file(
    make_app: MakeApp, run_dir: Path
) -> None:
    for name in (
        "overall.json",
        "details.npz",
        "features.npz",
        "features.json",
        "layers.npz",
        "projection.npz",
    ):
        (run_dir / name).unlink(missing_ok=True)
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for selector, file in (
            ("#ov-perclass-empty", "overall.json"),
            ("#ft-empty", "details.npz"),
            ("#ft-md-empty", "features.npz"),
            ("#ly-detail", "layers.npz"),
            ("#tr-map-empty", "features.npz"),
        ):
            text = str(app.workbench.query_one(selector, EmptyState).render())
            assert "Produced by the `analyze` job" in text and file in text, selector


async def test_features_draw_the_selected_instance(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.pick_instance(0)  # the first test instance is among the detailed ones
        await pilot.pause()
        await pilot.press("alt+3")
        await pilot.pause()
        features = app.workbench.query_one("#view-features")
        assert features.query_one("#ft-maps").display
        assert features.query_one("#ft-teacher-cam-adv", HalfBlockImage).size.height > 0
        assert len(features.query("#ft-md HalfBlockImage")) >= 2
        assert features.query_one("#ft-channels", DataTable).row_count >= 2


async def test_mitigate_and_treat_controls_request_jobs(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        seen: list[tuple[str, dict[str, object]]] = []
        app.session.submit = lambda kind, params, variant=None: (kind, params)  # type: ignore[method-assign, assignment]
        app._submit = lambda submit, what: seen.append(submit())  # type: ignore[method-assign]
        await pilot.press("alt+5")
        await pilot.pause()
        ratio = app.workbench.query_one("#mt-ratio", Input)
        ratio.value = "0.05"
        await pilot.click("#mt-run")
        await pilot.pause()
        ratio.value = "7"
        await pilot.click("#mt-run")
        await pilot.pause()
        await pilot.press("alt+6")
        await pilot.pause()
        await pilot.click("#tr-run")
        await pilot.pause()
        await pilot.press("alt+5")  # a stacked job: ReMoS, then Model Doctor with its own α
        await pilot.pause()
        ratio.value = "0.05"
        app.workbench.query_one("#mt-then", Select).value = "model-doctor"
        app.workbench.query_one("#mt-then-params", Input).value = "channel_alpha=5 epochs=2"
        await pilot.click("#mt-run")
        await pilot.pause()
    assert seen[0][0] == "mitigate" and seen[0][1]["method"] == "remos" and seen[0][1]["ratio"] == 0.05
    assert len(seen) == 3  # the out-of-range ratio was refused
    assert (
        seen[2][1]["method"] == "remos" and seen[2][1]["ratio"] == 0.05 and "channel_alpha" not in seen[2][1]
    )
    assert seen[2][1]["then"] == [
        {"method": "model-doctor", "channel_alpha": 5.0, "epochs": 2, "theta": 0.2, "n_per_class": 50,
         "train_batch_size": 64}
    ]  # fmt: skip
    assert seen[1][0] == "treat"
    assert seen[1][1] == {
        "method": "model-doctor",
        "variant": "finetune",
        "channel_alpha": 10.0,
        "theta": 0.2,
        "n_per_class": 50,
        "train_batch_size": 64,
        "seed": 0,
        "seeds": 1,
        "tune_baseline": False,  # the form's switch, off
        "timeline": 0,
        "keep_best": False,
    }


async def test_treat_and_layers_draw_their_maps(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+6")
        await pilot.pause()
        assert app.workbench.query_one("#tr-map", HalfBlockImage).display
        assert not app.workbench.query_one("#tr-map-empty").display
        # The chosen variant beside its newest treatment (else the teacher), with their densities.
        meta = json.loads((run_dir / "features.json").read_text())["model_doctor"]
        other = (treated_from(RunData.load(run_dir), "finetune") or ["teacher"])[-1]
        left = str(app.workbench.query_one("#tr-l-map").render())
        right = str(app.workbench.query_one("#tr-l-after").render())
        assert left.startswith("finetune at ") and f"{meta['finetune']['density']:.0%}" in left
        assert right.startswith(f"{other} at ") and f"{meta[other]['density']:.0%}" in right
        await pilot.press("alt+4")
        await pilot.pause()
        summary = json.loads((run_dir / "summary.json").read_text())
        assert app.workbench.query_one("#ly-table", DataTable).row_count == len(summary["layers"])
        assert len(app.workbench.query("#ly-dist HalfBlockImage")) >= 1


def test_preview_cut_is_a_bincount_of_the_slice_order() -> None:
    order = np.array([1, 1, 0, 1, 0, 0, 1, 0])  # layer ids in slice order
    sizes = np.array([4, 4])
    assert preview_cut(order, sizes, 0.5).tolist() == [0.25, 0.75]
    assert preview_cut(order, sizes, 1.0).tolist() == [1.0, 1.0]


async def test_mitigate_preview_follows_the_ratio(make_app: MakeApp, run_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "preview"
    folder.mkdir()
    np.savez(
        folder / "preview.npz",
        order=np.array([1, 1, 0, 1, 0, 0, 1, 0]),
        layers=np.array(["a", "b"]),
        sizes=np.array([4, 4]),
    )
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+5")
        await pilot.pause()
        view = app.workbench.query_one(MitigateTab)
        view.show_preview(folder)
        view.query_one("#mt-ratio", Input).value = "0.5"
        await pilot.pause(0.3)
        chart = view.query_one("#mt-preview-chart", Chart)
        assert chart.display and chart.spec is not None
        assert chart.spec.series[0].y == (0.25, 0.75)


async def test_mitigate_shows_seams_learnt_mask_for_seam_only(
    make_app: MakeApp, run_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "preview"
    folder.mkdir()
    layers, sizes = np.array(["conv1", "conv2"]), np.array([40, 222])
    np.savez(
        folder / "preview.npz", layers=layers, sizes=sizes, cut=np.array([0.5, 0.25]), kept=np.array(0.7)
    )
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+5")
        await pilot.pause()
        view = app.workbench.query_one(MitigateTab)
        assert view.prefill("mitigate", "seam", {})
        view.show_preview(folder)
        await pilot.pause()
        chart = view.query_one("#mt-preview-chart", Chart)
        assert chart.display and chart.spec is not None and "keeps 70.0%" in chart.spec.title
        assert chart.spec.series[0].y == (0.5, 0.25)
        assert view.prefill("mitigate", "remos", {})  # ReMoS's form does not show SeaM's mask
        await pilot.pause()
        assert chart.has_class("-hidden")


async def test_a_views_keys_work_right_after_switching_to_it(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.workbench.query_one("#sidebar").focus()  # focus elsewhere, as after browsing the explorer
        await pilot.press("alt+2")
        await pilot.pause()
        view = app.workbench.query_one(InstancesTab)
        assert app.focused is view.query_one("#in-table", DataTable)
        assert view.data is not None
        await pilot.press("f")  # sort by 'fooled', with no click into the view first
        await pilot.pause()
        fooled = view.data.fooled.sum(axis=0)
        counts = [int(fooled[i]) for i in view.shown]
        assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
        await pilot.press("slash")
        await pilot.pause()
        assert app.focused is view.query_one("#in-filter", Input)
        # Switching on and back never pulls the old tab back (focus messages arrive late).
        await pilot.press("alt+3", "alt+4")
        await pilot.pause()
        assert active(app) == "tab-layers"


def test_layer_scope_is_checked_against_the_model() -> None:
    layers = [("conv1", "Conv2d"), ("conv2", "Conv2d"), ("conv3", "Conv2d"), ("fc", "Linear")]
    scope = spec_of(MitigateParams, "scope")
    assert check_layers(scope, None, layers, "m") is None
    assert check_layers(scope, ("conv3", "conv1"), layers, "m") == ("conv1", "conv3")  # network order
    with pytest.raises(ParamError, match="fc: not a conv layer of m \\(have conv1, conv2, conv3\\)"):
        check_layers(scope, ("conv1", "fc"), layers, "m")


async def test_mitigate_scope_and_tradeoff_chart(make_app: MakeApp, run_dir: Path) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    convs = [r["name"] for r in summary["layers"] if r["kind"] == "Conv2d"]
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+5")
        await pilot.pause()
        view = app.workbench.query_one(MitigateTab)
        chart = view.query_one("#mt-tradeoff", Chart)
        assert chart.spec is not None
        points = {s.label: (s.x[0], s.y[0]) for s in chart.spec.series}
        assert points == {n: (v["dir"], v["aoi"]) for n, v in summary["variants"].items()}
        params = view.params()
        assert params is not None and params.get("scope") is None
        assert params["ratio"] == spec_of(MitigateParams, "ratio").default
        view.query_one("#mt-scope", Input).value = f"{convs[-1]},{convs[0]}"
        params = view.params()
        assert params is not None and params["scope"] == [convs[0], convs[-1]]
        view.query_one("#mt-scope", Input).value = "nope"
        assert view.params() is None  # refused with a toast naming the layers


def shown(view: Widget, selector: str) -> bool:
    """A box is on show (a form mounts a box when a method first needs it, and hides it for the others)."""
    return any(w.display for w in view.query(selector))


async def test_treat_form_follows_the_method(make_app: MakeApp, run_dir: Path) -> None:
    app = make_app(run_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("alt+6")
        await pilot.pause()
        view = app.workbench.query_one(TreatTab)
        assert shown(view, "#tr-channel_alpha") and not shown(view, "#tr-vote_ratio")  # a box not needed yet
        view.query_one("#tr-method", Select).value = "fmt"
        await pilot.pause()
        assert not shown(view, "#tr-channel_alpha") and shown(view, "#tr-vote_ratio")
        view.query_one("#tr-variant", Select).value = "probe"
        view.query_one("#tr-epochs", Input).value = "3"
        assert view.params() == {
            "method": "fmt",
            "variant": "probe",
            "epochs": 3,
            "vote_ratio": 0.2,
            "important_ratio": 0.1,
            "pairs": "dual",
            "train_batch_size": 64,
            "seed": 0,
            "seeds": 1,
            "tune_baseline": False,
            "timeline": 0,
            "keep_best": False,
        }
        view.query_one("#tr-epochs", Input).value = "three"
        assert view.params() is None
