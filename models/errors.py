"""Domain errors. Each carries a catalogue message id and its parameters; handlers translate it."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a string for the translation catalogue; it is translated where it is shown."""
    return message


class DomainError(Exception):
    """A rule of the product said no. `message` is a catalogue id, `params` fill its placeholders."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


class AccessDenied(DomainError):
    """The member may not see or change this row."""

    def __init__(self) -> None:
        super().__init__(N_("That record is not available to you."))


class FunnelError(DomainError):
    """A move the funnel rules do not allow."""


class StaleButton(DomainError):
    """A button this version does not know, or one whose moment has passed."""

    def __init__(self, message: str = N_("This button is no longer active. Please send the command again.")) -> None:
        super().__init__(message)


class Reply(Exception):
    """Stop handling and answer with `text`, already in the member's language (a refusal followed
    by examples that depend on where it was asked). Answered like a `DomainError`."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text
