"""The one record every check produces: a finding at a place in a file."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem with a story; ``line`` and ``column`` are 1-based."""

    path: str
    line: int
    column: int
    id: str | None
    rule: str
    severity: str
    message: str

    def __reduce__(self) -> tuple[type[Finding], tuple[str | int | None, ...]]:
        return (Finding, (self.path, self.line, self.column, self.id, self.rule, self.severity, self.message))

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.rule)
