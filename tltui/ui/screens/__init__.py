"""Screens: the workbench, the help screen, the error dialog."""
