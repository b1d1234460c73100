"""Values that would make the numbers meaningless, and bad environment values, are refused in one line."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from tests.faults.conftest import refused, tltui
from tests.studies import GOOD
from tltui.commands.common import print_summary


def study_with(root: Path, old: str, new: str) -> Path:
    (root / "train" / "a").mkdir(parents=True)
    (root / "test" / "a").mkdir(parents=True)
    (root / "t.safetensors").write_bytes(b"")
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    (root / "study.toml").write_text(text)
    return root / "study.toml"


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("eps = 0.1", "eps = nan", "[attack] eps = nan"),
        ("eps = 0.1", "eps = inf", "[attack] eps = inf"),
        ("eps = 0.1", "eps = 0", "[attack] eps must be > 0"),
        ("alpha = 0.02", "alpha = -inf", "[attack] alpha = -inf"),
        ("steps = 5", "steps = 5\neps_grid = [0.0, nan]", "[attack] eps_grid"),
        ("steps = 5", "steps = 5\neps_grid = [0.0, -0.1]", "eps_grid values must be ≥ 0"),
        ("std = [0.5]", "std = [inf]", "[data] std"),
        ("mean = [0.5]", "mean = [nan]", "[data] mean"),
        ('name = "ft"', 'name = "ft"\nepochs = -1', "[variants.0] epochs must be at least 0"),
        ('name = "s"', 'name = "s"\nseed = -1', "[study] seed must be at least 0"),
        ("num_classes = 5", "num_classes = 100000000000", "[teacher] num_classes must be at most"),
    ],
)
def test_meaningless_study_values_are_refused(tmp_path: Path, old: str, new: str, needle: str) -> None:
    study = study_with(tmp_path, old, new)
    proc = tltui("analyze", str(study), "--out", str(tmp_path / "o"), "--workspace", str(tmp_path / "ws"))
    refused(proc, "study.toml", needle)
    assert not (tmp_path / "ws" / "runs").exists()


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["mitigate", "demo", "--method", "finetune", "--epochs", "-1"], "--epochs = -1"),
        (["mitigate", "demo", "--method", "finetune", "--lr", "nan"], "--lr"),
        (["analyze", "demo", "--batch-size", "0"], "--batch-size = 0"),
        (["treat", "demo", "--method", "dare", "--train-batch-size", "0"], "--train-batch-size = 0"),
    ],
)
def test_meaningless_flags_are_refused(tmp_path: Path, args: list[str], needle: str) -> None:
    proc = tltui(*args, "--out", str(tmp_path / "o"), "--workspace", str(tmp_path / "ws"))
    refused(proc, needle)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("var", "value", "needle"),
    [
        ("TLTUI_CPU_SLOTS", "999999999", "TLTUI_CPU_SLOTS=999999999: use a whole number from 1 to"),
        ("TLTUI_CPU_SLOTS", "two", "TLTUI_CPU_SLOTS=two"),
        ("TLTUI_CPU_SLOTS", "0", "TLTUI_CPU_SLOTS=0"),
        ("TLTUI_THREADS", "-3", "TLTUI_THREADS=-3"),
        ("TLTUI_DB_TIMEOUT", "nan", "TLTUI_DB_TIMEOUT=nan"),
        ("TLTUI_JOB_NICE", "20", "TLTUI_JOB_NICE=20: use a whole number from 0 to 19"),
    ],
)
def test_environment_values_are_checked(tmp_path: Path, var: str, value: str, needle: str) -> None:
    proc = tltui("jobs", "list", env={var: value, "TLTUI_WORKSPACE": str(tmp_path / "ws")})
    refused(proc, needle)


def test_the_cpu_slots_never_exceed_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from tltui.base.env import EnvError
    from tltui.jobs import slots

    monkeypatch.setenv("TLTUI_CPU_SLOTS", str((os.cpu_count() or 1) + 1))
    with pytest.raises(EnvError, match="this machine has"):
        slots.slot_names("cpu")


@pytest.mark.e2e
def test_a_workspace_that_is_a_file_or_cannot_be_made(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = tltui("jobs", "list", env={"TLTUI_WORKSPACE": str(blocker)})
    refused(proc, str(blocker), "is a file, not a directory")
    proc = tltui("jobs", "list", env={"TLTUI_WORKSPACE": "", "XDG_DATA_HOME": str(blocker / "data")})
    refused(proc, str(blocker / "data" / "tltui"), "cannot create the workspace")
    assert blocker.read_text() == "x"


@pytest.mark.e2e
def test_serve_checks_the_port_before_announcing(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = tltui("serve", "--port", str(port), "--workspace", str(tmp_path / "ws"), timeout=60)
    refused(proc, f"127.0.0.1:{port}", "--port")
    assert "serving on" not in proc.stdout


def test_a_summary_with_null_numbers_prints() -> None:
    summary = {
        "study": "s",
        "device": "cpu",
        "n_test": 1,
        "attack": {"name": "pgd", "eps": None, "alpha": None, "steps": 1},
        "variants": {"v": {"aoi": None, "dir": None}},
    }
    out = io.StringIO()
    print_summary(summary, out)
    assert "ε=—" in out.getvalue()
