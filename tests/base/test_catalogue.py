"""The catalogue: every entry's code exists, its parameters describe themselves, one validator checks them."""

from __future__ import annotations

import dataclasses

import pytest

from tltui.base import catalogue
from tltui.base.catalogue import FAMILIES, MITIGATIONS, TREATMENTS, RemosParams, TreatParams
from tltui.base.catalogue.params import build, check_all, spec_of, specs
from tltui.base.errors import ParamError, TltuiError
from tltui.commands.flags import family_specs

ALL = [(family, name) for family, entries in FAMILIES.items() for name in entries]


@pytest.mark.parametrize(("family", "name"), ALL)
def test_every_entry_names_real_code(family: str, name: str) -> None:
    entry = FAMILIES[family][name]
    assert entry.name == name and entry.help
    assert callable(entry.load())


@pytest.mark.parametrize(("family", "name"), ALL)
def test_every_parameter_is_described_and_its_default_is_valid(family: str, name: str) -> None:
    entry = FAMILIES[family][name]
    for spec in entry.specs():
        assert spec.label and spec.help and spec.kind != "other", spec
    if entry.params is not None:
        check_all(entry.build({}))  # every default passes its own range


@pytest.mark.parametrize("entries", [MITIGATIONS, TREATMENTS])
def test_a_flag_shared_by_methods_means_the_same_everywhere(entries: dict[str, catalogue.Entry]) -> None:
    for name, (spec, owners) in family_specs(entries.values()).items():
        for owner in owners:
            other = next(s for s in entries[owner].specs() if s.name == name)
            assert (other.kind, other.lo, other.hi, other.choices) == (
                spec.kind,
                spec.lo,
                spec.hi,
                spec.choices,
            )


def test_values_are_converted_and_checked_with_one_line_errors() -> None:
    p = build(RemosParams, {"ratio": "0.1", "scope": "conv1, conv2", "epochs": "3", "criterion": "topk"})
    assert (p.ratio, p.scope, p.epochs, p.criterion) == (0.1, ("conv1", "conv2"), 3, "topk")
    cases = {
        "ratio": ("1.5", "--ratio = 1.5: must be in [0, 1)"),
        "topk": ("0", "--topk = 0: must be >= 1"),
        "epochs": ("2.5", "--epochs: '2.5' is not a valid int"),
        "criterion": ("best", "--criterion = 'best': choose one of neuron, topk"),
        "lr": ("nan", "--lr = nan: must be a finite number"),
    }
    for name, (value, message) in cases.items():
        with pytest.raises(
            ParamError, match=message.replace("[", "\\[").replace("(", "\\(").replace(")", "\\)")
        ):
            build(RemosParams, {name: value})


def test_an_entry_takes_only_its_own_fields() -> None:
    with pytest.raises(ParamError, match="--channel-alpha does not apply to dare"):
        TREATMENTS["dare"].build({"channel_alpha": 1.0})
    assert TREATMENTS["model-doctor"].build({"channel_alpha": "3"}).channel_alpha == 3.0


def test_specs_carry_ranges_and_defaults() -> None:
    ratio = spec_of(RemosParams, "ratio")
    assert (ratio.lo, ratio.hi, ratio.hi_open, ratio.default) == (0.0, 1.0, True, RemosParams().ratio)
    assert "in [0, 1)" in ratio.describe() and "default: 0.03" in ratio.describe()
    names = {s.name for e in TREATMENTS.values() for s in e.specs()}
    assert names >= {"variant", "layer", "channel_alpha", "slice_cut", "vote_ratio"}
    for entry in TREATMENTS.values():
        cls = entry.params
        assert cls is not None and issubclass(cls, TreatParams) and entry.fields is None
        assert all(f.name in {s.name for s in specs(cls)} for f in dataclasses.fields(cls) if f.metadata)


def test_register_adds_an_entry_and_rejects_an_unknown_family() -> None:
    entry = catalogue.Entry("x", "a test entry", "builtins:print")
    catalogue.register("job", entry)
    try:
        assert catalogue.JOBS["x"].load() is print
    finally:
        del catalogue.JOBS["x"]
    with pytest.raises(TltuiError, match="catalogue family 'nope'"):
        catalogue.register("nope", entry)


def test_no_method_parameter_shares_a_flag_with_the_attack_or_the_run() -> None:
    from tltui.base.catalogue import RunParams
    from tltui.base.catalogue.attacks import attack_overrides

    taken = set(attack_overrides()) | {s.name for s in specs(RunParams)}
    for entries in (MITIGATIONS, TREATMENTS):
        assert not taken & set(family_specs(entries.values()))


def test_the_attack_params_describe_their_ranges() -> None:
    from tltui.base.catalogue.attacks import MAX_STEPS, AttackParams, TeacherAttackParams

    steps, eps = spec_of(AttackParams, "steps"), spec_of(AttackParams, "eps")
    assert (steps.lo, steps.hi, MAX_STEPS) == (1, 10_000, 10_000) and eps.lo_open and eps.lo == 0.0
    assert spec_of(AttackParams, "eps_grid").kind == "floats"
    assert spec_of(TeacherAttackParams, "space").choices == ("pixel", "normalized")
    assert build(AttackParams, {"eps_grid": "0, 0.1"}).eps_grid == (0.0, 0.1)
    for values, message in (
        ({"steps": "1000000000"}, "--steps = 1000000000: must be in \\[1, 10000\\]"),
        ({"eps": "0"}, "--eps = 0: must be in \\(0, 100\\]"),
        ({"eps": "2"}, "eps = 2 with norm linf: must be ≤ 1"),
        ({"eps_grid": "0,-1"}, "--eps-grid value = -1"),
        ({"name": "nosuch"}, "choose one of pgd, fgsm"),
    ):
        with pytest.raises(ParamError, match=message):
            build(AttackParams, values)
    assert build(AttackParams, {"eps": "2", "norm": "l2"}).eps == 2.0


def test_an_attack_a_plugin_registers_is_a_valid_choice() -> None:
    from tltui.base.catalogue.attacks import AttackParams

    catalogue.register("attack", catalogue.Entry("plug", "a test attack", "builtins:print"))
    try:
        assert build(AttackParams, {"name": "plug"}).name == "plug"
    finally:
        del catalogue.ATTACKS["plug"]
