"""Model construction and safe weight loading: torchvision archs, factory files, TorchScript, safetensors."""

from __future__ import annotations

import importlib.util
import io
import os
import pickle
import pickletools
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from tltui.base import tempfiles
from tltui.base.errors import CheckpointError, StudyError, write_error
from tltui.base.names import shown
from tltui.base.trust import TRUST_FLAG, runs_code


class DigitsNet(nn.Module):
    """The demo architecture: a small CNN for 1×16×16 digits; `fc` is the head."""

    def __init__(self, num_classes: int = 5, in_channels: int = 1, width: int = 16) -> None:
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(in_channels, w, 3, padding=1)
        self.conv2 = nn.Conv2d(w, 2 * w, 3, padding=1, stride=2)
        self.conv3 = nn.Conv2d(2 * w, 4 * w, 3, padding=1, stride=2)
        self.conv4 = nn.Conv2d(4 * w, 4 * w, 3, padding=1)
        self.relu = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4 * w, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.relu(self.conv4(x))
        return torch.flatten(self.pool(x), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(self.features(x))


class SmallCNN(DigitsNet):
    """A small RGB CNN for 224-px images (DigitsNet's layers, a strided 5×5 first conv): the cheap model of
    `tltui bench --study large` on a CPU."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__(num_classes, in_channels=3, width=16)
        self.conv1 = nn.Conv2d(3, 16, 5, padding=2, stride=2)


BUILTIN = {"digitsnet": DigitsNet, "smallcnn": SmallCNN}


def build_arch(
    arch: str, num_classes: int, *, base_dir: Path | None = None, trust: bool = False
) -> nn.Module:
    """Build an untrained model from an arch spec.

    `torchvision:<name>`, `file:<path.py>:<factory>` (factory(num_classes=...)), `tltui:digitsnet`, or a path to a
    TorchScript file (`.pt`/`.ts` saved with torch.jit.save; it carries its own weights). The last two run code
    from the user's file and need `trust`.
    """
    base = base_dir or Path.cwd()
    if runs_code(arch) and not trust:
        raise StudyError(
            f"arch {shown(repr(arch))}: runs code from that file when loaded; pass {TRUST_FLAG} if you trust it"
        )
    if arch.startswith("torchvision:"):
        import torchvision.models as tvm

        name = arch.split(":", 1)[1]
        try:
            fn = tvm.get_model_builder(name)
        except ValueError:
            raise StudyError(
                f"arch '{arch}': torchvision has no model '{name}'; see torchvision.models"
            ) from None
        return fn(weights=None, num_classes=num_classes)
    if arch.startswith("tltui:"):
        name = arch.split(":", 1)[1].lower()
        if name not in BUILTIN:
            raise StudyError(f"arch '{arch}': tltui ships only {', '.join(f'tltui:{b}' for b in BUILTIN)}")
        return BUILTIN[name](num_classes=num_classes)
    if arch.startswith("file:"):
        parts = arch.split(":")
        if len(parts) != 3:
            raise StudyError(f"arch '{arch}': expected file:<path.py>:<factory>")
        return _from_factory_file(base / parts[1], parts[2], num_classes)
    path = base / arch
    if path.suffix in {".pt", ".pth", ".ts", ".jit"} and path.exists():
        return load_torchscript(path)
    raise StudyError(
        f"arch '{arch}': not understood; use torchvision:<name>, file:<path.py>:<factory> or a TorchScript file"
    )


def _from_factory_file(path: Path, factory: str, num_classes: int) -> nn.Module:
    if not path.is_file():
        raise StudyError(f"arch file {path}: not found")
    spec = importlib.util.spec_from_file_location(f"tltui_user_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise StudyError(f"arch file {path}: cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise StudyError(f"arch file {path}: importing it failed ({type(exc).__name__}: {exc})") from None
    fn: Callable[..., nn.Module] | None = getattr(module, factory, None)
    if fn is None:
        raise StudyError(f"arch file {path}: has no function '{factory}'")
    try:
        model = fn(num_classes=num_classes)
    except Exception as exc:
        raise StudyError(
            f"arch file {path}: {factory}() failed ({type(exc).__name__}: {_first_line(exc)})"
        ) from None
    if not isinstance(model, nn.Module):
        raise StudyError(
            f"arch file {path}: {factory}() returned {type(model).__name__}, not a torch nn.Module"
        )
    return model


def load_torchscript(path: Path) -> nn.Module:
    """Load a TorchScript archive (its code runs: the caller checked the trust flag), with finite weights."""
    from tltui.core.scripted import ScriptedNet

    try:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore", FutureWarning
            )  # torch marks TorchScript deprecated; users still ship it
            model = torch.jit.load(str(path), map_location="cpu")
    except Exception as exc:
        raise CheckpointError(f"{path}: not a loadable TorchScript file ({exc.__class__.__name__})") from None
    check_finite(model.state_dict(), str(path))
    return ScriptedNet(model)


def read_state_dict(path: Path, *, trust: bool = False) -> dict[str, torch.Tensor]:
    """Read a state_dict from `.safetensors`, or from `.pt/.pth` with weights_only=True.

    A pickle that needs arbitrary Python objects is refused unless `trust` is set (it could run code).
    """
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        try:
            return load_file(str(path), device="cpu")
        except Exception as exc:
            raise CheckpointError(f"{path}: not a valid safetensors file ({exc})") from None
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        globals_ = _pickle_globals(path)
        if globals_ is None:
            raise CheckpointError(
                f"{path}: not a readable torch checkpoint (corrupt or not a pickle)"
            ) from None
        if not trust:
            found = ", ".join(sorted(globals_)[:3]) or _first_line(exc)
            raise CheckpointError(
                f"{path}: refused, loading it would unpickle arbitrary Python objects ({found}); "
                f"convert it to safetensors, or pass {TRUST_FLAG} if you trust its author"
            ) from None
        obj = torch.load(path, map_location="cpu", weights_only=False)  # the user vouched for this file
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError) as exc:
        raise CheckpointError(f"{path}: not a readable torch checkpoint ({_first_line(exc)})") from None
    if isinstance(obj, nn.Module):
        obj = obj.state_dict()
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise CheckpointError(f"{path}: holds a {type(obj).__name__}, not a state_dict of tensors")
    return obj


def _pickle_globals(path: Path) -> set[str] | None:
    """The globals a checkpoint's pickle would import, read by parsing its opcodes (nothing runs); None if the
    file is not a pickle or a torch zip archive at all."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                name = next((n for n in zf.namelist() if n.endswith("data.pkl")), None)
                if name is None:
                    return None
                data = zf.read(name)
        else:
            data = path.read_bytes()
        found: set[str] = set()
        strings: list[str] = []
        for op, arg, _pos in pickletools.genops(io.BytesIO(data)):
            if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
                strings.append(str(arg))
            elif op.name == "GLOBAL":
                found.add(str(arg).replace(" ", "."))
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                found.add(f"{strings[-2]}.{strings[-1]}")
        return found
    except Exception:
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:160] if text else type(exc).__name__


def check_finite(state: dict[str, torch.Tensor], source: str, fix: str = "re-export the model") -> None:
    """A CheckpointError naming the first tensor holding NaN or ±inf (its numbers would mean nothing)."""
    for name, t in state.items():
        if (t.is_floating_point() or t.is_complex()) and not bool(torch.isfinite(t).all()):
            raise CheckpointError(f"{source}: tensor {shown(name)} holds NaN or infinite values; {fix}")


def load_state_dict(model: nn.Module, state: dict[str, torch.Tensor], *, source: str) -> None:
    """Load `state` strictly; a mismatch names the missing, unexpected, mis-shaped and mis-typed keys (an integer
    or boolean tensor for a floating-point parameter would be copied in silently as numbers), a non-finite value
    names its tensor."""
    check_finite(state, source)
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    shaped = [
        f"{k} {tuple(state[k].shape)}≠{tuple(own[k].shape)}"
        for k in own
        if k in state and tuple(state[k].shape) != tuple(own[k].shape)
    ]
    typed = [
        f"{k} {str(state[k].dtype).removeprefix('torch.')} for {str(own[k].dtype).removeprefix('torch.')}"
        for k in own
        if k in state and own[k].is_floating_point() != state[k].is_floating_point()
    ]
    if missing or unexpected or shaped or typed:
        parts = []
        if missing:
            parts.append(f"missing {_few(missing)}")
        if unexpected:
            parts.append(f"unexpected {_few(unexpected)}")
        if shaped:
            parts.append(f"mis-shaped {_few(shaped)}")
        if typed:
            parts.append(f"of the wrong dtype {_few(typed)}")
        raise CheckpointError(f"{source}: does not fit the architecture: {'; '.join(parts)}")
    model.load_state_dict(state, strict=True)


def _few(items: list[str], n: int = 4) -> str:
    more = f" (+{len(items) - n} more)" if len(items) > n else ""
    return ", ".join(items[:n]) + more


def save_weights(model: nn.Module, path: Path, metadata: dict[str, str] | None = None) -> None:
    """Save a model's weights as safetensors (contiguous CPU copies), atomically."""
    from safetensors import SafetensorError
    from safetensors.torch import save_file

    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tempfiles.sweep(path.parent)  # the weights of killed builds
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tempfiles.prefix(path.name), suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        save_file(state, tmp, metadata=metadata)
        os.replace(tmp, path)
    except (OSError, SafetensorError) as exc:  # safetensors reports a full disk as its own error
        Path(tmp).unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def head_name(model: nn.Module) -> str:
    """Name of the classifier head: the last nn.Linear registered in the model."""
    names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    if not names:
        raise StudyError(f"{type(model).__name__}: has no nn.Linear head; tltui needs one to find features")
    return names[-1]


def layer_names(model: nn.Module) -> list[str]:
    """Every Conv2d and Linear layer, in registration order."""
    return [n for n, m in model.named_modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def conv_names(model: nn.Module) -> list[str]:
    """Every Conv2d layer, in registration order."""
    return [n for n, m in model.named_modules() if isinstance(m, nn.Conv2d)]


def last_conv(model: nn.Module) -> str:
    """Name of the last Conv2d layer (Model Doctor and Grad-CAM work there)."""
    names = conv_names(model)
    if not names:
        raise StudyError(f"{type(model).__name__}: has no Conv2d layer")
    return names[-1]


def cifar_resnet18(num_classes: int = 10) -> nn.Module:
    """ResNet-18 for 32×32 inputs (3×3 stem, stride 1, no max-pool), as used for CIFAR; the bench's model."""
    import torchvision.models as tvm

    net = tvm.resnet18(weights=None, num_classes=num_classes)
    net.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
    net.maxpool = nn.Identity()
    return net
