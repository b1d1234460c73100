"""The array names inside a run's npz files: a builder and a parser for every key family.

Model and variant names may hold dots and dashes, layer names dots (`layer1.0.conv1`): every parser
below strips a known prefix and a known last part instead of splitting on the separator.
"""

from __future__ import annotations

from collections.abc import Iterable

SEP = "."

# -- instances.npz ---------------------------------------------------------------------------------------
LABELS, IMAGES, TEACHER_ADV_IMAGES, GROUPS = "y", "x", "x_teacher_adv", "groups"
"""Labels (N,), clean images (N, C, H, W; float16), teacher-crafted images (same), sensitive group (N,; int8)."""
PRED_KINDS: tuple[str, ...] = ("pred", "conf", "adv_pred", "adv_conf", "teacher_adv_pred", "teacher_adv_conf")
"""Per variant: clean prediction and confidence, white-box adversarial, teacher-crafted."""

# -- projection.npz and tsne-<model>.npz -------------------------------------------------------------------
PROJ_PARTS: tuple[str, ...] = ("clean", "adv")
TSNE_CLEAN, TSNE_ADV = PROJ_PARTS

# -- features.npz ------------------------------------------------------------------------------------------
MD, MD_PARTS = "md", ("scores", "mask")
DISC, DISC_PARTS = "disc", ("edges", "hist_source", "hist_target", "proj", "domain")

# -- details.npz and details-<i>.npz -----------------------------------------------------------------------
INDEX = "index"
"""The test-set position of each row (M,)."""
SALIENCY, CAM, MAP_TAGS = "sal", "cam", ("clean", "adv")
WIN, WINDOW_PARTS = "win", ("top", "act", "links", "layers")
_SHARED_WINDOW_PART = "layers"  # one list per model, not one per instance

# -- layers.npz --------------------------------------------------------------------------------------------
DIST, DIST_AT = "dist", "@"
HIST_EDGES, HIST_COUNTS = "hist.edges", "hist.counts"
HIST_ALL_EDGES, HIST_ALL_COUNTS = "hist.all_edges", "hist.all_counts"

# -- preview.npz -------------------------------------------------------------------------------------------
PREVIEW_ORDER, PREVIEW_LAYERS, PREVIEW_SIZES = "order", "layers", "sizes"
PREVIEW_CUT, PREVIEW_KEPT = "cut", "kept"
"""SeaM's preview: the fraction of each layer its learnt mask removes, and the fraction it keeps overall."""


def _checked(part: str, allowed: tuple[str, ...], family: str) -> str:
    if part not in allowed:
        raise ValueError(f"{family} key: unknown part {part!r} (one of {', '.join(allowed)})")
    return part


def _join(*parts: str) -> str:
    return SEP.join(parts)


def _middle(key: str, prefix: str, parts: tuple[str, ...]) -> tuple[str, str] | None:
    """`prefix.<middle>.<part>` (no prefix: `<middle>.<part>`) → (middle, part); None for another key. Parts
    hold no dot, so the part is what follows the last one and the middle may hold any."""
    head = prefix + SEP if prefix else ""
    if not key.startswith(head):
        return None
    middle, sep, part = key[len(head) :].rpartition(SEP)
    return (middle, part) if sep and middle and part in parts else None


def _names(keys: Iterable[str], prefix: str, parts: tuple[str, ...], part: str) -> list[str]:
    """Every middle name whose key has the last part `part`, in key order."""
    out = []
    for key in keys:
        found = _middle(key, prefix, parts)
        if found is not None and found[1] == part:
            out.append(found[0])
    return list(dict.fromkeys(out))


# -- instances ---------------------------------------------------------------------------------------------
def pred_key(variant: str, kind: str = "pred") -> str:
    """instances.npz `<variant>.<kind>`, kind one of PRED_KINDS."""
    return _join(variant, _checked(kind, PRED_KINDS, "instances"))


def parse_pred_key(key: str) -> tuple[str, str] | None:
    """(variant, kind) of an instances.npz prediction key, None for another key."""
    return _middle(key, "", PRED_KINDS)


def pred_variants(keys: Iterable[str]) -> list[str]:
    """Variants with a clean prediction in instances.npz, in file order."""
    return _names(keys, "", PRED_KINDS, "pred")


# -- projections -------------------------------------------------------------------------------------------
def proj_key(model: str, part: str) -> str:
    """projection.npz `<model>.clean` / `<model>.adv`: 2-D PCA of penultimate features (N × 2)."""
    return _join(model, _checked(part, PROJ_PARTS, "projection"))


def parse_proj_key(key: str) -> tuple[str, str] | None:
    return _middle(key, "", PROJ_PARTS)


def proj_models(keys: Iterable[str]) -> list[str]:
    """Models with a clean projection, in file order."""
    return _names(keys, "", PROJ_PARTS, "clean")


# -- Model Doctor and discriminative channels ----------------------------------------------------------------
def md_key(model: str, part: str) -> str:
    """features.npz `md.<model>.scores` (classes × channels) / `.mask` (its correlated cells)."""
    return _join(MD, model, _checked(part, MD_PARTS, "Model Doctor"))


def md_models(keys: Iterable[str]) -> list[str]:
    """Models with Model Doctor scores, in file order."""
    return _names(keys, MD, MD_PARTS, "scores")


def disc_key(model: str, layer: str, part: str) -> str:
    """features.npz `disc.<model>.<layer>.<part>`: one conv layer's source-vs-target channel statistics."""
    return _join(DISC, model, layer, _checked(part, DISC_PARTS, "discriminative"))


def parse_disc_key(key: str, models: Iterable[str]) -> tuple[str, str, str] | None:
    """(model, layer, part) of a `disc.` key. Both names may hold dots, so the models must be known
    (features.json lists them); the longest model that fits wins."""
    found = _middle(key, DISC, DISC_PARTS)
    if found is None:
        return None
    middle, part = found
    for model in sorted(models, key=len, reverse=True):
        head = model + SEP
        if middle.startswith(head) and len(middle) > len(head):
            return model, middle[len(head) :], part
    return None


# -- per-instance details --------------------------------------------------------------------------------------
def map_key(kind: str, model: str, tag: str) -> str:
    """details `sal.<model>.<tag>` (input saliency) or `cam.<model>.<tag>` (Grad-CAM), tag clean/adv."""
    return _join(
        _checked(kind, (SALIENCY, CAM), "details map"), model, _checked(tag, MAP_TAGS, "details map")
    )


def saliency_key(model: str, tag: str) -> str:
    return map_key(SALIENCY, model, tag)


def cam_key(model: str, tag: str) -> str:
    return map_key(CAM, model, tag)


def saliency_models(keys: Iterable[str]) -> list[str]:
    """Models with a saliency map (clean or adversarial) in a details file, in file order."""
    keys = list(keys)
    return list(
        dict.fromkeys(_names(keys, SALIENCY, MAP_TAGS, "clean") + _names(keys, SALIENCY, MAP_TAGS, "adv"))
    )


def window_key(model: str, part: str) -> str:
    """details `win.<model>.top|act|links|layers`: the layer window of the last conv layers."""
    return _join(WIN, model, _checked(part, WINDOW_PARTS, "layer window"))


def window_models(keys: Iterable[str]) -> list[str]:
    """Models with a layer window in a details file, in file order."""
    return _names(keys, WIN, WINDOW_PARTS, "top")


def per_instance(key: str) -> bool:
    """Whether a details array has one row per instance (all but `index` and each window's `layers`)."""
    if key == INDEX:
        return False
    found = _middle(key, WIN, WINDOW_PARTS)
    return found is None or found[1] != _SHARED_WINDOW_PART


# -- neuron distances --------------------------------------------------------------------------------------
def dist_key(variant: str, layer: str) -> str:
    """layers.npz `dist.<variant>@<layer>`: teacher-neuron × variant-neuron distance matrix at `layer`."""
    return f"{DIST}{SEP}{variant}{DIST_AT}{layer}"


def parse_dist_key(key: str) -> tuple[str, str | None] | None:
    """(variant, layer) of a distance key; layer None for runs written before per-layer distances, whose
    `dist.<variant>` sits at layers.json `distance_layer`. None for another key."""
    head = DIST + SEP
    if not key.startswith(head) or len(key) == len(head):
        return None
    rest = key[len(head) :]
    # Layer names are module attribute paths (no "@"); a variant name from the study may hold one.
    variant, at, layer = rest.rpartition(DIST_AT)
    if not at:
        return rest, None
    return (variant, layer) if variant and layer else None


def parse_dist_keys(keys: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """Every distance key of layers.npz → (variant, layer or None), in file order."""
    out = {}
    for key in keys:
        found = parse_dist_key(key)
        if found is not None:
            out[key] = found
    return out
