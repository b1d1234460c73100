"""Seed statistics: spread, the paired 95 % interval and the within-noise verdict, by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tltui.base.intervals import Outcomes, point
from tltui.base.seedstats import group_interval, paired, seed_block, seed_groups, spread, t95


def test_spread_by_hand() -> None:
    s = spread([0.1, 0.2, 0.3, None])
    assert s["n"] == 3 and s["mean"] == pytest.approx(0.2) and s["sd"] == pytest.approx(0.1)
    assert (s["min"], s["max"]) == (0.1, 0.3)
    assert spread([0.5])["sd"] is None and spread([])["mean"] is None


def test_paired_interval_and_verdict() -> None:
    d = paired([0.30, 0.32, 0.31], [0.10, 0.11, 0.12])  # differences 0.20, 0.21, 0.19
    half = t95(2) * 0.01 / math.sqrt(3)
    assert d["mean"] == pytest.approx(0.2) and d["ci95"] == pytest.approx([0.2 - half, 0.2 + half])
    assert d["within_noise"] is False
    noisy = paired([0.3, 0.1, 0.2], [0.2, 0.2, 0.2])  # differences +0.1, −0.1, 0
    assert noisy["within_noise"] is True
    assert paired([0.3], [0.1])["within_noise"] is None  # one seed: the noise is unknown


def test_t_quantiles() -> None:
    assert t95(1) == pytest.approx(12.706) and t95(4) == pytest.approx(2.776)
    assert 1.96 <= t95(100) < t95(15)


def test_seed_block_pairs_each_seed_with_its_baseline() -> None:
    variants = {
        "remos-s0": {"aoi": 0.9, "aai": 0.1, "dir": 0.10, "macro_f1": 0.9},
        "finetune-s0": {"aoi": 0.9, "aai": 0.1, "dir": 0.25, "macro_f1": 0.9},
        "remos-s1": {"aoi": 0.92, "aai": 0.1, "dir": 0.12, "macro_f1": 0.9},
        "finetune-s1": {"aoi": 0.91, "aai": 0.1, "dir": 0.22, "macro_f1": 0.9},
    }
    b = seed_block(
        "remos", "finetune", [(0, "remos-s0", "finetune-s0"), (1, "remos-s1", "finetune-s1")], variants
    )
    assert b["seeds"] == [0, 1] and b["pairs"][1] == {
        "seed": 1,
        "variant": "remos-s1",
        "baseline": "finetune-s1",
    }
    dir_ = b["metrics"]["dir"]
    assert dir_["method"]["mean"] == pytest.approx(0.11) and dir_["baseline"]["mean"] == pytest.approx(0.235)
    assert dir_["delta"]["values"] == pytest.approx([-0.15, -0.10])
    assert "spd" not in b["metrics"]  # no fairness in these variants


def test_seed_groups_from_the_produced_records() -> None:
    derived = {
        "remos-s0": {"method": "remos", "kind": "mitigation", "role": "method", "group": "remos", "seed": 0},
        "finetune-s0": {
            "method": "finetune",
            "kind": "mitigation",
            "role": "baseline",
            "group": "remos",
            "seed": 0,
        },
        "remos-s1": {"method": "remos", "kind": "mitigation", "role": "method", "group": "remos", "seed": 1},
        "finetune-s1": {
            "method": "finetune",
            "kind": "mitigation",
            "role": "baseline",
            "group": "remos",
            "seed": 1,
        },
        "dare": {"method": "dare", "kind": "treatment", "base": "finetune"},  # a single run: no group
    }
    variants = {
        n: {"aoi": 0.9, "aai": 0.1, "dir": 0.1 + 0.1 * ("finetune" in n), "macro_f1": 0.9} for n in derived
    }
    [g] = seed_groups(derived, variants)
    assert g["group"] == "remos" and g["method"] == "remos" and g["baseline"] == "finetune"
    assert [p["baseline"] for p in g["pairs"]] == ["finetune-s0", "finetune-s1"]
    assert g["metrics"]["dir"]["delta"]["mean"] == pytest.approx(-0.1)


def test_no_significance_below_three_seeds_or_without_spread() -> None:
    # the FMT case: two seeds, identical metrics, a zero-width interval that excludes 0
    fmt = paired([0.208, 0.208], [0.2, 0.2])
    assert fmt["ci95"] == pytest.approx([0.008, 0.008])
    assert fmt["verdict"] == "more seeds needed" and fmt["within_noise"] is None
    flat = paired([0.3, 0.3, 0.3], [0.1, 0.1, 0.1])  # three seeds, no spread
    assert flat["verdict"] == "more seeds needed" and flat["within_noise"] is None
    assert paired([0.30, 0.32, 0.31], [0.10, 0.11, 0.12])["verdict"] == "beyond noise"
    assert paired([0.3, 0.1, 0.2], [0.2, 0.2, 0.2])["verdict"] == "within noise"


def _outcomes(rng: np.random.Generator, acc: float, dir_: float, n: int = 300) -> Outcomes:
    correct = rng.random(n) < acc
    return Outcomes(correct, correct & (rng.random(n) < dir_))


def _pairs(n: int) -> list[tuple[int, str, str | None]]:
    return [(s, f"m-s{s}", f"b-s{s}") for s in range(n)]


def test_a_seed_block_with_outcomes_gets_group_intervals_and_verdicts() -> None:
    rng = np.random.default_rng(0)
    outcomes = {}
    for s in range(3):
        outcomes[f"m-s{s}"] = _outcomes(rng, 0.9, 0.05)
        outcomes[f"b-s{s}"] = _outcomes(rng, 0.9, 0.40)
    variants = {n: {"aoi": point(o)[0], "dir": point(o)[1]} for n, o in outcomes.items()}
    b = seed_block("remos", "finetune", _pairs(3), variants, outcomes)
    g = b["metrics"]["dir"]["group"]
    assert g["includes"] == "seeds+images" and g["n_seeds"] == 3 and g["verdict"] == "beyond noise"
    assert g["lo"] <= g["value"] <= g["hi"] < 0 and g["seed_sd"] > 0 and g["image_se"] >= 0
    assert g["value"] == pytest.approx(b["metrics"]["dir"]["delta"]["mean"])
    assert set(b["metrics"]["aoi"]["group"]) == {*g}
    assert "group" not in b["metrics"]["aai"]  # only accuracy and DIR have per-image intervals
    assert "group" not in seed_block("remos", "finetune", _pairs(3), variants)["metrics"]["dir"]


def test_two_identical_seeds_need_more_seeds_in_the_group_interval_too() -> None:
    rng = np.random.default_rng(1)
    m, base = _outcomes(rng, 0.9, 0.2), _outcomes(rng, 0.9, 0.3)
    outcomes = {"m-s0": m, "m-s1": m, "b-s0": base, "b-s1": base}  # FMT: the seeds change nothing
    variants = {n: {"aoi": point(o)[0], "dir": point(o)[1]} for n, o in outcomes.items()}
    b = seed_block("fmt", "finetune", _pairs(2), variants, outcomes)
    for key in ("aoi", "dir"):
        assert b["metrics"][key]["group"]["verdict"] == "more seeds needed"
        assert b["metrics"][key]["delta"]["verdict"] == "more seeds needed"


def test_a_recorded_group_interval_is_read_not_computed_again() -> None:
    rng = np.random.default_rng(2)
    outcomes = {f"{w}-s{s}": _outcomes(rng, 0.9, 0.3) for s in range(3) for w in ("m", "b")}
    variants = {n: {"aoi": point(o)[0], "dir": point(o)[1]} for n, o in outcomes.items()}
    computed = group_interval(_pairs(3), outcomes)
    assert set(computed) == {"aoi", "dir"}
    block = seed_block("remos", "finetune", _pairs(3), variants, outcomes)
    fake = {**block["metrics"]["dir"]["group"], "value": -0.5, "lo": -0.6, "hi": -0.4}
    block["metrics"]["dir"]["group"] = fake
    assert group_interval(_pairs(3), outcomes, [block])["dir"] == fake
    assert group_interval(_pairs(3), {}, [block])["dir"] == fake  # no predictions needed
    other = [(s, f"m-s{s}", None) for s in range(3)]  # another group's pairs: not its block
    assert group_interval(other, outcomes, [block]) == {}
    broken = {**block, "metrics": {**block["metrics"], "aoi": {**block["metrics"]["aoi"], "group": "x"}}}
    assert group_interval(_pairs(3), outcomes, [broken]) == computed  # a damaged block: computed again
