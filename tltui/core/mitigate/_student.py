"""Shared plumbing for the mitigation methods: the student's recipe, construction, re-initialisation, training."""

from __future__ import annotations

import copy
from collections.abc import Callable, Generator
from dataclasses import replace

from torch import nn

from tltui.base.catalogue.mitigation import MitigateParams, PruneParams, RemosParams
from tltui.base.catalogue.params import check_all
from tltui.base.errors import MitigateError, ParamError, StudyError
from tltui.base.progress import Progress
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.build import replace_head, schedule_for
from tltui.core.reinit import reinitialise
from tltui.core.train import ExtraLoss, Schedule, train

RECIPES = ("scratch", "probe", "finetune")


def recipe(an: Analysis, params: MitigateParams, *, fresh: bool = False) -> tuple[int, Schedule]:
    """The head size and schedule the student mirrors: those of the `base` variant (or recipe name).

    A `fresh` (re-initialised) student takes the study's `scratch` schedule instead: the gentle fine-tune (plain
    SGD, small rate) leaves a random init near chance on the demo (docs/mitigation.md says why); `params.recipe`
    names the schedule outright (a comparison's shared recipe). Epochs: the run's, else the base variant's own.
    """
    names = an.study.names
    named = getattr(params, "recipe", None)  # a plugin's params may carry only base, lr, epochs and seed
    epochs = params.epochs
    if params.base in names:
        spec = an.study.variant(params.base)
        n_classes, build = spec.num_classes, spec.build or "finetune"
        epochs = spec.epochs if epochs is None and not fresh and named is None else epochs
    elif params.base in RECIPES:
        if an.data.train is None:
            raise StudyError("mitigation needs [data] train: the student is trained on the target data")
        n_classes, build = an.data.train.num_classes, params.base
    else:
        raise MitigateError(f"base = {params.base!r}: not a variant of the study ({', '.join(names)})")
    if fresh:
        build = "scratch"
    if named is not None:
        build = named
    s = schedule_for(an.study, build if build in RECIPES else "finetune", epochs)
    s = replace(s, seed=params.seed)
    if params.lr is not None:
        head_lr = None if s.head_lr is None else s.head_lr * params.lr / s.lr
        s = replace(s, lr=params.lr, head_lr=head_lr)
    return n_classes, s


def check(params: MitigateParams) -> None:
    """Refuse out-of-range parameters (the catalogue's ranges) with a one-line `MitigateError`."""
    try:
        check_all(params)
    except ParamError as exc:
        raise MitigateError(exc.msg) from None


def scope_layers(model: nn.Module, params: PruneParams | RemosParams) -> list[str]:
    """The in-scope Conv2d layers, in registration order; unknown or non-conv names are refused."""
    convs = M.conv_names(model)
    if params.scope is None:
        return convs
    bad = [n for n in params.scope if n not in convs]
    if bad:
        raise MitigateError(
            f"scope: {', '.join(bad)} not Conv2d layers of the teacher (have {', '.join(convs)})"
        )
    wanted = set(params.scope)
    return [n for n in convs if n in wanted]


def new_student(
    an: Analysis, params: MitigateParams, *, fresh: bool = False
) -> tuple[nn.Module, str, Schedule]:
    """A deep copy of the teacher (on CPU) with a new head, every weight re-initialised (seeded) when `fresh`;
    the teacher itself is never touched. A later stage of a chain (`params.source`) starts from a copy of that
    variant instead, its trained head kept (docs/mitigation.md#stacked-mitigations)."""
    check(params)
    if an.data.train is None:
        raise StudyError("mitigation needs [data] train: the student is trained on the target data")
    n_classes, schedule = recipe(an, params, fresh=fresh)
    source = getattr(params, "source", None)  # a plugin's own params class need not know chains
    if source is not None:
        student = _from_variant(an, source, fresh)
        return student, M.head_name(student), schedule
    student = copy.deepcopy(an.teacher).cpu()
    head = replace_head(student, n_classes, params.seed)
    if fresh:
        reinitialise(student, params.seed)
    return student, head, schedule


def _from_variant(an: Analysis, name: str, fresh: bool) -> nn.Module:
    """A copy (on CPU) of the variant a chain's later stage starts from."""
    if fresh:
        raise MitigateError(f"source = {name!r}: a method that re-initialises cannot start from a variant")
    if name not in an.variants:
        raise MitigateError(f"source = {name!r}: no such variant loaded (have {', '.join(an.variants)})")
    return copy.deepcopy(an.variants[name]).cpu()


def fit(
    an: Analysis,
    model: nn.Module,
    head: str,
    schedule: Schedule,
    *,
    phase: str,
    extra_loss: ExtraLoss | None = None,
    after_step: Callable[[nn.Module], None] | None = None,
) -> Generator[Progress, None, nn.Module]:
    """Train every weight of `model` on the target training data; returns it in eval mode on the device. A job
    recording its timeline (`--timeline N`) evaluates the model along the way (tltui.core.timeline)."""
    assert an.data.train is not None
    if an.timeline is not None:
        after_step = an.timeline.watch(model, schedule, len(an.data.train), after_step)
    yield from train(
        model,
        an.data.train,
        an.mean,
        an.std,
        schedule,
        device=an.device,
        head=head,
        extra_loss=extra_loss,
        after_step=after_step,
        phase=phase,
    )
    return model.to(an.device).eval()
