"""One error base class for everything a user can get wrong; the UI shows it, the CLI prints it."""

from __future__ import annotations

from pathlib import Path


class TltuiError(Exception):
    """A user-facing error: a short title and a one-line message saying what is wrong and what to do."""

    title = "Error"

    def __init__(self, msg: str, *, title: str | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        if title is not None:
            self.title = title

    def __str__(self) -> str:
        return self.msg


class StudyError(TltuiError):
    title = "Invalid study"


class DataError(TltuiError):
    title = "Invalid data"


class CheckpointError(TltuiError):
    title = "Invalid checkpoint"


class DeviceError(TltuiError):
    title = "Device unavailable"


class JobError(TltuiError):
    title = "Job error"


class ResultsError(TltuiError):
    title = "Missing results"


class ParamError(TltuiError):
    title = "Invalid parameter"


class MitigateError(TltuiError):
    """A mitigation parameter that does not fit the study or the model."""

    title = "Invalid mitigation"


class WriteError(TltuiError):
    """A file tltui must write cannot be: a full disk, a read-only directory, no permission."""

    title = "Cannot write"


def write_error(path: Path, exc: Exception) -> WriteError:
    """The one-line error for a failed write of `path`: what the system said, and what to do."""
    if isinstance(exc, OSError):
        what = exc.strerror or type(exc).__name__
    else:  # a library's own error wrapping an OSError: keep its last clause, on one line
        what = " ".join(str(exc).split()).rpartition(": ")[2] or type(exc).__name__
    return WriteError(f"{path}: {what}; free space or make it writable, or choose another directory")
