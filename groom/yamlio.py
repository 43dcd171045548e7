"""The one place YAML is parsed and rendered.

The usual flat front matter (``key: value`` lines, one-line lists) is read by ``scan``, one
regular-expression pass that answers only when it is certain and then gives exactly what the
full parse gives. Everything else uses libyaml (through PyYAML's C parser, imported on the
first such file) to build a node graph, then our own converter gives every value one meaning:
YAML 1.2 core-schema typing (``no`` is text, ``0755`` is 755), timestamps kept as the text
written, and anything that could surprise or hurt a reader refused with a position: explicit
tags, duplicate keys, keys that are not text, aliases to lists or mappings (the "billion
laughs" shape) and deep nesting.

Rendering a value for an edit uses ruamel.yaml, whose emitter knows when a string needs
quotes; the edit itself is a splice of that text into the original front matter (see
``storyfile``), so nothing else in the file moves.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import lru_cache
from sys import intern
from typing import TYPE_CHECKING, Any

from groom.errors import YamlError

if TYPE_CHECKING:
    import yaml
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


MAX_DEPTH = 32
"""Deepest nesting of lists and mappings accepted in front matter."""
EXPANSION = 10
"""Aliases may repeat scalars up to this many times the front matter's size (plus 4 KiB)."""

Value = Any
PathItem = str | int

_NodeLoader: Any = None
"""The libyaml parser that composes nodes without PyYAML's resolver, made on the first parse."""


def _load_libyaml() -> Any:
    """Import PyYAML on the first parse, not with groom: a warm run parses nothing, and the
    import costs a twentieth of it. Sets the node classes the converter checks against."""
    global yaml, MappingNode, ScalarNode, SequenceNode, _NodeLoader  # noqa: PLW0603
    import yaml
    from yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:  # libyaml is bundled in PyYAML's wheels; the pure parser is a slow but correct fallback.
        from yaml._yaml import CParser as _Parser  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml.composer import Composer
        from yaml.parser import Parser
        from yaml.reader import Reader
        from yaml.scanner import Scanner

        class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
            def __init__(self, stream: str) -> None:
                Reader.__init__(self, stream)
                Scanner.__init__(self)
                Parser.__init__(self)
                Composer.__init__(self)

    class Loader(_Parser):  # type: ignore[misc,valid-type,unused-ignore]
        """Composes nodes without PyYAML's resolver: implicit scalars keep ``tag is None``."""

        def resolve(self, kind: object, value: object, implicit: object) -> None:  # noqa: ARG002
            return None

        def descend_resolver(self, current_node: object, current_index: object) -> None:  # noqa: ARG002
            return None

        def ascend_resolver(self) -> None:
            return None

    _NodeLoader = Loader
    return Loader


_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_WORDS = _NULLS | _TRUE | _FALSE


def resolve_plain(text: str) -> Value:
    """The YAML 1.2 core-schema value of a plain (unquoted) scalar."""
    if not text:
        return None
    # Fast path: most plain scalars are words, and words other than these few are text.
    if text[0].isalpha() and text not in _WORDS:
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text[0] == "-" else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return repr(node.value)


class _Converter:
    """Turns a composed node graph into plain Python data, refusing what we do not accept.

    Given the source ``text`` (only when it holds a '!' or a '*', so the usual front matter
    pays nothing) it also refuses the non-specific tag ``! value``, which libyaml reports as no
    tag at all, and aliases to scalars that expand the data far beyond the text.
    """

    __slots__ = ("_budget", "_seen", "_seen_scalars", "_text")

    def __init__(self, text: str | None = None) -> None:
        self._seen: set[int] = set()
        self._seen_scalars: set[int] = set()
        self._text = text
        self._budget = EXPANSION * len(text) + 4096 if text is not None else 0

    @property
    def careful(self) -> bool:
        return self._text is not None

    def watch(self, node: Node) -> None:
        """In careful mode: no '!' before a node, and no aliases that blow the data up."""
        assert self._text is not None
        if self._text[node.start_mark.index : node.start_mark.index + 1] == "!":
            raise _error(node, "tag '!' is not allowed in front matter; remove it (quote the value if it must be text)")
        if isinstance(node, ScalarNode):
            if id(node) in self._seen_scalars:  # an alias: the same node again
                self._budget -= len(node.value) + 1
                if self._budget < 0:
                    raise _error(
                        node,
                        "aliases repeat values far beyond the size of the front matter; write the values out",
                    )
            else:
                self._seen_scalars.add(id(node))

    def scalar(self, node: ScalarNode) -> Value:
        if node.style != "":
            return node.value
        try:
            return resolve_plain(node.value)
        except ValueError:  # Python refuses to read an integer of more than 4,300 digits
            raise _error(
                node, f"a number of {len(node.value):,} digits is too long to read; quote it if it is text"
            ) from None

    def value(self, node: Node, depth: int) -> Value:
        if node.tag is not None:
            raise _error(
                node,
                f"tag {node.tag!r} is not allowed in front matter; remove it (quote the value if it must be text)",
            )
        if self._text is not None:
            self.watch(node)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if depth >= MAX_DEPTH:
            raise _error(node, f"nesting deeper than {MAX_DEPTH} levels; flatten the front matter")
        if id(node) in self._seen:
            raise _error(
                node,
                "an alias to a list or mapping is not allowed (it can expand without bound); write the value out",
            )
        self._seen.add(id(node))
        if isinstance(node, SequenceNode):
            return [self.value(item, depth + 1) for item in node.value]
        return self.mapping(node, depth)

    def mapping(self, node: MappingNode, depth: int) -> dict[str, Value]:
        result: dict[str, Value] = {}
        for key_node, value_node in node.value:
            key = self.key(key_node)
            if key in result:
                first = next(k for k, _ in node.value if k.value == key_node.value)
                above = key_node.start_mark.line - first.start_mark.line
                where = f"{above} line{'s' if above != 1 else ''} above" if above else "on the same line"
                raise _error(key_node, f"duplicate key {key!r} (also {where}); keep one of them")
            # Inline the common case, a plain untagged scalar: this loop is the hot path.
            if value_node.__class__ is ScalarNode and value_node.tag is None and self._text is None:
                if value_node.style != "":
                    result[key] = value_node.value
                    continue
                try:
                    result[key] = resolve_plain(value_node.value)
                except ValueError:  # an integer of more than 4,300 digits: scalar() says so
                    result[key] = self.scalar(value_node)
            else:
                result[key] = self.value(value_node, depth + 1)
        return result

    def key(self, node: Node) -> str:
        if node.__class__ is not ScalarNode or node.tag is not None:
            raise _error(node, "a key must be plain text; quote it")
        if self._text is not None:
            self.watch(node)
        text: str = node.value
        if node.style != "" or (text[:1].isalpha() and text not in _WORDS):
            # One string per key name across a backlog, not one per story: 100,000 stories
            # of 18 keys keep 1.8 million copies otherwise (about 100 MB).
            return intern(text)
        resolved = self.scalar(node)
        if not isinstance(resolved, str):
            raise _error(
                node,
                f"key {node.value!r} is read as {type(resolved).__name__ if resolved is not None else 'null'}, "
                f'not text; quote it ("{node.value}":)',
            )
        return resolved


def _error(node: Node, message: str) -> YamlError:
    return YamlError(message, node.start_mark.line, node.start_mark.column)


_HINTS = (
    ("cannot start any token", "quote the value"),
    ("mapping values are not allowed", "a value contains ': '; quote the value"),
    ("could not find expected ':'", "a line is neither 'key: value' nor a list item; check quotes and indentation"),
    ("did not find expected key", "check the indentation, or quote a value that starts with a special character"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("did not find expected ',' or ']'", "this [ list ] is not closed on its line; add the ']' (or quote an item)"),
    ("did not find expected ',' or '}'", "this { mapping } is not closed on its line; add the '}'"),
    ("exceeded maximum nesting depth", "flatten the front matter"),
)


def _from_marked(exc: yaml.MarkedYAMLError, text: str) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    unclosed = "end of stream" in problem or "expected ',' or ']'" in problem or "expected ',' or '}'" in problem
    if unclosed and exc.context_mark is not None:
        mark = exc.context_mark  # where the unclosed quote or bracket opened, not where it noticed
    line_text = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
    char = line_text[mark.column] if mark and mark.column < len(line_text) else ""
    if "'\\t'" in problem or char == "\t":
        problem = "a tab character is not allowed here; indent with spaces"
    elif "cannot start any token" in problem and char and mark is not None:
        value = line_text[mark.column :].rstrip()
        problem = f'a plain value cannot start with {char!r}; quote it: "{value}"'
    else:
        for needle, hint in _HINTS:
            if needle in problem:
                problem = f"{problem}: {hint}"
                break
    return YamlError(problem, mark.line if mark else 0, mark.column if mark else 0)


def compose(text: str) -> Node | None:
    """The node graph of one YAML document, or None when the text holds no document."""
    loader = (_NodeLoader or _load_libyaml())(text)
    try:
        node: Node | None = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _from_marked(exc, text) from None
    except yaml.YAMLError as exc:  # reader errors carry no mark
        raise YamlError(str(exc).splitlines()[0], 0, 0) from None
    finally:
        loader.dispose()
    return node


def load_mapping(text: str) -> dict[str, Value]:
    """Parse front matter text into a dict with string keys, or raise YamlError."""
    return _mapping(compose(text), text)


def load_with_entries(text: str) -> tuple[dict[str, Value], dict[str, Entry]]:
    """load_mapping and entries from one parse (an edit needs both)."""
    node = compose(text)
    data = _mapping(node, text)
    return data, {entry.key: entry for entry in _entries(node, text)} if node is not None else {}


def _mapping(node: Node | None, text: str) -> dict[str, Value]:
    if node is None:
        return {}
    if node.tag is not None:
        raise _error(node, f"tag {node.tag!r} is not allowed in front matter; remove it")
    if not isinstance(node, MappingNode):
        raise YamlError(
            f"front matter is {_describe(node)}, not a mapping of 'key: value' lines",
            node.start_mark.line,
            node.start_mark.column,
        )
    converter = _Converter(text if "!" in text or "*" in text else None)
    if converter.careful:
        converter.watch(node)
    return converter.mapping(node, 0)


_ID_LINE = re.compile(r"^id:[ ]*(?:\"([^\"\\\n]+)\"|'([^'\n]+)'|([A-Za-z0-9_][^\s#]*))[ ]*(?:#.*)?$", re.MULTILINE)


def guess_id(text: str) -> str:
    """The id a front matter that does not parse probably has: the text of a top-level
    ``id: …`` line. For messages only ("S-16 is in a file that cannot be read"), never data."""
    match = _ID_LINE.search(text)
    return next((group for group in match.groups() if group), "") if match else ""


@lru_cache(maxsize=8)
def _composed(text: str) -> Node | None:
    """compose() for locate(), which reads the graph only: a story's findings are placed one
    after another, each composing the same front matter again (17,000 times for a backlog with
    31,000 errors)."""
    return compose(text)


def locate(text: str, path: tuple[PathItem, ...]) -> tuple[int, int]:
    """0-based (line, column) of the value at ``path``, or of its nearest existing ancestor.

    Used only to place a finding, so it re-parses lazily instead of keeping positions for
    every value of every story.
    """
    try:
        node = _composed(text)
    except YamlError as exc:
        return exc.line, exc.column
    if node is None:
        return 0, 0
    line, column = node.start_mark.line, node.start_mark.column
    for step in path:
        child: Node | None = None
        if isinstance(node, MappingNode) and isinstance(step, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and str(key_node.value) == step:
                    child = value_node
                    line, column = key_node.start_mark.line, key_node.start_mark.column
                    break
        elif isinstance(node, SequenceNode) and isinstance(step, int) and step < len(node.value):
            child = node.value[step]
            line, column = child.start_mark.line, child.start_mark.column
        if child is None:
            break
        node = child
    return line, column


@dataclass(frozen=True, slots=True)
class Entry:
    """Where one top-level ``key: value`` entry sits in the front matter text.

    Offsets are character indices into the text; ``value_end`` excludes any trailing comment
    and line break, so replacing ``text[value_start:value_end]`` keeps them.
    """

    key: str
    key_start: int
    key_line: int
    value_start: int
    value_end: int
    kind: str  # "scalar", "flow", "block"
    style: str  # for scalars: "", "'", '"', "|", ">"


def entries(text: str) -> Iterator[Entry]:
    """The top-level entries of a front matter mapping, in file order."""
    node = compose(text)
    if node is None:
        return
    yield from _entries(node, text)


def _entries(node: Node, text: str) -> Iterator[Entry]:
    if not isinstance(node, MappingNode):
        raise YamlError("front matter is not a mapping", node.start_mark.line, node.start_mark.column)
    for key_node, value_node in node.value:
        if isinstance(value_node, ScalarNode):
            kind, style = "scalar", value_node.style or ""
        else:
            kind, style = ("flow" if value_node.flow_style else "block"), ""
        end = _content_end(value_node, text)
        yield Entry(
            key=str(key_node.value),
            key_start=key_node.start_mark.index,
            key_line=key_node.start_mark.line,
            value_start=value_node.start_mark.index,
            value_end=end,
            kind=kind,
            style=style,
        )


def _content_end(node: Node, text: str) -> int:
    """Index just past the last character of a value, before any comment or blank line.

    libyaml ends a block node where the next token starts, which can be after comment
    lines that belong to the entries that follow.
    """
    if isinstance(node, ScalarNode):
        end = node.end_mark.index
        return len(text[:end].rstrip()) if node.style in ("|", ">") else end
    if getattr(node, "flow_style", False) or not node.value:
        return node.end_mark.index
    last = node.value[-1]
    return _content_end(last[1] if isinstance(node, MappingNode) else last, text)


_YAML11_SPECIAL = re.compile(
    r"(?i:y|n|yes|no|on|off|true|false|null|~)"
    r"|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"  # sexagesimal
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?"  # timestamps
    r"|[-+]?0[0-7_]+|[-+]?0b[01_]+|[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?"
)


def needs_quotes(text: str) -> bool:
    """True when a string written plain would read as something else here or in YAML 1.1."""
    if resolve_plain(text) != text or not isinstance(resolve_plain(text), str):
        return True
    if _YAML11_SPECIAL.fullmatch(text):
        return True
    return render_plain_via_ruamel(text) is None


@lru_cache(maxsize=1)
def _ruamel() -> Any:
    """One ruamel dumper for the run: a new one for every value left ~8 KB of reference cycles
    behind (a sprint close writing 13,000 files peaked at twice the memory with the collector
    off, as groom runs); one reused renders the same and leaves nothing."""
    from ruamel.yaml import YAML

    dumper = YAML(typ="rt")
    dumper.width = 1 << 30
    return dumper


def render_plain_via_ruamel(text: str) -> str | None:
    """The plain rendering ruamel's emitter would choose for ``text``, or None if it must quote."""
    from io import StringIO

    out = StringIO()
    _ruamel().dump([text], out)
    rendered = out.getvalue()
    if not rendered.startswith("- ") or rendered.count("\n") != 1:
        return None
    body = rendered[2:-1]
    return body if body == text else None


class Quoted(str):
    """A string that is always written quoted (rank keys, which look like words but are keys)."""

    __slots__ = ()


def render_scalar(value: Value, quote: str = "") -> str:
    """YAML text for a scalar; ``quote`` is the quote style to prefer for strings."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if quote == "'" and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    if quote == '"' or isinstance(value, Quoted) or needs_quotes(text):
        return _double_quoted(text)
    return text


def _double_quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def render_flow(items: list[Value]) -> str:
    """A flow list such as ``[S-1, S-2]``."""
    return "[" + ", ".join(render_scalar(item) for item in items) + "]"


def render_block(items: list[Value], indent: str, newline: str) -> str:
    """A block list whose items start with ``indent + '- '``; the first line has no indent."""
    lines = [f"{indent}- {render_scalar(item)}" for item in items]
    return newline.join(lines).lstrip(" ") if lines else "[]"


# scan: a fast, certain-or-nothing reader for the usual flat front matter.
#
# Every character class below leaves out the ASCII control characters (tab and CR among
# them): libyaml gives them meanings (line breaks, separators) or refuses them, so a line
# holding one is not simple. Text with non-ASCII characters must also pass
# str.isprintable(), which is stricter than libyaml's printable set (it refuses NBSP, BOM,
# zero-width characters, line and paragraph separators, surrogates), so no character that
# the full parse treats specially gets through.
_C = r"\x00-\x1f\x7f"
# A plain scalar may not start with an indicator; "-" may before a letter, digit or dot
# ("-1", "-foo", "-.inf"), where libyaml cannot take it for a list item.
_PLAIN_FIRST = rf"(?:[^ {_C}\-?:,\[\]{{}}#&*!|>'\"%@`]|-(?=[A-Za-z0-9.]))"
# In block context a plain scalar ends at ": ", at a final ":" and before " #". Spaces are
# taken only when more of the scalar follows, so trailing spaces are never part of it.
_PLAIN = rf"{_PLAIN_FIRST}[^ :{_C}]*+(?:(?::(?=[^ {_C}])| ++(?=[^ #{_C}]))[^ :{_C}]*+)*+"
# Quoted scalars without escapes or line breaks mean exactly the text between the quotes.
# They are captured with their quotes, because findall reports a group that did not take
# part as "", which must not be confused with an empty quoted string.
_DQ = rf'"[^"\\{_C}]*+"'
_SQ = rf"'(?:[^'{_C}]++|'')*+'"
# Inside brackets a plain item must also stay clear of "," ":" "?" and quotes, which
# libyaml reads differently in flow context.
_FLOW_CHAR = rf"[^ ,:?#\"'\[\]{{}}{_C}]"
_FLOW_PLAIN = rf"{_PLAIN_FIRST}{_FLOW_CHAR}*+(?: ++{_FLOW_CHAR}++)*+"
_FLOW_ITEM = rf"(?:{_DQ}|{_SQ}|{_FLOW_PLAIN})"
# No empty item and no trailing comma: libyaml reads "[a,]" as [a], but nothing needs it.
_FLOW = rf"\[ *+(?:{_FLOW_ITEM} *+(?:, *+{_FLOW_ITEM} *+)*+)?\]"
# A plain key is a word, read as text unless resolve_plain says otherwise (true, null...);
# a quoted key is any text without escapes. Both at most 100 characters, well inside
# libyaml's 1024-character limit for a simple key.
_PLAIN_KEY = r"([A-Za-z_][A-Za-z0-9_.\-]{0,99}+)"
_QUOTED_KEY = rf"(\"[^\"\\{_C}]{{0,100}}+\"|'(?:[^'{_C}]|''){{0,100}}+')"
_COMMENT = rf"(?: ++#[^{_C}]*+)?"
# One alternative per line: an entry (groups: plain key, quoted key, plain value, other
# value), a comment or blank line (no group), or anything else (last group), so findall
# yields one tuple per line, in order, skipping none. One pass of the regex engine over the
# whole text is what makes scan cheap; a Python loop over lines costs more than libyaml.
_SCAN = re.compile(
    rf"(?:(?:{_PLAIN_KEY}|{_QUOTED_KEY}):(?: ++(?:({_PLAIN})|({_DQ}|{_SQ}|{_FLOW})))?{_COMMENT}"
    rf"| *+#[^{_C}]*+)? *+(?:\n|\Z)"
    r"|([^\n]+)(?:\n|\Z)"
)
_SCAN_FLOW_ITEMS = re.compile(rf"({_DQ})|({_SQ})|({_FLOW_PLAIN})")
# Python refuses to convert a decimal string of more than sys.get_int_max_str_digits()
# digits (4300 by default, never less than 640): long digit strings are left to the full
# parse, so scan never raises.
_LONG_INT = re.compile(r"[-+]?[0-9]{100,}")
_MAX_NUMBER = 100
# The same resolve_plain, memoized: across a backlog most plain values repeat (statuses,
# estimates, dates, label words, every key), and typing a date or a number walks all of
# resolve_plain's patterns. Its results are immutable, so sharing them is safe.
_resolve_plain_cached = lru_cache(maxsize=4096)(resolve_plain)


class _Unsure(Exception):
    """Raised inside scan when a value is not certain; scan then answers None."""


def _scan_plain(text: str) -> Value:
    if len(text) > _MAX_NUMBER and _LONG_INT.fullmatch(text):
        raise _Unsure
    return _resolve_plain_cached(text)


def _scan_flow(flow: str) -> list[Value]:
    """The items of a flow sequence that _FLOW matched, brackets included."""
    content = flow[1:-1]
    if '"' not in content and "'" not in content:
        # _FLOW ensured the items are non-empty plain scalars between commas.
        if not content.strip(" "):
            return []
        return [_scan_plain(item.strip(" ")) for item in content.split(",")]
    items: list[Value] = []
    for dq, sq, plain in _SCAN_FLOW_ITEMS.findall(content):
        if dq:
            items.append(dq[1:-1])
        elif sq:
            items.append(sq[1:-1].replace("''", "'"))
        else:
            items.append(_scan_plain(plain))
    return items


# For scan(text, keys): the same lines, without groups, so that one fullmatch in C says
# whether every line is understood; then only the lines of the wanted keys are typed.
_LINE = (
    rf"(?:(?:[A-Za-z_][A-Za-z0-9_.\-]{{0,99}}+|{_QUOTED_KEY}):(?: ++(?:{_PLAIN}|{_DQ}|{_SQ}|{_FLOW}))?{_COMMENT}"
    rf"| *+#[^{_C}]*+)? *+"
)
_DOCUMENT = re.compile(rf"(?:{_LINE}\n)*+{_LINE}")
_PLAIN_KEYS = re.compile(r"^([A-Za-z_][A-Za-z0-9_.\-]*+):", re.MULTILINE)
_QUOTED_KEY_LINE = re.compile(r"^[\"']", re.MULTILINE)


# The lines nearly every story is made of, in a stricter form that a simple pattern checks
# fast: a word key, ": ", and a value of plain words, a quoted string of safe characters, or
# a flow list of single words; comment lines at column 0; empty lines. A front matter made
# only of these is read without the general pattern; anything else goes the precise way.
_W = r"[A-Za-z0-9_.+/\-]"
_COMMON_FIRST = r"(?:[A-Za-z0-9_]|[.+/\-][A-Za-z0-9_.])"
_COMMON_WORD = rf"{_COMMON_FIRST}{_W}*+"
# One match per line, anchored at the line's start and ending at its line break, so a line
# that is not common matches nothing: every line is common exactly when there are as many
# matches as lines. The group is the key ("" for a comment or an empty line).
_COMMON_LINES = re.compile(
    rf"^(?:([A-Za-z_][A-Za-z0-9_\-]{{0,99}}+):(?: (?:{_COMMON_WORD}(?: {_W}++)*+|\"[A-Za-z0-9 _.+/:,#'\-]*+\""
    rf"|\[(?:{_COMMON_WORD}(?:, {_COMMON_WORD})*+)?\]))?|#[^\n{_C}]*+)?\n",
    re.MULTILINE,
)


def _scan_common(text: str, keys: Collection[str]) -> dict[str, Value] | None:
    """_scan_keys for a front matter of common lines only; None when it is not one."""
    # A line break in front makes every entry "\nkey:", found by plain string search.
    document = "\n" + text if text.endswith("\n") else "\n" + text + "\n"
    found = _COMMON_LINES.findall(document, 1)
    if len(found) != document.count("\n") - 1:
        return None  # a line that is not common
    names = set(found)
    names.discard("")
    if len(names) != len(found) - found.count("") or not _WORDS.isdisjoint(names):
        return None  # a duplicate key, or a key read as true, false or null
    result: dict[str, Value] = {}
    try:
        for key in keys:
            start = document.find(f"\n{key}:")
            if start < 0:
                continue
            start += len(key) + 2
            value = document[start + 1 : document.index("\n", start)]
            if not value:
                result[key] = None
            elif value[0] == '"':
                result[key] = value[1:-1]
            elif value[0] == "[":
                inner = value[1:-1]
                result[key] = [_scan_plain(item) for item in inner.split(", ")] if inner else []
            else:
                result[key] = _scan_plain(value)
    except _Unsure:
        return None
    return result


@lru_cache(maxsize=256)
def _entry(key: str) -> re.Pattern[str]:
    """The line of one plain key, with the value's groups as _SCAN has them."""
    return re.compile(rf"^{re.escape(key)}:(?: ++(?:({_PLAIN})|({_DQ}|{_SQ}|{_FLOW})))?{_COMMENT} *+$", re.MULTILINE)


def _scan_keys(text: str, keys: Collection[str]) -> dict[str, Value] | None:
    """scan restricted to ``keys``: the whole text is still checked line by line (in C), but
    only the wanted values are typed. Quoted keys go the long way round."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if not text.isascii() and not text.replace("\n", "").isprintable():
        return None
    fast = _scan_common(text, keys)
    if fast is not None:
        return fast
    if _QUOTED_KEY_LINE.search(text):
        full = scan(text)
        return None if full is None else {key: full[key] for key in keys if key in full}
    if _DOCUMENT.fullmatch(text) is None:
        return None
    names = _PLAIN_KEYS.findall(text)
    if len(set(names)) != len(names) or not _WORDS.isdisjoint(names):
        return None  # a duplicate key, or a key read as true, false or null: the full parse says so
    result: dict[str, Value] = {}
    try:
        for key in keys:
            if key not in names:
                continue
            match = _entry(key).search(text)
            if match is None:  # pragma: no cover - _DOCUMENT matched this line already
                return None
            plain, other = match.group(1), match.group(2)
            if plain:
                result[key] = _scan_plain(plain)
            elif not other:
                result[key] = None
            elif other[0] == '"':
                result[key] = other[1:-1]
            elif other[0] == "'":
                result[key] = other[1:-1].replace("''", "'")
            else:
                result[key] = _scan_flow(other)
    except _Unsure:
        return None
    return result


def scan(text: str, keys: Collection[str] | None = None) -> dict[str, Value] | None:
    """The front matter mapping when every line is of a simple kind whose meaning is certain.

    With ``keys``, only those keys (the ones present), at a fraction of the cost: every line
    is still checked, so the answer is None exactly when it is None without ``keys``.

    Listing a backlog of thousands of stories needs a few fields of each, and libyaml plus
    the converter cost more than the usual flat ``key: value`` front matter warrants. scan
    reads exactly that shape in one regular-expression pass and answers None for anything
    else; the caller then uses load_mapping.

    The promise: whenever scan returns a dict, ``load_mapping(text)`` succeeds and returns
    an equal dict whose values have the same types (plain scalars are typed by
    resolve_plain itself). Duplicate keys, block collections, multi-line values, flow
    mappings, tags, anchors, aliases, escapes, directives, document markers, tabs and
    unusual characters all give None. scan never raises.

    Understood lines (LF or CRLF line ends):

    - blank lines and comment lines;
    - at column 0, ``key:`` or ``key: value``, then optionally `` # comment``, where the key
      is a plain word (``[A-Za-z_][A-Za-z0-9_.-]*``, at most 100 characters, that
      resolve_plain reads as itself) or quoted text without escapes, and the value is
      empty (None), a one-line plain scalar (resolve_plain's value), a quoted scalar
      without escapes (its text), or a one-line flow sequence of such scalars.
    """
    if keys is not None:
        return _scan_keys(text, keys)
    if "\r" in text:
        # libyaml reads CRLF as one line break; a lone CR is left to it (_SCAN refuses it).
        text = text.replace("\r\n", "\n")
    if not text.isascii() and not text.replace("\n", "").isprintable():
        return None
    result: dict[str, Value] = {}
    try:
        for plain_key, quoted_key, plain, other, unknown in _SCAN.findall(text):
            if plain_key:
                # The converter's rule: a plain key must be read as the text written.
                if _resolve_plain_cached(plain_key) != plain_key:
                    return None
                key = intern(plain_key)  # as the converter does: one string per key name
            elif quoted_key:
                key = intern(quoted_key[1:-1] if quoted_key[0] == '"' else quoted_key[1:-1].replace("''", "'"))
            elif unknown:
                return None
            else:
                continue  # a blank or comment line
            if key in result:
                return None  # a duplicate key: the full parse reports it
            if plain:
                result[key] = _scan_plain(plain)
            elif not other:
                result[key] = None
            elif other[0] == '"':
                result[key] = other[1:-1]
            elif other[0] == "'":
                result[key] = other[1:-1].replace("''", "'")
            else:
                result[key] = _scan_flow(other)
    except _Unsure:
        return None
    return result
