"""`tltui localise`'s parameters: the variant, its layers or blocks, the interventions and the top-k follow-up."""

from __future__ import annotations

from dataclasses import dataclass

from tltui.base.catalogue.params import param
from tltui.base.errors import ParamError
from tltui.base.rundir.interventions import KINDS


@dataclass(frozen=True)
class LocaliseParams:
    """Layer interventions on one variant (docs/localise.md)."""

    variant: str = param("finetune", label="variant", help="the student whose layers are intervened on")
    layers: tuple[str, ...] | None = param(
        None,
        label="layers",
        help="layers or blocks to intervene on, one at a time (a block: every conv, linear and BatchNorm in "
        "it); empty: every conv and linear layer",
        layers="any",
    )
    interventions: tuple[str, ...] = param(
        KINDS,
        label="interventions",
        help="restore (the teacher's weights where shapes match), reinit (a seeded re-initialisation), bn (the "
        "teacher's BatchNorm statistics)",
    )
    rank_by: str = param(
        "reinit", label="rank by", help="the intervention whose |Δ DIR| ranks the layers", choices=KINDS
    )
    top_k: int = param(
        3, label="top k", help="cumulative interventions on the top 1…k ranked layers (0: none)", lo=0, hi=64
    )
    seed: int = param(0, label="seed", help="the re-initialisation's seed", lo=0, hi=2**31 - 1)

    def __post_init__(self) -> None:
        for name in ("layers", "interventions"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        bad = [k for k in self.interventions if k not in KINDS]
        if bad or not self.interventions:
            raise ParamError(f"--interventions {','.join(bad)}: choose from {', '.join(KINDS)}")
        if self.rank_by not in self.interventions:
            raise ParamError(
                f"--rank-by {self.rank_by}: not among --interventions {','.join(self.interventions)}"
            )
