"""GPU utilisation and memory for the status bar via NVML, only when `pynvml` can be imported."""

from __future__ import annotations

import importlib
from types import ModuleType


class GpuProbe:
    """Samples GPU 0..n; `available` is False (and nothing is shown) without pynvml or a driver."""

    def __init__(self) -> None:
        self._nvml: ModuleType | None = None
        self._handles: list[object] = []
        self._tried = False

    def _init(self) -> None:
        self._tried = True
        try:
            nvml = importlib.import_module("pynvml")
            nvml.nvmlInit()
            count = nvml.nvmlDeviceGetCount()
            self._handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self._nvml = nvml if self._handles else None
        except Exception:  # no module, no driver, no permission: the status bar just omits the GPU
            self._nvml = None

    @property
    def available(self) -> bool:
        if not self._tried:
            self._init()
        return self._nvml is not None

    def sample(self) -> str | None:
        """'GPU0 37% 5.1/80G', one entry per GPU, or None."""
        if not self.available or self._nvml is None:
            return None
        parts = []
        try:
            for i, h in enumerate(self._handles):
                util = self._nvml.nvmlDeviceGetUtilizationRates(h).gpu
                mem = self._nvml.nvmlDeviceGetMemoryInfo(h)
                parts.append(f"GPU{i} {util}% {mem.used / 2**30:.1f}/{mem.total / 2**30:.0f}G")
        except Exception:
            return None
        return " ".join(parts)
