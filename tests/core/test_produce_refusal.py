"""A produce job on a TorchScript teacher is refused with the verb of its own family."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from torch import nn

from tltui.base.errors import StudyError
from tltui.base.progress import JobContext, Progress, drain
from tltui.base.study import demo_study
from tltui.core import produce


class _Loaded:
    """An analysis whose models are there at once (nothing built)."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        self.teacher, self.variants, self.skip = nn.Linear(1, 1), {}, set()

    def load(self) -> Iterator[Progress]:
        yield from ()


@pytest.mark.parametrize(
    ("family", "method", "verb"),
    [("mitigation", "finetune", "mitigate from"), ("treatment", "dare", "treat")],
)
def test_a_scripted_teacher_is_refused_with_the_family_s_verb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, family: str, method: str, verb: str
) -> None:
    monkeypatch.setattr(produce, "Analysis", _Loaded)
    monkeypatch.setattr(produce, "is_scripted", lambda _m: True)
    ctx = JobContext(run_dir=tmp_path / "run", workspace=tmp_path / "ws")
    params = {"method": method, "out": str(tmp_path / "out")}
    with pytest.raises(StudyError, match=f"cannot {verb} them"):
        drain(produce.produce(family, demo_study(), params, ctx))
