"""The four analysis levels (overall, instances, features, layers): torch in, numpy and plain dicts out.

Conventions shared by every function here:
- models take already-preprocessed input tensors; layers are named as in `model.named_modules()`;
- `device=None` means "where the model's parameters already are"; a given device moves the model there
  (`nn.Module.to` is in place) and each input batch with it;
- models run under `eval_mode`; hooks are removed in `finally`, so mode is restored even on error;
- return values hold numpy arrays, Python scalars, lists and dicts only (JSON/npz-serialisable, no torch).
"""
