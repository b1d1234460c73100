"""One intervention on a copy of the student: the teacher's weights, a seeded re-initialisation, or the
teacher's BatchNorm statistics, on a layer or on every layer inside a block (docs/localise.md)."""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch
from torch import nn

from tltui.base.errors import ParamError

_WEIGHTED = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.Linear)
_BN = nn.modules.batchnorm._BatchNorm


def unit_layers(model: nn.Module, unit: str, kind: str) -> list[str]:
    """The modules an intervention of `kind` on `unit` changes: the unit itself when it is a layer of that kind,
    else every such layer inside it (a block); for `bn` on a conv or linear layer, the BatchNorm that follows it
    (the next BatchNorm registered before the next conv or linear layer)."""
    modules = dict(model.named_modules())
    if unit not in modules:
        raise ParamError(f"--layers {unit}: not a module of the student")
    want: tuple[type, ...] = (_BN,) if kind == "bn" else _WEIGHTED
    inside = [n for n, m in modules[unit].named_modules(prefix=unit) if isinstance(m, want)]
    if inside or kind != "bn" or not isinstance(modules[unit], _WEIGHTED):
        return inside
    names = list(modules)
    for name in names[names.index(unit) + 1 :]:
        if isinstance(modules[name], _BN):
            return [name]
        if isinstance(modules[name], _WEIGHTED):
            return []
    return []


def _same_shapes(a: nn.Module, b: nn.Module) -> bool:
    pa, pb = dict(a.named_parameters(recurse=False)), dict(b.named_parameters(recurse=False))
    return set(pa) == set(pb) and all(pa[k].shape == pb[k].shape for k in pa)


def applicable(student: nn.Module, teacher: nn.Module, unit: str, kind: str) -> list[str]:
    """The layers `kind` would change on `unit`; [] when it does not apply (a restore where the teacher's layer
    has another shape or does not exist: it must apply to every layer of the unit, or to none)."""
    layers = unit_layers(student, unit, kind)
    if kind == "reinit":
        return layers
    mine, theirs = dict(student.named_modules()), dict(teacher.named_modules())
    if any(n not in theirs or type(theirs[n]) is not type(mine[n]) for n in layers):
        return []
    if kind == "restore" and not all(_same_shapes(mine[n], theirs[n]) for n in layers):
        return []
    if kind == "bn" and not all(
        getattr(theirs[n], "running_mean", None) is not None
        and theirs[n].running_mean.shape == mine[n].running_mean.shape
        for n in layers
    ):
        return []
    return layers


def _reinit(module: nn.Module, seed: int) -> None:
    """The layer's own `reset_parameters`, drawn on the CPU from a generator seeded by `seed` alone (the same
    weights on any device; the global generators are left as they were)."""
    reset = getattr(module, "reset_parameters", None)
    if not callable(reset):
        return
    where = next((p.device for p in module.parameters(recurse=False)), torch.device("cpu"))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        module.to("cpu")
        reset()
        module.to(where)


def intervened(
    student: nn.Module, teacher: nn.Module, units: Sequence[str], kind: str, seed: int = 0
) -> tuple[nn.Module, list[str]]:
    """A copy of `student` with intervention `kind` on every unit of `units` (the student is not touched), and
    the layers it changed. Re-initialisation seeds each layer with `seed` + its position in the network, so a
    layer gets the same draw alone and among the top k."""
    model = copy.deepcopy(student)
    mine, theirs = dict(model.named_modules()), dict(teacher.named_modules())
    order = list(mine)
    changed: list[str] = []
    for unit in units:
        for name in applicable(model, teacher, unit, kind):
            if name in changed:
                continue
            changed.append(name)
            dst = mine[name]
            if kind == "reinit":
                _reinit(dst, seed + order.index(name))
                continue
            src = theirs[name]
            with torch.no_grad():
                if kind == "restore":
                    for pname, p in dst.named_parameters(recurse=False):
                        p.copy_(getattr(src, pname).to(p.device, p.dtype))
                else:
                    for bname in ("running_mean", "running_var", "num_batches_tracked"):
                        b, s = getattr(dst, bname, None), getattr(src, bname, None)
                        if isinstance(b, torch.Tensor) and isinstance(s, torch.Tensor):
                            b.copy_(s.to(b.device, b.dtype))
    return model, changed
