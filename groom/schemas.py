"""The team's schemas: loaded from local files only, checked at start-up, built once.

Two schemas judge a story: the story schema (the structure every story meets) and the
ready schema (the Definition of Ready, for stories that claim ``ready`` or later). Both may
``$ref`` each other, any ``*.json`` file next to them, and ``urn:groom:config``, a resource
groom generates from groom.toml (the scale, the statuses, the id pattern). Nothing is ever
fetched: a ``$ref`` that is not one of those is a ConfigError at start-up, and so is a
``format`` that groom cannot check, because jsonschema would let it pass silently.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from groom.config import Config
from groom.errors import ConfigError

if TYPE_CHECKING:
    from jsonschema.protocols import Validator

CONFIG_URN = "urn:groom:config"


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    """Where it came from, for messages: a path or 'packaged story schema'."""
    contents: dict[str, Any]
    validator: Validator
    """The reference validator: its errors are what findings report."""
    is_valid: Callable[[Any], bool]
    """A fast yes/no (jsonschema-rs) asked first, so valid stories skip the slow path."""


@dataclass(frozen=True, slots=True)
class Schemas:
    story: Schema
    ready: Schema


class _DeferredSchemas(Schemas):
    """Schemas built when a story is first judged: a warm run whose verdicts all come from the
    cache never imports jsonschema (a third of its time). Only for schemas already checked with
    these very bytes, config and libraries (the cache's key): a broken one is named at start-up
    by the run that first sees it, as load() does."""

    __slots__ = ("_build",)
    _build: Callable[[], Schemas]

    def __getattr__(self, name: str) -> Any:
        if name not in ("story", "ready"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        built = self._build()
        object.__setattr__(self, "story", built.story)
        object.__setattr__(self, "ready", built.ready)
        return built.story if name == "story" else built.ready


def deferred(config: Config) -> Schemas:
    """load(config) when a story is first judged, for schemas known to load (see _DeferredSchemas)."""
    schemas = object.__new__(_DeferredSchemas)
    object.__setattr__(schemas, "_build", lambda: load(config))
    return schemas


def config_resource(config: Config) -> dict[str, Any]:
    """The generated ``urn:groom:config`` schema: the team's agreements as ``$defs``."""
    prefixes = "|".join(re.escape(prefix) for prefix in config.id_prefixes)
    scale = list(config.scale)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": CONFIG_URN,
        "$defs": {
            "id": {"type": "string", "pattern": f"^(?:{prefixes})[0-9]+(?:\\.[0-9]+)*$"},
            "type": {"enum": list(config.types)},
            "status": {"enum": list(config.statuses)},
            "ready_status": {"enum": list(config.ready_statuses)},
            "estimate": {"enum": scale},
            "estimate_or_unknown": {"enum": [*scale, "?"]},
            "small_estimate": {"if": {"type": "number"}, "then": {"maximum": config.max_story_points}},
        },
    }


def _read_json(path: Path, texts: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A schema file's JSON object: from the disk, or from ``texts`` (path -> text) when given."""
    from groom.config import read_safely

    if texts is not None and str(path) not in texts:
        raise ConfigError("schema file not found; groom.toml names it under [schemas]", path=str(path))
    try:
        data = json.loads(read_safely(path, "schema") if texts is None else texts[str(path)])
    except json.JSONDecodeError as exc:
        raise ConfigError(f"schema is not valid JSON ({exc}); fix the file", path=str(path), line=exc.lineno) from None
    except RecursionError:
        raise ConfigError("schema is nested too deeply to read; flatten it", path=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError("schema must be a JSON object", path=str(path))
    return data


def _packaged(name: str) -> dict[str, Any]:
    text = resources.files("groom").joinpath("schemas", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


_DATA = ("enum", "const", "examples", "default")
"""Keywords whose values are data, not schemas: a "$ref" inside them is not a reference."""
_NAMED = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
"""Keywords whose values map names to schemas: a property may be called "default" or "enum"."""


def _subschemas(node: Any) -> Iterator[Any]:
    """The schemas directly inside a schema."""
    if isinstance(node, list):
        yield from node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key in _NAMED and isinstance(value, dict):
                yield from value.values()
            elif key not in _DATA:
                yield value


def _refs(node: Any, base: str) -> Iterator[tuple[str, str]]:
    """Every ``$ref`` and ``$dynamicRef`` in a schema with the base URI it is resolved against."""
    if isinstance(node, dict):
        node_id = node.get("$id")
        if isinstance(node_id, str):
            base = urljoin(base, node_id) if base else node_id
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if isinstance(ref, str):
                yield base, ref
    for child in _subschemas(node):
        yield from _refs(child, base)


def _formats(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        value = node.get("format")
        if isinstance(value, str):
            yield value
    for child in _subschemas(node):
        yield from _formats(child)


def _json_files(folder: Path, texts: Mapping[str, str] | None) -> list[Path]:
    """The ``*.json`` files in a folder (not below it), sorted: on disk, or among ``texts``."""
    if texts is None:
        return sorted(folder.glob("*.json"))
    return sorted(Path(name) for name in texts if Path(name).parent == folder and name.endswith(".json"))


def load(config: Config, texts: Mapping[str, str] | None = None) -> Schemas:
    """Build both validators, or raise ConfigError naming the schema file and what to fix.

    The schema files are read from the disk, or, when ``texts`` is given, taken from it (path
    -> text for every file of the schema folders: a commit's schemas, read from git objects)."""
    from jsonschema import Draft202012Validator, exceptions, validators
    from referencing import Registry, Resource
    from referencing.exceptions import NoSuchResource, Unresolvable
    from referencing.jsonschema import DRAFT202012

    documents: dict[str, tuple[str, dict[str, Any]]] = {}
    story_name, story = _source(config.story_schema, "story.schema.json", texts)
    ready_name, ready = _source(config.ready_schema, "ready.schema.json", texts)
    folders = {path.parent for path in (config.story_schema, config.ready_schema) if path is not None}
    for folder in sorted(folders):
        for path in _json_files(folder, texts):
            documents[str(path)] = (str(path), _read_json(path, texts))
    documents["story"] = (story_name, story)
    documents["ready"] = (ready_name, ready)
    documents[CONFIG_URN] = ("generated config schema", config_resource(config))
    for name, contents in documents.values():  # a broken schema is named before anything walks it
        cls = validators.validator_for(contents, default=Draft202012Validator)
        try:
            cls.check_schema(contents)
        except exceptions.SchemaError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "top level"
            raise ConfigError(f"not a valid JSON Schema at {where}: {exc.message}", path=name) from None
        except RecursionError:
            raise ConfigError("schema is nested too deeply to check; flatten it", path=name) from None

    def refuse(uri: str) -> Resource[Any]:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # attrs-generated __init__

    registry: Registry[Any] = Registry(retrieve=refuse)  # type: ignore[call-arg]  # attrs-generated __init__
    for key, (_, contents) in documents.items():
        uri = contents.get("$id") if isinstance(contents.get("$id"), str) else Path(key).resolve().as_uri()
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        registry = registry.with_resource(str(uri), resource)
    registry = registry.crawl()

    built: list[Schema] = []
    checker = Draft202012Validator.FORMAT_CHECKER
    for name, contents in ((story_name, story), (ready_name, ready)):
        cls = validators.validator_for(contents, default=Draft202012Validator)
        for fmt in _formats(contents):
            if fmt not in checker.checkers:
                raise ConfigError(
                    f"format {fmt!r} cannot be checked by groom and would pass silently; "
                    "use 'pattern' instead or one of: " + ", ".join(sorted(checker.checkers)),
                    path=name,
                )
        base = contents.get("$id") if isinstance(contents.get("$id"), str) else ""
        for ref_base, ref in _refs(contents, str(base)):
            try:
                registry.resolver(base_uri=ref_base).lookup(ref)
            except (Unresolvable, NoSuchResource):
                raise ConfigError(
                    f"$ref {ref!r} is not a local schema and groom never fetches one; "
                    "copy it next to the schema and refer to its $id",
                    path=name,
                ) from None
        validator = _bounded(cls, name)(contents, registry=registry, format_checker=checker)
        built.append(Schema(name, contents, validator, _fast(contents, documents, validator)))
    return Schemas(story=built[0], ready=built[1])


PATTERN_SECONDS = 0.5
"""How long one schema pattern may take on one value before groom calls it runaway."""


def _bounded(cls: Any, name: str) -> Any:
    """The validator class with ``pattern`` and ``patternProperties`` matched by the regex
    module under a time limit: Python's re would backtrack for minutes on a pattern like
    ^(a|aa)+$ and a 40-character title. A runaway match stops the run with a clear error."""
    import regex
    from jsonschema import ValidationError, validators

    def search(pattern: str, text: str) -> bool:
        try:
            return regex.search(pattern, text, timeout=PATTERN_SECONDS) is not None
        except TimeoutError:
            raise ConfigError(
                f"schema pattern {pattern!r} ran for over {PATTERN_SECONDS:g} s on a {len(text)}-character value "
                "without an answer (catastrophic backtracking); rewrite it without nested repetition",
                path=name,
            ) from None

    def pattern(validator: Any, wanted: str, instance: Any, _schema: Any) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string") and not search(wanted, instance):
            yield ValidationError(f"{instance!r} does not match {wanted!r}")

    def pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any, _schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for wanted, subschema in patterns.items():
            for key, value in instance.items():
                if search(wanted, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=wanted)

    return validators.extend(cls, {"pattern": pattern, "patternProperties": pattern_properties})  # type: ignore[no-untyped-call]  # untyped in types-jsonschema


def _fast(
    contents: dict[str, Any], documents: dict[str, tuple[str, dict[str, Any]]], reference: Validator
) -> Callable[[Any], bool]:
    """jsonschema-rs's ``is_valid`` for the schema, or the reference validator's when rs cannot
    compile it (a regex feature Rust's engine lacks, say). Only a "valid" answer is trusted:
    anything else goes to the reference validator, which produces the findings.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a platform without a wheel
        return reference.is_valid

    def refuse(uri: str) -> Any:
        raise ValueError(f"groom never fetches schemas ({uri})")

    resources = [
        (str(doc["$id"]) if isinstance(doc.get("$id"), str) else Path(key).resolve().as_uri(), doc)
        for key, (_, doc) in documents.items()
    ]
    try:
        registry = jsonschema_rs.Registry(resources, retriever=refuse)
        fast = jsonschema_rs.validator_for(
            contents, registry=registry, retriever=refuse, validate_formats=True, ignore_unknown_formats=False
        )
    except Exception:  # any failure just means no fast path
        return reference.is_valid
    return fast.is_valid


def _source(path: Path | None, packaged: str, texts: Mapping[str, str] | None = None) -> tuple[str, dict[str, Any]]:
    if path is None:
        return f"packaged {packaged}", _packaged(packaged)
    return str(path), _read_json(path, texts)
