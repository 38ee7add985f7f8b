"""The terminal UI (Textual). Presentation only: every database call goes through services,
in worker threads that report back with messages."""
