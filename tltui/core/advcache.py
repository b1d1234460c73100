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
        self.handed: dict[str, torch.Tensor] = {}
        """Sets computed elsewhere in this job (a distributed executor's merged shards), each used once."""

    def has(self, key: str) -> bool:
        return key in self.handed or (self.root / f"{key}.npy").is_file()

    def put(self, key: str, result: torch.Tensor) -> None:
        """A set computed outside `get_or_run`: cached (by this process only) and handed to its next read."""
        self.handed[key] = result
        arr = result.detach().cpu().float().numpy()
        if arr.nbytes <= MAX_BYTES:
            self._store(self.root / f"{key}.npy", arr)

    def key(self, model: str, attack: str, cfg: AttackConfig, data: str, seed: int, extra: Any = None) -> str:
        ident = {
            "model": model,
            "attack": attack,
            "cfg": {
                k: v for k, v in asdict(cfg).items() if v is not None
            },  # keys from before `scale` stay valid
            "data": data,
            "seed": seed,
            "extra": extra,
        }
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]

    def get_or_run(
        self,
        key: str,
        compute: Generator[Progress, None, torch.Tensor],
        clean: torch.Tensor | None = None,
        cfg: AttackConfig | None = None,
    ) -> Generator[Progress, None, torch.Tensor]:
        """The cached set for `key`, else run `compute` and cache its result (atomically).

        With `clean` (and `cfg`), an entry is used only if it could be this attack's output on `clean`; a damaged
        one (truncated, wrong shape, NaN, out of range or of budget) is logged, removed and recomputed."""
        path = self.root / f"{key}.npy"
        if key in self.handed:
            compute.close()
            return self.handed.pop(key)
        if path.is_file():
            try:
                arr = np.load(path, allow_pickle=False)
                bad = problem(arr, clean, cfg) if clean is not None else None
            except (OSError, ValueError, EOFError) as exc:
                bad = f"unreadable ({type(exc).__name__})"
            if bad is None:
                compute.close()
                return torch.from_numpy(arr)
            print(f"adversarial cache: removed {path.name} ({bad}); recomputing it", flush=True)
            path.unlink(missing_ok=True)
        result: torch.Tensor = yield from compute
        arr = result.detach().cpu().float().numpy()
        if arr.nbytes <= MAX_BYTES:
            self._store(path, arr)
        return result

    def _store(self, path: Path, arr: np.ndarray) -> None:
        tmp = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=f".{path.stem}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, arr)
            os.replace(tmp, path)
        except OSError as exc:  # a cache that cannot be written only costs time: the run goes on
            print(f"adversarial cache: cannot write {path} ({exc.strerror}); not cached", flush=True)
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)


TOLERANCE = 1e-4


def problem(arr: np.ndarray, clean: torch.Tensor, cfg: AttackConfig | None) -> str | None:
    """Why `arr` cannot be an attack's output on `clean` within `cfg`'s budget; None when it can."""
    x = clean.detach().cpu().float().numpy()
    if arr.shape != x.shape or arr.dtype != np.float32:
        return f"{arr.dtype} {arr.shape}, expected float32 {x.shape}"
    if not np.isfinite(arr).all():
        return "non-finite values"
    if arr.size and (arr.min() < -TOLERANCE or arr.max() > 1 + TOLERANCE):
        return "values outside [0, 1]"
    if cfg is None or not arr.size:
        return None
    delta = (arr - x).reshape(len(x), -1) if cfg.norm == "l2" and cfg.scale is None else arr - x
    if cfg.norm == "l2" and cfg.scale is None:
        dist = float(np.linalg.norm(delta, axis=1).max())
    elif cfg.scale is not None and x.ndim >= 2 and len(cfg.scale) == x.shape[1]:
        per = np.asarray(cfg.scale, dtype=np.float32).reshape(1, -1, *([1] * (x.ndim - 2)))
        dist = float(np.abs(delta / per).max())
    else:
        dist = float(np.abs(delta).max())
    if dist > cfg.eps * (1 + 1e-3) + TOLERANCE:
        return f"perturbation {dist:.4g} beyond ε = {cfg.eps:.4g}"
    return None
