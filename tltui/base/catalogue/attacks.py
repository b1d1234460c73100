"""Attacks (docs/attacks.md): white-box attacks on a classifier, and teacher-only attacks for DIR."""

from __future__ import annotations

from typing import Any

from tltui.base.catalogue.entry import Entry

_ZOO = {
    "fgsm": "FGSM",
    "pgd": "PGD (L∞) or PGD-L2",
    "cw": "Carlini–Wagner L2 (minimum norm, projected onto the ε ball)",
    "apgd": "Auto-PGD",
    "deepfool": "DeepFool (minimum norm, projected onto the ε ball)",
    "mifgsm": "momentum iterative FGSM",
    "square": "Square (score-based, no gradients)",
}

ATTACKS: dict[str, Entry] = {
    "pgd": Entry("pgd", "our batched PGD on the cross-entropy, L∞ or L2", "tltui.core.attacks.pgd:run"),
    "fgsm": Entry("fgsm", "our FGSM: one full-ε signed gradient step", "tltui.core.attacks.fgsm:run"),
    **{
        f"ta-{name}": Entry(f"ta-{name}", f"torchattacks {text}", f"tltui.core.attacks.zoo:ta_{name}")
        for name, text in _ZOO.items()
    },
}
"""White-box attack name -> entry; `target` is `run(forward, x, y, cfg, generator=None) -> x_adv`."""

TEACHER_ATTACKS: dict[str, Entry] = {
    "feature": Entry(
        "feature",
        "maximise the distortion of the teacher's penultimate features",
        "tltui.core.attacks.feature:run",
    ),
    "neuron": Entry(
        "neuron",
        "ReMoS: drive one penultimate neuron of the teacher high and the others to zero",
        "tltui.core.attacks.neuron:run",
    ),
    "remos": Entry(
        "remos",
        "ReMoS's myloss: penultimate neuron 0 towards 1000, the others towards 0 (weight 0.1)",
        "tltui.core.attacks.remos_target:run",
    ),
}
"""Teacher attack name -> entry; `target` is `run(features, x, cfg, generator=None) -> x_adv`."""

TEACHER_PRESETS: dict[str, dict[str, Any]] = {
    "remos": {
        "name": "remos",
        "eps": 0.1,
        "alpha": 0.01,
        "steps": 40,
        "random_start": True,
        "space": "normalized",
    },
}
"""Teacher-attack protocols by name: `remos` is ReMoS's (CV_adv/eval_robustness.py): its myloss objective, L∞
ε 0.1 and step 0.01 in normalised units, 40 steps, random start."""
