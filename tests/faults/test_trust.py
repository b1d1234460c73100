"""Inputs that run the user's code (`file:` architectures, TorchScript) need --trust-code; nothing runs without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.conftest import refused, tltui
from tests.studies import GOOD

PAYLOAD = "import pathlib\npathlib.Path(__file__).with_name('RAN').touch()\n"


def code_study(root: Path, arch: str) -> Path:
    (root / "train" / "a").mkdir(parents=True)
    (root / "test" / "a").mkdir(parents=True)
    (root / "t.safetensors").write_bytes(b"")
    (root / "net.py").write_text(PAYLOAD + "def build(num_classes):\n    raise SystemExit(3)\n")
    (root / "net.ts").write_bytes(b"not really torchscript")
    study = root / "study.toml"
    study.write_text(GOOD.replace('[teacher]\narch = "tltui:digitsnet"', f'[teacher]\narch = "{arch}"'))
    return study


@pytest.mark.e2e
@pytest.mark.parametrize("arch", ["file:net.py:build", "net.ts"])
@pytest.mark.parametrize("command", [["analyze"], ["mitigate", "--method", "finetune"], ["open"]])
def test_code_running_archs_need_the_trust_flag(tmp_path: Path, arch: str, command: list[str]) -> None:
    study = code_study(tmp_path, arch)
    args = [command[0], str(study), *command[1:], "--workspace", str(tmp_path / "ws")]
    if command[0] != "open":
        args += ["--out", str(tmp_path / "o")]
    line = refused(tltui(*args), "study.toml", "teacher arch", "--trust-code")
    assert arch in line
    assert not (tmp_path / "RAN").exists(), "the file's code ran without --trust-code"
    assert not (tmp_path / "ws" / "runs").exists()


@pytest.mark.e2e
def test_the_old_flag_name_still_trusts(tmp_path: Path) -> None:
    study = code_study(tmp_path, "file:net.py:build")
    proc = tltui(
        "analyze",
        str(study),
        "--out",
        str(tmp_path / "o"),
        "--workspace",
        str(tmp_path / "ws"),
        "--trust-checkpoints",
    )
    line = refused(proc)  # accepted: the job ran and failed on the study's empty data, not on trust
    assert "--trust-code" not in line and "no images" in line


def test_core_refuses_code_archs_without_trust(tmp_path: Path) -> None:
    from tltui.base.errors import StudyError
    from tltui.core.models import build_arch

    (tmp_path / "net.py").write_text(PAYLOAD + "def build(num_classes):\n    return None\n")
    with pytest.raises(StudyError, match="--trust-code"):
        build_arch("file:net.py:build", 5, base_dir=tmp_path)
    assert not (tmp_path / "RAN").exists()
