"""The workbench's garbage-collection policy: nothing before the first frame, full passes only in pauses
between keys (or after a long stretch of input), and the interpreter's own policy back when it closes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from tltui.ui.gcpolicy import NEVER, QuietCollector


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Iterator[Clock]:
    threshold, enabled = gc.get_threshold(), gc.isenabled()
    yield Clock()
    gc.set_threshold(*threshold)
    gc.unfreeze()
    (gc.enable if enabled else gc.disable)()


def middle_passes(n: int) -> None:
    """Make the interpreter count `n` middle-generation passes since the last full one."""
    gc.collect()
    for _ in range(n):
        gc.collect(1)


def started(clock: Clock) -> QuietCollector:
    """A collector as `tltui open` leaves it after the first frame."""
    collector = QuietCollector(pause=0.6, longest=15.0, clock=clock)
    collector.begin()
    collector.first_frame()
    return collector


def keys(collector: QuietCollector, clock: Clock, seconds: float) -> None:
    """A key every 0.1 s for `seconds`, the app ticking after each."""
    for _ in range(round(seconds * 10)):
        clock.now += 0.1
        collector.input()
        collector.tick()


def test_inactive_changes_nothing(clock: Clock) -> None:
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    collector = QuietCollector(clock=clock)
    collector.first_frame()
    collector.input()
    collector.tick()
    collector.end()
    assert gc.get_threshold() == before and gc.isenabled()
    assert collector.full_passes == 0 and gc.get_freeze_count() == frozen


def test_full_passes_wait_for_a_pause(clock: Clock) -> None:
    young, middle, old = gc.get_threshold()
    collector = QuietCollector(pause=0.6, longest=15.0, clock=clock)
    collector.begin()
    assert not gc.isenabled()  # nothing before the first frame
    collector.first_frame()
    assert gc.isenabled() and gc.get_freeze_count() > 0
    assert gc.get_threshold() == (young, middle, NEVER)  # the interpreter's own full passes are off
    middle_passes(middle)
    collector.input()
    clock.now += 0.3
    collector.tick()
    assert collector.full_passes == 0  # keys are still coming
    clock.now += 0.4
    collector.tick()
    assert collector.full_passes == 1 and gc.get_count()[2] == 0  # a pause: the full pass ran
    collector.tick()
    assert collector.full_passes == 1  # and nothing is due until the middle passes add up again
    middle_passes(middle - 1)
    clock.now += 5
    collector.tick()
    assert collector.full_passes == 1
    collector.end()
    assert gc.get_threshold() == (young, middle, old) and gc.isenabled() and gc.get_freeze_count() == 0


def test_unbroken_input_still_collects(clock: Clock) -> None:
    collector = started(clock)
    middle_passes(gc.get_threshold()[1])
    keys(collector, clock, 14.9)
    assert collector.full_passes == 0
    clock.now += 0.2
    collector.input()
    collector.tick()
    assert collector.full_passes == 1  # 15 s without a pause: memory stays bounded
    collector.end()


class Node:
    """An object in a reference cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def test_settle_collects_everything_once_and_freezes_the_rest(clock: Clock) -> None:
    collector = QuietCollector(pause=0.6, longest=15.0, clock=clock)
    collector.begin()
    old = Node()
    gone = weakref.ref(old)
    collector.first_frame()  # `old` is frozen with start-up's objects
    del old
    kept = [Node() for _ in range(1000)]  # a run's views: built after the first frame, alive
    collector.settle()
    collector.input()
    collector.tick()
    assert collector.full_passes == 0 and gone() is not None  # keys still coming: it waits
    clock.now += 1
    collector.tick()
    assert collector.full_passes == 1
    assert gone() is None  # the frozen garbage was collected too
    young = {id(o) for g in range(3) for o in gc.get_objects(generation=g)}
    assert not any(id(node) in young for node in kept)  # and what lives was frozen
    collector.tick()
    assert collector.full_passes == 1  # once
    collector.end()
    assert gc.get_freeze_count() == 0


def test_settle_waits_but_regular_passes_go_on_under_unbroken_input(clock: Clock) -> None:
    collector = started(clock)
    collector.settle()
    middle_passes(gc.get_threshold()[1])
    keys(collector, clock, 16)
    assert collector.full_passes == 1  # the regular pass after 15 s; the settle still waits for a pause
    clock.now += 1
    collector.tick()
    assert collector.full_passes == 2
    collector.end()
