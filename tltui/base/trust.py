"""Inputs that run the user's code (`file:` architectures, TorchScript archives) and the flag that allows them."""

from __future__ import annotations

import os

TRUST_FLAG = "--trust-code"
TRUST_ALIAS = "--trust-checkpoints"
"""The flag's first name, when it allowed only full pickles; still accepted."""
TRUST_ENV = "TLTUI_TRUST_CODE"
"""Set to 1 by `tltui open --trust-code` so the jobs the workbench starts inherit the user's consent."""
SAFE_ARCHS = ("torchvision:", "tltui:")
"""Architectures tltui builds itself; `file:` factories and TorchScript archives run the user's code."""


def runs_code(arch: str) -> bool:
    """Whether building `arch` runs code from a user's file."""
    return not arch.startswith(SAFE_ARCHS)


def trusted(flag: object = False) -> bool:
    """The trust flag was given (a job's `trust` parameter) or inherited from `tltui open --trust-code`."""
    return bool(flag) or os.environ.get(TRUST_ENV) == "1"
