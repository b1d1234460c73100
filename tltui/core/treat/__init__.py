"""Treatments of a variant (docs/treatments.md), one module each: `run(an, params)` yields Progress and returns
the treated model; the catalogue (`tltui.base.catalogue.TREATMENTS`) names them."""
