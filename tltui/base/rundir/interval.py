"""An estimate with its 95 % interval, as summary.json records it (numpy-free: the UI reads it before numpy)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % interval, and what variance the interval includes (docs/intervals.md)."""

    value: float
    lo: float
    hi: float
    includes: str
    """`images` (test-set sampling) or `seeds+images` (seed variance and test-set sampling)."""

    @property
    def excludes_zero(self) -> bool:
        return self.lo > 0.0 or self.hi < 0.0

    def as_json(self) -> dict[str, float | str]:
        return {"value": self.value, "lo": self.lo, "hi": self.hi, "includes": self.includes}

    @classmethod
    def from_json(cls, block: Mapping[str, Any] | None) -> Interval | None:
        """The interval `as_json` wrote, None when `block` is missing or not of that shape."""
        if not isinstance(block, Mapping):
            return None
        nums = [block.get(k) for k in ("value", "lo", "hi")]
        if any(isinstance(n, bool) or not isinstance(n, (int, float)) for n in nums):
            return None
        value, lo, hi = (float(n) for n in nums)  # type: ignore[arg-type]
        return cls(value, lo, hi, str(block.get("includes", "")))
