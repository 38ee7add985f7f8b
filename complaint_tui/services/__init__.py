"""Use cases: the only API the CLI and the TUI call."""
