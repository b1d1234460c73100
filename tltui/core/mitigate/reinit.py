"""`reinit`: the teacher-initialised student with the chosen layers re-initialised, then fine-tuned (the layer
interventions' follow-up, docs/localise.md)."""

from __future__ import annotations

from collections.abc import Generator

from torch import nn

from tltui.base.catalogue.mitigation import ReinitParams
from tltui.base.errors import MitigateError, ParamError
from tltui.base.progress import Progress
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.localise.intervene import intervened
from tltui.core.mitigate._student import fit, new_student


def chosen_layers(model: nn.Module, params: ReinitParams) -> list[str]:
    """The layers or blocks to re-initialise: those named, else the last conv layer."""
    if params.layers:
        return list(params.layers)
    convs = M.conv_names(model)
    if not convs:
        raise MitigateError(
            "reinit: the model has no conv layer; name the layers to re-initialise (--layers)"
        )
    return convs[-1:]


def run(an: Analysis, params: ReinitParams) -> Generator[Progress, None, nn.Module]:
    """Re-initialise each chosen layer as the `reinit` intervention does (its own `reset_parameters`, seeded by
    the seed + its position in the network), then fine-tune every weight on the finetune recipe."""
    student, head, schedule = new_student(an, params)
    try:
        student, changed = intervened(
            student, an.teacher, chosen_layers(student, params), "reinit", params.seed
        )
    except ParamError as exc:
        raise MitigateError(f"reinit: {exc.msg}") from None
    if not changed:
        raise MitigateError("reinit: the layers named hold no conv or linear layer to re-initialise")
    yield Progress("reinit", 1, 1, f"re-initialised {', '.join(changed)} (seed {params.seed})")
    return (yield from fit(an, student, head, schedule, phase="reinit"))
