"""The model and adversarial caches check what they load; a damaged entry is logged, removed and recomputed."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Generator
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from tests.faults.conftest import tltui
from tltui.base.errors import CheckpointError
from tltui.base.progress import Progress, drain
from tltui.base.study import demo_study
from tltui.core.advcache import AdvCache
from tltui.core.attacks.engine import AttackConfig
from tltui.core.build import ModelStore
from tltui.core.models import DigitsNet, load_state_dict, read_state_dict, save_weights

CFG = AttackConfig(eps=0.1, alpha=0.02, steps=3)
CLEAN = torch.full((4, 1, 4, 4), 0.5)


def attack(calls: list[int]) -> Generator[Progress, None, torch.Tensor]:
    calls.append(1)
    yield Progress("attack", 1, 1)
    return CLEAN + 0.05


def damaged(kind: str, path: Path) -> None:
    good = (CLEAN + 0.05).numpy()
    if kind == "truncated":
        np.save(path, good)
        path.write_bytes(path.read_bytes()[:100])
    elif kind == "garbage":
        path.write_bytes(b"\x00" * 64)
    elif kind == "wrong shape":
        np.save(path, good[:2])
    elif kind == "wrong dtype":
        np.save(path, good.astype(np.float64))
    elif kind == "nan":
        bad = good.copy()
        bad[1, 0, 2, 2] = np.nan
        np.save(path, bad)
    elif kind == "out of range":
        np.save(path, good + 0.6)
    elif kind == "beyond eps":
        np.save(path, good + 0.2)


@pytest.mark.parametrize(
    "kind", ["truncated", "garbage", "wrong shape", "wrong dtype", "nan", "out of range", "beyond eps"]
)
def test_a_damaged_adversarial_entry_is_recomputed_in_the_same_run(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = AdvCache(tmp_path)
    key = cache.key("m", "pgd", CFG, "d", 0)
    damaged(kind, tmp_path / f"{key}.npy")
    calls: list[int] = []
    got = drain(cache.get_or_run(key, attack(calls), CLEAN, CFG))
    assert calls == [1] and torch.allclose(got, CLEAN + 0.05)
    assert f"removed {key}.npy" in capsys.readouterr().out
    again = drain(cache.get_or_run(key, attack(calls), CLEAN, CFG))  # the repaired entry serves the next run
    assert calls == [1] and torch.equal(again, got)


def test_the_l2_and_per_channel_budgets_are_checked(tmp_path: Path) -> None:
    cache = AdvCache(tmp_path)
    l2 = AttackConfig(eps=0.1, alpha=0.02, steps=3, norm="l2")
    key = cache.key("m", "pgd", l2, "d", 0)
    np.save(tmp_path / f"{key}.npy", (CLEAN + 0.05).numpy())  # L2 norm 0.2 per image: beyond 0.1
    calls: list[int] = []
    drain(cache.get_or_run(key, attack(calls), CLEAN, l2))
    assert calls == [1]
    scaled = AttackConfig(eps=0.1, alpha=0.02, steps=3, scale=(0.6,))
    key = cache.key("m", "pgd", scaled, "d", 0)
    np.save(tmp_path / f"{key}.npy", (CLEAN + 0.05).numpy())  # within 0.1 × 0.6
    drain(cache.get_or_run(key, attack(calls), CLEAN, scaled))
    assert calls == [1]


@pytest.mark.parametrize("kind", ["truncated", "nan", "foreign"])
def test_a_damaged_cached_model_is_rebuilt(tmp_path: Path, kind: str) -> None:
    store = ModelStore(demo_study(), None, tmp_path, torch.device("cpu"))  # type: ignore[arg-type]
    path = store._path("teacher", "k")
    save_weights(DigitsNet(5), path)
    if kind == "truncated":
        path.write_bytes(path.read_bytes()[:200])
    elif kind == "nan":
        state = {k: v.clone() for k, v in DigitsNet(5).state_dict().items()}
        state["conv2.weight"][0, 0, 0, 0] = float("nan")
        save_file(state, str(path))
    else:
        save_weights(DigitsNet(7), path)
    assert store._cached("teacher", "k", DigitsNet(5)) is False  # so the caller rebuilds it
    assert not path.exists()


def test_non_finite_weights_are_refused_naming_the_tensor(tmp_path: Path) -> None:
    state = {k: v.clone() for k, v in DigitsNet(5).state_dict().items()}
    state["conv3.bias"][2] = float("inf")
    save_file(state, str(tmp_path / "w.safetensors"))
    torch.save(state, tmp_path / "w.pt")
    for name in ("w.safetensors", "w.pt"):
        with pytest.raises(CheckpointError, match=r"tensor conv3\.bias holds NaN or infinite values"):
            load_state_dict(DigitsNet(5), read_state_dict(tmp_path / name), source=name)


def test_concurrent_saves_of_one_model_never_collide(tmp_path: Path) -> None:
    path = tmp_path / "m" / "teacher.safetensors"
    errors: list[BaseException] = []

    def save() -> None:
        try:
            for _ in range(10):
                save_weights(DigitsNet(5), path)
        except BaseException as exc:  # pragma: no cover - the failure this test exists for
            errors.append(exc)

    threads = [threading.Thread(target=save) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(p.name for p in path.parent.iterdir()) == ["teacher.safetensors"]  # no temp file left
    read_state_dict(path)


@pytest.mark.e2e
def test_a_run_on_damaged_caches_gives_the_solo_numbers(
    demo_ws: Path, demo_run: Path, isolated_home: Path
) -> None:
    shutil.copytree(isolated_home / "adv", demo_ws / "adv")
    victim = next(
        p for p in (demo_ws / "models" / "demo").glob("probe-*.safetensors") if ".epoch" not in p.name
    )
    victim.write_bytes(victim.read_bytes()[:1000])  # a truncated model
    for i, entry in enumerate(sorted((demo_ws / "adv").glob("*.npy"))):
        arr = np.load(entry)
        arr.flat[i % arr.size] = np.nan  # right shape, one NaN: accepted before, it changed the ε-curves
        np.save(entry, arr)
    out = demo_ws.parent / "out"
    proc = tltui("analyze", "demo", "--out", str(out), "--device", "cpu", "--workspace", str(demo_ws))
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads((out / "summary.json").read_text())["variants"]
    want = json.loads((demo_run / "summary.json").read_text())["variants"]
    assert got == want
    log = next((demo_ws / "runs").glob("*/log.txt")).read_text()
    assert "model cache: removed a damaged entry" in log and "adversarial cache: removed" in log
