"""Seed statistics: spread, the paired 95 % interval and the within-noise verdict, by hand."""

from __future__ import annotations

import math

import pytest

from tltui.base.seedstats import paired, seed_block, seed_groups, spread, t95


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
