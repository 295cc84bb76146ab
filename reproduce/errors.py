"""User-facing errors: each is one line, and the CLI exits with status 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user (a spec, an argument, a profile): one line, exit status 2."""


class SpecError(UserError):
    """A spec file is invalid; the message names the file and the field."""

    def __init__(self, path: object, field: str, message: str) -> None:
        self.path = str(path)
        self.field = field
        super().__init__(f"{path}: {field}: {message}" if field else f"{path}: {message}")
