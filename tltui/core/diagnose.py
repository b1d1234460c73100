"""The four levels for one analysis: computes each level's data and writes it into the run directory."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from torch import nn

from tltui.base import rundir
from tltui.base.progress import Progress
from tltui.base.rundir import keys
from tltui.base.rundir.metrics import AOI
from tltui.base.runfiles import save_json, save_npz
from tltui.core import models as M
from tltui.core.analysis import Analysis
from tltui.core.images import Images
from tltui.core.levels import features as F
from tltui.core.levels import instances as I
from tltui.core.levels import layers as L
from tltui.core.levels import overall as O
from tltui.core.sampling import stratified_sample

DETAIL_LIMIT = 64
"""Instances whose saliency, Grad-CAM and layer windows are precomputed (the rest are computed on demand)."""
SAMPLE = 512
"""Instances (a seeded stratified sample) behind CKA, the discriminative channels and the distance matrices."""
WINDOW_LAYERS = 3
TOP_K = 8
LEVEL_BATCH = 256
"""Images per batch of the levels' passes; a smaller analysis batch size (an OOM retry halves it) lowers it too."""


class Levels:
    """Computes overall/instances/features/layers data for an `Analysis` whose metrics are already known."""

    def __init__(self, an: Analysis, x_teacher_adv: Images, out: Path) -> None:
        self.an, self.x_adv, self.out = an, x_teacher_adv, out
        self.dev = an.device
        self.bs = min(LEVEL_BATCH, an.batch_size)
        self.models: dict[str, nn.Module] = {"teacher": an.teacher, **an.variants}

    def sample(self, y: torch.Tensor) -> np.ndarray:
        """The positions of a seeded stratified sample of at most SAMPLE instances of a split with labels `y`."""
        return stratified_sample(y.numpy(), SAMPLE, self.an.study.seed)

    def sample_info(self, *sizes: int) -> dict[str, Any]:
        """How the sampled levels chose their instances (written beside their results)."""
        return {"max": SAMPLE, "of": list(sizes), "stratified": True, "seed": self.an.study.seed}

    def norm(self, x: torch.Tensor | Images) -> torch.Tensor:
        """`x` normalised a batch at a time as the levels read it: an Images view slices like the tensor they
        expect, and never becomes one float copy of the whole split."""
        return cast(torch.Tensor, Images.of(x).normalized(self.an.mean, self.an.std))

    def run(
        self, variants: dict[str, Any], preds: dict[str, np.ndarray]
    ) -> Generator[Progress, None, list[dict[str, Any]]]:
        """All four levels; returns the `layers` list of summary.json."""
        # Steps in proportion to what each level takes on the demo, so the ETA holds within the stage.
        steps = 20
        yield Progress("levels", 0, steps, "overall")
        save_json(self.out / rundir.OVERALL, self.overall(variants, preds))
        yield Progress("levels", 4, steps, "instances")
        save_npz(self.out / rundir.PROJECTION, **self.projection())
        yield Progress("levels", 5, steps, "features")
        feats_json, feats_npz = self.features()
        save_json(self.out / rundir.FEATURES_JSON, feats_json)
        save_npz(self.out / rundir.FEATURES_NPZ, **feats_npz)
        save_npz(self.out / rundir.DETAILS, **self.details(range(min(DETAIL_LIMIT, len(self.an.data.test)))))
        yield Progress("levels", 17, steps, "layers")
        layers_json, layers_npz, summary_layers = self.layers()
        save_json(self.out / rundir.LAYERS_JSON, layers_json)
        save_npz(self.out / rundir.LAYERS_NPZ, **layers_npz)
        yield Progress("levels", steps, steps, "done")
        return summary_layers

    # -- overall ---------------------------------------------------------------------------------------------
    def overall(self, variants: dict[str, Any], preds: dict[str, np.ndarray]) -> dict[str, Any]:
        test = self.an.data.test
        y, n = test.y.numpy(), test.num_classes
        per_class = {}
        for name, pred in preds.items():
            mc = O.most_confused(y, pred, n, k=3)
            per_class[name] = {
                "accuracy": O.per_class_accuracy(y, pred, n),
                "confused": mc["classes"],
                "confused_rates": mc["rates"],
                "confusion": O.confusion(y, pred, n),
            }
        src_acc, how = self.source_on_target()
        transfer = O.transferability_score({k: AOI.raw(v) for k, v in variants.items()}, src_acc)
        transfer["source_method"] = how
        x = self.norm(test.images[self.sample(test.y)])
        layers = {k: M.layer_names(m) for k, m in self.models.items()}
        cka = O.cka_matrix(self.models, x, layers, device=str(self.dev), batch_size=self.bs)
        teacher_per_class = None
        if self.an.data.source_test is not None:
            st = self.an.data.source_test
            tp = self.an.predict(self.an.teacher, st.images)[0]
            teacher_per_class = {
                "classes": st.classes,
                "accuracy": O.per_class_accuracy(st.y.numpy(), tp, st.num_classes),
            }
        return {
            "classes": test.classes,
            "per_class": per_class,
            "teacher_per_class": teacher_per_class,
            "transferability": transfer,
            "cka": cka,
            "sample": self.sample_info(len(test)),
            "radar": O.radar_axes(variants),
        }

    def source_on_target(self) -> tuple[float | None, str]:
        """The source model's accuracy on target data: a linear probe of its frozen penultimate features fitted on
        the target training set (label spaces differ); without a training split, its own head when the source
        classes are the target's, else None (cannot be measured)."""
        from sklearn.linear_model import LogisticRegression

        an, test = self.an, self.an.data.test
        head = M.head_name(an.teacher)
        if an.data.train is None:
            src = an.data.source_test
            if src is not None and list(src.classes) == list(test.classes):
                pred = an.predict(an.teacher, test.images)[0]
                return float(np.mean(pred == test.y.numpy())), "teacher head on target test (same classes)"
            return (
                None,
                "not measurable: the label spaces differ and the study has no [data] train for a probe",
            )
        ftr = I.penultimate_features(
            an.teacher, self.norm(an.data.train.images), head, device=str(self.dev), batch_size=self.bs
        )
        fte = I.penultimate_features(
            an.teacher, self.norm(test.images), head, device=str(self.dev), batch_size=self.bs
        )
        clf = LogisticRegression(max_iter=2000).fit(ftr, an.data.train.y.numpy())
        return float(clf.score(fte, test.y.numpy())), "logistic probe on frozen teacher features"

    # -- instances -------------------------------------------------------------------------------------------
    def projection(self) -> dict[str, np.ndarray]:
        """PCA of penultimate features, clean and teacher-crafted, per model (t-SNE is an on-demand job)."""
        arrays: dict[str, np.ndarray] = {}
        x, xa = self.norm(self.an.data.test.images), self.norm(self.x_adv)
        for name, model in self.models.items():
            head = M.head_name(model)
            fc = I.penultimate_features(model, x, head, device=str(self.dev), batch_size=self.bs)
            fa = I.penultimate_features(model, xa, head, device=str(self.dev), batch_size=self.bs)
            p = I.project(fc, fa, method="pca")
            for part in keys.PROJ_PARTS:
                arrays[keys.proj_key(name, part)] = p[part].astype(np.float32)
        return arrays

    # -- features --------------------------------------------------------------------------------------------
    def features(self) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
        """Model Doctor maps per model, and domain-discriminative channels per model and conv layer."""
        an = self.an
        info: dict[str, Any] = {"model_doctor": {}, "discriminative": {}, "theta": 0.2}
        arrays: dict[str, np.ndarray] = {}
        for name, model in self.models.items():
            split = an.data.source_train if name == "teacher" else an.data.train
            if split is None:
                continue
            layer = M.last_conv(model)
            md = F.model_doctor_map(model, self.norm(split.images), split.y, layer, device=str(self.dev))
            info["model_doctor"][name] = {
                "layer": layer,
                "counts": md["counts"],
                "density": float(md["mask"].mean()),
            }
            arrays[keys.md_key(name, "scores")] = md["scores"].astype(np.float32)
            arrays[keys.md_key(name, "mask")] = md["mask"]
        src = an.data.source_test if an.data.source_test is not None else an.data.source_train
        if src is None:
            info["discriminative_note"] = "no source-task data in this study ([data] source_test)"
            return info, arrays
        xs, xt = (
            self.norm(src.images[self.sample(src.y)]),
            self.norm(an.data.test.images[self.sample(an.data.test.y)]),
        )
        info["sample"] = self.sample_info(len(src), len(an.data.test))
        for name, model in self.models.items():
            per_layer = {}
            for layer in M.conv_names(model):
                a_s = F.channel_activations(model, xs, layer, device=str(self.dev), batch_size=self.bs)
                a_t = F.channel_activations(model, xt, layer, device=str(self.dev), batch_size=self.bs)
                d = F.discriminative_channels(a_s, a_t)
                top = d["order"][:TOP_K]
                acts = np.concatenate([a_s, a_t])
                dom = np.r_[np.zeros(len(a_s)), np.ones(len(a_t))]
                proj = F.svm_pca_projection(acts, dom, [int(c) for c in top])
                per_layer[layer] = {"accuracy": d["accuracy"], "order": d["order"][:32], "coef": d["coef"]}
                arrays[keys.disc_key(name, layer, "edges")] = d["edges"].astype(np.float32)
                arrays[keys.disc_key(name, layer, "hist_source")] = d["hist_source"]
                arrays[keys.disc_key(name, layer, "hist_target")] = d["hist_target"]
                arrays[keys.disc_key(name, layer, "proj")] = proj["xy"].astype(np.float32)
                arrays[keys.disc_key(name, layer, "domain")] = dom.astype(np.int8)
            info["discriminative"][name] = per_layer
        return info, arrays

    def details(self, indices: Any) -> dict[str, np.ndarray]:
        """Per-instance saliency and Grad-CAM (clean vs teacher-crafted) and layer windows, for `indices`."""
        idx = torch.as_tensor(list(indices), dtype=torch.long)
        arrays: dict[str, np.ndarray] = {keys.INDEX: idx.numpy()}
        if len(idx) == 0:
            return arrays
        x, xa = self.norm(self.an.data.test.images[idx]), self.norm(self.x_adv[idx])
        for name, model in self.models.items():
            layer = M.last_conv(model)
            for tag, inp in zip(keys.MAP_TAGS, (x, xa), strict=True):
                sal = F.input_saliency(model, inp, device=str(self.dev))
                arrays[keys.saliency_key(name, tag)] = sal.astype(np.float16)
                cam = F.grad_cam(model, inp, layer, device=str(self.dev))
                arrays[keys.cam_key(name, tag)] = cam.astype(np.float16)
            window = M.conv_names(model)[-WINDOW_LAYERS:]
            if len(window) >= 2:
                tops, acts, links = [], [], []
                for i in range(len(idx)):
                    w = L.layer_window(model, x[i : i + 1], window, k=TOP_K, device=str(self.dev))
                    tops.append(np.stack(w["top"]))
                    acts.append(np.stack(w["act"]))
                    links.append(np.stack(w["links"]))
                arrays[keys.window_key(name, "top")] = np.stack(tops).astype(np.int32)
                arrays[keys.window_key(name, "act")] = np.stack(acts).astype(np.float32)
                arrays[keys.window_key(name, "links")] = np.stack(links).astype(np.float32)
                arrays[keys.window_key(name, "layers")] = np.array(window)
        return arrays

    # -- layers ----------------------------------------------------------------------------------------------
    def layers(self) -> tuple[dict[str, Any], dict[str, np.ndarray], list[dict[str, Any]]]:
        an = self.an
        names = M.layer_names(an.teacher)
        change = {v: L.weight_change(an.teacher, m, names) for v, m in an.variants.items()}
        cov_split = an.data.train if an.data.train is not None else an.data.test
        cov = L.neuron_coverage(
            an.teacher,
            self.norm(cov_split.images),
            names,
            threshold=0.5,
            device=str(self.dev),
            batch_size=self.bs,
        )
        x, xa = self.norm(an.data.test.images), self.norm(self.x_adv)
        dev = {
            k: L.adversarial_deviation(m, x, xa, M.layer_names(m), device=str(self.dev), batch_size=self.bs)
            for k, m in self.models.items()
        }
        arrays: dict[str, np.ndarray] = {}
        last = M.last_conv(an.teacher)
        dist_layers = [n for n in names if n in M.conv_names(an.teacher)] or [last]
        for v, m in an.variants.items():
            mats = L.neuron_distance_matrices(
                an.teacher,
                m,
                x[self.sample(an.data.test.y)],
                dist_layers,
                device=str(self.dev),
                batch_size=self.bs,
            )
            for layer, mat in mats.items():
                # float16: a ResNet-18's 20 conv layers stay ≈3 MB per variant
                arrays[keys.dist_key(v, layer)] = mat.astype(np.float16)
        hist = L.weight_histograms(self.models, names)
        arrays[keys.HIST_EDGES], arrays[keys.HIST_COUNTS] = hist["edges"], hist["counts"]
        arrays[keys.HIST_ALL_EDGES], arrays[keys.HIST_ALL_COUNTS] = hist["all_edges"], hist["all_counts"]
        rows = []
        for i, layer in enumerate(names):
            row: dict[str, Any] = {
                "name": layer,
                "kind": type(an.teacher.get_submodule(layer)).__name__,
                "weight_change": {v: _finite(c["rel_change"][i]) for v, c in change.items()},
                "cosine": {v: _finite(c["cosine"][i]) for v, c in change.items()},
                "adv_deviation": {},
                "coverage": _finite(cov["coverage"][i]),
                "mean_coverage": _finite(cov["mean_coverage"][i]),
            }
            for k, d in dev.items():
                if layer in d["names"]:
                    row["adv_deviation"][k] = _finite(d["deviation"][list(d["names"]).index(layer)])
            rows.append(row)
        info = {
            "sample": self.sample_info(len(an.data.test)),
            "names": names,
            "distance_layer": last,
            "distance_layers": dist_layers,
            "hist_models": hist["names"],
            "coverage_threshold": 0.5,
        }
        return info, arrays, rows


def _finite(v: Any) -> float | None:
    f = float(v)
    return f if np.isfinite(f) else None
