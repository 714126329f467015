"""Errors that carry a message fit to show an instructor as it is."""

from __future__ import annotations


class BachataError(Exception):
    """Base for expected failures: the message is clear, one line, and shown to the user."""


class InputError(BachataError):
    """Bad input: a corrupt, truncated, empty or mislabelled file, malformed JSON, a hostile path."""


class StorageError(BachataError):
    """The disk refused: read-only, full, or a database the app cannot open."""


class ModelNotFoundError(BachataError):
    """A model file is missing from every folder of the model search path."""


class MissingExtraError(BachataError):
    """A feature needs an optional part that is not installed (the message says how to add it)."""


class Cancelled(BachataError):  # noqa: N818 - reads better at call sites than CancelledError
    """Raised inside long work when its task context was cancelled."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)
