"""A mitigation that always fails after the models are loaded: a re-run that must not cost the earlier variant."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from tltui.base import catalogue
from tltui.base.catalogue import Entry, param
from tltui.base.errors import MitigateError
from tltui.base.progress import Progress


@dataclass(frozen=True)
class BoomParams:
    seed: int = param(0, label="seed", help="unused", lo=0)


def run(an: Any, params: BoomParams) -> Generator[Progress, None, Any]:
    yield Progress("boom", 0, 1)
    raise MitigateError("boom: this method always fails")


catalogue.register("mitigation", Entry("boom", "always fails", f"{__name__}:run", BoomParams))
