"""Raw values (flag or form text) as the validated parameters of an analyze, mitigate or treat job."""

from __future__ import annotations

from typing import Any

from tltui.base import stack
from tltui.base.catalogue import Entry, RunParams, as_json
from tltui.base.catalogue.attacks import attack_overrides
from tltui.base.catalogue.params import build, check_layers, specs
from tltui.base.errors import ParamError
from tltui.base.study import with_attack
from tltui.base.study_spec import DataSpec, ModelSpec, Study

_DEFAULT = Study(name="default", data=DataSpec(), teacher=ModelSpec("teacher", "", 2), variants=())


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def job_params(
    entry: Entry,
    raw: dict[str, Any],
    study: Study | None,
    *,
    layers: list[tuple[str, str]] | None = None,
    variants: list[str] | None = None,
) -> dict[str, Any]:
    """The job parameters of `entry` (a method, or a job kind taking `RunParams` such as analyze) from `raw`
    (name -> text or typed value; None or blank = not given), every value checked by its catalogue spec.

    Three kinds of key are told apart by name: the attack's over the study's (`eps`, `teacher_eps`, …, applied to
    `study` so rules across keys are checked too), how the run runs (`RunParams`), and the method's own; any other
    name is refused naming the method's parameters. Layer names are checked against `layers` and a treatment's
    variant against `variants` when given. The result holds `method` (methods only), the method's own values
    (None left out), and the attack and run values that were given, as JSON. `study` None (a form that has not
    read it): the attack values are checked against the default [attack].

    A chain (docs/mitigation.md#stacked-mitigations): `then` names the later stages (tltui.base.stack), and a key
    `K.name` is stage K's own parameter (stage 1 is `entry`, with the plain keys); the result's `then` lists each
    later stage as `{"method": …, **its own values}`, checked by that method's catalogue spec as stage 1's are."""
    given = {k: v for k, v in raw.items() if _given(v)}
    later = stack.then_names(given.pop(stack.THEN, None))
    staged = stack.split_stages(given)
    attack_keys, run_keys = attack_overrides(), {s.name for s in specs(RunParams)}
    attack = {k: given.pop(k) for k in list(given) if k in attack_keys}
    run = {k: given.pop(k) for k in list(given) if k in run_keys}
    checked = with_attack(study or _DEFAULT, attack)
    owner = f"{study.name}'s model" if study is not None else "this run's model"
    out: dict[str, Any] = {}
    if entry.params is not RunParams:
        out = {"method": entry.name, **_own(entry, given, layers, owner, entry.name)}
        variant = out.get("variant")
        if variant is not None and variants is not None and variant not in variants:
            raise ParamError(
                f"--variant {variant!r}: not a variant of {checked.name} (have {', '.join(variants)})"
            )
    elif given:
        build(RunParams, given, owner=entry.name)  # refuses a name analyze does not take
    if later or staged:
        out[stack.THEN] = _later(entry, out, later, staged, {*attack_keys, *run_keys}, layers, owner)
    run_values = as_json(build(RunParams, run))
    out.update({k: run_values[k] for k in run})
    new = checked.attack
    for key in attack:
        which, name, _spec = attack_keys[key]
        value = getattr(new.teacher if which == "teacher" else new, name)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def _own(
    entry: Entry,
    given: dict[str, Any],
    layers: list[tuple[str, str]] | None,
    owner: str,
    who: str,
    carried: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A method's own values from `given` (None left out), layer names checked against `layers` when known;
    `carried` names what the caller sets (a later stage's seed), not taken from `given`."""
    names = tuple(s.name for s in entry.specs() if s.name not in carried)
    settings = build(entry.params, given, fields=names, owner=who) if entry.params is not None else None
    values = {k: v for k, v in as_json(settings).items() if k in names and v is not None} if settings else {}
    for spec in entry.specs():
        if spec.layers and layers is not None and spec.name in values:
            found = check_layers(spec, getattr(settings, spec.name), layers, owner)
            values[spec.name] = list(found) if isinstance(found, tuple) else found  # network order
    return values


def _later(
    entry: Entry,
    first: dict[str, Any],
    names: list[str],
    staged: dict[int, dict[str, Any]],
    shared: set[str],
    layers: list[tuple[str, str]] | None,
    owner: str,
) -> list[dict[str, Any]]:
    """The later stages of a chain starting with `entry` (its values `first`), each checked by its own spec."""
    if entry.params is RunParams:
        raise ParamError(f"--then: {entry.name} is not a method; chain mitigations and treatments")
    stack.refuse_with_chain(first)
    stack.check_stage_keys(staged, len(names) + 1, shared)
    out, previous = [], entry.name
    for k, name in enumerate(names, start=2):
        _family, later = stack.stage_entry(name, previous)
        values = _own(later, staged.get(k, {}), layers, owner, f"stage {k} ({name})", stack.CARRIED)
        out.append({"method": name, **values})
        previous = stack.chain_name([entry.name, *names[: k - 1]])
    return out
