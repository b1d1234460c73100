"""Pure analysis: data, models, attacks, metrics, the four levels, slicing, treatments (no UI, no jobs)."""
