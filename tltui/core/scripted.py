"""TorchScript models as eager modules whose submodules fire forward hooks, read from taps on the inlined graph."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import torch
from torch import nn

from tltui.base.errors import StudyError


def _module_path(node: Any) -> str:
    """The dotted name of the module whose code produced `node` (e.g. `layer1.0.conv1`)."""
    parts = []
    for seg in node.getModuleHierarchy().split("."):
        name = seg.split("(", 1)[0]
        if name and name not in ("SELF", "UNKNOWN_INSTANCE"):
            parts.append(name)
    return ".".join(parts)


def _inside(path: str, name: str) -> bool:
    return path == name or path.startswith(name + ".")


def _is_tensor(value: Any) -> bool:
    return bool(value.type().kind() == "TensorType")


def _carries_data(node: Any) -> bool:
    """Whether a node passes tensor data on (a shape or type query does not)."""
    return any("Tensor" in str(o.type()) for o in node.outputs())


def _last_call(paths: list[str], name: str) -> list[int]:
    """Positions of the nodes of `name`'s last call: the last run of its nodes not interrupted by another module's.

    Eager hooks keep the last call of a module used twice (torchvision's BasicBlock calls its ReLU twice).
    """
    idx = [i for i, p in enumerate(paths) if _inside(p, name)]
    if not idx:
        return []
    run = [idx[-1]]
    for i in reversed(idx[:-1]):
        if any(p and not _inside(p, name) for p in paths[i + 1 : run[0]]):
            break
        run.insert(0, i)
    return run


def _boundary(nodes: list[Any], run: list[int], ret: Any) -> tuple[Any, Any] | None:
    """(input, output) values of one call: the first tensor it reads from outside, the last one read outside it."""
    members = {nodes[i] for i in run}
    inputs = [
        v
        for i in run
        for v in nodes[i].inputs()
        if _is_tensor(v) and v.node() not in members and v.node().kind() != "prim::GetAttr"
    ]
    outputs = [
        v
        for i in reversed(run)
        for v in nodes[i].outputs()
        if _is_tensor(v)
        and any(u.user is ret or (u.user not in members and _carries_data(u.user)) for u in v.uses())
    ]
    return (inputs[0], outputs[0]) if inputs and outputs else None


def flat_graph(frozen: Any) -> Any:
    """The frozen module's forward graph with every call inlined and attribute branches folded away."""
    graph = frozen._get_method("forward").graph.copy()
    torch._C._jit_pass_inline(graph)
    torch._C._jit_pass_constant_propagation(graph)
    return graph


def tapped_function(flat: Any, names: list[str]) -> tuple[Any, list[str]]:
    """A function returning (logits, input₁, output₁, input₂, …) for the modules of `names` it can locate."""
    graph = flat.copy()
    nodes = list(graph.nodes())
    paths = [_module_path(n) for n in nodes]
    ret = graph.return_node()
    found = []
    for name in names:
        pair = _boundary(nodes, _last_call(paths, name), ret)
        if pair is not None:
            for v in pair:
                graph.registerOutput(v)
            found.append(name)
    graph.makeMultiOutputIntoTuple()
    return torch._C._create_function_from_graph("tltui_tapped", graph), found


def refuse_changes(what: str, name: str) -> StudyError:
    """The one-line refusal for a method that would change a TorchScript model."""
    return StudyError(
        f"{name} is TorchScript: tltui analyses such models but cannot {what} them (that needs the model's Python "
        "code); give its architecture as file:<path.py>:<factory> and its weights as a state_dict"
    )


def is_scripted(model: nn.Module) -> bool:
    """Whether `model` is, or contains, a TorchScript model."""
    return any(isinstance(m, ScriptedNet) for m in model.modules())


class _Shell(nn.Module):
    """Stands for one submodule of the script: holds its tensors, and replays its tapped output to fire hooks."""

    replay: torch.Tensor | None
    expect: torch.Tensor | None

    def __init__(self) -> None:
        nn.Module.__init__(self)  # not the Linear/Conv2d constructors of the typed shells: no fresh weights
        self.replay: torch.Tensor | None = None
        self.expect: torch.Tensor | None = None

    def forward(self, *args: Any) -> torch.Tensor:
        assert self.replay is not None, "a TorchScript shell is only called to replay a tapped output"
        if not args or args[0] is not self.expect:
            raise refuse_changes("change the inputs of layers of", "this model")
        return self.replay


class _LinearShell(_Shell, nn.Linear):
    """A scripted nn.Linear: an nn.Linear to every isinstance check (the head is found as in eager models)."""

    forward = _Shell.forward  # type: ignore[assignment]


class _ConvShell(_Shell, nn.Conv2d):
    """A scripted nn.Conv2d: an nn.Conv2d to every isinstance check (layer lists, Grad-CAM's last conv)."""

    forward = _Shell.forward  # type: ignore[assignment]


def _shell(sub: Any) -> _Shell:
    kind = getattr(sub, "original_name", "")
    shell: _Shell
    if kind == "Linear":
        shell = _LinearShell.__new__(_LinearShell)
        _Shell.__init__(shell)
        w = sub.weight  # a traced module keeps its tensors but not its int attributes
        shell.in_features = int(getattr(sub, "in_features", w.shape[1]))
        shell.out_features = int(getattr(sub, "out_features", w.shape[0]))
    elif kind == "Conv2d":
        shell = _ConvShell.__new__(_ConvShell)
        _Shell.__init__(shell)
        w = sub.weight  # traced (torch.jit.trace): no attributes; the weight's shape gives what it can
        known = {
            "in_channels": w.shape[1],
            "out_channels": w.shape[0],
            "kernel_size": tuple(w.shape[2:]),
            "stride": (1, 1),
            "padding": (0, 0),
            "dilation": (1, 1),
            "groups": 1,
        }
        for attr, fallback in known.items():
            setattr(shell, attr, getattr(sub, attr, fallback))
        shell.transposed, shell.output_padding = False, (0, 0)
        shell.padding_mode = getattr(sub, "padding_mode", "zeros")
    else:
        shell = _Shell()
    for key, t in sub.named_parameters(recurse=False):
        shell.register_parameter(key, nn.Parameter(t.detach(), requires_grad=t.requires_grad))
    for key, t in sub.named_buffers(recurse=False):
        shell.register_buffer(key, t)
    return shell


class ScriptedNet(nn.Module):
    """A TorchScript model with the module tree, state_dict keys and forward hooks of the eager model it came from.

    Forward runs the script; when hooks are set on some submodules it runs the script's frozen, inlined graph with
    those modules' inputs and outputs as extra results and replays them through the hooks. Hooks can read (capture,
    gradients) but not change what the script computes, so methods that rewrite a model refuse ScriptedNets.
    """

    script: torch.jit.ScriptModule
    _frozen: Any

    def __init__(self, script: torch.jit.ScriptModule) -> None:
        super().__init__()
        object.__setattr__(self, "script", script)  # not a child: the shells stand for its modules
        self._relink()

    def _relink(self) -> None:
        """Rebuild the shells over the script's current tensors (after a device or dtype move)."""
        self._shells: dict[str, _Shell] = {}
        for name, sub in self.script.named_modules():
            if name:
                parent, _, leaf = name.rpartition(".")
                shell = _shell(sub)
                (self._shells[parent] if parent else self).add_module(leaf, shell)
                self._shells[name] = shell
        self._functions: dict[tuple[str, ...], tuple[Any, list[str]]] = {}
        self._frozen: Any = None

    def _apply(self, fn: Any, recurse: bool = True) -> ScriptedNet:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # torch reads .grad of the script's non-leaf slots
            self.script._apply(fn)
        for name in list(self._modules):
            del self._modules[name]
        self._relink()
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ScriptedNet:
        clone = ScriptedNet(copy.deepcopy(self.script, memo))
        return clone.train(self.training)

    def requires_grad_(self, requires_grad: bool = True) -> ScriptedNet:
        for t in self.script.parameters():
            t.requires_grad_(requires_grad)
        return super().requires_grad_(requires_grad)

    def train(self, mode: bool = True) -> ScriptedNet:
        self.script.train(mode)
        return super().train(mode)

    def _load_from_state_dict(self, *args: Any, **kwargs: Any) -> None:
        self._functions, self._frozen = {}, None  # a frozen graph may hold the old buffers as constants
        super()._load_from_state_dict(*args, **kwargs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hooked = [n for n, s in self._shells.items() if s._forward_hooks or s._forward_pre_hooks]
        if not hooked or self.training:
            return self.script(x)
        fn, found = self._function(tuple(hooked))
        missing = [n for n in hooked if n not in found]
        if missing:
            raise StudyError(
                f"layer {missing[0]} of a TorchScript model cannot be read (its code does not compute it as one "
                "step); choose another layer or give the Python architecture as file:<path.py>:<factory>"
            )
        result = fn(self._frozen, x)
        for i, name in enumerate(found):
            shell = self._shells[name]
            shell.expect, shell.replay = result[1 + 2 * i], result[2 + 2 * i]
            try:
                if shell(shell.expect) is not shell.replay:
                    raise refuse_changes("change the outputs of layers of", "this model")
            finally:
                shell.expect = shell.replay = None
        return result[0]

    def _function(self, names: tuple[str, ...]) -> tuple[Any, list[str]]:
        if names not in self._functions:
            if self._frozen is None:
                self._frozen = torch._C._freeze_module(self.script._c, [], True, True)
            self._functions[names] = tapped_function(flat_graph(self._frozen), list(names))
        return self._functions[names]
