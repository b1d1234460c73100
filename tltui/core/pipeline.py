"""The headless diagnosis: load or build every model, attack, measure, and write the run directory."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch

from tltui.base import outstage, rundir
from tltui.base.budget import run_budget
from tltui.base.checklines import finding_lines
from tltui.base.executor import Executor
from tltui.base.intervals import BOOT_SEED, N_BOOT, Outcomes, variant_intervals
from tltui.base.outlock import hold_out
from tltui.base.progress import Progress, WorkPlan
from tltui.base.rundir import keys
from tltui.base.rundir.shape import (
    AttackBlock,
    Summary,
    TeacherAttackBlock,
    TeacherInfo,
    VariantMetrics,
)
from tltui.base.rundir.writer import (
    add_autoattack,
    add_checks,
    add_dir_ladder,
    add_fairness,
    add_intervals,
    new_summary,
    teacher_attack_block,
)
from tltui.base.runfiles import save_json, save_npz
from tltui.base.study import Study
from tltui.core.analysis import Analysis, AttackSet, attack_config, teacher_config
from tltui.core.autoattack_run import autoattack_block, autoattack_variant
from tltui.core.checks.flagcontext import FlagContext
from tltui.core.checks.run import Timer, after_attack, checks_block, preflight
from tltui.core.device import resolve_device
from tltui.core.diagnose import Levels
from tltui.core.fairness import fairness_info, fairness_report, favourable_index, study_groups
from tltui.core.images import thumbnails
from tltui.core.ladder import LADDER, ladder_block, ladder_rung
from tltui.core.metrics import accuracy, variant_metrics

T = TypeVar("T")


class _Counter:
    """Folds many batched attacks into one progress phase: `done` of `total` attacks, fractions in between."""

    def __init__(self, phase: str, total: int) -> None:
        self.phase, self.total, self.done = phase, total, 0

    def run(self, gen: Generator[Progress, None, T], what: str) -> Generator[Progress, None, T]:
        result = yield from _relabel(gen, self, what)
        self.done += 1
        return result


def _relabel(gen: Generator[Progress, None, T], c: _Counter, what: str) -> Generator[Progress, None, T]:
    while True:
        try:
            p = next(gen)
        except StopIteration as stop:
            return stop.value
        yield Progress(c.phase, c.done * max(p.total, 1) + p.done, c.total * max(p.total, 1), what)


def analyze(
    study: Study,
    out: Path,
    *,
    workspace: Path,
    device: str = "auto",
    batch_size: int = 512,
    trust: bool = False,
    compile: bool = False,
    loaded: Analysis | None = None,
    finish: Callable[[Summary, Mapping[str, Outcomes]], None] | None = None,
    dest: Path | None = None,
    executor: Executor | None = None,
    log: Callable[[str], None] = print,
) -> Generator[Progress, None, Summary]:
    """Run the whole diagnosis and write the run directory (docs/run-directory.md) into `out`.

    `loaded`: an Analysis whose models are already loaded (a produce job's), so nothing is loaded twice.
    `finish`: called with the summary and every variant's per-image outcomes just before the summary is written
    (summary.json is the last file: a run without it is unfinished).
    `dest`: where to write, from `begin_run(out, workspace)` when the caller took `out` itself (a produce job);
    the finished run is moved into `out` at the end.
    `executor`: where the attacks run (docs/distributed.md); local when None."""
    t0 = time.perf_counter()
    dest = begin_run(out, workspace) if dest is None else dest
    if loaded is None:
        torch.manual_seed(study.seed)
        an = Analysis(
            study, workspace, resolve_device(device), batch_size=batch_size, trust=trust, compile=compile
        )
        yield from an.load_data()
        specs = [spec for spec, _ in an.model_specs()]
        yield WorkPlan.of(
            model=1 + len(specs),
            epoch=an.store.epochs_to_build(specs),
            attack=1
            + len(specs) * len(attack_budgets(study))
            + extra_attacks(study, len(specs)),  # all of them
            level=1 + len(specs),
            end=1,
        )
        yield from an.load_models()
    else:
        an = loaded
        torch.manual_seed(study.seed)
    dev = an.device
    test = an.data.test
    src = an.data.source_test
    # The clean predictions come first: the pre-flight checks read them before any attack.
    clean = {name: an.predict(model, test.images) for name, model in an.variants.items()}
    source_pred = an.predict(an.teacher, src.images)[0] if src is not None else None
    timer = Timer()
    with timer:
        preds = {name: p[0] for name, p in clean.items()}
        findings = preflight(an, preds if source_pred is None else {**preds, "teacher": source_pred})
    for line in finding_lines(findings):
        log(line)
    y = test.y.numpy()
    n_classes = test.num_classes
    arrays: dict[str, np.ndarray] = {keys.LABELS: y, keys.IMAGES: thumbnails(test.images)}

    budgets = attack_budgets(study)
    sets = attack_sets(an)
    cached = sum(an.cache.has(s.key) for s in sets)
    log(f"adversarial cache: {cached} of {len(sets)} attack sets cached, {len(sets) - cached} to compute")
    extra = extra_attacks(study, len(an.variants))
    yield WorkPlan.of(
        attack=len(sets) - cached + extra, cached_attack=cached, level=1 + len(an.variants), end=1
    )
    if executor is not None and executor.distributed:
        from tltui.core.distributed.attacks import prefetch  # Ray is optional: only a Ray job imports it

        yield from prefetch(an, attack_sets(an), executor, log)
    counter = _Counter("attacks", 1 + len(an.variants) * len(budgets) + extra)
    x_teacher_adv = yield from counter.run(an.teacher_crafted(), "teacher-crafted")
    arrays[keys.TEACHER_ADV_IMAGES] = thumbnails(x_teacher_adv)

    teacher_info = TeacherInfo(source_acc=None)
    if src is not None and source_pred is not None:
        teacher_info["source_acc"] = accuracy(src.y.numpy(), source_pred)

    variants: dict[str, VariantMetrics] = {}
    outcomes: dict[str, Outcomes] = {}
    for name, model in an.variants.items():
        pred, conf, _ = clean[name]
        tpred, tconf, _ = an.predict(model, x_teacher_adv)
        curve = [[0.0, accuracy(y, pred)]]
        for eps in budgets:
            xe = yield from counter.run(an.whitebox(model, attack_config(study, eps)), f"{name} ε={eps:.4g}")
            epred, econf, _ = an.predict(model, xe)
            curve.append([eps, accuracy(y, epred)])
            if eps == study.attack.eps:
                apred, aconf = epred, econf
        variants[name] = variant_metrics(y, pred, apred, tpred, curve, n_classes)
        outcomes[name] = Outcomes.of(y, pred, tpred)
        columns = (pred, conf, apred, aconf, tpred, tconf)  # in keys.PRED_KINDS order
        arrays.update({keys.pred_key(name, k): a for k, a in zip(keys.PRED_KINDS, columns, strict=True)})

    autoattack = None  # before the flags: `blackbox-beats-whitebox` reads its Square when it ran
    if study.attack.preset == "autoattack":
        autoattack = {}
        for name, model in an.variants.items():
            autoattack[name] = yield from counter.run(autoattack_variant(an, model), f"{name} AutoAttack")
    with timer:
        adv_pred = {name: arrays[keys.pred_key(name, "adv_pred")] for name in an.variants}
        flagged = after_attack(
            FlagContext(
                study,
                an.teacher,
                dict(an.variants),
                variants,
                test.images,
                y,
                adv_pred,
                x_teacher_adv,
                dev,
                an.mean,
                an.std,
                autoattack,
            )
        )
    for line in finding_lines(flagged):
        log(line)
    ladder = None
    if study.attack.ladder:
        clean_pred = {name: arrays[keys.pred_key(name)] for name in an.variants}
        rungs, fooled = [], []
        for rung in LADDER:
            row, hits = yield from counter.run(ladder_rung(an, rung, clean_pred), f"DIR ladder: {rung}")
            rungs.append(row)
            fooled.append(hits)
        ladder = ladder_block(rungs, fooled, {n: p == y for n, p in clean_pred.items()})

    fairness = None
    if (study.data.groups is not None or study.is_demo) and an.data.train is not None:
        groups = study_groups(an)
        favourable = favourable_index(test.classes, study.data.favourable)
        fairness = fairness_info(groups, test.classes, favourable)
        for name in an.variants:
            add_fairness(
                variants[name],
                fairness_report(y, arrays[keys.pred_key(name)], groups.test, n_classes, favourable),
            )
        arrays[keys.GROUPS] = groups.test.astype(np.int8)

    dest.mkdir(parents=True, exist_ok=True)
    preds = {name: arrays[keys.pred_key(name)] for name in an.variants}
    layer_rows = yield from Levels(an, x_teacher_adv, dest).run(variants, preds)
    save_npz(dest / rundir.INSTANCES, **arrays)
    attack, teacher_attack = attack_blocks(study)
    summary = new_summary(
        study=study.name,
        device=str(dev),
        variants=variants,
        teacher=teacher_info,
        attack=attack,
        teacher_attack=teacher_attack,
        layers=layer_rows,
        derived=an.derived,
        fairness=fairness,
        n_test=len(test),
        classes=test.classes,
        ids=test.ids,
        seconds=round(time.perf_counter() - t0, 3),
    )
    add_intervals(
        summary,
        {name: variant_intervals(o, n_boot=N_BOOT, seed=BOOT_SEED) for name, o in outcomes.items()},
        n_boot=N_BOOT,
        seed=BOOT_SEED,
    )
    models = ["teacher", *an.variants]
    add_checks(summary, checks_block(study, models, findings + flagged, timer.seconds))
    if autoattack is not None:
        add_autoattack(summary, autoattack_block(study, autoattack))
    if ladder is not None:
        add_dir_ladder(summary, ladder)
    if finish is not None:
        finish(summary, outcomes)
    save_json(dest / rundir.SUMMARY, summary)
    outstage.commit(out, dest)
    yield Progress("done", 1, 1, f"wrote {out / rundir.SUMMARY}")
    return summary


def attack_blocks(study: Study) -> tuple[AttackBlock, TeacherAttackBlock]:
    """summary.json `attack` (the study's white-box attack) and `teacher_attack` (the teacher-crafted inputs')."""
    a, t = study.attack, study.attack.teacher
    white_box = AttackBlock(
        name=a.name, eps=a.eps, alpha=a.alpha, steps=a.steps, random_start=a.random_start, norm=a.norm
    )
    white_box["budget"] = run_budget(a.name, a.steps, a.random_start)
    tc = teacher_config(study)
    teacher = teacher_attack_block(t.name, t.preset, t.space, asdict(tc))
    teacher["budget"] = run_budget(t.name, tc.steps, tc.random_start, teacher=True)
    return white_box, teacher


def extra_attacks(study: Study, n_variants: int) -> int:
    """The attack units beyond the study's own: the AutoAttack preset (one per variant), the DIR ladder's rungs."""
    return (n_variants if study.attack.preset == "autoattack" else 0) + (
        len(LADDER) if study.attack.ladder else 0
    )


def attack_budgets(study: Study) -> list[float]:
    """The ε of every white-box attack: the study's grid and its own ε, without 0."""
    return [e for e in sorted(set(study.attack.eps_grid) | {0.0, study.attack.eps}) if e > 0]


def attack_sets(an: Analysis) -> list[AttackSet]:
    """Every attack a diagnosis reads, in the order it reads them: the teacher's, then each variant × ε."""
    cfgs = [attack_config(an.study, eps) for eps in attack_budgets(an.study)]
    return [an.teacher_set(), *(an.whitebox_set(m, c) for m in an.variants.values() for c in cfgs)]


def begin_run(out: Path, workspace: Path) -> Path:
    """Take `out` for this job (tltui.base.outlock: a second job for it is refused while this one runs); where the
    job writes: a staging folder inside `out` while an earlier finished run is there (it stays whole until this
    one finishes, tltui.base.outstage), else `out` cleared of an unfinished run's files."""
    hold_out(workspace, out)
    return outstage.begin(out)
