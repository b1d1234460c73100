"""Events: JSON round trip, partial lines left for later, throttled progress that keeps the last step."""

from __future__ import annotations

from pathlib import Path

from tltui.base.progress import Progress
from tltui.jobs.events import Event, EventReader, EventWriter, make_event


def test_json_roundtrip() -> None:
    ev = make_event("failed", error_title="Invalid data", error="no images")
    assert Event.from_json(ev.to_json()) == ev
    assert Event.from_json('{"type": "progress", "t": 1.5, "done": 2, "future": 1}').done == 2


def test_reader_leaves_partial_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    reader = EventReader(path)
    assert reader.read_new() == []
    path.write_text(make_event("started").to_json() + "\n" + '{"type": "mess')
    assert [e.type for e in reader.read_new()] == ["started"]
    with open(path, "a") as fh:
        fh.write('age", "t": 2.0, "msg": "hi"}\n')
    assert [(e.type, e.msg) for e in reader.read_new()] == [("message", "hi")]


def test_writer_throttles_and_flushes_last(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    writer = EventWriter(path, min_interval=60.0)
    for i in range(1000):
        writer.progress(Progress("p", i, 2000))
    writer.emit("message", msg="x")
    writer.progress(Progress("p", 2000, 2000))
    events = EventReader(path).read_new()
    assert [(e.type, e.done) for e in events] == [
        ("progress", 0),
        ("progress", 999),
        ("message", 0),
        ("progress", 2000),
    ]
