"""Dare's candidate pool: models that may supply repair targets, with their tap tensors and target-task beliefs."""

from __future__ import annotations

import copy
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tltui.base.catalogue.treatment import DareParams
from tltui.base.errors import StudyError
from tltui.base.progress import Progress
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.data import Split
from tltui.core.images import Batched
from tltui.core.treat._common import Tap, read_probs, tap_outputs


@dataclass(frozen=True)
class Candidate:
    """One model of the pool on the held-out inputs: its tensor at the tap and its class probabilities."""

    name: str
    acts: torch.Tensor
    probs: np.ndarray
    how: str
    """`own head` (checkpoints), or `mapped` (other models: mapped into the variant's features, read by its head)."""


def build_checkpoints(an: Analysis, name: str) -> list[Path]:
    """The epoch checkpoints tltui kept while building the variant (none for a variant loaded from weights)."""
    store = getattr(an, "store", None)
    if store is None or name not in an.study.names or an.study.variant(name).build is None:
        return []
    return list(store.checkpoints(an.study.variant(name)))


def _label(path: Path, variant: str) -> str:
    """`finetune epoch 22` for a build checkpoint, the file's stem for one given by the user."""
    stem = path.name.removesuffix(".safetensors")
    _, sep, epoch = stem.rpartition(".epoch")
    return f"{variant} epoch {epoch}" if sep and epoch.isdigit() else stem


def _loaded(model: nn.Module, path: Path, an: Analysis) -> nn.Module:
    ck = copy.deepcopy(model)
    M.load_state_dict(ck, M.read_state_dict(path, trust=an.trust), source=str(path))
    return ck.to(an.device).eval()


def _acts(
    model: nn.Module, x: Batched, an: Analysis, tap: Tap, shape: torch.Size | None
) -> torch.Tensor | None:
    """The model's tensor at the tap, or None where it has no such layer (or not the given shape)."""
    try:
        acts = tap_outputs(model, x, an, tap)
    except (StudyError, AttributeError):
        return None
    return acts if shape is None or acts.shape[1:] == shape[1:] else None


def _rows(t: torch.Tensor) -> torch.Tensor:
    """(n, C, ...) as (n·positions, C + 1): each position of a map is a sample of its channels; a ones column."""
    r = t.flatten(2).transpose(1, 2).reshape(-1, t.shape[1]) if t.dim() > 2 else t
    return torch.cat([r.double(), torch.ones(len(r), 1, dtype=torch.float64)], dim=1)


def feature_map(src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
    """Least squares (ridge: 1e-4 of the mean diagonal of the Gram matrix) from one model's tap channels to
    another's, shared over positions (a 1×1 conv for maps): a (C_src + 1, C_dst) matrix, the bias last."""
    x = _rows(src)
    gram = x.T @ x
    ridge = 1e-4 * float(torch.diagonal(gram).mean())
    return torch.linalg.solve(
        gram + ridge * torch.eye(len(gram), dtype=torch.float64), x.T @ _rows(dst)[:, :-1]
    )


def mapped(src: torch.Tensor, w: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """`src` through a `feature_map` matrix, shaped like `like`."""
    rows = (_rows(src) @ w).float()
    if like.dim() <= 2:
        return rows
    n, c = like.shape[:2]
    return rows.reshape(n, -1, c).transpose(1, 2).reshape(like.shape)


def candidate_pool(
    an: Analysis, params: DareParams, model: nn.Module, tap: Tap, fit: Split, held: Split, own: torch.Tensor
) -> Generator[Progress, None, list[Candidate]]:
    """The variant's build checkpoints and any given checkpoints, read by their own heads (the reference's
    pool); with pool `all` also the other variants and the teacher: their neurons are not the variant's (and
    the teacher's head answers the source task), so their tap tensors are first mapped into the variant's by
    a least-squares regression fitted on the fit part, then read by the variant's own head. `own` is the
    variant's tap tensor on `held`."""
    paths = [*build_checkpoints(an, params.variant), *params.checkpoints]
    own_models = [(_label(p, params.variant), _loaded(model, p, an)) for p in paths]
    others: list[tuple[str, nn.Module]] = []
    if params.pool == "all":
        others = [(n, m) for n, m in an.variants.items() if n != params.variant] + [("teacher", an.teacher)]
    total = len(own_models) + len(others)
    found: list[Candidate] = []
    for i, (name, m) in enumerate(own_models):
        acts = _acts(m, held.images, an, tap, own.shape)
        if acts is not None:
            found.append(Candidate(name, acts, read_probs(m, held.images, an), "own head"))
        yield Progress("dare pool", i + 1, total, name)
    own_fit = tap_outputs(model, fit.images, an, tap) if others else own
    for i, (name, m) in enumerate(others, start=len(own_models) + 1):
        acts, acts_fit = _acts(m, held.images, an, tap, None), _acts(m, fit.images, an, tap, None)
        if acts is not None and acts_fit is not None and acts.shape[2:] == own.shape[2:]:
            to_own = mapped(acts, feature_map(acts_fit, own_fit), own)
            probs = read_probs(model, held.images, an, tap, to_own)
            found.append(Candidate(f"{name} (mapped)", to_own, probs, "mapped"))
        yield Progress("dare pool", i, total, name)
    return found


def select_targets(own: np.ndarray, y: np.ndarray, pool: list[np.ndarray]) -> np.ndarray:
    """Per input, the index in `pool` of the candidate whose tensor becomes its target, −1 for none (the
    reference's get_ats.py): the bar starts at the variant's probability of the true class; a candidate
    clears it with a higher true-class probability, and where the variant is wrong it must also predict the
    true class; each candidate in turn raises the bar of the inputs it takes."""
    rows = np.arange(len(y))
    right = own.argmax(axis=1) == y
    bar = own[rows, y].copy()
    source = np.full(len(y), -1, dtype=np.int64)
    for j, probs in enumerate(pool):
        p = probs[rows, y]
        take = (p > bar) & (right | (probs.argmax(axis=1) == y))
        source[take] = j
        bar[take] = p[take]
    return source
