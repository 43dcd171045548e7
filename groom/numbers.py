"""How points read in messages and reports: 3, not 3.0; 19.3, not 19.333333."""

from __future__ import annotations


def points(value: object) -> str:
    """A number of points as a person writes it; text (``?``) as it is; nothing for None."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)
