"""Consent per command: only a command's own --trust-code runs the user's code; no environment grants it."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from tests.faults.conftest import refused, tltui
from tests.studies import GOOD


class Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Path.touch, (self.marker,))


def pickle_study(root: Path) -> Path:
    """GOOD with real images and a teacher `.pt` whose unpickling touches root/RAN."""
    import numpy as np
    import torch
    from PIL import Image

    rng = np.random.default_rng(0)
    for split in ("train", "test"):
        for cls in ("a", "b"):
            (root / split / cls).mkdir(parents=True)
            for i in range(4):
                Image.fromarray(rng.integers(0, 255, (16, 16), dtype=np.uint8)).save(
                    root / split / cls / f"{i}.png"
                )
    torch.save(
        {"w": torch.zeros(1), "payload": Exploit(root / "RAN")},
        root / "t.pt",
        pickle_protocol=pickle.HIGHEST_PROTOCOL,
    )
    study = root / "study.toml"
    study.write_text(GOOD.replace("t.safetensors", "t.pt").replace("num_classes = 5", "num_classes = 2"))
    return study


def test_an_environment_variable_grants_no_trust(monkeypatch: pytest.MonkeyPatch) -> None:
    from tltui.base.trust import trusted

    for name in ("TLTUI_TRUST_CODE", "TLTUI_TRUST_CHECKPOINTS"):
        monkeypatch.setenv(name, "1")
    assert trusted(False) is False and trusted(None) is False and trusted(True) is True


@pytest.mark.e2e
def test_a_shell_variable_does_not_unpickle_for_a_later_command(tmp_path: Path) -> None:
    study = pickle_study(tmp_path)
    args = ("analyze", str(study), "--out", str(tmp_path / "o"), "--workspace", str(tmp_path / "ws"))
    refused(tltui(*args, env={"TLTUI_TRUST_CODE": "1"}), "t.pt", "--trust-code")
    assert not (tmp_path / "RAN").exists(), "a pickle was unpickled on consent inherited from the shell"


class _Jobs:
    def __init__(self) -> None:
        self.params: list[dict[str, Any]] = []

    def submit(self, kind: str, params: dict[str, Any], **_: Any) -> str:
        self.params.append(params)
        return f"job{len(self.params)}"


def test_the_workbench_passes_its_own_consent_in_each_job_spec(monkeypatch: pytest.MonkeyPatch) -> None:
    from tltui.ui.model.session import Session

    monkeypatch.delenv("TLTUI_TRUST_CODE", raising=False)
    for trust in (True, False):
        jobs = _Jobs()
        session = Session(study="demo", jobs=jobs, trust=trust)  # type: ignore[arg-type]
        session.start_analysis()
        session.submit("mitigate", {"method": "finetune"})
        assert [bool(p.get("trust")) for p in jobs.params] == [trust, trust]
