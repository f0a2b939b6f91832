"""The error a model raises when it cannot be found, verified or loaded."""

from __future__ import annotations

__all__ = ["ModelError"]


class ModelError(RuntimeError):
    """A model could not be found, verified or loaded; the message says what to do.

    Examples
    --------
    >>> from framing.scoring import ModelError, load_model
    >>> try:
    ...     load_model("/no/such/folder")
    ... except ModelError as err:
    ...     print(str(err).split(":")[0])
    unknown model '/no/such/folder'
    """
