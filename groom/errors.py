"""The small error hierarchy groom raises, each mapped to a documented exit code.

Core modules raise these; only the CLI turns them into a message and an exit code.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2


class GroomError(Exception):
    """A problem the user can fix; the message is one line that says what to do."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        return f"{where}{self.message}"


class ConfigError(GroomError):
    """groom.toml, a schema or a command-line option cannot be used as given."""


class StoryNotFound(GroomError):
    """An id given on the command line names no story in the backlog."""


class FrontMatterError(GroomError):
    """A story's bytes cannot be turned into front matter; raised by storyfile and yamlio."""


class WriteConflict(GroomError):
    """A file changed on disk since groom read it, or an edit would not round-trip."""
