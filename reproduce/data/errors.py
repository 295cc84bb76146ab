"""The data sets' own error (the data package imports nothing else of the harness)."""

from __future__ import annotations


class DataError(Exception):
    """A data set that cannot be read (unknown name or split, missing files, a reader not
    installed): one line saying what is wrong and, for missing files, where to get them and
    where to put them. The command line reports it like a user error (exit status 2)."""
