"""A small valid study TOML the tests vary (paths relative to the file: train/, test/, t.safetensors)."""

from __future__ import annotations

from pathlib import Path

GOOD = """
name = "s"
[data]
train = "train"
test = "test"
image_size = 16
channels = 1
mean = [0.5]
std = [0.5]
[teacher]
arch = "tltui:digitsnet"
weights = "t.safetensors"
num_classes = 5
[[variants]]
name = "ft"
build = "finetune"
arch = "tltui:digitsnet"
num_classes = 5
[attack]
eps = 0.1
alpha = 0.02
steps = 5
"""


def study_files(d: Path) -> Path:
    """The files GOOD names (train/, test/ with one class each, an empty teacher file) under `d`; returns `d`."""
    (d / "train" / "a").mkdir(parents=True)
    (d / "test" / "a").mkdir(parents=True)
    (d / "t.safetensors").write_bytes(b"")
    return d
