"""One recipe per comparison (docs/sweeps.md): every method and treatment that trains, and its matched baseline,
train with the same schedule, whatever recipe flags (--lr, --epochs, --tune-baseline, --seeds) the run was given."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from tests.nets import tiny_analysis, tiny_teacher_analysis
from tltui.base.catalogue import MITIGATIONS, TREATMENTS
from tltui.base.progress import Progress, drain
from tltui.core.analysis import Analysis
from tltui.core.build import schedule_for
from tltui.core.mitigate import _profile_cache
from tltui.core.mitigate._mask import MaskResult
from tltui.core.produce import Planned, _tuned_target, method_params, plan, shared_recipes
from tltui.core.recipes import record
from tltui.core.train import Schedule

FLAGS: list[dict[str, Any]] = [
    {"seeds": 2, "lr": 0.03, "epochs": 2},
    {"seeds": 1, "lr": 0.03, "epochs": 2},
    {"seeds": 2},
]
"""A seed group with a recipe flag, one seed with a recipe flag, a seed group at the default recipe."""

METHODS = [("mitigation", m) for m in MITIGATIONS if m != "finetune"] + [("treatment", t) for t in TREATMENTS]


class Caught(Exception):
    """Raised by the spied training loop: the schedule a run would train with."""

    def __init__(self, schedule: Schedule) -> None:
        super().__init__()
        self.schedule = schedule


def _spy(*_args: Any, **_kwargs: Any) -> Any:
    schedule = next(a for a in (*_args, *_kwargs.values()) if isinstance(a, Schedule))
    raise Caught(schedule)


def _schedule(an: Analysis, r: Planned) -> Schedule:
    """The schedule the run's training loop receives (it is stopped there)."""
    with pytest.raises(Caught) as caught:
        drain(r.entry.load()(an, r.settings))
    return dataclasses.replace(caught.value.schedule, seed=0)


def _analysis(family: str, tmp: Path) -> Analysis:
    _profile_cache.clear_memo()
    return tiny_teacher_analysis(tmp / "ws") if family == "mitigation" else tiny_analysis(tmp / "ws")


def _keep_all(*_args: Any) -> Generator[Progress, None, MaskResult]:
    """SeaM's mask search, skipped: its own loop trains nothing the comparison shares (its fine-tune does)."""
    yield Progress("seam mask")
    return MaskResult({}, 1.0, 0, "epochs", 0.0)


@pytest.fixture(autouse=True)
def spied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tltui.core.mitigate._student.train", _spy)
    monkeypatch.setattr("tltui.core.treat.model_doctor.train", _spy)
    monkeypatch.setattr("tltui.core.mitigate.seam.search", _keep_all)


@pytest.mark.parametrize("flags", FLAGS, ids=["group+lr", "one+lr", "group"])
def test_every_method_and_its_matched_baseline_share_one_recipe(
    flags: dict[str, Any], tmp_path: Path
) -> None:
    mismatched = []
    for family, method in METHODS:
        an = _analysis(family, tmp_path / method)
        entry, settings = method_params(family, {"method": method, **flags})
        runs = plan(family, entry, settings, None, an.study)
        for s in sorted({r.seed for r in runs}):
            mine = next(r for r in runs if r.seed == s and r.role == "method")
            base = next((r for r in runs if r.seed == s and r.role == "baseline"), None)
            if family == "treatment" and base is None:
                # one seed: compared with the variant it treats, the very weights it starts from
                assert mine.needs is None and mine.settings.variant == "finetune", (method, flags)
                continue
            recorded = shared_recipes(an, runs)
            if recorded[mine.name] != recorded[base.name] if base else None:
                mismatched.append(
                    f"{method} {flags}: recorded {recorded[mine.name]} vs {recorded[base.name]}"
                )
            if entry.baseline is None and family == "treatment":
                # Dare, FMT: the treated model is its baseline's own weights, repaired (one transfer recipe)
                assert base is not None and mine.needs == base.name, (method, flags)
                continue
            got = _schedule(an, mine)
            # no matched baseline planned: the board compares the run with the study's variant as built
            want = (
                _schedule(an, base)
                if base is not None
                else dataclasses.replace(schedule_for(an.study, "finetune"), seed=0)
            )
            if got != want:
                mismatched.append(f"{method} {flags}: method {got} vs baseline {want}")
            if recorded[mine.name] != record(got, recorded[mine.name]["source"]):  # type: ignore[index]
                mismatched.append(f"{method} {flags}: recorded {recorded[mine.name]}, trained with {got}")
    assert not mismatched, "\n".join(mismatched)


@pytest.mark.parametrize("method", ["remos", "retrain", "model-doctor", "dare", "fmt"])
def test_tuning_tunes_what_the_baseline_trains(method: str) -> None:
    family = "treatment" if method in TREATMENTS else "mitigation"
    entry, settings = method_params(family, {"method": method, "seeds": 2, "tune_baseline": True})
    from tltui.base.study import demo_study

    runs = plan(family, entry, settings, None, demo_study())
    target, target_settings = _tuned_target(family, entry, settings, demo_study())
    base = next(r for r in runs if r.role == "baseline" and r.seed == settings.seed)
    assert (target.name, target_settings) == (base.entry.name, base.settings)
