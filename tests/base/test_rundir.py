"""The run-directory format: key builders and parsers round-trip, the format check, the instance table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tltui.base import rundir
from tltui.base.errors import ResultsError
from tltui.base.rundir import keys as K
from tltui.base.rundir.tables import fooled, instance_table, md_maps, preview_cut

MODELS = ["teacher", "finetune", "remos-seed1", "fmt.v2", "a-b.c_d+e"]
LAYERS = ["conv1", "layer1.0.conv1", "features.3", "blocks.2.attn.proj"]


def test_instance_keys_round_trip() -> None:
    arrays = {K.LABELS: 0, K.IMAGES: 0, K.TEACHER_ADV_IMAGES: 0, K.GROUPS: 0}
    for v in MODELS:
        for kind in K.PRED_KINDS:
            key = K.pred_key(v, kind)
            assert K.parse_pred_key(key) == (v, kind)
            arrays[key] = 0
    assert K.pred_variants(arrays) == MODELS
    assert K.parse_pred_key(K.LABELS) is None and K.parse_pred_key(K.TEACHER_ADV_IMAGES) is None
    # a variant whose name ends like a kind still reads right
    assert K.parse_pred_key(K.pred_key("x.teacher_adv", "pred")) == ("x.teacher_adv", "pred")
    with pytest.raises(ValueError):
        K.pred_key("finetune", "logits")


def test_projection_and_model_doctor_keys_round_trip() -> None:
    proj = {K.proj_key(m, p): 0 for m in MODELS for p in K.PROJ_PARTS}
    assert K.proj_models(proj) == MODELS
    assert all(K.parse_proj_key(K.proj_key(m, "adv")) == (m, "adv") for m in MODELS)
    md = {K.md_key(m, p): 0 for m in MODELS for p in K.MD_PARTS}
    assert K.md_models(md) == MODELS
    assert K.md_models({K.disc_key("teacher", "conv1", "edges"): 0}) == []


def test_disc_keys_need_the_models_when_both_names_hold_dots() -> None:
    for m in MODELS:
        for layer in LAYERS:
            for part in K.DISC_PARTS:
                key = K.disc_key(m, layer, part)
                assert key.startswith("disc.")
                assert K.parse_disc_key(key, MODELS) == (m, layer, part)
    # "fmt.v2" must win over a model named "fmt"
    assert K.parse_disc_key(K.disc_key("fmt.v2", "conv1", "proj"), ["fmt", "fmt.v2"]) == (
        "fmt.v2",
        "conv1",
        "proj",
    )
    assert K.parse_disc_key(K.disc_key("ghost", "conv1", "proj"), MODELS) is None
    assert K.parse_disc_key(K.md_key("teacher", "scores"), MODELS) is None


def test_detail_keys_round_trip() -> None:
    details: dict[str, object] = {K.INDEX: 0}
    for m in MODELS:
        for tag in K.MAP_TAGS:
            details[K.saliency_key(m, tag)] = details[K.cam_key(m, tag)] = 0
        for part in K.WINDOW_PARTS:
            details[K.window_key(m, part)] = 0
    assert K.saliency_models(details) == MODELS
    assert K.window_models(details) == MODELS
    assert K.map_key(K.CAM, "fmt.v2", "adv") == K.cam_key("fmt.v2", "adv")
    shared = [k for k in details if not K.per_instance(k)]
    assert shared == [K.INDEX, *(K.window_key(m, "layers") for m in MODELS)]
    with pytest.raises(ValueError):
        K.map_key("grad", "teacher", "clean")


def test_dist_keys_round_trip_and_the_old_single_layer_form() -> None:
    found = K.parse_dist_keys([K.dist_key(v, layer) for v in MODELS for layer in LAYERS] + ["hist.edges"])
    assert list(found.values()) == [(v, layer) for v in MODELS for layer in LAYERS]
    assert K.parse_dist_key("dist.finetune") == ("finetune", None)
    assert K.parse_dist_key("dist.") is None and K.parse_dist_key(K.HIST_COUNTS) is None


def test_file_names_and_producers() -> None:
    assert rundir.details_name(7) == "details-7.npz" and rundir.producer("details-7.npz") == "details"
    assert rundir.producer(rundir.tsne_name("fmt.v2")) == "tsne"
    assert all(rundir.producer(f) == "analyze" for f in rundir.ANALYZE_FILES)
    assert rundir.producer(rundir.PREVIEW_NPZ) == "preview"
    assert rundir.producer("model_doctor.npz") is None and rundir.producer("details-x.npz") is None


def _summary(**extra: object) -> dict[str, object]:
    return {"study": "demo", "variants": {"ft": {}}, "n_test": 3, "classes": ["a", "b"], **extra}


def test_format_version_check() -> None:
    assert rundir.check_format(_summary(format=rundir.FORMAT), "s.json") == rundir.FORMAT
    assert rundir.check_format(_summary(), "s.json") == rundir.FORMAT  # before `format` existed
    with pytest.raises(ResultsError, match=r"newer tltui.*upgrade tltui") as err:
        rundir.check_format(_summary(format=rundir.FORMAT + 1), "s.json")
    assert "\n" not in str(err.value)
    for bad in ({"variants": {}}, _summary(variants=[]), [], _summary(format="1"), _summary(format=0)):
        with pytest.raises(ResultsError):
            rundir.check_format(bad, "s.json")


def test_the_ui_reader_refuses_a_newer_format(tmp_path: Path) -> None:
    from tltui.base.runfiles import save_json
    from tltui.ui.model.rundata import RunData

    save_json(tmp_path / rundir.SUMMARY, _summary(format=rundir.FORMAT + 1))
    with pytest.raises(ResultsError, match="upgrade tltui"):
        RunData.load(tmp_path)
    save_json(tmp_path / rundir.SUMMARY, _summary())
    assert RunData.load(tmp_path).variants == {"ft": {}}


def test_instance_table_on_a_hand_made_run() -> None:
    y = np.array([0, 1, 2, 1])
    arrays = {
        K.LABELS: y,
        K.pred_key("ft"): np.array([0, 1, 0, 1]),
        K.pred_key("ft", "conf"): np.array([0.9, 0.8, 0.7, 0.6]),
        K.pred_key("ft", "adv_pred"): np.array([1, 0, 0, 0]),
        K.pred_key("ft", "teacher_adv_pred"): np.array([2, 1, 0, 0]),
        K.pred_key("remos-1"): np.array([0, 1, 2, 1]),
        K.pred_key("remos-1", "teacher_adv_pred"): np.array([0, 1, 2, 0]),
        K.pred_key("probe"): np.array([0, 0, 2, 1]),  # no attack columns
    }
    t = instance_table(arrays, {"remos-1": {"base": "ft"}, "ghost": {"base": "ft"}}, ids=["a", "b", "c", "d"])
    assert t.variants == ("ft", "remos-1", "probe") and len(t) == 4 and t.ids == ("a", "b", "c", "d")
    ft = t.columns["ft"]
    assert ft.correct.tolist() == [True, True, False, True]
    # fooled: clean right and changed by the teacher-crafted input; its share of the right ones is the DIR
    assert ft.fooled.tolist() == [True, False, False, True]
    assert ft.fooled.sum() / ft.correct.sum() == pytest.approx(2 / 3)
    assert ft.conf is not None and ft.adv_pred is not None and ft.adv_pred.tolist() == [1, 0, 0, 0]
    probe = t.columns["probe"]
    assert probe.teacher_adv_pred is None and not probe.fooled.any()
    assert t.fooled.shape == (3, 4) and t.fooled[0].tolist() == ft.fooled.tolist()
    (u,) = t.updates
    assert (u.variant, u.base) == ("remos-1", "ft")
    assert u.before.tolist() == [2, 1, 0, 0] and u.after.tolist() == [0, 1, 2, 0]
    assert u.fixed.tolist() == [True, False, True, False] and not u.broken.any()
    assert t.fixed.tolist() == [True, False, True, False]
    assert instance_table(arrays, ids=["too", "few"]).ids == ("0", "1", "2", "3")
    assert fooled(y, arrays[K.pred_key("ft")], arrays[K.pred_key("ft", "teacher_adv_pred")]).tolist() == [
        True,
        False,
        False,
        True,
    ]


def test_instance_table_checks_lengths() -> None:
    with pytest.raises(ResultsError, match="rows for 2 labels"):
        instance_table({K.LABELS: np.array([0, 1]), K.pred_key("ft"): np.array([0, 1, 2])})
    with pytest.raises(ResultsError, match="no labels"):
        instance_table({K.pred_key("ft"): np.array([0, 1])})


def test_model_doctor_maps_and_preview_cut() -> None:
    arrays = {
        K.md_key("fmt.v2", "scores"): np.ones((3, 4)),
        K.md_key("fmt.v2", "mask"): np.ones((3, 4), dtype=bool),
        K.md_key("flat", "scores"): np.ones(4),
    }
    maps = md_maps(arrays)
    assert list(maps) == ["fmt.v2"] and maps["fmt.v2"].dtype == float
    cut = preview_cut(np.array([1, 0, 1, 1]), np.array([2, 4]), 0.5)
    assert cut.tolist() == [0.5, 0.25]


def test_the_format_package_imports_without_numpy() -> None:
    """The UI reads summary.json before its first frame, when numpy is not imported yet."""
    code = "import sys, tltui.base.rundir; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
