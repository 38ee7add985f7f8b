"""complaint-tui: keyboard-first complaint handling under a published complaint policy."""

__version__ = "0.1.0"
