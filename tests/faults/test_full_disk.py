"""A full disk in a job's writes and in its clean-up paths: one line naming the path, never a traceback, and never
the job index blamed for what the job's own write hit (the index being full too)."""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tltui.base.errors import JobError, WriteError
from tltui.base.progress import JobContext, Progress
from tltui.jobs import api, runner
from tltui.jobs.events import last_final_event
from tltui.jobs.foreground import raise_if_failed
from tltui.jobs.spec import EVENTS_FILE
from tltui.jobs.store import IndexUnavailable, Store
from tltui.jobs.worker import Worker

FULL = os.strerror(errno.ENOSPC)
TARGET = "/somewhere/out/instances.npz"


def full_disk(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
    """A job whose write of its results hits a full disk (the error names the file, as open() or os.replace do)."""
    yield Progress("levels", 1, 2)
    raise OSError(errno.ENOSPC, FULL, params.get("target", TARGET))


class FullStream(io.StringIO):
    """The job's log on the full disk."""

    def write(self, s: str) -> int:
        raise OSError(errno.ENOSPC, FULL)


def index_full(*_args: object, **_kwargs: object) -> bool:
    raise IndexUnavailable(f"jobs.sqlite: {FULL}; free space or pass --workspace")


def run_in_process(ws: Path, monkeypatch: pytest.MonkeyPatch, **params: Any) -> tuple[str, int]:
    """Submit a `full_disk` job and run its worker in this process (no child process); (job id, exit status)."""
    monkeypatch.setattr(runner, "spawn", lambda run_dir: 0)  # no process: the worker runs here
    job = api.submit(f"{__name__}:full_disk", params, device="cpu", workspace=ws)
    worker = Worker(ws / "runs" / job)  # not through api.get: its liveness check would find no process
    return job, worker.run()


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    import signal

    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    monkeypatch.setenv("TLTUI_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("OMP_NUM_THREADS", os.environ.get("OMP_NUM_THREADS", "1"))
    yield tmp_path / "ws"
    for s, h in handlers.items():
        signal.signal(s, h)


def test_a_full_disk_in_a_job_fails_it_in_one_line_naming_the_path(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    job, status = run_in_process(ws, monkeypatch)
    assert status == 1
    record = api.get(job, ws)
    assert record.status == "failed" and record.error_title != "Job crashed"
    assert record.error is not None and TARGET in record.error and FULL in record.error
    assert "OSError" not in record.error and "\n" not in record.error


def test_a_full_disk_under_the_log_and_the_index_too_still_names_the_jobs_path(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "finish", index_full)
    monkeypatch.setattr("sys.stdout", FullStream())
    job, status = run_in_process(ws, monkeypatch)  # no exception escapes: no traceback
    assert status == 1
    monkeypatch.undo()
    monkeypatch.setattr(Store, "finish", index_full)  # the follower's own index update fails as well
    final = last_final_event(ws / "runs" / job / EVENTS_FILE)
    assert final is not None and final.type == "failed" and TARGET in final.error
    with pytest.raises(JobError) as info:
        raise_if_failed(api.get(job, ws))
    assert TARGET in info.value.msg and "jobs.sqlite" not in info.value.msg


def test_a_job_whose_worker_died_is_told_even_when_the_index_is_full(
    ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "spawn", lambda run_dir: 2**22 + 1)
    job = api.submit(f"{__name__}:full_disk", {}, device="cpu", workspace=ws)
    Store(ws).update(job, pid=2**22 + 1)  # a pid no process has
    monkeypatch.setattr(Store, "finish", index_full)
    record = api.get(job, ws)
    assert record.status == "failed" and record.error == runner.DIED


def test_a_full_disk_while_an_attack_set_is_discarded_is_no_new_error(tmp_path: Path) -> None:
    from tltui.core.advcache import AdvWriter

    writer = AdvWriter(tmp_path, "k", (2, 3))
    assert writer.tmp is not None
    tmp = writer.tmp

    class Full(io.BytesIO):
        def close(self) -> None:
            raise OSError(errno.ENOSPC, FULL)

    writer.fh.close()
    writer.fh = Full()  # type: ignore[assignment]
    writer.discard()  # closing flushes what could not be written: no error from the clean-up itself
    assert not tmp.exists()


def test_a_data_cache_on_a_full_disk_decodes_into_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PIL import Image

    from tltui.core import datacache

    for cls in ("a", "b"):
        (tmp_path / "d" / cls).mkdir(parents=True)
        Image.fromarray(np.full((8, 8), 9, dtype=np.uint8)).save(tmp_path / "d" / cls / "0.png")
    _, files = datacache.list_images(tmp_path / "d", what="test")
    real = os.replace

    def full(src: Any, dst: Any) -> None:
        if str(dst).endswith(".u8"):
            raise OSError(errno.ENOSPC, FULL, str(dst))
        real(src, dst)

    monkeypatch.setattr(os, "replace", full)
    pixels, _ = datacache.load_pixels(
        tmp_path / "d", files, datacache.Prep(8, 1), tmp_path / "c", what="test"
    )
    assert np.asarray(pixels).shape[0] == 2 and int(np.asarray(pixels).max()) == 9
    assert not [p for p in (tmp_path / "c").iterdir() if p.suffix == ".tmp"]


def test_the_one_line_write_error(tmp_path: Path) -> None:
    from tltui.jobs.worker import disk_error

    err = disk_error(OSError(errno.ENOSPC, FULL), tmp_path / "out")
    assert isinstance(err, WriteError) and str(tmp_path / "out") in err.msg and FULL in err.msg
