"""`tltui treat STUDY --method model-doctor|dare|fmt --out DIR`: produce a treated variant and diagnose it."""

from __future__ import annotations

import argparse
from typing import Any

from tltui.base.catalogue import TREATMENTS
from tltui.commands import mitigate


def add_parser(sub: Any) -> None:
    mitigate.add_parser(sub, name="treat", entries=TREATMENTS, what="treated")


def run(args: argparse.Namespace) -> int:
    return mitigate.run(args, entries=TREATMENTS, kind="treat")
