"""The torch-free base every layer shares: errors, progress, study parsing, run files, workspace, catalogue."""
