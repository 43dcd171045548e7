"""The edge of every command: read through the Workspace, plan with a planning module, write
through ``edits``. One module per command family; each function returns a result record for
the reporters and never prints."""
