"""groom.toml discovery, validation and built-in defaults.

With no groom.toml, groom works on ``./backlog`` with the defaults below. Every key in the
file is checked: an unknown key or a value of the wrong kind is a ConfigError (exit 2) that
names the key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from groom.errors import ConfigError, GroomError
from groom.naming import Reading

CONFIG_NAME = "groom.toml"

DEFAULT_SCALE: tuple[int, ...] = (0, 1, 2, 3, 5, 8, 13, 20, 40, 100)
DEFAULT_STATUSES = ("draft", "refining", "ready", "planned", "in-progress", "done", "split", "dropped")
DEFAULT_READY_STATUSES = ("ready", "planned", "in-progress", "done")
DEFAULT_DONE_STATUSES = ("done",)
DEFAULT_FINAL_STATUSES = ("planned", "in-progress", "done")
DEFAULT_INACTIVE_STATUSES = ("split", "dropped")
DEFAULT_TYPES = ("story", "spike", "bug", "chore")
DEFAULT_ROLES: dict[str, str] = {
    "new": "draft",
    "planned": "planned",
    "split": "split",
    "dropped": "dropped",
    "backlog": "ready",
}
"""The status each role names unless groom.toml says otherwise: what ``groom new`` and split
children get, what ``groom plan`` sets, what a split parent and a dropped story get, and where
``groom close --to-backlog`` returns unfinished stories."""
FIELD_ROLES = ("depends_on", "parent", "owner", "rank", "estimate", "value")
"""Contract keys a team may store under its own name ([fields] in groom.toml)."""
CONTRACT_KEYS = frozenset(
    ("id", "title", "type", "status", "children", "labels", "epic", "sprint", "timebox", "acceptance_criteria")
).union(FIELD_ROLES, ("questions", "derived"))
"""Keys whose meaning the story contract fixes: no [fields] entry may give one a second meaning."""
_FIELD_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
ROLE_USE = {
    "new": "new stories and split children get",
    "planned": "groom plan gives the stories of a sprint",
    "split": "a split story gets",
    "dropped": "a dropped story gets",
    "backlog": "unfinished stories return to when a sprint closes",
}


@dataclass(frozen=True, slots=True)
class Config:
    """Everything a command needs to know about the team's backlog and agreements."""

    root: Path
    """Folder that relative paths in the config are resolved against."""
    source: Path | None
    """The groom.toml that was read, or None when running on defaults."""
    backlog: Path
    exclude: tuple[str, ...] = ("README.md", "readme.md")
    id_prefixes: tuple[str, ...] = ("S-",)
    scale: tuple[int | float, ...] = DEFAULT_SCALE
    max_story_points: int | float = 13
    types: tuple[str, ...] = DEFAULT_TYPES
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    ready_statuses: tuple[str, ...] = DEFAULT_READY_STATUSES
    done_statuses: tuple[str, ...] = DEFAULT_DONE_STATUSES
    final_statuses: tuple[str, ...] = DEFAULT_FINAL_STATUSES
    """Accepted into a sprint: the estimate is final and changes need --force."""
    inactive_statuses: tuple[str, ...] = DEFAULT_INACTIVE_STATUSES
    story_schema: Path | None = None
    """None means the schema packaged with groom."""
    ready_schema: Path | None = None
    max_rank_length: int = 24
    rank_kind: str = "auto"
    """``text`` (groom's keys), ``number`` (e.g. Backlog.md's ordinal) or ``auto``: numbers when
    the backlog's ranks are numbers."""
    velocity: tuple[float, ...] = ()
    capacity: float | None = None
    fill: str = "skip"
    spike_points_per_day: float | None = None
    """When set, a spike takes its timebox × this many points of the capacity, not its estimate."""
    roles: tuple[tuple[str, str], ...] = tuple(DEFAULT_ROLES.items())
    """(role, status) for the roles this backlog has; see DEFAULT_ROLES."""
    fields: tuple[tuple[str, str], ...] = ()
    """(contract key, the team's key) for each contract key the team names differently
    ([fields]); every reader and writer goes through it."""

    inactive_paths: tuple[str, ...] = ()
    """Folders (inside the backlog folder) of finished or set-aside stories ([paths] inactive):
    read for their ids and references, never open work, never judged."""
    new_folder: str = ""
    """Where ``groom new`` writes, inside the backlog folder ([new] folder); split children and
    spikes go beside their parent."""
    id_digits: int = 0
    """New ids' numbers padded with zeros to this many digits ([new] id_digits; 0: no padding)."""
    file_name: str = "{id}-{slug}.md"
    """How new files are named ([new] file_name): {id}, {id_lower}, {slug}, {words}."""
    id_match_case: bool = True
    """False: ``task-12`` and ``TASK-12`` are one id ([ids] match_case)."""
    id_aliases: tuple[tuple[str, str], ...] = ()
    """(old prefix, prefix): references written with an old prefix mean today's ids ([ids] aliases)."""
    cache: bool | None = None
    """[cache] enabled: whether runs keep what they read in the warm cache (groom/cache.py);
    None when groom.toml does not say (then on, except in CI)."""

    @property
    def reading(self) -> Reading:
        """How this team's story files are read (model.Reading)."""
        prefixes = [(old.lower(), new) for old, new in self.id_aliases]
        if not self.id_match_case:
            prefixes += [(prefix.lower(), prefix) for prefix in self.id_prefixes]
        return Reading(self.fields, tuple(prefixes))

    def role(self, name: str) -> str:
        """The team's status for a role ("new", "planned", "split", "dropped", "backlog")."""
        for role, status in self.roles:
            if role == name:
                return status
        raise ConfigError(
            f"this backlog has no status for what {ROLE_USE[name]}: set status.{name} in groom.toml "
            f"to one of {', '.join(self.statuses)}"
        )

    def is_open(self, status: str) -> bool:
        """Work still to do: not done, not split, not dropped."""
        return status not in self.done_statuses and status not in self.inactive_statuses

    @property
    def id_prefix(self) -> str:
        """The prefix new ids get."""
        return self.id_prefixes[0]


def find_config(start: Path) -> Path | None:
    """The nearest groom.toml in ``start`` or a folder above it."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load(cwd: Path, config_file: Path | None = None, backlog: Path | None = None) -> Config:
    """The configuration for a run from ``cwd``, with command-line overrides applied."""
    source = config_file if config_file is not None else find_config(cwd)
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file {config_file} not found; pass an existing file to --config")
    config = Config(root=cwd, source=None, backlog=cwd / "backlog") if source is None else _from_file(source)
    if backlog is not None:
        config = replace(config, backlog=(cwd / backlog).resolve() if not backlog.is_absolute() else backlog)
    return config


def read_safely(path: Path, what: str) -> str:
    """A config or schema file's text, read like a story: a regular file (no FIFO, device or
    link to one), at most 1 MiB, UTF-8; else ConfigError."""
    from groom import storyfile  # storyfile needs this module's records: import on use

    try:
        return storyfile.read_bytes(str(path)).decode("utf-8")
    except GroomError as exc:
        raise ConfigError(f"cannot read this {what}: it {exc.message}", path=str(path)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} is not UTF-8 (at byte {exc.start}); save it as UTF-8", path=str(path)) from None


def from_text(text: str, path: Path) -> Config:
    """The configuration a groom.toml with this text at ``path`` gives (a groom.toml read from
    a git object, say): checked like a file on disk, paths resolved against its folder."""
    return _from_file(path, text)


def _from_file(path: Path, text: str | None = None) -> Config:
    try:
        data = tomllib.loads(read_safely(path, "groom.toml") if text is None else text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc}); fix the syntax", path=str(path)) from None
    except RecursionError:
        raise ConfigError("nested too deeply to read; flatten it", path=str(path)) from None
    reader = _Reader(path, data)
    root = path.parent.resolve()
    prefixes = reader.get("id_prefix", _str_or_strs, ("S-",))
    statuses = reader.get("status.all", _strs, DEFAULT_STATUSES)

    def subset(default: tuple[str, ...]) -> tuple[str, ...]:
        # A default list only names the statuses the team kept.
        return tuple(s for s in default if s in statuses)

    scale = reader.get("estimate.scale", _numbers, DEFAULT_SCALE)
    config = Config(
        root=root,
        source=path,
        backlog=root / reader.get("backlog", _str, "backlog"),
        exclude=reader.get("exclude", _strs, ("README.md", "readme.md")),
        id_prefixes=prefixes,
        scale=scale,
        max_story_points=reader.get("estimate.max_story_points", _number, 13),
        types=reader.get("types", _strs, DEFAULT_TYPES),
        statuses=statuses,
        ready_statuses=reader.get("status.ready", _strs, subset(DEFAULT_READY_STATUSES)),
        done_statuses=reader.get("status.done", _strs, subset(DEFAULT_DONE_STATUSES)),
        final_statuses=reader.get("status.final", _strs, subset(DEFAULT_FINAL_STATUSES)),
        inactive_statuses=reader.get("status.inactive", _strs, subset(DEFAULT_INACTIVE_STATUSES)),
        story_schema=_optional_path(root, reader.get("schemas.story", _str, "")),
        ready_schema=_optional_path(root, reader.get("schemas.ready", _str, "")),
        max_rank_length=int(reader.get("rank.max_length", _number, 24)),
        rank_kind=reader.get("rank.kind", _choice("auto", "text", "number"), "auto"),
        velocity=tuple(float(v) for v in reader.get("sprint.velocity", _numbers, ())),
        capacity=_optional_float(reader.get("sprint.capacity", _number, -1)),
        fill=reader.get("sprint.fill", _choice("skip", "strict"), "skip"),
        spike_points_per_day=_optional_float(reader.get("sprint.spike_points_per_day", _number, -1)),
    )
    config = replace(
        config,
        roles=_roles(reader, statuses, path),
        fields=_fields(reader, path),
        id_match_case=reader.get("ids.match_case", _bool, True),
        new_folder=reader.get("new.folder", _folder, ""),
        inactive_paths=tuple(_folder("paths.inactive", v) for v in reader.get("paths.inactive", _strs, ())),
        file_name=reader.get("new.file_name", _file_name, "{id}-{slug}.md"),
        id_digits=reader.get("new.id_digits", _digits, 0),
        id_aliases=_aliases(reader, prefixes, path),
        cache=reader.get("cache.enabled", _bool, None),
    )
    reader.reject_unknown()
    _check_roles(config, path)
    for name in ("ready_statuses", "done_statuses", "final_statuses", "inactive_statuses"):
        unknown = [s for s in getattr(config, name) if s not in config.statuses]
        if unknown:
            raise ConfigError(
                f"status.{name.removesuffix('_statuses')} names {unknown[0]!r}, "
                "which is not in status.all; add it there",
                path=str(path),
            )
    if sorted(set(scale)) != list(scale):
        raise ConfigError("estimate.scale must list distinct numbers in increasing order", path=str(path))
    return config


def _roles(reader: _Reader, statuses: tuple[str, ...], path: Path) -> tuple[tuple[str, str], ...]:
    """Each role the file names must be a known status; a role left out takes its default name
    when the team has that status, and is absent otherwise (a command that needs it says so)."""
    roles = []
    for role, default in DEFAULT_ROLES.items():
        status = reader.get(f"status.{role}", _str, "")
        if status and status not in statuses:
            raise ConfigError(
                f"status.{role} names {status!r}, which is not in status.all; add it there or name one of "
                f"{', '.join(statuses)}",
                path=str(path),
            )
        if status or default in statuses:
            roles.append((role, status or default))
    return tuple(roles)


def _fields(reader: _Reader, path: Path) -> tuple[tuple[str, str], ...]:
    """[fields]: contract key -> the team's key. A team key must be a plain YAML key and may
    not be another contract key or serve two roles (a value would be read under two meanings)."""
    table = reader.data.get("fields", {})
    if not isinstance(table, dict):
        raise ConfigError('[fields] must be a table of contract key = "team\'s key"', path=str(path))
    fields: list[tuple[str, str]] = []
    for role in table:
        if role not in FIELD_ROLES:
            raise ConfigError(
                f"fields.{role} is not a contract key groom can rename; use one of {', '.join(FIELD_ROLES)}",
                path=str(path),
            )
        key = reader.get(f"fields.{role}", _str, role)
        if not _FIELD_KEY.fullmatch(key):
            raise ConfigError(f"fields.{role} = {key!r} is not a plain front matter key", path=str(path))
        if key != role and (key in CONTRACT_KEYS or key in (k for _, k in fields)):
            raise ConfigError(
                f"fields.{role} = {key!r}: that key already has a meaning for groom; name another key",
                path=str(path),
            )
        if key != role:
            fields.append((role, key))
    return tuple(fields)


def _aliases(reader: _Reader, prefixes: tuple[str, ...], path: Path) -> tuple[tuple[str, str], ...]:
    """[ids] aliases: old prefix -> one of id_prefix (e.g. Backlog.md's "task-" before "BACK-")."""
    table = reader.data.get("ids", {}).get("aliases", {}) if isinstance(reader.data.get("ids"), dict) else {}
    if not isinstance(table, dict):
        raise ConfigError('ids.aliases must be a table of "old prefix" = "prefix"', path=str(path))
    aliases = []
    for old in table:
        new = reader.get(f"ids.aliases.{old}", _str, "")
        if new not in prefixes:
            raise ConfigError(
                f"ids.aliases.{old} = {new!r} is not one of id_prefix ({', '.join(prefixes)}); name one of them",
                path=str(path),
            )
        aliases.append((old, new))
    return tuple(aliases)


def _check_roles(config: Config, path: Path) -> None:
    """A split or dropped story must not count as open work: its role's status is inactive."""
    for role in ("split", "dropped"):
        status = dict(config.roles).get(role)
        if status is not None and status not in config.inactive_statuses:
            raise ConfigError(
                f"status.{role} is {status!r}, which status.inactive does not list, so a {role} story would still "
                f"count as open work; add {status!r} to status.inactive",
                path=str(path),
            )


def _optional_path(root: Path, value: str) -> Path | None:
    return (root / value) if value else None


def _optional_float(value: float) -> float | None:
    return None if value < 0 else float(value)


class _Reader:
    """Reads dotted keys from parsed TOML, remembering which ones were used."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.used: set[str] = set()

    def get(self, dotted: str, convert: Callable[[str, Any], Any], default: Any) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        self.used.add(dotted)
        try:
            return convert(dotted, node)
        except ConfigError as exc:
            raise ConfigError(exc.message, path=str(self.path)) from None

    def reject_unknown(self) -> None:
        for dotted in _leaf_keys(self.data):
            if dotted not in self.used:
                raise ConfigError(
                    f"unknown key {dotted!r}; see the groom.toml that 'groom init' writes for the keys",
                    path=str(self.path),
                )


def _leaf_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    keys: list[str] = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            keys.extend(_leaf_keys(value, dotted + "."))
        else:
            keys.append(dotted)
    return keys


def _str(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string, not {value!r}")
    return value


def _digits(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 9:
        raise ConfigError(f"{key} must be a whole number from 0 to 9, not {value!r}")
    return value


def _folder(key: str, value: Any) -> str:
    text = _str(key, value).strip("/")
    if text.startswith(".") or ".." in text.split("/") or "\\" in text:
        raise ConfigError(f"{key} {value!r} must be a folder inside the backlog folder, not hidden")
    return text


_NAME_FIELD = re.compile(r"\{([^{}]*)\}")


def _file_name(key: str, value: Any) -> str:
    text = _str(key, value)
    fields = _NAME_FIELD.findall(text)
    unknown = [f for f in fields if f not in ("id", "id_lower", "slug", "words")]
    if unknown or "/" in text or "\\" in text or text.startswith(".") or not text.endswith(".md"):
        raise ConfigError(
            f"{key} {value!r}: write a file name ending in .md from {{id}}, {{id_lower}}, {{slug}} and {{words}}"
        )
    if "id" not in fields and "id_lower" not in fields:
        raise ConfigError(f"{key} {value!r} must hold {{id}} or {{id_lower}}: two stories would share a name")
    try:
        text.format(id="S-1", id_lower="s-1", slug="a", words="A")
    except (ValueError, IndexError, KeyError):
        raise ConfigError(f"{key} {value!r}: a brace outside {{id}}, {{slug}}…; write {{{{ or }}}} for one") from None
    return text


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{key} must be true or false, not {value!r}")
    return value


def _strs(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{key} must be a list of strings")
    return tuple(value)


_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*[-_]?")


def _str_or_strs(key: str, value: Any) -> tuple[str, ...]:
    result = (value,) if isinstance(value, str) else _strs(key, value)
    if not result or not all(result):
        raise ConfigError(f"{key} must name at least one non-empty prefix")
    for prefix in result:
        if not _PREFIX.fullmatch(prefix):
            raise ConfigError(
                f"{key} {prefix!r} is not an id prefix: letters, then letters or digits, and an optional "
                "'-' or '_' (no '/', '.' or spaces: ids become file names)"
            )
    return result


def _number(key: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ConfigError(f"{key} must be a number of zero or more, not {value!r}")
    return value


def _numbers(key: str, value: Any) -> tuple[int | float, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{key} must be a list of numbers")
    return tuple(_number(key, v) for v in value)


def _choice(*choices: str) -> Callable[[str, Any], str]:
    def convert(key: str, value: Any) -> str:
        if value not in choices:
            raise ConfigError(f"{key} must be one of {', '.join(choices)}, not {value!r}")
        return str(value)

    return convert
