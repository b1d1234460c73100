"""The spelling of `--device`, checked before any job is submitted (the job's child checks CUDA itself)."""

from __future__ import annotations

import re

from tltui.base.errors import DeviceError
from tltui.base.names import shown

DEVICE = re.compile(r"auto|cpu|cuda(?::\d{1,3})?")


def check_device(spec: object) -> str:
    """`spec` normalised (lower case), or a one-line DeviceError: before a job, not inside it."""
    text = str(spec if spec is not None else "auto").strip().lower()
    if not DEVICE.fullmatch(text):
        raise DeviceError(f"--device {shown(repr(spec))}: use auto, cpu, cuda or cuda:N")
    return text
