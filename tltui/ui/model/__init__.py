"""The workbench's view model: session, runs, study state, settings, jobs client and chart specs; no Textual."""
