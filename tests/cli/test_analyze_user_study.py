"""A user study (torchvision resnet18 weights as safetensors, an ImageFolder of PNGs) analysed end to end."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from safetensors.torch import save_file
from sklearn.datasets import load_digits

from tests.exits import job_error_line
from tests.quick import QUICK_ATTACK

MEAN, STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)


def make_study(root: Path) -> Path:
    digits = load_digits()
    rng = np.random.default_rng(0)
    for label in range(5, 10):
        idx = rng.choice(np.flatnonzero(digits.target == label), 8, replace=False)
        for i in idx:
            img = (digits.images[i] / 16 * 255).astype(np.uint8)
            out = root / "data" / "test" / f"d{label}" / f"{i}.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(img).resize((16, 16), Image.Resampling.NEAREST).save(out)
    torch.manual_seed(0)
    for name, n in (("teacher", 5), ("student", 5)):
        net = torchvision.models.resnet18(num_classes=n)
        save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(root / f"{name}.safetensors"))
    study = root / "study.toml"
    study.write_text(
        f"""name = "digits-resnet"
[data]
test = "data/test"
image_size = 16
mean = {list(MEAN)}
std = {list(STD)}
[teacher]
arch = "torchvision:resnet18"
weights = "teacher.safetensors"
num_classes = 5
[[variants]]
name = "finetune"
arch = "torchvision:resnet18"
weights = "student.safetensors"
num_classes = 5
[attack]
eps = 0.05
alpha = 0.05
steps = 1
eps_grid = [0.0, 0.05]
"""
    )
    return study


def direct_accuracy(root: Path) -> float:
    """Evaluate the student's weights on the PNGs without any tltui code."""
    net = torchvision.models.resnet18(num_classes=5)
    from safetensors.torch import load_file

    net.load_state_dict(load_file(str(root / "student.safetensors")))
    net.eval()
    classes = sorted(p.name for p in (root / "data" / "test").iterdir())
    correct = total = 0
    for ci, c in enumerate(classes):
        for f in sorted((root / "data" / "test" / c).glob("*.png")):
            img = Image.open(f).convert("RGB").resize((16, 16), Image.Resampling.BILINEAR)
            x = torch.from_numpy(np.asarray(img)).permute(2, 0, 1).float().div(255)
            x = (x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)
            with torch.no_grad():
                correct += int(net(x[None]).argmax(1).item() == ci)
            total += 1
    return correct / total


def test_user_study_clean_accuracy_matches_direct_evaluation(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    study = make_study(tmp_path)
    proc = cli("analyze", str(study), "--out", str(tmp_path / "out"), "--device", "cpu", *QUICK_ATTACK)
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["study"] == "digits-resnet" and summary["n_test"] == 40
    assert summary["variants"]["finetune"]["aoi"] == direct_accuracy(tmp_path)
    assert summary["teacher"]["source_acc"] is None
    assert summary["variants"]["finetune"]["dir"] is not None


def test_head_size_mismatch_is_named(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    study = make_study(tmp_path)
    text = study.read_text().replace(
        'weights = "student.safetensors"\nnum_classes = 5', 'weights = "student.safetensors"\nnum_classes = 7'
    )
    study.write_text(text)
    proc = cli("analyze", str(study), "--out", str(tmp_path / "out"), "--device", "cpu")
    assert "fc.weight (5, 512)≠(7, 512)" in job_error_line(proc.returncode, proc.stderr)
