"""Adversarial examples are cached per (model, attack, budget, data): a second request computes nothing."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import torch

from tltui.base.progress import Progress, drain
from tltui.core.advcache import AdvCache, model_digest
from tltui.core.attacks.engine import AttackConfig
from tltui.core.models import DigitsNet


def compute(value: float, calls: list[int]) -> Generator[Progress, None, torch.Tensor]:
    calls.append(1)
    yield Progress("attack", 1, 1)
    return torch.full((2, 1, 4, 4), value)


def test_second_request_is_served_from_disk(tmp_path: Path) -> None:
    cache = AdvCache(tmp_path)
    cfg = AttackConfig(eps=0.1, alpha=0.02, steps=3)
    key = cache.key("m1", "pgd", cfg, "d1", 0)
    calls: list[int] = []
    first = drain(cache.get_or_run(key, compute(0.25, calls)))
    again = drain(cache.get_or_run(key, compute(0.75, calls)))
    assert calls == [1]
    assert torch.equal(first, again)


def test_key_depends_on_what_determines_the_attack() -> None:
    cache = AdvCache(Path("."))
    cfg = AttackConfig(eps=0.1, alpha=0.02, steps=3)
    base = cache.key("m", "pgd", cfg, "d", 0)
    assert base == cache.key("m", "pgd", cfg, "d", 0)
    others = {
        cache.key("m2", "pgd", cfg, "d", 0),
        cache.key("m", "fgsm", cfg, "d", 0),
        cache.key("m", "pgd", AttackConfig(eps=0.2, alpha=0.02, steps=3), "d", 0),
        cache.key("m", "pgd", cfg, "d2", 0),
        cache.key("m", "pgd", cfg, "d", 1),
    }
    assert base not in others and len(others) == 5


def test_model_digest_tracks_weights() -> None:
    torch.manual_seed(0)
    a = DigitsNet(5)
    b = DigitsNet(5)
    b.load_state_dict(a.state_dict())
    assert model_digest(a) == model_digest(b)
    with torch.no_grad():
        b.conv1.weight[0, 0, 0, 0] += 1e-3
    assert model_digest(a) != model_digest(b)


def test_sets_of_any_size_are_cached_under_the_cap_least_recently_used_first(tmp_path: Path) -> None:
    import os

    from tltui.core.images import Images

    root = tmp_path / "adv"
    data = 2 * 1 * 4 * 4 * 4  # a 2×1×4×4 float32 set (its file adds a 128-byte .npy header)
    cache = AdvCache(root, cap=2 * (data + 128))
    cfg = AttackConfig(eps=0.5, alpha=0.02, steps=3)
    clean = torch.full((2, 1, 4, 4), 0.5)
    calls: list[int] = []
    keys = [cache.key("m", "pgd", cfg, "d", seed) for seed in range(3)]
    for i, key in enumerate(keys[:2]):
        drain(cache.get_or_run(key, compute(0.25, calls), clean, cfg))
        os.utime(root / f"{key}.npy", (1_000 + i, 1_000 + i))
    drain(cache.get_or_run(keys[0], compute(0.25, calls), clean, cfg))  # read: now the most recent
    assert calls == [1, 1]
    drain(cache.get_or_run(keys[2], compute(0.25, calls), clean, cfg))
    assert sorted(p.stem for p in root.glob("*.npy")) == sorted([keys[0], keys[2]])  # keys[1] evicted
    small = AdvCache(tmp_path / "small", cap=data - 1)
    got = drain(small.get_or_write(keys[0], lambda w: _write(w, clean), Images.of(clean), cfg))
    assert torch.equal(got.full(), clean) and not list((tmp_path / "small").glob("*.npy"))  # over the cap


def _write(writer, x: torch.Tensor) -> Generator[Progress, None, None]:  # type: ignore[no-untyped-def]
    writer.write(x)
    yield Progress("attack", 1, 1)


def test_shards_written_out_of_order_make_the_set_and_a_cancelled_one_leaves_nothing(tmp_path: Path) -> None:
    import numpy as np
    import pytest

    cache = AdvCache(tmp_path)
    x = torch.rand(7, 1, 2, 2)
    writer = cache.open("k", tuple(x.shape))
    for lo, hi in ((4, 7), (0, 2), (2, 4)):  # as Ray shards land
        writer.write_at(lo, x[lo:hi].numpy())
    with pytest.raises(ValueError, match="do not fit"):
        writer.write_at(1, np.zeros((2, 1, 2, 2), dtype=np.float32))  # rows already written
    cache.hand("k", writer)
    assert (tmp_path / "k.npy").is_file() and torch.equal(drain(cache.get_or_run("k", compute(0, []))), x)
    half = cache.open("h", tuple(x.shape))
    half.write_at(0, x[:3].numpy())
    half.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.npy"]
