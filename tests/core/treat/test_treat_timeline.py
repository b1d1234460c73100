"""The treatments' own training loops call the timeline's watcher after every step and train as unwatched."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from tests.nets import tiny_analysis
from tltui.base.catalogue.treatment import FmtParams, ModelDoctorParams
from tltui.base.progress import drain
from tltui.core.train import Schedule
from tltui.core.treat.masked import Part, train_masked
from tltui.core.treat.model_doctor import run


class _Counting:
    """A watcher that evaluates the model at every step, as the timeline does (eval mode, no gradients)."""

    def __init__(self, *shape: int) -> None:
        self.shape = shape
        self.seen: list[tuple[int, int, int]] = []

    def watch(self, model: nn.Module, schedule: Schedule, n_train: int, after: object) -> object:
        self.seen.append((schedule.epochs, schedule.batch_size, n_train))

        def hook(m: nn.Module) -> None:
            with torch.inference_mode():
                m(torch.ones(2, *self.shape))
            self.seen.append((-1, -1, -1))

        return hook


def test_the_masked_loop_of_dare_and_fmt_calls_the_watcher_after_every_step() -> None:
    x, y = torch.randn(10, 3), torch.randn(10, 2)

    def trained(watcher: _Counting | None) -> nn.Module:
        torch.manual_seed(0)
        model = nn.Linear(3, 2)
        masks = {"weight": torch.tensor([[True, False, True], [False, True, True]])}

        def parts(idx: torch.Tensor) -> list[Part]:
            return [(((model(x[idx]) - y[idx]) ** 2).mean(), masks)]

        settings = FmtParams(train_batch_size=4, seed=1)
        drain(
            train_masked(
                model, masks, ["bias"], 10, parts, settings, epochs=2, lr=0.1, phase="t", watcher=watcher
            )
        )
        return model

    watcher = _Counting(3)
    plain, watched = trained(None), trained(watcher)
    assert torch.equal(plain.weight, watched.weight) and torch.equal(plain.bias, watched.bias)
    # asked once for the run (2 epochs of batch 4 over 10 inputs), then called after each of the 2 × 3 steps
    assert watcher.seen == [(2, 4, 10)] + [(-1, -1, -1)] * 6


def test_model_doctor_is_watched_and_trains_as_unwatched(tmp_path: Path) -> None:
    an = tiny_analysis(tmp_path)
    params = ModelDoctorParams(epochs=2, lr=1e-2, n_per_class=8, timeline=4)
    plain = drain(run(an, params))
    an.timeline = watcher = _Counting(1, 8, 8)
    watched = drain(run(an, params))
    for (k, a), b in zip(plain.state_dict().items(), watched.state_dict().values(), strict=True):
        assert torch.equal(a, b), k
    # 48 training images at batch 64: one step per epoch, each followed by an evaluation
    assert watcher.seen == [(2, 64, 48)] + [(-1, -1, -1)] * 2
