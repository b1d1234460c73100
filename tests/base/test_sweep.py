"""The sweep's verdict (tltui.base.sweep): holds at every value, in part (naming where), nowhere, or undecided."""

from __future__ import annotations

import pytest

from tltui.base.errors import ParamError
from tltui.base.rundir.shape import SeedBlock, SweepPoint
from tltui.base.sweep import grid_points, holds, parse_param, sweep_record


def _point(lr: float, lo: float, hi: float, n: int = 3, verdict: str = "beyond noise") -> SweepPoint:
    group = {"value": (lo + hi) / 2, "lo": lo, "hi": hi, "includes": "seeds+images", "verdict": verdict}
    group |= {"n_seeds": n, "seed_sd": 0.01, "image_se": 0.01}
    block = {"method": "remos", "baseline": "finetune", "seeds": list(range(n)), "pairs": []}
    block["metrics"] = {
        "dir": {"method": {}, "baseline": {}, "delta": {"mean": (lo + hi) / 2}, "group": group}
    }
    b: SeedBlock = block  # type: ignore[assignment]
    return SweepPoint(value={"lr": lr}, group=f"remos-lr{lr}", seeds=b, holds=holds(b))


def test_the_verdict_names_where_the_advantage_holds() -> None:
    below, across = _point(0.005, -0.2, -0.1), _point(0.05, -0.05, 0.02, verdict="within noise")
    assert (below["holds"], across["holds"]) == (True, False)
    grid = {"lr": [0.005, 0.05]}
    part = sweep_record("remos", "finetune", grid, [below, across])
    assert part["verdict"] == "in part"
    assert "at lr 0.005, not at lr 0.05" in part["line"] and "(3 seeds per value)" in part["line"]
    assert sweep_record("remos", "finetune", grid, [below, below])["verdict"] == "holds"
    assert sweep_record("remos", "finetune", grid, [across, across])["verdict"] == "nowhere"
    above = _point(0.01, 0.05, 0.1)  # beyond noise, but against the method
    assert above["holds"] is False


def test_two_seeds_decide_nothing_and_say_so() -> None:
    two = _point(0.005, -0.2, -0.1, n=2, verdict="more seeds needed")
    assert two["holds"] is None
    record = sweep_record("remos", "finetune", {"lr": [0.005]}, [two])
    assert record["verdict"] == "more seeds needed" and "lower at lr 0.005" in record["line"]


def test_params_are_checked_as_their_flags_and_combine_into_a_grid() -> None:
    assert parse_param("lr=0.005,0.01") == ("lr", [0.005, 0.01])
    assert parse_param("epochs=5,10") == ("epochs", [5, 10])
    for bad in ("lr", "ratio=0.1", "lr=0,0.1", "lr=0.1,0.1", "epochs=1.5"):
        with pytest.raises(ParamError):
            parse_param(bad)
    assert grid_points({"lr": [0.1, 0.2], "epochs": [1, 2]}) == [
        {"lr": 0.1, "epochs": 1},
        {"lr": 0.1, "epochs": 2},
        {"lr": 0.2, "epochs": 1},
        {"lr": 0.2, "epochs": 2},
    ]
