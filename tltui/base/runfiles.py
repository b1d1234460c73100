"""Run-directory artifacts: JSON and npz written atomically, loadable with numpy alone (no torch)."""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from tltui.base import tempfiles
from tltui.base.errors import ResultsError, write_error


def _atomic_write(path: Path, write: Any, suffix: str) -> None:
    """Write through a unique temporary sibling, then rename: a reader sees the old file or the whole new one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tempfiles.prefix(path.name), suffix=suffix)
    except OSError as exc:
        raise write_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise write_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _clean(obj: Any) -> Any:
    """JSON-safe copy: numpy scalars to Python, non-finite floats to None."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def save_json(path: str | os.PathLike[str], data: Any) -> Path:
    """Write `data` as pretty JSON, atomically (write then rename)."""
    p = Path(path)
    text = json.dumps(_clean(data), indent=2, sort_keys=False).encode()
    _atomic_write(p, lambda fh: fh.write(text), ".json")
    return p


def load_json(path: str | os.PathLike[str]) -> Any:
    """Read JSON written by `save_json`; a missing or broken file is a `ResultsError`."""
    p = Path(path)
    try:
        return json.loads(p.read_text())
    except FileNotFoundError:
        raise ResultsError(f"{p}: not found; run the analysis that produces it first") from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise ResultsError(f"{p}: not a JSON file") from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"{p}: not valid JSON ({exc.msg} at line {exc.lineno})") from None


def save_npz(path: str | os.PathLike[str], **arrays: Any) -> Path:
    """Write numpy arrays to a compressed npz, atomically."""
    p = Path(path)
    clean = {k: np.asarray(v) for k, v in arrays.items()}

    def write(fh: Any) -> None:
        np.savez_compressed(fh, **clean)  # type: ignore[arg-type]

    _atomic_write(p, write, ".npz")
    return p


def load_npz(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Read every array of an npz into memory (no pickles allowed)."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise ResultsError(f"{p}: not found; run the analysis that produces it first") from None
    except (OSError, ValueError, EOFError) as exc:  # truncated, not a zip, or holding pickles
        raise ResultsError(f"{p}: unreadable ({type(exc).__name__}); run the analysis again") from None
