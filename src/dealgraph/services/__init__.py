"""Use cases joining the core and the store: the only way in for the CLI and the web."""
