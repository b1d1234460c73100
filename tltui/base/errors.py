"""One error base class for everything a user can get wrong; the UI shows it, the CLI prints it."""

from __future__ import annotations


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
