"""Adversarial examples cached per (model weights, attack, budget, data), so no view or rerun recomputes them."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Generator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from tltui.base.progress import Progress
from tltui.core.attacks.engine import AttackConfig

MAX_BYTES = 256 * 2**20
"""Larger adversarial sets are recomputed rather than cached (disk is not free either)."""


def model_digest(model: nn.Module) -> str:
    """A digest of the model's parameters and buffers (names, shapes and bytes)."""
    h = hashlib.sha256()
    for name, t in model.state_dict().items():
        h.update(name.encode())
        h.update(str(tuple(t.shape)).encode())
        h.update(t.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:20]


def data_digest(x: torch.Tensor) -> str:
    return hashlib.sha256(x.detach().cpu().contiguous().numpy().tobytes()).hexdigest()[:20]


class AdvCache:
    """Directory of `.npy` adversarial sets keyed by what determines them."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def key(self, model: str, attack: str, cfg: AttackConfig, data: str, seed: int, extra: Any = None) -> str:
        ident = {
            "model": model,
            "attack": attack,
            "cfg": asdict(cfg),
            "data": data,
            "seed": seed,
            "extra": extra,
        }
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]

    def get_or_run(
        self, key: str, compute: Generator[Progress, None, torch.Tensor]
    ) -> Generator[Progress, None, torch.Tensor]:
        """The cached set for `key`, else run `compute` and cache its result (atomically)."""
        path = self.root / f"{key}.npy"
        if path.is_file():
            try:
                compute.close()
                return torch.from_numpy(np.load(path, allow_pickle=False))
            except (OSError, ValueError):
                path.unlink(missing_ok=True)
        result: torch.Tensor = yield from compute
        arr = result.detach().cpu().float().numpy()
        if arr.nbytes <= MAX_BYTES:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, suffix=".npy")
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, arr)
            os.replace(tmp, path)
        return result
