"""User-facing errors: one line a person can act on (which key, what value, what is allowed)."""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input; the CLI prints it as one line and exits with status 2."""


class ParamError(UserError, ValueError):
    """A parameter value outside what the model allows."""

    def __init__(self, key: str, value: object, allowed: str) -> None:
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}={value!r} is not allowed: {allowed}")
