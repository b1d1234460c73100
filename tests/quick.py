"""Flags for end-to-end tests that check what is built, paired and recorded, not how strong the attack is."""

QUICK_ATTACK = ("--steps", "1", "--teacher-steps", "1", "--eps-grid", "0.03")
"""A one-step attack over one budget: the jobs run as in use, at a fraction of the study's attack cost."""
