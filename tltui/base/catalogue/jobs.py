"""Job kinds: what a job runs (a "module:function" in the child process) and the parameters every job shares."""

from __future__ import annotations

from dataclasses import dataclass

from tltui.base.catalogue.entry import Entry
from tltui.base.catalogue.localise import LocaliseParams
from tltui.base.catalogue.params import param

ENTRY = "tltui.core.entrypoints"


@dataclass(frozen=True)
class RunParams:
    """How a diagnosis runs, whatever the job (analyze, mitigate, treat); the attack it runs is `AttackParams`."""

    batch_size: int = param(
        512, label="batch size", help="evaluation and attack batch size", lo=1, hi=1 << 20
    )
    compile: bool = param(False, label="compile", help="torch.compile the attacked models (CUDA, large sets)")
    executor: str | None = param(
        None,
        label="executor",
        help="where the attack shards and seed builds run: local (the job's own process) or ray (a Ray "
        "cluster); unset: $TLTUI_EXECUTOR, else local",
        choices=("local", "ray"),
    )
    ray_address: str | None = param(
        None,
        label="Ray address",
        help="the Ray cluster to join (host:port of `ray start --head`, or auto); unset: $RAY_ADDRESS, else "
        "a Ray instance started for the job on this machine",
    )
    workers: int | None = param(
        None,
        label="workers",
        help="Ray: at most this many shards at once (unset: all the cluster allows)",
        lo=1,
    )
    shard_gpus: float | None = param(
        None,
        label="GPUs per shard",
        help="Ray: GPUs each shard asks for (0.25: four small-model shards share one); unset: 1 on CUDA, else 0",
        lo=0.0,
        hi=8.0,
    )


JOBS: dict[str, Entry] = {
    "analyze": Entry("analyze", "the full diagnosis of a study", f"{ENTRY}:analyze_job", RunParams),
    "mitigate": Entry(
        "mitigate", "produce a mitigated variant and diagnose", f"{ENTRY}:mitigate_job", RunParams
    ),
    "treat": Entry("treat", "produce a treated variant and diagnose", f"{ENTRY}:treat_job", RunParams),
    "localise": Entry(
        "localise",
        "layer interventions: where the inheritance lives",
        f"{ENTRY}:localise_job",
        LocaliseParams,
    ),
    "sweep": Entry(
        "sweep",
        "a method and its matched baseline at each value of a recipe",
        f"{ENTRY}:sweep_job",
        RunParams,
    ),
    "preview": Entry("preview", "the ReMoS slice order for the preview", f"{ENTRY}:preview_job"),
    "details": Entry("details", "saliency, Grad-CAM and windows of instances", f"{ENTRY}:details_job"),
    "tsne": Entry("tsne", "a t-SNE projection of a model's features", f"{ENTRY}:tsne_job"),
    "bench": Entry("bench", "the performance benchmark", f"{ENTRY}:bench_job"),
}
"""Job kind -> entry; `target` is `job(params, ctx) -> Iterator[Progress] | None`."""

DEVICE_RESOLVER = "tltui.core.device:device_name"
"""Resolves `--device` (auto | cpu | cuda[:N]) to a device name in the job's child process."""
