"""The Textual workbench; never imports torch."""
