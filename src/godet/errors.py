"""Errors that become ``godet: PATH: problem`` on stderr and exit code 2."""

from __future__ import annotations


class GodetError(Exception):
    """A problem with one input file, reported as one line naming the file."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class UnreadableFile(GodetError):
    """The file cannot be opened or mapped (missing, directory, permissions, empty)."""


class NotAnExecutable(GodetError):
    """The file is not an ELF, PE or Mach-O executable."""


class NotGoBinary(GodetError):
    """The file is an executable, but not one built by the Go toolchain."""


class CorruptBinary(GodetError):
    """The file claims a format but its structures are truncated or inconsistent."""


class FormatError(ValueError):
    """Raised by structure readers when bytes do not fit the declared structure.

    Readers raise it with a short reason; the stage that called them turns it into a
    note (degrade to located bytes) or, for the container itself, a CorruptBinary.
    """
