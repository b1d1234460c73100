"""A small valid study TOML the tests vary (paths relative to the file: train/, test/, t.safetensors)."""

from __future__ import annotations

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
