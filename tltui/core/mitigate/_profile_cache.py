"""The ReMoS profile cache: npz files under <workspace>/profiles/, keyed by teacher, data and criterion."""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
from torch import nn

from tltui.base import tempfiles
from tltui.base.catalogue.mitigation import RemosParams
from tltui.base.errors import ResultsError
from tltui.base.runfiles import load_npz, save_npz
from tltui.core.analysis import Analysis
from tltui.core.data import Split

PROFILE_VERSION = 1
T = TypeVar("T")
_MEMO: OrderedDict[Hashable, object] = OrderedDict()
_MEMO_SIZE = 4
_KEYS: weakref.WeakKeyDictionary[nn.Module, dict[Hashable, tuple[Split, str]]] = weakref.WeakKeyDictionary()


def weights_hash(model: nn.Module) -> str:
    """A digest of every tensor in the model's state_dict (names, shapes, dtypes, bytes)."""
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        c = t.detach().cpu().contiguous()
        h.update(f"{name}:{tuple(c.shape)}:{c.dtype}".encode())
        # a byte view hashes any dtype (bfloat16 has no numpy counterpart)
        h.update(c.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:16]


def key(an: Analysis, params: RemosParams) -> str:
    """The cache key of the teacher's profile for these coverage settings on the study's training data.

    Hashing the weights and the data takes a while on big studies, so the key is remembered per teacher object
    (the teacher is never mutated) and training split.
    """
    assert an.data.train is not None
    setting = params.threshold if params.criterion == "neuron" else params.topk
    # the entry holds the split itself, so its id cannot be reused by another split while remembered
    local = (id(an.data.train), params.criterion, setting, tuple(an.mean), tuple(an.std))
    known = _KEYS.setdefault(an.teacher, {})
    if local not in known:
        known[local] = (an.data.train, _key(an, params.criterion, setting))
    return known[local][1]


def _key(an: Analysis, criterion: str, setting: float) -> str:
    assert an.data.train is not None
    split = an.data.train
    h = hashlib.sha256()
    split.images.hash_into(h)
    h.update(split.y.numpy().tobytes())
    ident = {
        "v": PROFILE_VERSION,
        "teacher": weights_hash(an.teacher),
        "data": [len(split), h.hexdigest()[:16]],
        "mean": list(an.mean),
        "std": list(an.std),
        "criterion": criterion,
        "setting": setting,
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:20]


def path(workspace: Path, k: str) -> Path:
    """Where the profile with key `k` lives."""
    return workspace / "profiles" / f"remos-{k}.npz"


def load(
    workspace: Path, k: str, layers: list[str]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], int] | None:
    """The cached profile (cov_in, cov_out, n), or None when absent, unreadable or for other layers."""
    p = path(workspace, k)
    if not p.is_file():
        return None
    try:
        arrays = load_npz(p)
    except (ResultsError, OSError, ValueError):
        return None
    names = [str(s) for s in arrays.get("names", np.array([]))]
    if names != layers:
        return None
    cov_in = {n: arrays[f"in_{i}"] for i, n in enumerate(names)}
    cov_out = {n: arrays[f"out_{i}"] for i, n in enumerate(names)}
    return cov_in, cov_out, int(arrays["n"])


def save(
    workspace: Path, k: str, cov_in: dict[str, np.ndarray], cov_out: dict[str, np.ndarray], n: int
) -> Path:
    """Write a profile atomically (plain numeric and unicode arrays: loads without pickle)."""
    names = list(cov_out)
    arrays: dict[str, np.ndarray] = {"names": np.array(names, dtype=str), "n": np.array(n)}
    for i, name in enumerate(names):
        arrays[f"in_{i}"] = np.asarray(cov_in[name], dtype=np.int64)
        arrays[f"out_{i}"] = np.asarray(cov_out[name], dtype=np.int64)
    target = path(workspace, k)
    tempfiles.sweep(target.parent)  # the profiles of killed mitigations
    return save_npz(target, **arrays)


def memo(k: Hashable, compute: Callable[[], T]) -> T:
    """A small in-process cache (the live preview recomputes nothing when only the ratio moves)."""
    if k in _MEMO:
        _MEMO.move_to_end(k)
        return _MEMO[k]  # type: ignore[return-value]
    value = compute()
    _MEMO[k] = value
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return value


def clear_memo() -> None:
    """Forget the in-process caches (tests)."""
    _MEMO.clear()
    _KEYS.clear()
