"""Attack shards are fixed by the batch size and seeded by their index: any order gives the local set."""

from __future__ import annotations

import torch

from tests.nets import SmallCNN
from tltui.base.progress import drain
from tltui.core.attacks import ATTACKS, TEACHER_ATTACKS
from tltui.core.attacks.engine import AttackConfig
from tltui.core.evaluate import PixelModel, attack_shard, attack_split, feature_fn, shard_bounds

CPU = torch.device("cpu")
CFG = AttackConfig(eps=0.1, alpha=0.02, steps=5, random_start=True)


def test_shard_bounds_cover_the_split_once_in_order() -> None:
    assert shard_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert shard_bounds(8, 8) == [(0, 8)]
    assert shard_bounds(0, 8) == []


def test_shards_in_any_order_give_the_local_set() -> None:
    torch.manual_seed(1)
    x, y = torch.rand(10, 1, 8, 8), torch.randint(0, 3, (10,))
    model = PixelModel(SmallCNN(3), (0.5,), (0.5,)).eval()
    written: list[torch.Tensor] = []

    class Sink:
        def write(self, batch: torch.Tensor) -> None:
            written.append(batch)

    drain(attack_split(ATTACKS["pgd"], model, x, y, CFG, device=CPU, batch_size=4, seed=5)(Sink()))
    local = torch.cat(written)
    torch.manual_seed(123)  # whatever the global generator holds, the shards do not read it
    parts = {
        b: attack_shard(ATTACKS["pgd"], model, x[lo:hi], y[lo:hi], CFG, device=CPU, seed=5 + b)
        for b, (lo, hi) in reversed(list(enumerate(shard_bounds(10, 4))))
    }
    assert torch.equal(torch.cat([parts[b] for b in sorted(parts)]), local)
    assert not torch.equal(local[:4], local[4:8])  # each shard has its own random start


def test_a_shard_leaves_the_global_generator_as_it_found_it() -> None:
    net = SmallCNN(3).eval()
    phi = feature_fn(net, "fc", (0.5,), (0.5,))
    torch.manual_seed(7)
    x = torch.rand(3, 1, 8, 8)
    before = torch.get_rng_state()
    attack_shard(TEACHER_ATTACKS["feature"], phi, x, None, CFG, device=CPU, seed=0)
    assert torch.equal(torch.get_rng_state(), before)
