"""`tltui bench`: attack throughput of our engine vs torchattacks in the same run, analyze time, peak memory."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tltui.base.catalogue.attacks import AA_QUERIES, AA_STEPS
from tltui.base.errors import ParamError
from tltui.base.executor import EXECUTORS, check_executor, executor_from
from tltui.base.rundir import BENCH
from tltui.base.runfiles import load_json
from tltui.commands import common
from tltui.commands.flags import add_common, add_job_flags


def add_parser(sub: Any) -> None:
    p = sub.add_parser("bench", help="the performance benchmark (ours vs torchattacks, same process)")
    p.add_argument(
        "--batch-size", type=int, default=None, help="images per attack batch (default: fill the device)"
    )
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile measurement")
    p.add_argument("--no-analyze", action="store_true", help="skip timing a full `analyze demo`")
    p.add_argument(
        "--study",
        choices=["large"],
        default=None,
        help="large: analyse the generated 224-px study, timed per stage, with peak memory (written once into the "
        "workspace; procedural images, no download)",
    )
    p.add_argument("--n", type=int, default=2000, help="--study large: test images (default 2000)")
    p.add_argument(
        "--arch",
        choices=["small", "resnet18"],
        default=None,
        help="--study large: the models (default: resnet18 on CUDA, a small CNN on the CPU)",
    )
    p.add_argument(
        "--steps", type=int, default=2, help="--study large: PGD steps of every attack (default 2)"
    )
    p.add_argument(
        "--aa-steps", type=int, default=AA_STEPS, help=f"AutoAttack preset iterations (default {AA_STEPS})"
    )
    p.add_argument(
        "--aa-queries",
        type=int,
        default=AA_QUERIES,
        help=f"AutoAttack preset: Square's queries (default {AA_QUERIES})",
    )
    p.add_argument(
        "--train",
        action="store_true",
        help="also time a mitigation's training (finetune, 1 epoch; --study large: on N generated training images)",
    )
    p.add_argument("--out", default=None, help="directory for bench.json (default: the job's run directory)")
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        default=None,
        help="ray: time the demo's attack shards on N Ray workers against 1, and Ray against the local executor "
        "(with --study large: the large study's analysis with its attacks as Ray shards)",
    )
    p.add_argument("--ray-address", default=None, help="the Ray cluster to join (default: start one here)")
    p.add_argument(
        "--workers", type=int, default=None, help="N for the Ray figures (default: the cluster's CPUs)"
    )
    add_job_flags(p)
    add_common(p)


def run(args: argparse.Namespace) -> int:
    ex = {"executor": args.executor, "ray_address": args.ray_address, "workers": args.workers}
    if args.workers is not None and args.workers < 1:
        raise ParamError(f"--workers {args.workers}: must be at least 1")
    check_executor(executor_from(ex))
    params = {
        **ex,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "compile": not args.no_compile,
        "analyze": not args.no_analyze,
        "aa_steps": args.aa_steps,
        "aa_queries": args.aa_queries,
        "train": args.train,
        "out": str(Path(args.out).resolve()) if args.out else None,
    }
    for flag, value in (("--aa-steps", args.aa_steps), ("--aa-queries", args.aa_queries)):
        if value < 1:
            raise ParamError(f"{flag} must be at least 1, got {value}")
    if args.study:
        for flag, value in (("--n", args.n), ("--steps", args.steps), ("--batch-size", args.batch_size or 1)):
            if value < 1:
                raise ParamError(f"{flag} must be at least 1, got {value}")
        params.update(study=args.study, n=args.n, arch=args.arch, steps=args.steps)
    record = common.run_job("bench", params, args)
    if record is None:
        return 0
    out = Path(args.out).resolve() if args.out else Path(record.run_dir)
    result = load_json(out / BENCH)
    if result.get("kind") == "large":
        print_large(result)
    else:
        print_bench(result)
    return 0


def print_large(r: dict[str, Any]) -> None:
    """The large-study benchmark: seconds per stage, peak memory and the attack rates."""
    print(
        f"large study ({r.get('executor', 'local')} executor) · {r['n_test']} test images {'×'.join(map(str, r['image']))} · {r['arch']} on "
        f"{r.get('gpu', r['device'])} · batch {r['batch']} · PGD-{r['attack']['steps']}"
    )
    print(f"  {'generate (first run only)':<40} {r['generate_s']:>9.1f} s")
    for stage, sec in r["stages_s"].items():
        print(f"  {stage:<40} {sec:>9.2f} s")
    print(f"  {'analyze, end to end':<40} {r['analyze_s']:>9.1f} s")
    if "train_img_s" in r:
        print(f"  {'finetune training, ' + str(r['train_images']) + ' images':<40} {r['train_s']:>9.1f} s")
        print(f"  {'  training rate':<40} {r['train_img_s']:>9,.0f} img/s")
        print(f"  {'peak host memory before training':<40} {r['peak_rss_before_train_mib']:>9,.0f} MiB")
    print(f"  {'peak host memory (RSS)':<40} {r['peak_rss_mib']:>9,.0f} MiB")
    print(f"  {'decoded data (uint8)':<40} {r['uint8_mib']:>9,.0f} MiB")
    if "peak_gpu_mib" in r:
        print(f"  {'peak GPU memory':<40} {r['peak_gpu_mib']:>9,.0f} MiB")
    for key, label in (
        ("eager_fp32_img_s", "PGD, plain fp32 eager loop"),
        ("ours_img_s", "PGD, ours"),
        ("torchattacks_img_s", "PGD, torchattacks"),
    ):
        print(f"  {label:<40} {r[key]:>9,.0f} img/s")
    print(
        f"  {'ours vs fp32 eager / vs torchattacks':<40} {r['vs_eager']:>8.2f}x / {r['vs_torchattacks']:.2f}x"
    )
    print_gpu(r, 40)


def print_gpu(r: dict[str, Any], width: int) -> None:
    """The CUDA figures: PGD in each form against the model's step-rate ceiling, the OOM retry, training."""
    g = r.get("gpu_pgd")
    if g is not None:
        for key, label in (
            ("fp32_eager_img_s", "PGD, fp32 eager"),
            ("bf16_autocast_img_s", "PGD, bf16 autocast"),
            ("channels_last_img_s", "PGD, bf16 + channels_last"),
            ("compiled_img_s", "PGD, bf16 + channels_last, compiled"),
            ("ceiling_img_s", "model's step-rate ceiling (fwd+bwd / k)"),
        ):
            if key in g:
                print(f"  {label:<{width}} {g[key]:>12,.0f} img/s")
        print(
            f"  {g['best_form'] + ' vs ceiling / vs fp32 eager':<{width}} {g['vs_ceiling']:>11.1%} / "
            f"{g['vs_fp32_eager']:.2f}x"
        )
        if "compiled_error" in g:
            print(f"  compile skipped: {g['compiled_error']}")
    if "oom_batches_tried" in r:
        tried = " → ".join(str(b) for b in r["oom_batches_tried"])
        print(
            f"  {'OOM retry under a ' + format(r['oom_cap_mib'], ',.0f') + ' MiB cap':<{width}} batch {tried}"
        )
    if "train_img_s" in r and "train_images" not in r:
        print(f"  {'training (1 epoch, uint8 batches)':<{width}} {r['train_img_s']:>12,.0f} img/s")


def print_bench(r: dict[str, Any]) -> None:
    """The benchmark as a short table."""
    if r.get("executor") == "ray":
        print_ray_bench(r)
        return
    print(
        f"{r['model']} on {r.get('gpu', r['device'])} · batch {r['batch']} · PGD-{r['steps']} L∞ ε={r['eps']:.4g}"
    )
    rows = [("torchattacks PGD (fp32 eager)", r["torchattacks_img_s"]), ("ours", r["ours_img_s"])]
    for key, label in (
        ("ours_channels_last_img_s", "ours, channels_last"),
        ("ours_compiled_img_s", "ours, compiled"),
    ):
        if key in r:
            rows.append((label, r[key]))
    for label, v in rows:
        print(f"  {label:<32} {v:>12,.0f} img/s")
    print(f"  {'speed-up vs torchattacks':<32} {r['speedup_vs_torchattacks']:>12.2f}x")
    print(f"  {'forward only':<32} {r['forward_img_s']:>12,.0f} img/s")
    if "ours_compiled_error" in r:
        print(f"  compile skipped: {r['ours_compiled_error']}")
    aa = r.get("autoattack")
    if isinstance(aa, dict):
        print(
            f"  {'AutoAttack preset (standard)':<32} {aa['s_per_img'] * 1000:>12,.1f} ms/img  on {aa['images']} images"
        )
        for a in aa.get("attacks", []):
            per = a["seconds"] * 1000 / a["attacked"] if a["attacked"] else 0.0
            print(
                f"    {a['name']:<30} {per:>12,.1f} ms/img  on {a['attacked']} images, "
                f"{a['queries_spent']:g} of {a['queries']} queries per image"
            )
    if "analyze_demo_s" in r:
        print(f"  {'analyze demo':<32} {r['analyze_demo_s']:>12.1f} s")
    print_gpu(r, 32)
    if "peak_gpu_mib" in r:
        print(f"  {'peak GPU memory':<32} {r['peak_gpu_mib']:>12,.0f} MiB")
    print(f"  {'peak host memory (RSS)':<32} {r['peak_rss_mib']:>12,.0f} MiB")


def print_ray_bench(r: dict[str, Any]) -> None:
    """The Ray benchmark: N workers against 1 on the same shards, and Ray against the local executor."""
    n, runs = r["workers"], r["ray_attacks"]
    print(
        f"demo on Ray ({r['address']}: {r['cluster_cpus']:g} CPUs, {r['cluster_gpus']:g} GPUs; device "
        f"{r['device']}) · {r['attack_sets']} attack sets as {r['shards']} shards of {r['n_test']} images"
    )
    rows = [("attacks, local executor", r["local_attacks_s"], "s")]
    rows += [(f"attack shards, {k} Ray worker(s)", v["shards_s"], "s") for k, v in runs.items()]
    rows += [
        (f"speed-up, {n} workers over 1", r["speedup_n_over_1"], "x"),
        ("start or join Ray", r["ray_start_s"], "s"),
        (f"start {n} workers (imports)", r["worker_warmup_s"], "s"),
        ("analyze demo, local executor", r["analyze_demo_local_s"], "s"),
        ("analyze demo, Ray (joined)", r["analyze_demo_ray_s"], "s"),
        ("overhead of Ray", r["ray_overhead_s"], "s"),
    ]
    for label, v, unit in rows:
        print(f"  {label:<34} {v:>9.2f} {unit}")
