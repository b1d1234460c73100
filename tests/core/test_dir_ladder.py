"""The DIR ladder on a hand-filled tiny analysis: every rung's budget, runtime and interval, the worst case."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from tests.nets import tiny_analysis
from tltui.base.catalogue.attacks import LADDER
from tltui.base.progress import drain
from tltui.core.autoattack_run import autoattack_block, autoattack_variant
from tltui.core.ladder import ladder_block, ladder_rung, rung_config


def test_every_rung_records_its_budget_runtime_and_interval(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    a = an.study.attack
    an.study = replace(an.study, attack=replace(a, steps=2, aa_steps=3, teacher=replace(a.teacher, steps=2)))
    y = an.data.test.y.numpy()
    clean = {name: an.predict(m, an.data.test.images)[0] for name, m in an.variants.items()}
    found = [drain(ladder_rung(an, rung, clean)) for rung in LADDER]
    block = ladder_block([r for r, _ in found], [f for _, f in found], {n: p == y for n, p in clean.items()})

    assert [r["name"] for r in block["rungs"]] == list(LADDER)
    by_name = {r["name"]: r for r in block["rungs"]}
    assert by_name["logit-apgd"]["steps"] == 3 and by_name["logit-pgd"]["steps"] == 2
    assert by_name["feature"]["random_start"] and by_name["logit-apgd"]["space"] == "logits"
    for r in block["rungs"]:
        assert r["eps"] == 0.1 and r["seconds"] >= 0 and not r["cached"]
        for iv in r["variants"].values():
            assert 0 <= iv["lo"] <= iv["value"] <= iv["hi"] <= 1
    for name, worst in block["worst"].items():
        values = [r["variants"][name]["value"] for r in block["rungs"]]
        assert worst["value"]["value"] == max(values) == by_name[worst["rung"]]["variants"][name]["value"]
        assert worst["any_rung"]["value"] >= max(values)
    # The study's own teacher attack (feature, same budget) is the ladder's feature rung: one cache entry.
    assert an.ladder_set("feature", rung_config(an, "feature")).key == an.teacher_set().key
    again, _ = drain(ladder_rung(an, "logit-pgd", clean))
    assert again["cached"] and again["variants"] == by_name["logit-pgd"]["variants"]


def test_the_autoattack_preset_per_variant_is_at_most_its_clean_accuracy(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    a = an.study.attack
    an.study = replace(an.study, attack=replace(a, aa_steps=3, aa_targets=1, aa_queries=5))
    model = an.variants["finetune"]
    found = drain(autoattack_variant(an, model))
    block = autoattack_block(an.study, {"finetune": found})
    assert (block["steps"], block["targets"], block["queries"]) == (3, 1, 5)
    assert [s["name"] for s in found["attacks"]] == ["apgd-ce", "apgd-t", "fab-t", "square"]
    after = [s["robust_acc"] for s in found["attacks"] if "skipped" not in s]
    assert found["robust_acc"] == after[-1] <= found["clean_acc"] and after == sorted(after, reverse=True)
    pred = an.predict(model, an.data.test.images)[0]
    assert np.isclose(found["clean_acc"], float(np.mean(pred == an.data.test.y.numpy())))
