"""Refusals: each carries one clear sentence for the user and changes nothing."""

from __future__ import annotations

from complaint_tui.domain.intake import FieldError


class Refused(Exception):
    """A user-facing refusal (CLI exit code 1)."""

    logged = False  # already written to the access log (each refusal is logged once)

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationFailed(Refused):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        first = errors[0].message if errors else "invalid input"
        more = (
            f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
            if len(errors) > 1
            else ""
        )
        super().__init__(first + more)


class PermissionDenied(Refused):
    pass


class NotFound(Refused):
    pass


class Conflict(Refused):
    """Someone else changed the case since it was read; nothing was saved."""


class Unavailable(Refused):
    """The database cannot be reached or has the wrong schema."""
