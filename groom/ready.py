"""Judging stories: the story schema, the Definition of Ready and cross-story integrity.

Everything here returns values (findings, DoR gaps); nothing prints. The DoR is the team's
ready schema; each top-level ``allOf`` item is one DoR item whose ``title`` names the rule
and whose ``description`` is the advice a finding shows.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from groom import yamlio
from groom.findings import ERROR, WARNING, Finding
from groom.model import FM_LINE, RESERVED_KEY, Backlog, Story, carried, carry, release
from groom.naming import team_key, team_view
from groom.schemas import Schema, Schemas

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

    from groom.config import Config


@dataclass(frozen=True, slots=True)
class Gap:
    """One DoR item a story does not meet."""

    rule: str
    advice: str
    detail: str
    line: int
    column: int
    order: int = 0
    """Position of the item in the ready schema's allOf."""

    @property
    def message(self) -> str:
        return f"not ready: {self.advice} ({self.detail})" if self.detail else f"not ready: {self.advice}"


NUMBERS = ("estimate", "value", "time_criticality", "risk_reduction")
"""The contract's numeric keys: NaN or an infinity in one of them is a finding (and counts as no
number anywhere), so no sum and no JSON output ever holds one."""


def show(value: Any) -> str:
    """A value as a reader sees it in YAML, never as a Python repr."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty"
    return "a list" if isinstance(value, list) else "a mapping"


def _name(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "front matter"


def _choices(values: Iterable[Any]) -> str:
    return ", ".join(show(v) if isinstance(v, str) else str(v) for v in values)


def describe(error: ValidationError) -> str:
    """A jsonschema error in words: what the value is, and what was expected."""
    from jsonschema.exceptions import best_match

    keyword = error.validator
    name = _name(error)
    instance = error.instance
    expected: Any = error.validator_value
    if keyword == "required" and isinstance(instance, dict):
        missing = [key for key in expected if key not in instance]
        return f"missing key {', '.join(missing)!s}" if missing else error.message
    if keyword == "enum":
        alike = [
            v for v in expected if isinstance(v, str) and isinstance(instance, str) and v.lower() == instance.lower()
        ]
        hint = f"; did you mean {show(alike[0])}?" if alike else ""
        return f"{name} is {show(instance)}{hint}; expected one of {_choices(expected)}"
    if keyword == "const":
        return f"{name} is {show(instance)}; expected {show(expected)}"
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else expected
        return f"{name} is {_kind(instance)} ({show(instance)}); expected {wanted}"
    if keyword == "pattern":
        return f"{name} {show(instance)} does not match the pattern {expected}"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"{name} is {show(instance)}; expected at least {expected}"
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"{name} is {show(instance)}; expected at most {expected}"
    if keyword == "minLength":
        return f"{name} is empty" if not instance else f"{name} is shorter than {expected} characters"
    if keyword == "maxLength":
        return f"{name} is longer than {expected} characters"
    if keyword == "maxItems" and isinstance(instance, list):
        return f"{name}: {_choices(instance)}"
    if keyword == "minItems":
        return f"{name} needs at least {expected} item(s)"
    if keyword == "uniqueItems":
        return f"{name} lists an item twice"
    if keyword == "format":
        return f"{name} {show(instance)} is not a valid {expected}"
    if keyword in ("anyOf", "oneOf") and error.context:
        return describe(best_match(error.context))
    return error.message


def _position(story: Story, error: ValidationError) -> tuple[int, int]:
    path = tuple(error.absolute_path)
    if path and path[0] == RESERVED_KEY:
        name = str(path[1]) if len(path) > 1 else ""
        return story.facts.line_of(name), 1
    if not path:
        # A missing key: point at the status, which is what claims readiness.
        return _fm_position(story, ("status",)) if "status" in story.data else (1, 1)
    return _fm_position(story, path)


def _fm_position(story: Story, path: tuple[yamlio.PathItem, ...]) -> tuple[int, int]:
    """1-based file (line, column) of the front matter value at ``path``."""
    if path and isinstance(path[0], str) and team_key(path[0], story.fields) in story.data:
        path = (team_key(path[0], story.fields), *path[1:])  # where the team's file writes it
    line, column = yamlio.locate(story.front_matter, path)
    return FM_LINE + line, column + 1


class Memo(Protocol):
    """Where a judge keeps what it found for a story between runs (the warm cache): plain
    JSON-like rows, for the story as read from its bytes, in a context."""

    def recall(self, kind: str, story: Story, context: list[Any]) -> list[Any] | None:
        """The rows kept for ``story`` (these very bytes) in this ``context``, or None."""

    def keep(self, kind: str, story: Story, context: list[Any], rows: list[Any]) -> None:
        """Keep ``rows`` for ``story`` in ``context``."""


def _rows(rows: list[Any], types: tuple[type, ...]) -> list[tuple[Any, ...]] | None:
    """Rows as tuples when each holds exactly values of ``types``; else None (not trusted)."""
    result = []
    for row in rows:
        if not isinstance(row, list) or len(row) != len(types):
            return None
        if not all(type(value) is kind for value, kind in zip(row, types, strict=True)):
            return None
        result.append(tuple(row))
    return result


_FINDING_ROW = (int, int, str, str, str)
_GAP_ROW = (str, str, str, int, int, int)


Verdicts = dict[str, list[Any]]
"""What a Memo keeps of one story: {kind: [context, rows]}."""

_ENCODER = msgspec.msgpack.Encoder()
_EXPORTED = msgspec.msgpack.Decoder(list[bytes | None])
_VERDICTS = msgspec.msgpack.Decoder(dict[str, list[Any]])


class Found:
    """Verdicts found while the backlog was read. Each process that reads a share of a large
    backlog (backlog.py) judges the stories it read that depend on no other story: their
    verdicts read nothing else of the backlog (their context is always empty), so the judging is
    shared between the cores as the reading is, and a story handed over as a record is not
    decoded again to be judged. ``kinds``: what the command will ask of the judge ("findings",
    "gaps"); ``only``: of which stories (None: every one). A judge answers from here through
    ``memo()``: these very bytes, this context. The verdicts are kept encoded, each distinct
    text once: most stories' are alike (no findings, no gaps), and a story's own objects would
    take 500 bytes (40 MB on 100,000 stories)."""

    def __init__(
        self,
        schemas: Schemas,
        config: Config,
        kinds: Collection[str],
        only: Callable[[Story], bool] | None = None,
    ) -> None:
        unknown = set(kinds) - {"findings", "gaps"}
        if unknown:
            raise ValueError(f"no such verdict: {sorted(unknown)}")
        self._recorder = _Recorder()
        self._judge = Judge(Backlog(config, ()), schemas, self._recorder)
        self._findings = "findings" in kinds
        self._gaps = "gaps" in kinds
        self._only = only
        self._inactive = frozenset(config.inactive_statuses)
        self._found: dict[str, tuple[int, bytes]] = {}
        """(digest, encoded verdicts) by path, for stories that cannot carry them."""
        self._texts: dict[bytes, bytes] = {}
        """Each distinct text found once: empty until anything was found (carried or kept)."""
        self._decoded: dict[bytes, Verdicts] = {}
        self._stopped = False

    def judge(self, story: Story) -> None:
        """Judge a story that depends on nothing, as the command will ask; a story with
        dependencies is left to the judge that sees the whole backlog, and so are the gaps of
        split and dropped stories (not work: no command asks whether they are ready). Whatever
        stops the judging of a story (a runaway pattern) stops it here: the judge after the
        read meets it again if the command asks, and says why."""
        if story.depends_on or self._stopped or (self._only is not None and not self._only(story)):
            return
        try:
            if self._findings:
                self._judge.findings(story)
            if self._gaps and story.status not in self._inactive:
                self._judge.gaps(story)
        except Exception:  # said, if the command asks, by the judge after the read
            self._stopped = True
            return
        finally:
            verdicts = self._recorder.take()
        self._keep(story, _ENCODER.encode(verdicts))

    def _keep(self, story: Story, text: bytes) -> None:
        self._found[story.path] = (story.digest, self._texts.setdefault(text, text))

    def export(self, stories: Sequence[object]) -> bytes:
        """What this process found for ``stories`` (in order), encoded for the process that
        runs the command."""
        found = self._found
        return _ENCODER.encode(
            [found[story.path][1] if isinstance(story, Story) and story.path in found else None for story in stories]
        )

    def adopt(self, stories: Sequence[object], exported: bytes) -> None:
        """What another process found for ``stories`` (what export() gave there): carried by
        the stories it read from those very bytes, else kept here."""
        for story, text in zip(stories, _EXPORTED.decode(exported), strict=True):
            interned = self._texts.setdefault(text, text) if text is not None else None
            if interned is not None and isinstance(story, Story) and not carry(story, interned):
                self._keep(story, interned)

    def verdicts(self, story: Story) -> Verdicts | None:
        """What was found for these very bytes of ``story``, decoded (once per distinct text)."""
        text = carried(story)
        if text is None:
            entry = self._found.get(story.path)
            if entry is None or entry[0] != story.digest:
                return None
            text = entry[1]
        if text not in self._decoded:
            self._decoded[text] = _VERDICTS.decode(text)
        return self._decoded[text]

    def memo(self, behind: Memo | None = None) -> Memo | None:
        """A judge's memo that answers from what was found, then from ``behind`` (the warm
        cache), which keeps what was found for the next run; ``behind`` itself when nothing was
        found (a backlog read by one process is judged after the read)."""
        return _FoundFirst(self, behind) if self._texts else behind


class _Recorder:
    """A memo that recalls nothing and holds what the judge keeps, for Found."""

    def __init__(self) -> None:
        self.kept: Verdicts = {}

    def recall(self, kind: str, story: Story, context: list[Any]) -> list[Any] | None:  # noqa: ARG002
        return None

    def keep(self, kind: str, story: Story, context: list[Any], rows: list[Any]) -> None:  # noqa: ARG002
        self.kept[kind] = [context, rows]

    def take(self) -> Verdicts:
        kept, self.kept = self.kept, {}
        return kept


class _FoundFirst:
    def __init__(self, found: Found, behind: Memo | None) -> None:
        self._found = found.verdicts
        self._behind = behind

    def recall(self, kind: str, story: Story, context: list[Any]) -> list[Any] | None:
        verdicts = self._found(story)
        if verdicts is not None:
            kept = verdicts.get(kind)
            if kept is not None and kept[0] == context:
                rows: list[Any] = kept[1]
                if self._behind is not None:
                    self._behind.keep(kind, story, context, rows)
                return rows
        return self._behind.recall(kind, story, context) if self._behind is not None else None

    def keep(self, kind: str, story: Story, context: list[Any], rows: list[Any]) -> None:
        if self._behind is not None:
            self._behind.keep(kind, story, context, rows)


class Judge:
    """Applies the schemas to stories in the context of their backlog.

    With a ``memo`` (the warm cache), a story's schema and DoR verdicts are taken from an
    earlier run when the story's bytes are the same and so is everything else the verdict
    reads: which of its dependencies are out of order, and the open spike among them. The
    schemas, the config and groom itself are the cache's key, so they are the same too."""

    def __init__(self, backlog: Backlog, schemas: Schemas, memo: Memo | None = None) -> None:
        self.backlog = backlog
        self.schemas = schemas
        self.memo = memo
        self._ready_statuses = frozenset(backlog.config.ready_statuses)
        self._done = frozenset(backlog.config.done_statuses)

    def instance(self, story: Story) -> dict[str, Any]:
        """What the schemas see: the front matter plus the derived facts."""
        derived = story.facts.derived()
        derived["dependencies_out_of_order"] = self.dependencies_out_of_order(story)
        # The team's own schemas speak its key names; groom's packaged ones speak the contract's
        # (a team with [fields] and no schemas of its own still gets its references typed).
        packaged = self.backlog.config.story_schema is None and self.backlog.config.ready_schema is None
        data = story.data if packaged else team_view(story.data, story.fields)
        return {**data, RESERVED_KEY: derived}

    def dependencies_out_of_order(self, story: Story) -> list[str]:
        """Dependencies that are unknown, or not done and not ranked above the story."""
        result = []
        for dep in story.depends_on:
            targets = self.backlog.by_id.get(dep)
            if not targets and self.backlog.finished(dep) is not None:
                continue  # finished: done, or set aside (check warns; nothing to rank)
            if not targets:
                result.append(dep)
                continue
            target = targets[0]
            if target.status in self._done:
                continue
            if not target.order_key < story.order_key:
                result.append(dep)
        return result

    def _id_words(self, error: ValidationError) -> str:
        """An id that misses the team's pattern, said as the team would: what ids look like."""
        if list(error.absolute_path) != ["id"] or error.validator != "pattern":
            return ""
        examples = " or ".join(f"{prefix}12" for prefix in self.backlog.config.id_prefixes)
        dotted = examples.split()[0] + ".1"
        return f"id {show(error.instance)} is not an id of this backlog; ids look like {examples} (or {dotted})"

    def _open_spike(self, story: Story) -> str | None:
        """The first open spike the story depends on: its questions wait for it."""
        for dep in story.depends_on:
            for target in self.backlog.by_id.get(dep, ())[:1]:
                if target.type == "spike" and target.status not in self._done:
                    return dep
        return None

    def claims_ready(self, story: Story) -> bool:
        return story.status in self._ready_statuses

    def structure(self, story: Story, instance: dict[str, Any]) -> list[Finding]:
        found = [
            self._finding(story, error, "schema", self._id_words(error) or describe(error))
            for error in _errors(self.schemas.story, instance)
        ]
        for key in NUMBERS:
            value = story.data.get(key)
            if isinstance(value, float) and not math.isfinite(value):
                line, column = _fm_position(story, (key,))
                message = f"{key} is {show(value)}, which is not a number groom can count with; write a finite number"
                found.append(Finding(story.display, line, column, story.id or None, "schema", ERROR, message))
        return found

    def _context(self, story: Story) -> list[Any]:
        """What a story's verdict reads besides the story, the schemas and the config."""
        if not story.depends_on:
            return [[], None]  # most stories: nothing to look up
        return [self.dependencies_out_of_order(story), self._open_spike(story)]

    def gaps(self, story: Story, instance: dict[str, Any] | None = None) -> list[Gap]:
        """The DoR items the story does not meet, whatever its status."""
        if self.memo is None:
            return self._gaps(story, instance)
        context = self._context(story)
        kept = self.memo.recall("gaps", story, context)
        rows = _rows(kept, _GAP_ROW) if kept is not None else None
        if rows is not None:
            return [Gap(*row) for row in rows]
        found = self._gaps(story, instance)
        self.memo.keep("gaps", story, context, [[g.rule, g.advice, g.detail, g.line, g.column, g.order] for g in found])
        return found

    def _gaps(self, story: Story, instance: dict[str, Any] | None = None) -> list[Gap]:
        if instance is None:
            instance = self.instance(story)
        schema = self.schemas.ready
        items = schema.contents.get("allOf")
        gaps: list[Gap] = []
        seen: set[tuple[str, str]] = set()
        for error in _errors(schema, instance):
            rule, advice = _dor_item(items, error)
            on_derived = bool(error.absolute_path) and error.absolute_path[0] == RESERVED_KEY
            detail = _derived_detail(story, error, instance) if on_derived else describe(error)
            if on_derived and list(error.absolute_path)[1:2] == ["open_questions"]:
                spike = self._open_spike(story)
                if spike is not None:
                    advice = f"answer them when {spike} is done (the spike this story depends on)"
            if (rule, detail) in seen:
                continue
            seen.add((rule, detail))
            line, column = _position(story, error)
            gaps.append(Gap(rule, advice, detail, line, column, _item_index(error)))
        gaps.sort(key=lambda gap: gap.order)  # in the order the team wrote its DoR
        return gaps

    def findings(self, story: Story) -> list[Finding]:
        """The story's schema findings, and its DoR gaps when its status claims ready."""
        if self.memo is None:
            return self._findings(story)
        context = self._context(story)
        kept = self.memo.recall("findings", story, context)
        rows = _rows(kept, _FINDING_ROW) if kept is not None else None
        if rows is not None:
            story_id = story.id or None
            shown = story.display
            return [Finding(shown, line, col, story_id, rule, level, text) for line, col, rule, level, text in rows]
        found = self._findings(story)
        rows_found = [[f.line, f.column, f.rule, f.severity, f.message] for f in found]
        self.memo.keep("findings", story, context, rows_found)
        return found

    def _findings(self, story: Story) -> list[Finding]:
        instance = self.instance(story)
        found = self.structure(story, instance)
        if self.claims_ready(story):
            # A value the story schema already rejects is not reported a second time as a gap.
            places = {(f.line, f.column) for f in found}
            found.extend(
                Finding(story.display, gap.line, gap.column, story.id or None, f"dor/{gap.rule}", ERROR, gap.message)
                for gap in self.gaps(story, instance)  # through the memo: kept for whoever asks next
                if (gap.line, gap.column) not in places
            )
        return found

    def _finding(self, story: Story, error: ValidationError, rule: str, message: str) -> Finding:
        line, column = _position(story, error)
        return Finding(story.display, line, column, story.id or None, rule, ERROR, message)


def _errors(schema: Schema, instance: dict[str, Any]) -> list[ValidationError]:
    if schema.is_valid(instance):
        return []
    errors = list(schema.validator.iter_errors(instance))
    errors.sort(key=lambda e: [str(p) for p in e.absolute_path])
    return errors


def _item_index(error: ValidationError) -> int:
    path = list(error.relative_schema_path)
    return path[1] if len(path) >= 2 and path[0] == "allOf" and isinstance(path[1], int) else -1


def _dor_item(items: Any, error: ValidationError) -> tuple[str, str]:
    """The (title, description) of the top-level allOf item an error came from."""
    path = list(error.relative_schema_path)
    if isinstance(items, list) and len(path) >= 2 and path[0] == "allOf" and isinstance(path[1], int):
        item = items[path[1]]
        if isinstance(item, dict):
            title = item.get("title") or f"item-{path[1] + 1}"
            return str(title), str(item.get("description") or describe(error))
    return "ready-schema", describe(error)


def _derived_detail(story: Story, error: ValidationError, instance: dict[str, Any]) -> str:
    """Words for a DoR item judged on a derived fact, from the facts themselves."""
    path = list(error.absolute_path)
    name = str(path[1]) if len(path) > 1 else ""
    derived = instance[RESERVED_KEY]
    if name == "acceptance_criteria":
        return "no acceptance criteria found"
    if name in ("narrative", "description") or not name:
        return "no narrative or description found"
    if name == "open_questions":
        open_questions = story.facts.open_questions
        count = len(open_questions)
        first = open_questions[0].text if open_questions else ""
        return f"{count} open question{'s' if count != 1 else ''}, first: {first}"
    if name == "dependencies_out_of_order":
        return "not done and not ranked above it: " + ", ".join(derived[name])
    return describe(error)


# ---------------------------------------------------------------------------------------
# Cross-story integrity


def integrity(backlog: Backlog, only: Collection[str] | None = None) -> list[Finding]:
    """Rules that need the whole backlog: ids, references, cycles, ranks, file names. With
    ``only`` (display paths), the findings of those files; the rules whose findings are each
    about one story's own keys look at those stories alone."""
    chosen = backlog.stories if only is None else [story for story in backlog.stories if story.display in only]
    found: list[Finding] = []
    found.extend(_duplicate_ids(backlog))
    found.extend(_references(backlog, chosen))
    found.extend(_families(backlog))
    found.extend(_cycles(backlog))
    found.extend(_ranks(backlog))
    found.extend(_file_names(backlog, chosen))
    return found if only is None else [f for f in found if f.path in only]


def _at(story: Story, path: tuple[str | int, ...], rule: str, severity: str, message: str) -> Finding:
    """A finding placed at the front matter value ``path`` of ``story``."""
    line, column = _fm_position(story, path)
    return Finding(story.display, line, column, story.id or None, rule, severity, message)


def _duplicate_ids(backlog: Backlog) -> Iterator[Finding]:
    for story_id, stories in backlog.by_id.items():
        old = backlog.finished(story_id)
        if old is not None:
            for story in stories:
                yield _at(
                    story,
                    ("id",),
                    "duplicate-id",
                    ERROR,
                    f"id {story_id} is also used by {old.display} (finished); give this story a new id",
                )
        if len(stories) < 2:
            continue
        for story in stories:
            others = ", ".join(other.display for other in stories if other is not story)
            yield _at(
                story,
                ("id",),
                "duplicate-id",
                ERROR,
                f"id {story_id} is also used by {others}; give one of them a new id",
            )


def _references(backlog: Backlog, stories: Iterable[Story]) -> Iterator[Finding]:
    for story in stories:
        if not story.depends_on and story.parent is None:
            continue  # most stories: nothing to look up
        raw = story.raw("depends_on")
        deps = raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []
        for index, dep in enumerate(deps):
            if not isinstance(dep, str):
                continue
            key = team_key("depends_on", story.fields)
            path: tuple[str | int, ...] = ("depends_on", index) if isinstance(raw, list) else ("depends_on",)
            broken = backlog.holder(dep) if dep not in backlog.by_id else None
            old = backlog.finished(dep) if dep not in backlog.by_id else None
            if old is not None:
                if (
                    old.status not in backlog.config.done_statuses
                    and story.status not in backlog.config.inactive_statuses
                ):
                    yield _at(
                        story,
                        path,
                        "inactive-dependency",
                        WARNING,
                        f"{key} names {dep}, which was set aside ({old.display}, {old.status}); remove it",
                    )
            elif broken is not None:
                yield _at(
                    story,
                    path,
                    "unknown-dependency",
                    ERROR,
                    f"{key} names {dep}, whose file {broken.display} cannot be read; fix that file",
                )
            elif dep not in backlog.by_id:
                yield _at(
                    story,
                    path,
                    "unknown-dependency",
                    ERROR,
                    f"{key} names {dep}, which is not in the backlog; fix the id or remove it",
                )
            elif backlog.by_id[dep][0].status in backlog.config.inactive_statuses and story.status not in (
                backlog.config.inactive_statuses
            ):
                target = backlog.by_id[dep][0]
                children = [child.id for child in backlog.children(dep)]
                advice = f"depend on {', '.join(children)} instead" if children else "remove it"
                yield _at(
                    story,
                    path,
                    "inactive-dependency",
                    WARNING,
                    f"{key} names {dep}, which is {target.status}; {advice}",
                )
        parent = story.parent
        if parent is not None and backlog.finished(parent) is not None:
            continue  # a story may go on after its parent is finished
        if parent is None or parent in backlog.by_id:
            continue
        parent_key = team_key("parent", story.fields)
        broken = backlog.holder(parent)
        if broken is not None:
            yield _at(
                story,
                ("parent",),
                "unknown-parent",
                ERROR,
                f"{parent_key} {parent} is in {broken.display}, which cannot be read; fix that file",
            )
        else:
            yield _at(
                story,
                ("parent",),
                "unknown-parent",
                ERROR,
                f"{parent_key} {parent} is not in the backlog; fix the id or remove the key",
            )


def _families(backlog: Backlog) -> Iterator[Finding]:
    """A parent that lists its ``children`` and the children's ``parent`` agree (two branches
    splitting one story, merged, leave them disagreeing)."""
    by_parent: dict[str, list[Story]] = {}
    for story in backlog.stories:
        if story.parent is not None:
            by_parent.setdefault(story.parent, []).append(story)
    for parent in backlog.stories:
        listed = parent.raw("children")
        if not isinstance(listed, list) or not parent.id:
            continue
        for index, child_id in enumerate(listed):
            if not isinstance(child_id, str):
                continue
            holders = backlog.by_id.get(child_id, ())
            gone = backlog.finished(child_id) is not None or backlog.holder(child_id) is not None
            if not holders and not gone:
                yield _at(
                    parent,
                    ("children", index),
                    "parent-children",
                    ERROR,
                    f"children lists {child_id}, which is not in the backlog; fix the id or remove it",
                )
            for child in holders:
                if child.parent != parent.id:
                    yield _at(
                        parent,
                        ("children", index),
                        "parent-children",
                        ERROR,
                        f"children lists {child_id}, whose parent is {child.parent or 'not set'}; make them agree",
                    )
        for child in by_parent.get(parent.id, []):
            if child.id not in listed:
                yield _at(
                    child,
                    ("parent",),
                    "parent-children",
                    ERROR,
                    f"parent {parent.id} does not list {child.id} in its children; add it there or fix the parent",
                )


def _cycles(backlog: Backlog) -> Iterator[Finding]:
    by_id = backlog.by_id
    # A story that depends on no story of the backlog is on no cycle: left out at once.
    depending: dict[str, list[str]] = {}
    for story_id, stories in by_id.items():
        deps = stories[0].depends_on
        if deps and (known := [dep for dep in deps if dep in by_id]):
            depending[story_id] = known
    graph = {story_id: [dep for dep in deps if dep in depending] for story_id, deps in depending.items()}
    for component in _strongly_connected(_cyclic_part(graph)):
        if len(component) == 1 and component[0] not in graph[component[0]]:
            continue
        members = set(component)
        cycle = _cycle_path(component[0], graph, members)
        text = " → ".join(cycle)
        for story_id in sorted(members):
            story = backlog.by_id[story_id][0]
            yield _at(
                story,
                ("depends_on",),
                "dependency-cycle",
                ERROR,
                f"dependency cycle {text}; remove one of these {team_key('depends_on', story.fields)} entries",
            )


def _cyclic_part(graph: dict[str, list[str]]) -> dict[str, list[str]]:
    """The part of the graph where cycles can be: what is left after taking away, again and
    again, every story that depends on nothing left. A story on a cycle always depends on
    another on it, so every cycle stays whole; on a backlog without cycles nothing is left, and
    Tarjan's algorithm (a tenth of a 100,000-story check) has nothing to walk."""
    waiting = {node: len(deps) for node, deps in graph.items()}
    dependents: dict[str, list[str]] = {}
    for node, deps in graph.items():
        for dep in deps:
            dependents.setdefault(dep, []).append(node)
    free = [node for node, count in waiting.items() if not count]
    while free:
        node = free.pop()
        del waiting[node]
        for dependent in dependents.get(node, ()):
            waiting[dependent] -= 1
            if not waiting[dependent]:
                free.append(dependent)
    return {node: [dep for dep in graph[node] if dep in waiting] for node in waiting}


def _cycle_path(start: str, graph: dict[str, list[str]], members: set[str]) -> list[str]:
    path = [start]
    seen = {start}
    node = start
    while True:
        nxt = next(dep for dep in graph[node] if dep in members)
        path.append(nxt)
        if nxt in seen:
            return path[path.index(nxt) :]
        seen.add(nxt)
        node = nxt


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative so a long dependency chain cannot hit the recursion limit."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_index = work.pop()
            if child_index == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph[node]
            if child_index < len(children):
                work.append((node, child_index + 1))
                child = children[child_index]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(sorted(component))
    return result


def _ranks(backlog: Backlog) -> Iterator[Finding]:
    limit = backlog.config.max_rank_length
    holders: dict[str | float, list[Story]] = {}
    for story in backlog.stories:
        rank = story.rank
        if rank is None:
            continue
        holders.setdefault(rank, []).append(story)
        if isinstance(rank, str) and len(rank) > limit:
            yield _at(
                story,
                ("rank",),
                "long-rank",
                WARNING,
                f"rank is {len(rank)} characters (limit {limit}); run 'groom reprioritize --rebalance'",
            )
    for rank, sharing in holders.items():
        if len(sharing) < 2:
            continue
        # Order only matters among open work: a done story may keep the rank an open one took.
        stories = [story for story in sharing if backlog.config.is_open(story.status)]
        if len(stories) < 2:
            continue
        for story in stories:
            others = [other.id or other.display for other in stories if other is not story]
            fix = (
                f"move one with 'groom reprioritize {story.id} --after {others[0]}'"
                if others[0] != story.id
                else "fix the duplicate id first, then move one"
            )
            yield _at(
                story,
                ("rank",),
                "duplicate-rank",
                WARNING,
                f"rank {show(rank)} is shared with {', '.join(others)} (ordered by id); {fix}",
            )


def _file_names(backlog: Backlog, stories: Iterable[Story]) -> Iterator[Finding]:
    prefixes = tuple(prefix.lower() for prefix in backlog.config.id_prefixes)
    for story in stories:
        story_id = story.id
        path = story.path
        name = path.rfind("/") + 1
        after = name + len(story_id)
        if story_id and path.startswith(story_id, name) and not path[after : after + 1].isalnum():
            continue  # the usual case, said at once: S-12.md, S-12-slug.md
        if not story_id or not story_id.lower().startswith(prefixes):
            continue  # the id itself is wrong (the schema says so): the file name is not the point
        stem = os.path.basename(path).removesuffix(".md").lower()
        wanted = story_id.lower()
        if stem == wanted or (stem.startswith(wanted) and not stem[len(wanted)].isalnum()):
            continue
        yield _at(
            story,
            ("id",),
            "id-filename",
            WARNING,
            f"file name does not start with the id {story_id}; rename it to {story_id}.md or {story_id}-<slug>.md",
        )


def check(
    backlog: Backlog, schemas: Schemas, only: Sequence[str] | None = None, memo: Memo | None = None
) -> list[Finding]:
    """Every finding for the backlog, or for the files in ``only`` (display paths)."""
    judge = Judge(backlog, schemas, memo)
    wanted = set(only) if only is not None else None
    found = [f for f in backlog.problems if wanted is None or f.path in wanted]
    for story in backlog.stories:
        if wanted is None or story.display in wanted:
            found.extend(judge.findings(story))
            release(story)  # what the findings need of it is in them
    found.extend(integrity(backlog, wanted))
    found.sort(key=lambda f: f.sort_key)
    return found
