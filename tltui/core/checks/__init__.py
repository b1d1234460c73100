"""The checks (docs/checks.md): pre-flight checks on every model before any attack, flags on the attacks' results.

One module per check, each registered by name in `tltui.base.catalogue.checks`; `tltui.core.checks.run` runs
them and records what they found."""
