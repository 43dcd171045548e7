"""Every error groom raises on purpose, each with its documented exit code.

Core modules raise these; only the CLI turns them into one line on stderr and an exit code.
Anything else that escapes is a bug: the CLI prints one line asking for a report and exits 3
(pre-commit's convention), never a traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
"""Findings: check found errors, a story file cannot be read, a write would break the DoR."""
EXIT_USAGE = 2
"""Usage, configuration or I/O: the command cannot run as given."""
EXIT_INTERNAL = 3
"""A bug in groom."""
EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C): 128 + SIGINT, as shells report it."""


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


class UnreadableStory(GroomError):
    """An id given on the command line is in a file that cannot be read; or a write that
    depends on the whole backlog's order meets a file it cannot read."""

    exit_code = EXIT_FINDINGS


class FrontMatterError(GroomError):
    """A story's bytes cannot be turned into front matter; raised by storyfile and yamlio."""


class WriteConflict(GroomError):
    """A file changed on disk since groom read it, or an edit would not round-trip."""


class StoryChanged(GroomError):
    """A story's file changed (or went) between groom's read of it and a second look that must
    find the same bytes: the run cannot answer for bytes it no longer has."""


class DorRefusal(GroomError):
    """A write that would make a story claiming ready fail the Definition of Ready."""

    exit_code = EXIT_FINDINGS


class YamlError(Exception):
    """Front matter that cannot be read (raised by yamlio); line and column are 0-based within
    the front matter text. Callers turn it into a finding or a FrontMatterError with the file's
    line, so it never reaches the user as it is."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    def __str__(self) -> str:
        return self.message


class RankError(GroomError):
    """A rank key that is not a valid fractional-index key, or no key fits."""
