"""Layers of the built-in architectures, known without torch (so parameters naming layers are checked at once)."""

from __future__ import annotations

ARCH_LAYERS: dict[str, tuple[tuple[str, str], ...]] = {
    "tltui:digitsnet": (
        ("conv1", "Conv2d"),
        ("conv2", "Conv2d"),
        ("conv3", "Conv2d"),
        ("conv4", "Conv2d"),
        ("fc", "Linear"),
    ),
}
"""arch spec -> (module name, module type) of every conv and linear layer, in network order."""
ARCH_LAYERS["tltui:smallcnn"] = ARCH_LAYERS["tltui:digitsnet"]  # the same layers, a strided first conv
