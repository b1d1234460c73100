"""Build a bring-your-own study from scikit-learn's bundled digits: ImageFolder PNGs, a trained ResNet-18 teacher.

`.venv/bin/python scripts/byo_study.py DIR [--size 16] [--epochs 8] [--per-class 80]` writes DIR/study.toml,
DIR/teacher.safetensors and DIR/data/{train,test,source_test}: the teacher (`torchvision:resnet18`, 5 classes) is
trained on digits 0–4 (70 % of each digit; seeded, on the CPU), the student task is digits 5–9 (`--per-class`
images of each, 70 % train, 30 % test, so that each tltui job takes minutes on two cores). Nothing is downloaded.
Then e.g.
`tltui analyze DIR/study.toml --out DIR/runs/analyze`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image
from safetensors.torch import save_file
from sklearn.datasets import load_digits
from torch import nn

MEAN, STD = (0.5, 0.5, 0.5), (0.25, 0.25, 0.25)
SOURCE, STUDENT = range(0, 5), range(5, 10)


def _png(image: np.ndarray, size: int) -> Image.Image:
    gray = Image.fromarray((image / 16 * 255).astype(np.uint8))
    return gray.resize((size, size), Image.Resampling.BILINEAR).convert("RGB")


def write_trees(
    root: Path, size: int, per_class: int | None = None, source_per_class: int | None = None, seed: int = 0
) -> None:
    """Split each digit's images (seeded, stratified, 30 % test) and write the ImageFolder trees as RGB PNGs.

    `per_class` keeps that many images of each student digit (5–9) before the split, `source_per_class` of each
    source digit (0–4); None keeps all.
    """
    digits = load_digits()
    rng = np.random.default_rng(seed)
    for label in range(10):
        idx = rng.permutation(np.flatnonzero(digits.target == label))
        idx = idx[: per_class if label in STUDENT else source_per_class]
        n_test = round(0.3 * len(idx))
        if label in SOURCE:
            splits = {"source_train": idx[n_test:], "source_test": idx[:n_test]}
        else:
            splits = {"train": idx[n_test:], "test": idx[:n_test]}
        for split, members in splits.items():
            folder = root / "data" / split / f"d{label}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in members:
                _png(digits.images[i], size).save(folder / f"{i:04d}.png")


def _load_tree(tree: Path) -> tuple[torch.Tensor, torch.Tensor]:
    xs, ys = [], []
    for ci, folder in enumerate(sorted(p for p in tree.iterdir() if p.is_dir())):
        for f in sorted(folder.glob("*.png")):
            xs.append(np.asarray(Image.open(f).convert("RGB"), dtype=np.float32) / 255)
            ys.append(ci)
    x = torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2)
    x = (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    return x, torch.tensor(ys)


def accuracy(net: nn.Module, tree: Path) -> float:
    """The share of `tree`'s images `net` classifies right (the study's preprocessing: no resize, MEAN/STD)."""
    x, y = _load_tree(tree)
    net.eval()
    with torch.no_grad():
        return float((net(x).argmax(1) == y).float().mean())


def train_teacher(root: Path, epochs: int, seed: int = 0) -> nn.Module:
    """Train ResNet-18 (5 classes) on the source task's training tree, seeded; save it as safetensors."""
    torch.manual_seed(seed)
    x, y = _load_tree(root / "data" / "source_train")
    net = torchvision.models.resnet18(num_classes=len(SOURCE))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        net.train()
        for batch in torch.randperm(len(y), generator=gen).split(64):
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[batch]), y[batch]).backward()
            opt.step()
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(root / "teacher.safetensors"))
    return net


def write_toml(root: Path, size: int) -> Path:
    """The study file: the teacher, a tltui-built finetune and scratch student, the demo's attack (eps 0.1)."""
    study = root / "study.toml"
    arch = 'arch = "torchvision:resnet18"\nnum_classes = 5'
    study.write_text(
        f"""name = "digits-resnet18"
seed = 0
[data]
train = "data/train"
test = "data/test"
source_test = "data/source_test"
image_size = {size}
mean = {list(MEAN)}
std = {list(STD)}
[teacher]
{arch}
weights = "teacher.safetensors"
[[variants]]
name = "finetune"
{arch}
build = "finetune"
[[variants]]
name = "scratch"
{arch}
build = "scratch"
[attack]
eps = 0.1
alpha = 0.02
steps = 10
eps_grid = [0.0, 0.1]
"""
    )
    return study


def build(
    root: Path,
    size: int = 16,
    epochs: int = 8,
    per_class: int | None = 80,
    source_per_class: int | None = None,
) -> Path:
    """Write the whole study folder under `root`; return the study file."""
    write_trees(root, size, per_class, source_per_class)
    net = train_teacher(root, epochs)
    print(f"teacher source accuracy {accuracy(net, root / 'data' / 'source_test'):.3f}")
    return write_toml(root, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--size", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--per-class", type=int, default=80)
    args = parser.parse_args()
    print(build(args.root, args.size, args.epochs, args.per_class))


if __name__ == "__main__":
    main()
