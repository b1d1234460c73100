"""tltui: a terminal workbench for how students inherit the adversarial weakness of their teacher."""

__version__ = "0.1.0"
