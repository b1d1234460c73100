"""Cyclic garbage collection paced by the user: no pass before the first frame, full passes in pauses between keys."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

NEVER = 1 << 30
"""A threshold the interpreter's count of younger passes never reaches: its own full passes are off."""


class QuietCollector:
    """Where full collections run while the workbench is up.

    The workbench's heap holds ~270 000 tracked objects (widgets, cached strips: Textual gives every strip seven
    small caches), so the interpreter's full pass takes tens of milliseconds (docs/workbench.md), and a tab switch allocates
    enough to set one off every other switch: half the switches paid it. While active, the interpreter keeps its
    young-generation passes (cheap) and `tick` runs the full pass, at the interpreter's own cadence (after
    `threshold2` middle passes), once input has paused for `pause` seconds, or after `longest` seconds of
    unbroken input, so memory stays bounded. After a run is shown (`settle`), the next pause collects everything
    once and freezes what survives, the views and the run's data, which live until the next run: later full
    passes cover only what changed since (a fraction of the time). Inactive (tests, embedding) it changes nothing.
    """

    def __init__(
        self, pause: float = 0.6, longest: float = 15.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.pause = pause
        self.longest = longest
        self.clock = clock
        self.active = False
        self.full_passes = 0
        self._saved: tuple[int, int, int] | None = None
        self._last_input = 0.0
        self._last_full = 0.0
        self._settle = False

    def begin(self) -> None:
        """Before the workbench is imported: no pass until its first frame (start-up builds long-lived objects
        only, and a full pass over them is ~10 % of the start on two cores)."""
        self.active = True
        gc.disable()

    def first_frame(self) -> None:
        """The first frame is out: freeze what start-up built (it lives as long as the app, so later passes skip
        it; the few thousand garbage objects start-up leaves, a few hundred kB, stay with it) and hand the full
        passes to `tick`."""
        if not self.active or self._saved is not None:
            return
        gc.freeze()
        self._saved = gc.get_threshold()
        young, middle, _ = self._saved
        gc.set_threshold(young, middle, NEVER)
        gc.enable()
        self._last_input = self._last_full = self.clock()

    def input(self) -> None:
        """A key or a mouse event arrived."""
        self._last_input = self.clock()

    def settle(self) -> None:
        """A run was just shown (its views rebuilt): at the next pause, collect everything and freeze the rest."""
        self._settle = self._saved is not None

    def tick(self) -> None:
        """Run a full pass if one is due (called a few times a second by the app)."""
        if self._saved is None:
            return
        now = self.clock()
        paused = now - self._last_input >= self.pause
        if self._settle and paused:
            # Garbage the frozen objects became (what the last run's views held) is collected now too.
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self._settle = False
        elif gc.get_count()[2] >= self._saved[2] and (paused or now - self._last_full >= self.longest):
            gc.collect()
        else:
            return
        self.full_passes += 1
        self._last_full = now

    def end(self) -> None:
        """The workbench closed: the interpreter's own policy again, over every object."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            gc.unfreeze()
            self._saved = None
        if self.active:
            gc.enable()
        self.active = False


COLLECTOR = QuietCollector()
"""The process's collector (garbage collection is per process); `tltui open` activates it."""
