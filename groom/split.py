"""Splitting stories and creating new ones: INVEST-sized children, spikes, fresh ids, renumbering.

Pure planning: each function takes the story (or stories) it works on, the backlog's order and
the ids already taken, and returns what to create and what to change. ``commands.split``
reads and writes; a split never leaves half a family on disk.
"""

from __future__ import annotations

import os
import re
import shlex
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from groom import ids, rank
from groom.config import Config
from groom.errors import ConfigError, GroomError
from groom.model import REMOVE, UNKNOWN, Backlog, Placement, Story, named_for

INHERITED = ("type", "epic", "labels", "value", "time_criticality", "risk_reduction", "depends_on")
"""What a child takes from its parent. Not inherited: estimate (the children are estimated
anew), rank (children get their own, where the parent stood), status (the new role), sprint,
timebox, questions and acceptance criteria (except with --by-criteria, where each child carries
its own)."""

DEFAULT_TIMEBOX = "2d"
MAX_SLUG = 40
MAX_TITLE = 200
_NARRATIVE = re.compile(
    r"\bas (an?|the) (?P<persona>[^,.\n]{1,80}?),? i (?:want|need|would like|can)\b.{1,400}?"
    r"\bso that (?P<benefit>[^\n]{1,300}?)[.!]?\s*$",
    re.I | re.S | re.M,
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def slug(title: str) -> str:
    """A short ASCII slug: 'Crème brûlée: export!' -> 'creme-brulee-export'."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > MAX_SLUG:
            break
        result = candidate
    return result


DEFAULT_FILE_NAME = "{id}-{slug}.md"
_NOT_IN_WORDS = re.compile(r"[^\w.+`-]+")


def words(title: str) -> str:
    """The title as Backlog.md names files: 'Feature: docs/decisions + links' ->
    'Feature-docs-decisions-+-links' (no separators, no leading dot, at most 100 characters)."""
    joined = re.sub(r"-{2,}", "-", _NOT_IN_WORDS.sub("-", title)).strip("-.")
    return joined[:100].rstrip("-")


def file_name(story_id: str, title: str, pattern: str = DEFAULT_FILE_NAME) -> str:
    """``S-42-export-as-csv.md`` (``[new] file_name`` says otherwise, e.g. Backlog.md's
    ``{id_lower} - {words}.md``). Slug and words keep no path separator and start with no dot, so
    a title can never name a file outside the folder or a hidden one."""
    tail = slug(title)
    if pattern == DEFAULT_FILE_NAME:
        return f"{story_id}-{tail}.md" if tail else f"{story_id}.md"
    name = pattern.format(id=story_id, id_lower=story_id.lower(), slug=tail, words=words(title))
    return re.sub(r"[- ]+\.md$", ".md", name)


def check_title(title: str) -> str:
    """The title with runs of white space folded; refuses empty, over-long or control characters."""
    if _CONTROL.search(title.replace("\t", " ").replace("\n", " ")):
        raise GroomError("a title cannot contain control characters (such as ESC or BEL); type it again")
    cleaned = " ".join(title.split())
    if not cleaned:
        raise GroomError("a title cannot be empty")
    if len(cleaned) > MAX_TITLE:
        raise GroomError(f"a title is at most {MAX_TITLE} characters; this one has {len(cleaned)}")
    return cleaned


@dataclass(frozen=True, slots=True)
class NewStory:
    id: str
    title: str
    path: str
    """Where the file goes (absolute, or as the caller gave the folder)."""
    display: str
    """The same path as the user sees it."""
    fields: dict[str, Any]
    body: str


@dataclass(frozen=True, slots=True)
class Plan:
    """Files to create and front matter changes to one existing story."""

    story: Story
    changes: dict[str, Any]
    created: tuple[NewStory, ...]


def _beside(story: Story, name: str) -> tuple[str, str]:
    """(path, display) of a file named ``name`` in the story's folder."""
    return os.path.join(os.path.dirname(story.path), name), os.path.join(os.path.dirname(story.display), name)


def _persona_and_benefit(story: Story) -> tuple[str, str, str] | None:
    match = _NARRATIVE.search(story.facts.narrative_text)
    if not match:
        return None
    return match.group(1), match.group("persona").strip(), match.group("benefit").strip().rstrip(".")


_VERBS = frozenset(
    {
        "add",
        "archive",
        "ask",
        "assign",
        "book",
        "browse",
        "buy",
        "cancel",
        "change",
        "check",
        "choose",
        "close",
        "compare",
        "copy",
        "create",
        "delete",
        "download",
        "drag",
        "edit",
        "export",
        "filter",
        "find",
        "generate",
        "get",
        "group",
        "hide",
        "import",
        "invite",
        "join",
        "keep",
        "leave",
        "list",
        "log",
        "mark",
        "merge",
        "move",
        "open",
        "order",
        "pay",
        "pick",
        "plan",
        "print",
        "read",
        "receive",
        "remember",
        "remove",
        "rename",
        "reorder",
        "reply",
        "reset",
        "save",
        "scale",
        "scan",
        "search",
        "see",
        "select",
        "send",
        "set",
        "share",
        "show",
        "sign",
        "sort",
        "start",
        "stop",
        "store",
        "switch",
        "sync",
        "tag",
        "tick",
        "track",
        "undo",
        "update",
        "upload",
        "use",
        "view",
        "vote",
        "watch",
        "write",
    }
)


def _want(title: str) -> str:
    """What the narrative says the persona wants: "to sync ticks made offline" when the title
    starts with a verb, else the title itself, quoted ("“Offline read”")."""
    first = title.split(maxsplit=1)[0].lower() if title.split() else ""
    if first in _VERBS:
        return "to " + (title[0].lower() + title[1:] if title[:2] != title[:2].upper() else title)
    return f"“{title}”"


def _child_body(parent: Story, title: str, criteria: Sequence[str]) -> str:
    """The parent's persona and benefit around the child's title; a child cut along the
    criteria keeps the parent's whole narrative, its criteria say which part it is."""
    lines = []
    narrative = _persona_and_benefit(parent)
    if narrative and criteria:
        lines += [parent.facts.narrative_text.strip().rstrip(".") + ".", ""]
    elif narrative:
        article, persona, benefit = narrative
        lines += [f"As {article} {persona} I want {_want(title)} so that {benefit}.", ""]
    lines += [f"Split from {parent.id} ({parent.title}).", "", "## Acceptance criteria"]
    lines += [f"- [ ] {criterion}" for criterion in criteria]
    return "\n".join(lines) + "\n"


def _ranks_after(order: Sequence[Placement], story: Story, count: int, keys: rank.Keys) -> list[Any]:
    """Keys right after the story's own, before the next ranked story: where it stood."""
    mine = keys.of(story.rank)
    if mine is None or not keys.is_valid(mine):
        return [None] * count
    following = next((r for r in (keys.of(p.rank) for p in order) if r is not None and r > mine), None)
    return list(keys.n_between(mine, following, count))


def _splittable(story: Story, config: Config, force: bool) -> Story:
    config.role("split")  # a backlog without a split status says so before anything else
    _open(story, config)
    if story.status in config.final_statuses and not force:
        sprint = story.data.get("sprint")
        raise GroomError(
            f"{story.id} is {story.status}"
            + (f" in sprint {sprint}" if sprint is not None else "")
            + ": splitting it takes it out of the sprint; pass --force to split it anyway"
        )
    return story


def _open(story: Story, config: Config) -> Story:
    if not config.is_open(story.status):
        raise GroomError(f"{story.id} is {story.status}; only open stories are split or get a spike")
    return story


def _children(
    parent: Story,
    titles: Sequence[str],
    criteria: Sequence[Sequence[str]],
    order: Sequence[Placement],
    taken: Sequence[str],
    config: Config,
) -> Plan:
    new_ids = ids.next_ids(config.id_prefix, taken, len(titles), config.id_digits)
    space = rank.space((p.rank for p in order), config.rank_kind)
    keys = _ranks_after(order, parent, len(titles), space)
    created = []
    for story_id, title, key, own_criteria in zip(new_ids, titles, keys, criteria, strict=True):
        fields: dict[str, Any] = {"id": story_id, "title": title, "status": config.role("new")}
        for name in INHERITED:
            if name in parent.data and parent.data[name] is not None:
                fields[name] = parent.data[name]
        fields["parent"] = parent.id
        if key is not None:
            fields["rank"] = space.written(key)
        path, display = _beside(parent, file_name(story_id, title, config.file_name))
        created.append(NewStory(story_id, title, path, display, fields, _child_body(parent, title, own_criteria)))
    existing = parent.data.get("children")
    children = [*(existing if isinstance(existing, list) else []), *new_ids]
    changes: dict[str, Any] = {"status": config.role("split"), "children": children}
    if parent.status in config.final_statuses and "sprint" in parent.data:
        changes["sprint"] = REMOVE  # split out of the sprint (with --force): its children are new work
    return Plan(parent, changes, tuple(created))


def plan_into(
    parent: Story,
    titles: Sequence[str],
    order: Sequence[Placement],
    taken: Sequence[str],
    config: Config,
    *,
    force: bool = False,
) -> Plan:
    """``--into``: one child per title, in order, where the parent stood."""
    _splittable(parent, config, force)
    cleaned = [check_title(title) for title in titles]
    if len(cleaned) < 2:
        raise GroomError("a split makes at least two stories; give --into twice or more")
    return _children(parent, cleaned, [[] for _ in cleaned], order, taken, config)


def _groups(parent: Story, groups: Sequence[str]) -> list[list[int]]:
    criteria = parent.facts.criteria
    if not groups:
        return [[n] for n in range(1, len(criteria) + 1)]
    chosen: list[list[int]] = []
    for group in groups:
        try:
            numbers = [int(part) for part in group.split(",") if part.strip()]
        except ValueError:
            raise GroomError(f"--group {group!r}: give criterion numbers like 1,2") from None
        bad = [n for n in numbers if not 1 <= n <= len(criteria)]
        if bad or not numbers:
            raise GroomError(f"--group {group!r}: {parent.id} has criteria 1 to {len(criteria)}")
        chosen.append(numbers)
    used = [n for numbers in chosen for n in numbers]
    if len(used) != len(set(used)):
        raise GroomError("a criterion is in two groups; each goes to one child")
    left = [n for n in range(1, len(criteria) + 1) if n not in used]
    if left:
        raise GroomError(
            f"criteria {', '.join(map(str, left))} of {parent.id} are in no --group: every criterion goes to one "
            "child, or it would be left on no open story"
        )
    if len(chosen) < 2:
        raise GroomError("a split makes at least two stories; give --group twice or more")
    return chosen


def plan_by_criteria(
    parent: Story,
    groups: Sequence[str],
    titles: Sequence[str],
    order: Sequence[Placement],
    taken: Sequence[str],
    config: Config,
    *,
    force: bool = False,
) -> Plan:
    """``--by-criteria``: one child per acceptance criterion, or per ``--group 1,2``."""
    _splittable(parent, config, force)
    criteria = parent.facts.criteria
    if len(criteria) < 2:
        raise GroomError(f"{parent.id} has {len(criteria)} acceptance criteria; --by-criteria needs two or more")
    numbers = _groups(parent, groups)
    grouped = [[criteria[n - 1] for n in chosen] for chosen in numbers]
    if titles and len(titles) != len(grouped):
        raise GroomError(f"{len(titles)} --into title(s) for {len(grouped)} children; give one per child or none")
    names = [check_title(t) for t in titles] or [
        _title_from(group, chosen[0]) for group, chosen in zip(grouped, numbers, strict=True)
    ]
    return _children(parent, names, grouped, order, taken, config)


_GIVEN_WHEN_THEN = re.compile(r"^given (?P<given>.+?),? when (?P<when>.+?),? then (?P<then>.+?)[.!]?$", re.I)
MAX_CHILD_TITLE = 80


def _title_from(criteria: Sequence[str], number: int) -> str:
    """A child's title from its first criterion: the outcome of a Given/When/Then ("The last
    synced list is shown when I open it offline"), or the criterion itself when short; a
    criterion that makes no short title asks for --into."""
    text = " ".join(criteria[0].split()).rstrip(".")
    found = _GIVEN_WHEN_THEN.match(text)
    if found:
        given, then, when = found.group("given"), found.group("then"), found.group("when")
        if then.split()[0].lower() in ("it", "they", "this", "that", "these", "those"):
            then = f"{given}: {then}"  # "It is left out" says nothing without what "it" is
        text = f"{then} when {when}" if len(then) + len(when) + 6 <= MAX_CHILD_TITLE else then
    text = text[:1].upper() + text[1:]
    if len(criteria) > 1:
        text += f" (+{len(criteria) - 1} more)"
    if len(text) > MAX_CHILD_TITLE:
        raise GroomError(
            f"criterion {number} makes no short title ({len(text)} characters); name the children with "
            "--into TITLE, one per child"
        )
    return text


_TIMEBOX = re.compile(r"[0-9]+(\.[0-9]+)?[hdw]")


def plan_spike(
    story: Story, title: str, timebox: str, order: Sequence[Placement], taken: Sequence[str], config: Config
) -> Plan:
    """``--spike``: a time-boxed investigation the story now depends on, ranked just above it."""
    _open(story, config)
    if "spike" not in config.types:
        raise ConfigError("this backlog has no 'spike' type; add it to types in groom.toml to break out spikes")
    cleaned = check_title(title)
    if not _TIMEBOX.fullmatch(timebox):
        raise GroomError(f"--timebox {timebox!r}: write a number and h, d or w (4h, 2d, 1w)")
    [spike_id] = ids.next_ids(config.id_prefix, taken, 1, config.id_digits)
    fields: dict[str, Any] = {"id": spike_id, "title": cleaned, "type": "spike", "status": config.role("new")}
    for name in ("epic", "labels"):
        if story.data.get(name) is not None:
            fields[name] = story.data[name]
    fields["timebox"] = timebox
    space = rank.space((p.rank for p in order), config.rank_kind)
    key = _rank_before(order, story, space)
    if key is not None:
        fields["rank"] = space.written(key)
    questions = [q.text for q in story.facts.open_questions]
    body_lines = [
        f"Find out what {story.id} ({story.title}) needs before the team can estimate it.",
        "",
        "## Acceptance criteria",
    ]
    body_lines += [f"- [ ] Answered: {q}" for q in questions] or [f"- [ ] {story.id} can be estimated"]
    path, display = _beside(story, file_name(spike_id, cleaned, config.file_name))
    spike = NewStory(spike_id, cleaned, path, display, fields, "\n".join(body_lines) + "\n")
    return Plan(story, {"depends_on": [*story.depends_on, spike_id]}, (spike,))


def _rank_before(order: Sequence[Placement], story: Story, keys: rank.Keys) -> Any:
    mine = keys.of(story.rank)
    if mine is None or not keys.is_valid(mine):
        return None
    previous = None
    for p in order:
        theirs = keys.of(p.rank)
        if theirs is not None and theirs < mine:
            previous = theirs
    return keys.between(previous, mine)


def plan_new(
    title: str,
    story_type: str,
    order: Sequence[Placement],
    taken: Sequence[str],
    config: Config,
    folder: tuple[str, str],
    *,
    top: bool = False,
    after: str | None = None,
) -> NewStory:
    """``groom new``: a story from the template with the next free id and the new-story status,
    at the bottom of the ranked stories unless told otherwise. ``folder`` is (path, display)."""
    cleaned = check_title(title)
    if story_type not in config.types:
        raise GroomError(f"unknown type {story_type!r}; use one of: {', '.join(config.types)}")
    [story_id] = ids.next_ids(config.id_prefix, taken, 1, config.id_digits)
    space = rank.space((p.rank for p in order), config.rank_kind)
    ranked = [(p.id, space.of(p.rank)) for p in order if space.is_valid(p.rank)]
    if top:
        key = space.between(None, ranked[0][1] if ranked else None)
    elif after is not None:
        index = next((i for i, (story_id, _) in enumerate(ranked) if story_id == after), None)
        if index is None:
            raise GroomError(f"no ranked story with id {after!r}; 'groom list' shows the ids and ranks")
        low = ranked[index][1]
        high = next((r for _, r in ranked[index + 1 :] if r > low), None)
        key = space.between(low, high)
    else:
        key = space.between(ranked[-1][1] if ranked else None, None)
    fields: dict[str, Any] = {
        "id": story_id,
        "title": cleaned,
        "type": story_type,
        "status": config.role("new"),
        "rank": space.written(key),
    }
    if story_type == "spike":
        fields["timebox"] = DEFAULT_TIMEBOX
    name = file_name(story_id, cleaned, config.file_name)
    return NewStory(story_id, cleaned, os.path.join(folder[0], name), os.path.join(folder[1], name), fields, TEMPLATE)


TEMPLATE = """<!-- As a <who> I want <what> so that <why>. Replace this comment with the story. -->

## Acceptance criteria
<!-- One checklist item per criterion: - [ ] Given …, when …, then … -->

## Questions
<!-- Open questions as - [ ] @owner: question; tick them when answered. -->
"""


# ---------------------------------------------------------------------------------------
# renumber


@dataclass(frozen=True, slots=True)
class Renumber:
    story: Story
    new_id: str
    new_path: str
    new_display: str
    """The renamed file (the same as the old one when its name has no id)."""
    references: tuple[tuple[Story, dict[str, Any]], ...]
    """Other stories and the reference keys rewritten in them."""
    ambiguous: tuple[str, ...]
    """Stories that name the old id, which two files share: left as they are, to be checked."""


def _swap(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        return [new if item == old else item for item in value]
    return new if value == old else value


def one_holder(backlog: Backlog, story_id: str) -> Story:
    """The story renumber works on when named by id; two files with the id need a file name."""
    holders = backlog.by_id.get(story_id, ())
    if len(holders) > 1:
        files = ", ".join(s.display for s in holders)
        raise GroomError(
            f"id {story_id} is used by {files}; name the file to renumber, "
            f"e.g. groom renumber {shlex.quote(holders[-1].display)}"
        )
    return backlog.get(story_id)


def plan_renumber(backlog: Backlog, story: Story, new_id: str | None, taken: Sequence[str]) -> Renumber:
    """Give ``story`` a fresh id, rename its file to match, and update every reference to it."""
    config = backlog.config
    old = story.id
    shared = len(backlog.by_id.get(old, ())) > 1
    if new_id is None:
        [new_id] = ids.next_ids(config.id_prefix, taken, 1, config.id_digits)
    elif new_id in backlog.by_id or backlog.finished(new_id) is not None:
        old_holder = backlog.finished(new_id)
        shown = (
            backlog.by_id[new_id][0].display if new_id in backlog.by_id else old_holder.display if old_holder else ""
        )
        raise GroomError(f"{new_id} is already used by {shown}; pick another or leave out --to")
    elif not re.fullmatch("(?:" + "|".join(re.escape(p) for p in config.id_prefixes) + r")[0-9]+(\.[0-9]+)*", new_id):
        raise GroomError(f"{new_id!r} is not an id of this backlog (prefix {config.id_prefix} and a number)")
    name = os.path.basename(story.path)
    # The name keeps its style: back-569 - Title.md becomes back-637 - Title.md (Backlog.md's).
    written = name[: len(old)]
    shown_id = new_id.lower() if written == old.lower() and written != old else new_id
    new_name = shown_id + name[len(old) :] if named_for(name, old) else name
    new_path, new_display = _beside(story, new_name)
    own_children = story.data.get("children") if isinstance(story.data.get("children"), list) else []
    references: list[tuple[Story, dict[str, Any]]] = []
    ambiguous: list[str] = []
    for other in backlog.stories:
        if other is story:
            continue
        keys: dict[str, Any] = {
            key: _swap(other.data[key], old, new_id)
            for key in ("depends_on", "parent", "children")
            if key in other.data and _swap(other.data[key], old, new_id) != other.data[key]
        }
        if not keys:
            continue
        if shared and other.id == story.parent and set(keys) == {"children"}:
            # Its parent lists the shared id for the other file too: keep it, and add the new one.
            keys = {"children": [*other.data["children"], new_id]}
            references.append((other, keys))
        elif not shared or (set(keys) == {"parent"} and other.id in (own_children or [])):
            references.append((other, keys))
        else:
            ambiguous.append(other.id)
    return Renumber(story, new_id, new_path, new_display, tuple(references), tuple(ambiguous))


# ---------------------------------------------------------------------------------------
# suggestions


@dataclass(frozen=True, slots=True)
class Suggestion:
    pattern: str
    why: str
    how: str


_CRUD = re.compile(r"\b(manage|managing|maintain|administer|administration|crud|handle)\b", re.I)
_JOINED = re.compile(r"\b(and|or)\b|&|/", re.I)
_PERFORMANCE = re.compile(r"\b(fast|faster|performance|performant|scale|scalable|real[- ]time|instant(ly)?)\b", re.I)
_PERSONA = re.compile(r"\bas (?:an?|the) ([^,.\n]{1,60}?),? i (?:want|need|would like|can)\b", re.I)


def suggest(story: Story, body: str, config: Config) -> list[Suggestion]:
    """Splitting patterns that fit the story, each with the reason in plain words. Heuristics:
    they point at where to look; the team decides."""
    words = f"{story.title}\n{body}"
    found: list[Suggestion] = []
    points = story.estimate
    limit = config.max_story_points
    if isinstance(points, int | float) and not isinstance(points, bool) and points > limit:
        found.append(
            Suggestion(
                "too big for a sprint",
                f"the estimate {points} is above {limit}, the largest story the team takes into a sprint",
                "split it with one of the patterns below into children of similar size",
            )
        )
    if points == UNKNOWN or story.facts.open_questions:
        reason = "the estimate is ?" if points == UNKNOWN else ""
        if story.facts.open_questions:
            count = len(story.facts.open_questions)
            reason += ("; " if reason else "") + f"{count} open question{'s' if count != 1 else ''}"
        found.append(
            Suggestion(
                "spike (SPIDR: Spike)",
                f"an unknown blocks the estimate: {reason}",
                f'groom split {story.id} --spike "Find out …" --timebox 2d',
            )
        )
    criteria = story.facts.criteria
    if len(criteria) >= 3:
        found.append(
            Suggestion(
                "workflow steps or paths (SPIDR: Paths)",
                f"{len(criteria)} acceptance criteria: each is a path a user can take on its own",
                f"groom split {story.id} --by-criteria (or --group 1,2 --group 3)",
            )
        )
    joined = _JOINED.search(story.title)
    if joined:
        found.append(
            Suggestion(
                "business-rule or operation variations",
                f"the title joins two things with {joined.group(0)!r}: {story.title}",
                f'groom split {story.id} --into "…" --into "…" (one per part)',
            )
        )
    crud = _CRUD.search(words)
    if crud:
        found.append(
            Suggestion(
                "operations (CRUD)",
                f"{crud.group(0)!r} usually hides create, read, update and delete",
                f'groom split {story.id} --into "Create …" --into "View …" --into "Change …" --into "Remove …"',
            )
        )
    personas = sorted({match.group(1).strip().lower() for match in _PERSONA.finditer(body)})
    if len(personas) > 1:
        found.append(
            Suggestion(
                "one story per user (SPIDR: Interfaces)",
                f"several personas: {', '.join(personas)}",
                f"groom split {story.id} --into one title per persona",
            )
        )
    performance = _PERFORMANCE.search(words)
    if performance:
        found.append(
            Suggestion(
                "defer performance",
                f"{performance.group(0)!r}: make it work first, then make it fast in a story of its own",
                f'groom split {story.id} --into "…" --into "Make … fast"',
            )
        )
    return found
