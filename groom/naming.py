"""How a team's story files are read: its names for contract keys (groom.toml's [fields]) and
the ways it writes one id ([ids]). Plain functions on front matter dicts; nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FieldMap = tuple[tuple[str, str], ...]
"""(contract key, the team's key) pairs: groom.toml's [fields]."""


def with_roles(data: dict[str, Any], fields: FieldMap) -> dict[str, Any]:
    """The front matter with each team key's value also under its contract key, so that every
    planning module reads ``depends_on`` whatever the team calls it. The team's key wins over a
    contract key the file also writes: it is the one groom writes back. ``team_view`` undoes
    this for the schemas."""
    for role, key in fields:
        if key in data:
            data[role] = data[key]
    return data


ID_KEYS = ("id", "depends_on", "parent", "children")
"""Contract keys whose values are story ids."""


@dataclass(frozen=True, slots=True)
class Reading:
    """How a team's files are read: its names for contract keys, and how ids it writes in more
    than one way (``task-12``, ``TASK-12``, an old prefix) become the one id they mean."""

    fields: FieldMap = ()
    prefixes: tuple[tuple[str, str], ...] = ()
    """(prefix in lower case, the prefix it means): an id or reference starting with the first,
    whatever its case, is read with the second. Empty: ids compare exactly."""

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        data = with_roles(data, self.fields)
        if self.prefixes:
            for role in ID_KEYS:
                if role in data:
                    value = self.canonical(data[role])
                    key = team_key(role, self.fields)
                    if key in data and data[key] is data[role]:
                        data[key] = value
                    data[role] = value
        return data

    def canonical(self, value: Any) -> Any:
        """An id (or a list of ids) as the backlog's ids write it."""
        if isinstance(value, list):
            return [self.canonical(item) for item in value]
        if not isinstance(value, str):
            return value
        lowered = value.lower()
        for written, meant in self.prefixes:
            if lowered.startswith(written):
                return meant + value[len(written) :]
        return value


PLAIN = Reading()
"""Files read as they are written (groom's own keys, ids compared exactly)."""


def team_view(data: dict[str, Any], fields: FieldMap) -> dict[str, Any]:
    """The front matter as the file writes it: without the contract keys with_roles added.
    (Compared by value, not identity: stories read in another process come back as copies. A
    file that writes both keys with one value loses the contract key from this view only.)"""
    added = [role for role, key in fields if role in data and key in data and data[role] == data[key]]
    if not added:
        return data
    return {key: value for key, value in data.items() if key not in added}


def team_key(key: str, fields: FieldMap) -> str:
    """The key the team's files use for a contract key."""
    return next((team for role, team in fields if role == key), key)
