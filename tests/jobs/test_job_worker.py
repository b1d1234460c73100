"""Worker pieces in-process: OOM recognition and retry, device resolution."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tltui.base.errors import DeviceError, JobError
from tltui.base.progress import JobContext, Progress
from tltui.jobs.worker import device_slot, is_oom, run_with_oom_retry


class OutOfMemoryError(RuntimeError):
    """Named like torch.cuda.OutOfMemoryError."""


def test_is_oom() -> None:
    assert is_oom(OutOfMemoryError("x"))
    assert is_oom(RuntimeError("CUDA out of memory. Tried to allocate 2 GiB"))
    assert not is_oom(RuntimeError("shape mismatch"))
    assert not is_oom(ValueError("out of memory"))


def test_oom_retry_halves_until_it_fits(tmp_path: Path) -> None:
    seen: list[int] = []

    def job(params: dict[str, Any], ctx: JobContext) -> Iterator[Progress]:
        seen.append(params["batch_size"])
        yield Progress("p", 0, 1)
        if params["batch_size"] > 8:
            raise OutOfMemoryError("CUDA out of memory")

    logs: list[str] = []
    run_with_oom_retry(job, {"batch_size": 64}, JobContext(tmp_path, tmp_path), lambda p: None, logs.append)
    assert seen == [64, 32, 16, 8]
    assert len(logs) == 3 and "batch size 64" in logs[0]


def test_oom_without_batch_size_is_reraised(tmp_path: Path) -> None:
    def job(params: dict[str, Any], ctx: JobContext) -> None:
        raise OutOfMemoryError("CUDA out of memory")

    with pytest.raises(OutOfMemoryError):
        run_with_oom_retry(job, {}, JobContext(tmp_path, tmp_path), lambda p: None, lambda m: None)


def test_oom_below_floor_fails_clearly(tmp_path: Path) -> None:
    def job(params: dict[str, Any], ctx: JobContext) -> None:
        raise RuntimeError("CUDA error: out of memory")

    with pytest.raises(JobError, match="even at batch size 4"):
        run_with_oom_retry(
            job, {"batch_size": 16, "min_batch_size": 4}, JobContext(tmp_path, tmp_path), print, print
        )


def test_device_slot() -> None:
    assert device_slot("cpu") == "cpu"
    assert device_slot("fake:0") == "fake:0"
    import torch

    assert device_slot("auto") == ("cuda:0" if torch.cuda.is_available() else "cpu")
    assert is_oom(torch.cuda.OutOfMemoryError("CUDA out of memory"))  # the real class, recognised by name
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="CUDA is not available"):
            device_slot("cuda:0")
