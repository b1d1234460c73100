"""Resolve the `--device` flag (auto | cpu | cuda | cuda:N) to a torch device, with a clear error."""

from __future__ import annotations

import re

import torch

from tltui.base.errors import DeviceError


def resolve_device(spec: str = "auto") -> torch.device:
    """`auto` picks cuda:0 when CUDA is usable, else cpu; asking for CUDA without it is a DeviceError."""
    spec = (spec or "auto").strip().lower()
    if spec == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    if spec == "cpu":
        return torch.device("cpu")
    m = re.fullmatch(r"cuda(?::(\d+))?", spec)
    if not m:
        raise DeviceError(f"--device {spec!r}: use auto, cpu, cuda or cuda:N")
    if not torch.cuda.is_available():
        raise DeviceError(f"--device {spec}: CUDA is not available on this machine; use --device cpu")
    index = int(m.group(1) or 0)
    if index >= torch.cuda.device_count():
        raise DeviceError(f"--device {spec}: only {torch.cuda.device_count()} CUDA device(s) visible")
    return torch.device(f"cuda:{index}")


def device_name(spec: str = "auto") -> str:
    """`resolve_device` as a name ('cpu', 'cuda:0'): what the job worker holds a slot on."""
    return str(resolve_device(spec))
