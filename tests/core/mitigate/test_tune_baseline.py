"""`--tune-baseline`: every grid point trained and scored on the validation split, the best one chosen."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.nets import row_split
from tltui.base.catalogue import MITIGATIONS
from tltui.base.catalogue.mitigation import MitigateParams, RemosParams
from tltui.base.catalogue.training import TuningParams
from tltui.base.errors import ParamError
from tltui.base.progress import drain
from tltui.core.analysis import Analysis
from tltui.core.produce import _tuned_target, plan
from tltui.core.tune import candidates, tune, val_accuracy


def test_the_grid_is_lr_by_epochs_and_no_epochs_grid_keeps_the_methods() -> None:
    grid = candidates(MitigateParams(epochs=3, seeds=4), (0.01, 0.1), ())
    assert [(c.lr, c.epochs, c.seeds) for c in grid] == [(0.01, 3, 1), (0.1, 3, 1)]
    grid = candidates(MitigateParams(), (0.01,), (1.0, 2.0))
    assert [(c.lr, c.epochs) for c in grid] == [(0.01, 1), (0.01, 2)]


def test_tuning_scores_each_candidate_on_validation_and_keeps_the_best(tiny_an: Analysis) -> None:
    tiny_an.data = replace(tiny_an.data, val=row_split(20, 2))
    tiny_an.study = replace(tiny_an.study, tuning=TuningParams(lr=(1e-6, 0.05), epochs=(1.0,)))
    record, model = drain(tune(tiny_an, MITIGATIONS["finetune"], MitigateParams(seed=0), lambda _: None))
    accs = [c["val_accuracy"] for c in record["candidates"]]
    assert [(c["lr"], c["epochs"]) for c in record["candidates"]] == [(1e-6, 1), (0.05, 1)]
    assert record["chosen"]["val_accuracy"] == max(accs)
    assert record["split"] == "validation" and record["n_val"] == 20
    assert val_accuracy(tiny_an, model) == pytest.approx(max(accs))  # the model returned is the chosen one


def test_tuning_needs_a_validation_split(tiny_an: Analysis) -> None:
    assert tiny_an.data.val is None
    with pytest.raises(ParamError, match="val_fraction"):
        drain(tune(tiny_an, MITIGATIONS["finetune"], MitigateParams(), lambda _: None))


def test_a_tuned_method_and_its_baseline_share_one_recipe() -> None:
    from tltui.base.study import demo_study

    entry = MITIGATIONS["remos"]
    settings = RemosParams(lr=0.05, epochs=2, tune_baseline=True)
    runs = plan("mitigation", entry, settings, None, demo_study())
    assert [(r.name, r.role) for r in runs] == [("remos-s0", "method"), ("finetune-lr0.05-e2-s0", "baseline")]
    assert {(r.settings.lr, r.settings.epochs) for r in runs} == {(0.05, 2)}
    target, target_settings = _tuned_target("mitigation", entry, settings, demo_study())
    assert target.name == "finetune" and target_settings == runs[1].settings


def test_dare_tunes_its_untreated_model_and_a_variant_treated_as_it_is_is_refused() -> None:
    from tltui.base.catalogue import TREATMENTS
    from tltui.base.study import demo_study

    entry = TREATMENTS["dare"]
    target, settings = _tuned_target("treatment", entry, entry.build({"tune_baseline": True}), demo_study())
    assert target is MITIGATIONS["finetune"] and settings.base == "finetune"  # the model Dare repairs
    with pytest.raises(ParamError, match="no baseline is trained"):
        _tuned_target(
            "treatment", entry, entry.build({"tune_baseline": True, "variant": "scratch"}), demo_study()
        )
