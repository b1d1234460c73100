"""Stacked mitigations (docs/mitigation.md#stacked-mitigations): per seed, each later stage starts from the very
weights of the stage before at that seed, records its chain, and is compared two ways (the first stage's matched
baseline; the stage before)."""

from __future__ import annotations

import copy
import dataclasses

import torch

from tests.nets import SmallCNN
from tltui.base.catalogue import MitigateParams
from tltui.base.rundir.summary import RunSummary
from tltui.base.seedstats import seed_groups
from tltui.base.study import demo_study
from tltui.base.verdicts import Source, board
from tltui.core.analysis import Analysis
from tltui.core.mitigate._student import new_student
from tltui.core.produce import _sees, method_params, plan
from tltui.core.stackplan import chain_fields, later_stages, plan_chain
from tltui.core.treat._common import clone_variant
from tltui.ui.model.comparerows import baseline_name
from tltui.ui.tabs.overview import chain_text


def _runs(seeds: int = 2, name: str | None = None):  # type: ignore[no-untyped-def]
    params = {"method": "remos", "seeds": seeds, "then": [{"method": "model-doctor", "channel_alpha": 5.0}]}
    entry, settings = method_params("mitigation", params)
    first = plan("mitigation", entry, settings, None, demo_study(), paired=True)
    return plan_chain(first, entry, later_stages(params), name)


def test_each_later_stage_starts_from_the_stage_before_at_its_seed() -> None:
    runs = _runs()
    assert [(r.name, r.role, r.stage, r.needs, r.matched) for r in runs] == [
        ("remos-s0", "method", 1, None, None),
        ("finetune-s0", "baseline", 1, None, None),
        ("remos-s1", "method", 1, None, None),
        ("finetune-s1", "baseline", 1, None, None),
        ("remos+model-doctor-s0", "method", 2, "remos-s0", "finetune-s0"),
        ("remos+model-doctor-s1", "method", 2, "remos-s1", "finetune-s1"),
    ]
    md = runs[-1].settings
    assert (md.variant, md.seed, md.seeds, md.channel_alpha) == ("remos-s1", 1, 1, 5.0)
    assert [r.name for r in _runs(1, "mine")] == ["remos-s0", "finetune-s0", "mine-s0"]  # --name: the last


def test_the_second_stage_starts_from_the_first_stages_weights(tiny_an: Analysis) -> None:
    runs = _runs()
    made = {}
    for r in runs[:4]:  # stage 1 as the job makes it: a model per seed, different weights
        made[r.name] = SmallCNN(5, seed=10 + r.seed).eval()
    tiny_an.variants["remos-s0"] = made["remos-s0"]  # as when an earlier job's identical run is reused
    for r in runs[4:]:
        with _sees(tiny_an, r, runs, made):
            start = clone_variant(tiny_an, r.settings.variant)  # Model Doctor's first step
            seen = set(tiny_an.variants)
        assert seen & {"remos-s0", "remos-s1"} == {r.needs}  # another seed's first stage is not seen
        want = made[str(r.needs)].state_dict()
        assert all(torch.equal(start.state_dict()[k], v) for k, v in want.items())
    assert "remos-s0" in tiny_an.variants and "remos-s1" not in tiny_an.variants  # as before the runs
    # a mitigation as the later stage: the student is the variant's copy, its trained head kept
    before = copy.deepcopy(made["remos-s0"].state_dict())
    student, head, _ = new_student(
        tiny_an, dataclasses.replace(MitigateParams(), source="remos-s0", epochs=1)
    )
    assert head == "fc" and all(torch.equal(student.state_dict()[k], v) for k, v in before.items())
    with torch.no_grad():
        student.fc.weight.add_(1.0)
    assert torch.equal(made["remos-s0"].fc.weight, before["fc.weight"])  # the variant itself is untouched


def _variant(acc: float, dir_: float) -> dict[str, float]:
    return {"aoi": acc, "aai": 0.5, "dir": dir_, "macro_f1": acc}


def test_a_chain_records_its_stages_and_is_compared_two_ways() -> None:
    runs = _runs()
    records: dict[str, dict[str, object]] = {}
    for r in runs:
        rec: dict[str, object] = {
            "kind": "treatment" if r.stage > 1 else "mitigation",
            "method": r.entry.name,
            "base": r.needs or "finetune",
            "params": {"seed": r.seed},
            "role": r.role,
            "group": r.group,
            "seed": r.seed,
            "recipe": {"source": "finetune", "optimizer": "sgd", "lr": 0.01, "epochs": 3},
        }
        records[r.name] = rec
        rec.update(chain_fields(r, runs, records))  # as tltui.core.produce records each run
    assert "chain" not in records["remos-s1"] and records["remos+model-doctor-s1"]["matched"] == "finetune-s1"
    chain = records["remos+model-doctor-s1"]["chain"]
    assert [(s["stage"], s["method"], s["variant"], s["base"]) for s in chain] == [  # type: ignore[attr-defined]
        (1, "remos", "remos-s1", "finetune"),
        (2, "model-doctor", "remos+model-doctor-s1", "remos-s1"),
    ]
    shown = chain_text(records).splitlines()  # the Overview's provenance, as the report's
    assert shown[0] == "Stacked remos+model-doctor (remos+model-doctor-s0):"
    assert shown[2] == (
        "  stage 2 model-doctor (treatment) from remos-s0 → remos+model-doctor-s0: defaults; "
        "recipe finetune sgd lr 0.01, 3 epochs"
    )  # the seed is the chain's, not a stage's own parameter
    variants = {
        "remos-s0": _variant(0.90, 0.10),
        "remos-s1": _variant(0.92, 0.12),
        "finetune-s0": _variant(0.93, 0.30),
        "finetune-s1": _variant(0.94, 0.32),
        "remos+model-doctor-s0": _variant(0.89, 0.05),
        "remos+model-doctor-s1": _variant(0.90, 0.06),
    }
    groups = {g["group"]: g for g in seed_groups(records, variants)}
    assert [p["baseline"] for p in groups["remos+model-doctor"]["pairs"]] == ["finetune-s0", "finetune-s1"]
    assert [p["baseline"] for p in groups["remos+model-doctor over remos"]["pairs"]] == [
        "remos-s0",
        "remos-s1",
    ]
    assert groups["remos+model-doctor"]["metrics"]["dir"]["delta"]["mean"] == -0.255
    assert baseline_name(groups["remos+model-doctor"], records) == "finetune, matched seeds"  # type: ignore[arg-type]
    assert baseline_name(groups["remos+model-doctor over remos"], records) == "remos, matched seeds"  # type: ignore[arg-type]
    summary = RunSummary({"study": "demo", "variants": variants, "derived": records})  # type: ignore[typeddict-item]
    b = board([Source(summary, None)])
    assert [c.method for c in b.comparisons][-2:] == ["remos+model-doctor", "remos+model-doctor over remos"]
    names = [p.name for p in b.points]  # the chain's seeds are one point, compared twice
    assert names.count("remos+model-doctor") == 1 and "remos+model-doctor over remos" not in names
