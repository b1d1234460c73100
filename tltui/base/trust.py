"""Inputs that run the user's code (`file:` architectures, TorchScript archives, full pickles) and the flag that
allows them: consent is given per command (its flag) and travels in the job's parameters, never in the environment."""

from __future__ import annotations

TRUST_FLAG = "--trust-code"
TRUST_ALIAS = "--trust-checkpoints"
"""The flag's first name, when it allowed only full pickles; still accepted."""
SAFE_ARCHS = ("torchvision:", "tltui:")
"""Architectures tltui builds itself; `file:` factories and TorchScript archives run the user's code."""


def runs_code(arch: str) -> bool:
    """Whether building `arch` runs code from a user's file."""
    return not arch.startswith(SAFE_ARCHS)


def trusted(flag: object = False) -> bool:
    """The job's own `trust` parameter is exactly true (set from its command's flag, or by `tltui open
    --trust-code` for the jobs the workbench starts); no environment variable grants it."""
    return flag is True
