"""One progress model: the whole job's fraction never goes back across phases, the ETA never grows while a job
is stuck, and the index, the events and every reader agree."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests.jobs.helpers import fake
from tltui.jobs import api
from tltui.jobs.events import job_progress
from tltui.jobs.progress import Overall, eta, format_eta

ANALYZE = (
    [("load data", i, 1) for i in range(2)]
    + [(f"{what}", i, 30) for what in ("train teacher", "build scratch", "build probe") for i in range(31)]
    + [("load models", i, 3) for i in range(4)]
    + [("attacks", i, 19) for i in range(20)]
    + [("levels", i, 4) for i in range(5)]
    + [("done", 1, 1)]
)


def test_the_whole_job_fraction_never_goes_back() -> None:
    model = Overall()
    seen = [model.update(*step) for step in ANALYZE]
    assert all(b >= a for a, b in itertools.pairwise(seen))  # not 100 → 10 → 90 → 0 → 100
    assert seen[-1] == 1.0 and seen[0] == 0.0
    attacks = ANALYZE.index(("attacks", 0, 19))
    assert 0.5 <= seen[attacks] <= 0.6  # training is behind, attacks and levels ahead
    again = Overall()
    again.update("spin", 90, 100)
    # a phase that restarts does not pull it back
    assert again.update("spin", 5, 100) == again.fraction > 0.25


def test_the_eta_counts_down_while_stuck_and_never_grows() -> None:
    # Started at 0, half done at 10 s: 10 s to go, counted down from there.
    assert eta(0.0, 10.0, 0.5, now=10.0) == 10.0
    assert eta(0.0, 10.0, 0.5, now=14.0) == 6.0
    late = [eta(0.0, 10.0, 0.5, now=t) for t in (20.0, 25.0, 40.0)]
    assert late == sorted(late, reverse=True)
    assert format_eta(eta(0.0, 10.0, 0.5, now=20.5)) == "0:00"
    assert format_eta(eta(0.0, 10.0, 0.5, now=40.0)) == "overdue"
    assert eta(None, 10.0, 0.5) is None and eta(0.0, 10.0, 0.0) is None


def test_events_index_and_readers_agree(ws: Path) -> None:
    job_id = api.submit(fake("phases"), {"pause": 0.01}, device="cpu")
    record = api.wait(job_id, timeout=30)
    assert record.status == "done"
    fractions = [e.overall for e in api.events(job_id) if e.type == "progress"]
    assert fractions and all(b >= a for a, b in itertools.pairwise(fractions))
    assert fractions[-1] == 1.0 and record.progress == 1.0
    assert job_progress(record).fraction == 1.0
