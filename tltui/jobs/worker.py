"""The child process that runs one job: `python -m tltui.jobs.worker RUN_DIR`."""

from __future__ import annotations

import contextlib
import errno
import gc
import json
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from types import FrameType
from typing import Any

from tltui.base import env
from tltui.base.catalogue import DEVICE_RESOLVER, load_target
from tltui.base.errors import JobError, TltuiError, write_error
from tltui.base.progress import JobContext, Progress, WorkPlan
from tltui.jobs import kinds, runner, slots
from tltui.jobs.events import EventWriter
from tltui.jobs.procs import signal_group
from tltui.jobs.spec import EVENTS_FILE, WORKER_FILE, JobSpec
from tltui.jobs.store import Store

DB_PROGRESS_INTERVAL = 0.5
PROGRESS_TIMEOUT = 0.5
"""Seconds a progress update waits for a busy index before it is skipped."""
MAX_ERROR = 4000
"""Characters of an error message kept in the event and the index (the log has all of it)."""


DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})
"""A write the disk refused: the job ends in one line naming the path, not as a crash."""


def disk_error(exc: OSError, where: object) -> TltuiError:
    """The one-line error of a refused write: the path it names, else where the job was writing."""
    if exc.filename:
        return write_error(Path(os.fsdecode(exc.filename)), exc)
    return write_error(Path(str(where)), exc)


class JobCancelled(BaseException):
    """Raised inside the job by the SIGTERM handler, so its `finally` blocks run."""


def device_slot(device: str) -> str:
    """The device a job holds a slot on: `auto` and `cuda[:N]` resolved by the core (torch, in this child only);
    any other name (cpu, or a test's fake device) is its own slot."""
    if device != "auto" and not device.startswith("cuda"):
        return device
    resolve: Callable[[str], str] = load_target(DEVICE_RESOLVER)
    return resolve(device)


def limit_cpu_threads() -> None:
    """Give each CPU job an equal share of the cores: several jobs each spinning all cores' worth of
    OpenMP threads thrash (several times slower; docs/demo.md "Thread count"). `TLTUI_THREADS` overrides."""
    threads = str(env.threads(max(1, (os.cpu_count() or 1) // slots.cpu_slots())))
    os.environ.setdefault("OMP_NUM_THREADS", threads)
    torch: Any = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(int(threads))


def is_oom(exc: BaseException) -> bool:
    """CUDA out-of-memory, recognised without importing torch."""
    if any(cls.__name__ == "OutOfMemoryError" for cls in type(exc).__mro__):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def _release_gpu_memory() -> None:
    gc.collect()
    torch: Any = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        torch.cuda.empty_cache()


def run_with_oom_retry(
    func: kinds.JobFunction,
    params: dict[str, Any],
    ctx: JobContext,
    on_progress: Callable[[Progress], None],
    log: Callable[[str], None],
) -> None:
    """Run the job; on CUDA OOM with an int `batch_size`, halve it (down to `min_batch_size`) and rerun."""
    while True:
        try:
            steps = func(params, ctx)
            if steps is not None:
                for step in steps:
                    if isinstance(step, Progress):
                        on_progress(step)
            return
        except Exception as exc:
            batch = params.get("batch_size")
            if not is_oom(exc) or not isinstance(batch, int) or isinstance(batch, bool):
                raise
            floor = max(int(params.get("min_batch_size", 1)), 1)
            if batch // 2 < floor:
                raise JobError(
                    f"CUDA out of memory even at batch size {batch}; free GPU memory "
                    "(other jobs or programs), use a smaller model, or run with --device cpu",
                    title="Out of GPU memory",
                ) from None
            log(f"CUDA out of memory at batch size {batch}; retrying with batch size {batch // 2}")
            params = {**params, "batch_size": batch // 2}
        _release_gpu_memory()


class Worker:
    """Runs the job of one run directory and records everything it does there and in the index."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.spec = JobSpec.read(run_dir)
        self.workspace = Path(self.spec.workspace)
        self.store = Store(self.workspace)
        self.progress_store = Store(self.workspace, timeout=PROGRESS_TIMEOUT)
        self.events = EventWriter(run_dir / EVENTS_FILE)
        self.finishing = False
        self._db_phase: str | None = None
        self._db_last = 0.0
        self._db_warned = False

    def log(self, msg: str) -> None:
        with contextlib.suppress(OSError):  # the log on a full disk: events.jsonl and the index say the rest
            print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {msg}", flush=True)

    def message(self, msg: str) -> None:
        self.log(msg)
        self.events.emit("message", msg=msg)

    def progress(self, p: Progress) -> None:
        if isinstance(p, WorkPlan):
            self.events.plan(p)
            return
        self.events.progress(p)
        now = time.monotonic()
        if p.phase != self._db_phase or now - self._db_last >= DB_PROGRESS_INTERVAL:
            fraction = self.events.overall.fraction  # the whole job's (tltui.jobs.progress)
            self._db_phase, self._db_last = p.phase, now
            try:  # best effort: events.jsonl has the progress; a busy index must never stop the job
                self.progress_store.update(self.spec.id, progress=fraction, phase=p.phase)
            except TltuiError as exc:
                if not self._db_warned:
                    self._db_warned = True
                    self.log(f"progress not indexed ({exc.msg}); it is in {EVENTS_FILE}")

    def _index(self, what: Callable[[], bool], default: bool) -> bool:
        """An index update the job can live without: `default` when the index is unavailable (logged)."""
        try:
            return what()
        except TltuiError as exc:
            self.log(f"job index unavailable ({exc.msg}); {EVENTS_FILE} keeps the record")
            return default

    def _write_info(self, device: str) -> None:
        """worker.json: this process's pid and device, so a rebuilt index still knows a running job's worker."""
        path = self.run_dir / WORKER_FILE
        tmp = path.with_name(f".{WORKER_FILE}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps({"pid": os.getpid(), "device": device}))
            os.replace(tmp, path)
        except OSError as exc:
            self.log(f"cannot write {path} ({exc.strerror})")

    def _first_in_line(self, device: str) -> bool:
        """No job submitted earlier still waits for this device (dead ones are marked failed on the way)."""
        try:
            earlier = self.store.queued_before(self.spec.id, device)
            return all(runner.reconcile(self.store, r).final for r in earlier)
        except TltuiError:
            return True  # without the index, first come is whoever takes the slot

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if not self.finishing:
            self.finishing = True
            raise JobCancelled

    def _end(
        self, event: str, status: str, *, error_title: str | None = None, error: str | None = None
    ) -> None:
        self.finishing = True
        error = error[:MAX_ERROR] if error else error
        with contextlib.suppress(OSError):  # the run directory may be gone; the index still learns the end
            if event == "failed":
                self.events.emit(event, error_title=error_title or "", error=error or "")
            else:
                self.events.emit(event)
        self.log(f"failed: {error_title}: {error}" if event == "failed" else event)
        self._index(
            lambda: self.store.finish(self.spec.id, status, error_title=error_title, error=error), False
        )

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        spec = self.spec
        try:
            self._write_info(spec.device)
            if not self._index(lambda: self.store.update(spec.id, only_active=True, pid=os.getpid()), True):
                return 0  # cancelled before it could start
            device = device_slot(spec.device)
            self._write_info(device)
            self._index(lambda: self.store.update(spec.id, device=device), True)
            wait_msg = f"waiting for a free {device} slot"
            slot = slots.acquire(
                self.workspace,
                device,
                on_wait=lambda: self.log(wait_msg),
                my_turn=lambda: self._first_in_line(device),
            )
            with closing(slot):
                started = time.time()
                if not self._index(
                    lambda: self.store.update(spec.id, only_active=True, status="running", started=started),
                    True,
                ):
                    return 0
                self.events.emit("started", msg=f"{spec.kind} on {device}")
                self.log(f"started {spec.kind} on {device} (pid {os.getpid()})")
                if device == "cpu":
                    limit_cpu_threads()
                func = kinds.load(spec.kind)
                ctx = JobContext(
                    run_dir=self.run_dir, workspace=self.workspace, device=device, log=self.message
                )
                run_with_oom_retry(func, dict(spec.params), ctx, self.progress, self.message)
                self._end("finished", "done")
            return 0
        except JobCancelled:
            # Take down whatever the job started, in case only this process was signalled.
            if os.getpgrp() == os.getpid():
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal_group(os.getpgrp(), signal.SIGTERM)
            self._end("cancelled", "cancelled")
            return 143
        except TltuiError as exc:
            self._end("failed", "failed", error_title=exc.title, error=exc.msg)
            return 1
        except OSError as exc:
            if exc.errno not in DISK_ERRNOS:
                raise
            err = disk_error(exc, self.spec.params.get("out") or self.run_dir)
            self._end("failed", "failed", error_title=err.title, error=err.msg)
            return 1
        except Exception as exc:
            self.finishing = True
            with contextlib.suppress(OSError):
                traceback.print_exc()
            self._end("failed", "failed", error_title="Job crashed", error=f"{type(exc).__name__}: {exc}")
            return 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tltui.jobs.worker RUN_DIR", file=sys.stderr)
        return 2
    try:
        os.nice(env.job_nice())
        worker = Worker(Path(args[0]).resolve())
    except TltuiError as exc:
        print(f"tltui worker: {exc.msg}", file=sys.stderr)
        return 2
    return worker.run()


if __name__ == "__main__":
    sys.exit(main())
