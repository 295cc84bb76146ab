"""User-facing errors: each is one line, and the CLI exits with status 2."""

from __future__ import annotations

from reproduce.data.errors import DataError


class UserError(Exception):
    """Bad input from the user (a spec, an argument, a profile): one line, exit status 2."""


class SpecError(UserError):
    """A spec file is invalid; the message names the file and the field."""

    def __init__(self, path: object, field: str, message: str) -> None:
        self.path = str(path)
        self.field = field
        super().__init__(f"{path}: {field}: {message}" if field else f"{path}: {message}")


# what the command line reports in one line with exit status 2: the harness's own user
# errors and the data sets' (reproduce.data imports nothing of the harness, so it has its
# own); a missing weights file (reproduce.metrics.MissingWeights) is reported alike
USER_ERRORS: tuple[type[Exception], ...] = (UserError, DataError)
