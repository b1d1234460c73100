"""Mitigation methods (docs/mitigation.md): ReMoS slicing and its baselines, one module each.

Each module's `run(an, params) -> Generator[Progress, None, nn.Module]` starts from a deep copy of the teacher with
a new head, trains on the target training data and returns the mitigated model; the catalogue
(`tltui.base.catalogue.MITIGATIONS`) names them.
"""
