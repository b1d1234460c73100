"""A catalogue entry (a thing a user can choose: attack, method, treatment, job kind, view) and target loading."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from tltui.base.catalogue.params import ParamSpec, build, specs
from tltui.base.errors import TltuiError


@dataclass(frozen=True)
class Entry:
    """One choice: its name, a one-line help, where its code lives, and the parameters it takes."""

    name: str
    help: str
    target: str
    """"module:attribute" of the code: imported only where it runs (a job's child process, the UI's tab)."""
    params: type | None = None
    """A dataclass whose fields are `param(...)`s; None when the entry takes none."""
    fields: tuple[str, ...] | None = None
    """The fields of `params` this entry takes (several entries may share one params class); None = all."""
    title: str = ""
    """A display title (views); the name otherwise."""
    baseline: str | None = None
    """Methods: the entry of the same family a run is compared with at the same seed (e.g. `finetune`)."""
    baseline_params: tuple[tuple[str, Any], ...] = ()
    """Parameters the baseline run sets over the method's own (Model Doctor's control: α = 0)."""

    @property
    def label(self) -> str:
        return self.title or self.name

    def specs(self) -> tuple[ParamSpec, ...]:
        """The parameters this entry takes, in declaration order."""
        if self.params is None:
            return ()
        return tuple(s for s in specs(self.params) if self.fields is None or s.name in self.fields)

    def build(self, values: dict[str, Any]) -> Any:
        """The entry's params from raw values (text or typed), validated; a `ParamError` names the bad one."""
        if self.params is None:
            return None
        names = tuple(s.name for s in self.specs())
        return build(self.params, values, fields=names, owner=self.name)

    def load(self) -> Any:
        """Import the target (only in the process that runs it)."""
        return load_target(self.target)


def load_target(target: str) -> Any:
    """The object a "module:attribute" string names; a one-line `TltuiError` if it names nothing."""
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr.isidentifier():
        raise TltuiError(f"{target!r}: expected 'module:attribute'")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise TltuiError(f"{target}: cannot import {module_name} ({exc})") from None
    found = getattr(module, attr, None)
    if found is None:
        raise TltuiError(f"{target}: {module_name} has no attribute {attr}")
    return found
