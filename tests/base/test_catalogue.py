"""The catalogue: every entry's code exists, its parameters describe themselves, one validator checks them."""

from __future__ import annotations

import dataclasses

import pytest

from tltui.base import catalogue
from tltui.base.catalogue import FAMILIES, MITIGATIONS, TREATMENTS, MitigateParams, TreatParams
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
    p = build(MitigateParams, {"ratio": "0.1", "scope": "conv1, conv2", "epochs": "3", "criterion": "topk"})
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
            build(MitigateParams, {name: value})


def test_an_entry_takes_only_its_own_fields() -> None:
    with pytest.raises(ParamError, match="--alpha does not apply to dare"):
        TREATMENTS["dare"].build({"alpha": 1.0})
    assert TREATMENTS["model-doctor"].build({"alpha": "3"}).alpha == 3.0


def test_specs_carry_ranges_and_defaults() -> None:
    ratio = spec_of(MitigateParams, "ratio")
    assert (ratio.lo, ratio.hi, ratio.hi_open, ratio.default) == (0.0, 1.0, True, MitigateParams().ratio)
    assert "in [0, 1)" in ratio.describe() and "default: 0.03" in ratio.describe()
    assert {s.name for s in specs(TreatParams)} >= {"variant", "layer", "alpha", "slice_cut", "vote_ratio"}
    assert all(
        f.name in {s.name for s in specs(TreatParams)} for f in dataclasses.fields(TreatParams) if f.metadata
    )


def test_register_adds_an_entry_and_rejects_an_unknown_family() -> None:
    entry = catalogue.Entry("x", "a test entry", "builtins:print")
    catalogue.register("job", entry)
    try:
        assert catalogue.JOBS["x"].load() is print
    finally:
        del catalogue.JOBS["x"]
    with pytest.raises(TltuiError, match="catalogue family 'nope'"):
        catalogue.register("nope", entry)
