"""What a `--seeds` job plans: each seed's run beside its matched baseline; Dare and FMT treat the untreated
model built at their own seed (docs/treatments.md), the very model a mitigation group builds as its baseline."""

from __future__ import annotations

import dataclasses

from tltui.base.catalogue import MITIGATIONS, TREATMENTS
from tltui.base.catalogue.params import as_json
from tltui.base.study import demo_study
from tltui.core.produce import method_params, plan


def _plan(family: str, **params: object) -> list[tuple[str, str, str, int, str | None]]:
    entry, settings = method_params(family, params)
    runs = plan(family, entry, settings, None, demo_study())
    return [(r.name, r.entry.name, r.role, r.seed, r.needs) for r in runs]


def test_dare_at_three_seeds_treats_the_untreated_model_of_each_seed() -> None:
    assert _plan("treatment", method="dare", seeds=3, seed=2) == [
        ("finetune-s2", "finetune", "baseline", 2, None),
        ("dare-s2", "dare", "method", 2, "finetune-s2"),
        ("finetune-s3", "finetune", "baseline", 3, None),
        ("dare-s3", "dare", "method", 3, "finetune-s3"),
        ("finetune-s4", "finetune", "baseline", 4, None),
        ("dare-s4", "dare", "method", 4, "finetune-s4"),
    ]
    entry, settings = method_params("treatment", {"method": "fmt", "seeds": 2})
    runs = plan("treatment", entry, settings, None, demo_study())
    assert [r.settings.variant for r in runs if r.role == "method"] == ["finetune-s0", "finetune-s1"]
    assert all(r.settings.seed == r.seed and r.settings.seeds == 1 for r in runs)


def test_the_untreated_model_is_the_mitigation_groups_baseline_so_either_job_reuses_the_other() -> None:
    mit_entry, mit = method_params("mitigation", {"method": "remos", "seeds": 2})
    tr_entry, tr = method_params("treatment", {"method": "dare", "seeds": 2})
    study = demo_study()
    by_remos = {r.name: r for r in plan("mitigation", mit_entry, mit, None, study) if r.role == "baseline"}
    by_dare = {r.name: r for r in plan("treatment", tr_entry, tr, None, study) if r.role == "baseline"}
    assert by_dare.keys() == by_remos.keys() == {"finetune-s0", "finetune-s1"}
    for name, r in by_dare.items():  # the reuse check compares the method and its parameters as recorded
        assert r.entry is by_remos[name].entry is MITIGATIONS["finetune"]
        assert as_json(r.settings) == as_json(by_remos[name].settings)


def test_one_seed_a_control_or_a_checkpoint_pool_keep_their_baselines() -> None:
    assert _plan("treatment", method="dare") == [("dare", "dare", "method", 0, None)]
    assert _plan("treatment", method="model-doctor", seeds=2) == [
        ("model-doctor-s0", "model-doctor", "method", 0, None),
        ("model-doctor-control-s0", "model-doctor", "baseline", 0, None),
        ("model-doctor-s1", "model-doctor", "method", 1, None),
        ("model-doctor-control-s1", "model-doctor", "baseline", 1, None),
    ]
    # Dare drawing targets from the variant's build checkpoints only: a rebuilt model has none to offer
    assert _plan("treatment", method="dare", seeds=2, pool="checkpoints") == [
        ("dare-s0", "dare", "method", 0, None),
        ("dare-s1", "dare", "method", 1, None),
    ]
    # a variant that is not the study's fine-tuned build is treated as it is at every seed
    assert [r[4] for r in _plan("treatment", method="fmt", seeds=2, variant="scratch")] == [None, None]


def test_a_treatment_of_an_untreated_model_keeps_every_other_field() -> None:
    entry, settings = method_params("treatment", {"method": "dare", "seeds": 2, "held_out": 0.3})
    dare = [r for r in plan("treatment", entry, settings, None, demo_study()) if r.role == "method"]
    assert dare[1].settings == dataclasses.replace(settings, seed=1, seeds=1, variant="finetune-s1")
    assert TREATMENTS["dare"].baseline is None  # what makes it compare with the untreated model
