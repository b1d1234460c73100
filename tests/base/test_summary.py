"""summary.json typed: the writer's blocks round-trip through the reader; old runs open, newer ones are refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tltui.base import rundir
from tltui.base.errors import ResultsError
from tltui.base.intervals import BOOT_SEED, N_BOOT, Interval, Outcomes, variant_intervals
from tltui.base.rundir import metrics as M
from tltui.base.rundir.shape import (
    AttackBlock,
    FairnessInfo,
    FairnessMetrics,
    Summary,
    TeacherInfo,
    VariantMetrics,
)
from tltui.base.rundir.writer import (
    add_fairness,
    add_intervals,
    add_produced,
    add_seeds,
    new_summary,
    teacher_attack_block,
)
from tltui.base.runfiles import save_json
from tltui.base.seedstats import seed_block


def _variant(aoi: float, dir_: float | None) -> VariantMetrics:
    return VariantMetrics(
        aoi=aoi,
        aai=aoi / 2,
        dr=0.5,
        robust=0.5,
        macro_f1=aoi - 0.01,
        macro_recall=aoi - 0.02,
        dir=dir_,
        eps_curve=[[0.0, aoi], [0.1, aoi / 2]],
        teacher_adv_acc=aoi / 3,
    )


def _summary() -> Summary:
    variants = {"scratch": _variant(0.9, 0.02), "finetune": _variant(0.8, 0.3)}
    add_fairness(
        variants["finetune"],
        {"accuracy": 0.8, "macro_f1": 0.79, "spd": 0.1, "eod": None, "aaod": 0.05, "scheme": "one-vs-rest"},
    )
    return new_summary(
        study="demo",
        device="cpu",
        variants=variants,
        teacher=TeacherInfo(source_acc=0.97),
        attack=AttackBlock(name="pgd", eps=0.1, alpha=0.02, steps=10, random_start=True, norm="linf"),
        teacher_attack=teacher_attack_block(
            "feature", None, "pixel", {"eps": 0.1, "alpha": 0.02, "steps": 10, "random_start": True}
        ),
        layers=[{"name": "conv1", "kind": "Conv2d", "weight_change": {"finetune": 0.1}, "coverage": 0.7}],
        derived={"ft2": {"kind": "mitigation", "method": "remos", "base": "finetune"}},
        fairness=FairnessInfo(
            attribute="ink",
            threshold=78.5,
            n_group1=12,
            privileged_group=1,
            scheme="one-vs-rest",
            favourable=None,
        ),
        n_test=4,
        classes=["a", "b"],
        ids=["a/1.png", "a/2.png", "b/1.png", "b/2.png"],
        seconds=1.5,
    )


def _intervals(s: Summary) -> dict[str, dict[str, Interval]]:
    rng = np.random.default_rng(1)
    out = {}
    for name in s["variants"]:
        correct = rng.random(40) < 0.8
        out[name] = variant_intervals(Outcomes(correct, correct & (rng.random(40) < 0.3)))
    return out


def test_intervals_round_trip_through_summary_json(tmp_path: Path) -> None:
    s = _summary()
    made = _intervals(s)
    add_intervals(s, made, n_boot=N_BOOT, seed=BOOT_SEED)
    save_json(tmp_path / rundir.SUMMARY, s)
    back = rundir.read_summary(tmp_path / rundir.SUMMARY)
    assert back.bootstrap == {"n_boot": 2000, "seed": 0}
    for name in ("scratch", "finetune"):
        for m in (M.AOI, M.DIR):
            got = back.interval(name, m)
            assert got == made[name][m.key] and got.includes == "images" and got.lo <= got.value <= got.hi
    raw = json.loads((tmp_path / rundir.SUMMARY).read_text())["variants"]["finetune"]["intervals"]["dir"]
    assert set(raw) == {"value", "lo", "hi", "includes"}
    assert back.interval("scratch", M.AAI) is None and back.interval("nope", M.DIR) is None


def test_a_run_without_intervals_reads_none() -> None:
    old = rundir.RunSummary.of(
        {"study": "s", "variants": {"v": {"aoi": 0.5}}, "n_test": 2, "classes": []}, "x"
    )
    assert old.interval("v", M.AOI) is None and old.bootstrap is None


def test_the_writer_stamps_the_format_and_keeps_the_documented_key_order() -> None:
    s = _summary()
    assert s["format"] == rundir.FORMAT
    written = [k for k in Summary.__annotations__ if k in s]
    assert list(s) == written  # the order summary.json has always had: byte-identical runs
    # fairness only where it is on, intervals once `add_intervals` has run
    assert list(s["variants"]["scratch"]) == list(M.VARIANT_KEYS[:-2])
    add_intervals(s, _intervals(s), n_boot=N_BOOT, seed=BOOT_SEED)
    assert list(s) == [k for k in Summary.__annotations__ if k in s]
    assert list(s["variants"]["scratch"]) == [k for k in M.VARIANT_KEYS if k != M.FAIRNESS]
    assert list(VariantMetrics.__annotations__) == list(M.VARIANT_KEYS)


def test_a_written_summary_reads_back_through_the_typed_accessors(tmp_path: Path) -> None:
    s = _summary()
    add_produced(s, "ft2", {"kind": "mitigation", "method": "remos", "base": "finetune"}, ["ft2"])
    add_seeds(s, seed_block("remos", "finetune", [(0, "finetune", "scratch")], s["variants"]))
    save_json(tmp_path / rundir.SUMMARY, s)
    back = rundir.read_summary(tmp_path / rundir.SUMMARY)
    assert back.data == json.loads(json.dumps(s))
    assert list(back.variants) == ["scratch", "finetune"]
    assert back.metric("finetune", M.DIR) == 0.3 and back.metric("nope", M.DIR) is None
    assert [back.metric("scratch", m) for m in M.METRICS] == [0.9, 0.45, 0.5, 0.5, 0.89, 0.88, 0.02]
    assert back.fairness_of("scratch") is None
    fair = back.fairness_of("finetune")
    assert fair is not None and M.SPD.of(fair) == 0.1 and M.EOD.of(fair) is None
    assert rundir.eps_curve(back.variant("scratch")) == [(0.0, 0.9), (0.1, 0.45)]
    assert back.attack is not None and back.attack["eps"] == 0.1
    assert back.teacher_attack is not None and back.teacher_attack["space"] == "pixel"
    assert back.source_acc == 0.97 and back.n_test == 4 and back.classes == ["a", "b"]
    assert back.ids == ["a/1.png", "a/2.png", "b/1.png", "b/2.png"]
    assert [layer["name"] for layer in back.layers] == ["conv1"]
    assert back.derived["ft2"]["method"] == "remos"
    assert back.fairness is not None and back.fairness["attribute"] == "ink"
    assert back.produced is not None and back.produced["names"] == ["ft2"]
    gaps = ["spd", "eod", "aaod"]  # finetune has a fairness block
    assert back.seeds is not None and list(back.seeds["metrics"]) == ["aoi", "aai", "dir", "macro_f1", *gaps]


def test_a_summary_from_before_the_format_field_still_opens(tmp_path: Path) -> None:
    old = {"study": "s", "variants": {"v": {"aoi": 0.5, "dir": None}}, "n_test": 2, "classes": ["a", "b"]}
    save_json(tmp_path / rundir.SUMMARY, old)
    back = rundir.read_summary(tmp_path / rundir.SUMMARY)
    assert back.format == rundir.FORMAT
    assert back.metric("v", M.AOI) == 0.5 and back.metric("v", M.DIR) is None
    assert back.metric("v", M.MACRO_F1) is None  # a key an older run lacks reads as missing
    assert back.attack is None and back.teacher is None and back.source_acc is None and back.fairness is None
    assert back.layers == [] and back.derived == {} and back.ids is None and back.seeds is None
    assert back.device == "?"


def test_a_newer_format_is_refused_in_one_line(tmp_path: Path) -> None:
    s = _summary()
    s["format"] = rundir.FORMAT + 1
    save_json(tmp_path / rundir.SUMMARY, s)
    with pytest.raises(ResultsError) as err:
        rundir.read_summary(tmp_path / rundir.SUMMARY)
    message = str(err.value)
    assert "\n" not in message and "newer tltui" in message and "upgrade tltui" in message


@pytest.mark.parametrize(
    "content, words",
    [
        ("[]", "not an analysis summary"),
        ('{"format": 1, "study": "s"}', "no 'variants' table"),
        ("{", "not valid JSON"),
    ],
)
def test_what_is_not_a_summary_is_one_line(tmp_path: Path, content: str, words: str) -> None:
    (tmp_path / rundir.SUMMARY).write_text(content)
    with pytest.raises(ResultsError, match=words):
        rundir.read_summary(tmp_path / rundir.SUMMARY)
    with pytest.raises(ResultsError, match="not found"):
        rundir.read_summary(tmp_path / "missing" / rundir.SUMMARY)


def test_a_metric_reads_numbers_only() -> None:
    row = {"aoi": 1, "aai": True, "dir": "0.2", "dr": None}
    assert M.AOI.of(row) == 1.0 and isinstance(M.AOI.of(row), float)
    assert M.AAI.of(row) is None and M.DIR.of(row) is None and M.DR.of(row) is None
    assert M.DIR.raw(row) == "0.2" and M.ROBUST.of(None) is None
    assert rundir.metric_rows({"v": row}, (M.AOI, M.DIR)) == [("v", 1, "0.2")]


def test_every_table_metric_has_a_label_and_a_description() -> None:
    assert [m.key for m in M.METRICS] == ["aoi", "aai", "dr", "robust", "macro_f1", "macro_recall", "dir"]
    assert all(m.label and m.description for m in (*M.METRICS, *M.FAIRNESS_METRICS))
    assert len({m.key for m in M.METRICS}) == len(M.METRICS)
    assert FairnessMetrics.__annotations__.keys() >= {m.key for m in M.FAIRNESS_METRICS}
