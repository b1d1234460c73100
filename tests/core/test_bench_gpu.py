"""The GPU figures of `tltui bench`: every PGD form, the step-rate ceiling, the OOM retry, training speed; run on
tiny models on the CPU, and on CUDA where there is one (skipped cleanly without)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tltui.commands.bench import print_gpu
from tltui.core.attacks.engine import AttackConfig
from tltui.core.benchgpu import halving, oom_probe, pgd_rates, train_rate

CFG = AttackConfig(eps=0.1, alpha=0.02, steps=2)


def _tiny(dev: torch.device) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3)
    )
    return net.to(dev).eval(), torch.rand(16, 3, 8, 8, device=dev), torch.randint(0, 3, (16,), device=dev)


def test_pgd_forms_and_ceiling_on_the_cpu(capsys: pytest.CaptureFixture[str]) -> None:
    dev = torch.device("cpu")
    net, x, y = _tiny(dev)
    r = pgd_rates(net, x, y, CFG, dev, 1, compile=False)
    for key in ("fp32_eager_img_s", "bf16_autocast_img_s", "channels_last_img_s", "ceiling_img_s"):
        assert r[key] > 0, key
    assert (
        r["best_form"] == "channels_last" and r["vs_ceiling"] == r["channels_last_img_s"] / r["ceiling_img_s"]
    )
    assert oom_probe(net, x, y, CFG, dev) == {"oom_probe": "needs CUDA"}
    assert train_rate(net, x, y, dev, 8) > 0
    print_gpu(
        {"gpu_pgd": r, "oom_cap_mib": 512.0, "oom_batches_tried": [4096, 2048, 1024], "train_img_s": 9.0}, 40
    )
    out = capsys.readouterr().out
    assert "model's step-rate ceiling" in out and "batch 4096 → 2048 → 1024" in out and "512 MiB cap" in out


def test_an_out_of_memory_error_halves_the_batch() -> None:
    def run(batch: int) -> None:
        if batch > 5:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2 GiB")

    assert halving(run, 24) == [24, 12, 6, 3]
    with pytest.raises(ValueError):
        halving(lambda b: (_ for _ in ()).throw(ValueError("not memory")), 8)
    with pytest.raises(torch.cuda.OutOfMemoryError):
        halving(lambda b: run(99), 1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_gpu_forms_and_the_oom_retry_under_a_cap() -> None:
    dev = torch.device("cuda")
    net, x, y = _tiny(dev)
    x, y = x.repeat(64, 1, 1, 1), y.repeat(64)
    r = pgd_rates(net, x, y, CFG, dev, 1, compile=False)
    assert r["bf16_autocast_img_s"] > 0 and r["ceiling_img_s"] > 0
    probe = oom_probe(net, x, y, CFG, dev)
    assert probe["oom_batches_tried"][-1] <= len(x) and probe["oom_cap_mib"] > 0
