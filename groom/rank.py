"""Fractional-index rank keys and the orderings built on them.

Keys follow David Greenspan's fractional indexing, as in the reference ``fractional-indexing``
package (CC0): base-62 digits compared byte by byte; an integer part whose first character
encodes its length (``a0`` … ``az``, then ``b00`` …, and ``Zz`` … below ``a0``), then an optional
fraction without trailing zeros. The key between two neighbours is computed without touching
them, so a move rewrites one file. Written here rather than imported so groom can explain a bad
key in its own words and type-check the code it depends on; tests pin the reference's outputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from groom.errors import RankError

Key = str | int | float
"""A rank as the file holds it: a text key (groom's), or a number (Backlog.md's ``ordinal``)."""

DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SMALLEST_INTEGER = "A" + "0" * 26


def _integer_length(head: str) -> int:
    if "a" <= head <= "z":
        return ord(head) - ord("a") + 2
    if "A" <= head <= "Z":
        return ord("Z") - ord(head) + 2
    raise RankError(f"rank key cannot start with {head!r}; keys start with a letter (a0, a1, …)")


def _integer_part(key: str) -> str:
    length = _integer_length(key[0])
    if length > len(key):
        raise RankError(f"rank key {key!r} is cut short; its first letter says {length} characters")
    return key[:length]


def validate(key: str) -> None:
    """Raise RankError unless ``key`` is a valid rank key."""
    if not key:
        raise RankError("rank key is empty")
    if any(ch not in DIGITS for ch in key):
        raise RankError(f"rank key {key!r} has a character outside 0-9, A-Z, a-z")
    if key == _SMALLEST_INTEGER:
        raise RankError(f"rank key {key!r} is the smallest key; nothing can go before it")
    integer = _integer_part(key)
    if key[len(integer) :].endswith(DIGITS[0]):
        raise RankError(f"rank key {key!r} ends in a 0 after its integer part, which the scheme forbids")


def is_valid(key: str) -> bool:
    try:
        validate(key)
    except RankError:
        return False
    return True


def _midpoint(a: str, b: str | None) -> str:
    """A fraction strictly between fractions ``a`` and ``b`` (None: no upper bound)."""
    zero = DIGITS[0]
    if b is not None:
        n = 0
        while (a[n] if n < len(a) else zero) == b[n]:
            n += 1
        if n > 0:
            return b[:n] + _midpoint(a[n:], b[n:])
    digit_a = DIGITS.index(a[0]) if a else 0
    digit_b = DIGITS.index(b[0]) if b is not None else len(DIGITS)
    if digit_b - digit_a > 1:
        return DIGITS[(digit_a + digit_b + 1) // 2]  # rounds half up, as the reference does
    if b is not None and len(b) > 1:
        return b[:1]
    return DIGITS[digit_a] + _midpoint(a[1:], None)


def _increment(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    for index in reversed(range(len(digits))):
        value = DIGITS.index(digits[index]) + 1
        if value < len(DIGITS):
            digits[index] = DIGITS[value]
            return head + "".join(digits)
        digits[index] = DIGITS[0]
    if head == "Z":
        return "a" + DIGITS[0]
    if head == "z":
        return None
    new_head = chr(ord(head) + 1)
    if new_head > "a":
        digits.append(DIGITS[0])
    else:
        digits.pop()
    return new_head + "".join(digits)


def _decrement(integer: str) -> str | None:
    head, digits = integer[0], list(integer[1:])
    for index in reversed(range(len(digits))):
        value = DIGITS.index(digits[index]) - 1
        if value >= 0:
            digits[index] = DIGITS[value]
            return head + "".join(digits)
        digits[index] = DIGITS[-1]
    if head == "a":
        return "Z" + DIGITS[-1]
    if head == "A":
        return None
    new_head = chr(ord(head) - 1)
    if new_head < "Z":
        digits.append(DIGITS[-1])
    else:
        digits.pop()
    return new_head + "".join(digits)


def between(a: str | None, b: str | None) -> str:
    """A key that sorts strictly after ``a`` and before ``b``; None means no bound."""
    if a is not None:
        validate(a)
    if b is not None:
        validate(b)
    if a is not None and b is not None and a >= b:
        raise RankError(f"no key fits between {a!r} and {b!r}: they are not in order")
    if a is None:
        if b is None:
            return "a" + DIGITS[0]
        integer_b = _integer_part(b)
        fraction_b = b[len(integer_b) :]
        if integer_b == _SMALLEST_INTEGER:
            return integer_b + _midpoint("", fraction_b)
        if integer_b < b:
            return integer_b
        lower = _decrement(integer_b)
        if lower is None:
            raise RankError("the backlog has run out of keys at the top; run 'groom reprioritize --rebalance'")
        return lower
    integer_a = _integer_part(a)
    fraction_a = a[len(integer_a) :]
    if b is None:
        higher = _increment(integer_a)
        return integer_a + _midpoint(fraction_a, None) if higher is None else higher
    integer_b = _integer_part(b)
    if integer_a == integer_b:
        return integer_a + _midpoint(fraction_a, b[len(integer_b) :])
    higher = _increment(integer_a)
    if higher is None:
        raise RankError("the backlog has run out of keys; run 'groom reprioritize --rebalance'")
    if higher < b:
        return higher
    return integer_a + _midpoint(fraction_a, None)


def n_between(a: str | None, b: str | None, n: int) -> list[str]:
    """``n`` keys in order, strictly between ``a`` and ``b``, spread evenly (for rebalancing)."""
    if n <= 0:
        return []
    if n == 1:
        return [between(a, b)]
    if b is None:
        keys = [between(a, None)]
        while len(keys) < n:
            keys.append(between(keys[-1], None))
        return keys
    if a is None:
        keys = [between(None, b)]
        while len(keys) < n:
            keys.append(between(None, keys[-1]))
        return keys[::-1]
    middle = n // 2
    key = between(a, b)
    return [*n_between(a, key, middle), key, *n_between(key, b, n - middle - 1)]


def keep_in_place(current: Sequence[Any], valid: Callable[[Any], bool] | None = None) -> list[bool]:
    """Which items of a new order keep their keys: the longest run already in key order.

    ``current[i]`` is the key the i-th story of the new order has now (None: no rank). The
    result marks a longest strictly increasing subsequence of keys; every other story needs a
    new key, so a reorder rewrites as few files as possible.
    """
    import bisect

    tails: list[Any] = []
    tail_index: list[int] = []
    previous: list[int] = [-1] * len(current)
    for index, key in enumerate(current):
        if key is None or not (valid or is_valid)(key):
            continue
        position = bisect.bisect_left(tails, key)
        if position == len(tails):
            tails.append(key)
            tail_index.append(index)
        else:
            tails[position] = key
            tail_index[position] = index
        previous[index] = tail_index[position - 1] if position > 0 else -1
    keep = [False] * len(current)
    index = tail_index[-1] if tail_index else -1
    while index >= 0:
        keep[index] = True
        index = previous[index]
    return keep


def assign(current: Sequence[str | None], taken: frozenset[str] = frozenset()) -> list[str]:
    """Keys for a new order: kept keys stay, the others are spread between their neighbours.

    ``taken`` are keys held by stories outside this order (done ones, say); new keys avoid
    them so no two stories end up sharing a rank.
    """
    return [key for key in assign_in(TEXT, current, taken) if isinstance(key, str)]


# ---------------------------------------------------------------------------------------
# key spaces: text keys (above) or numbers


class Keys(Protocol):
    """The operations reordering needs, on one kind of rank."""

    kind: str

    def is_valid(self, key: object) -> bool: ...
    def of(self, key: object) -> Any: ...
    def between(self, a: Any, b: Any) -> Any: ...
    def n_between(self, a: Any, b: Any, n: int) -> list[Any]: ...
    def written(self, key: Any) -> Any: ...


class TextKeys:
    """groom's fractional-index keys (this module's functions)."""

    kind = "text"

    def is_valid(self, key: object) -> bool:
        return isinstance(key, str) and is_valid(key)

    def of(self, key: object) -> Any:
        """``key`` when it is a key of this space, else None (ordered as unranked)."""
        return key if isinstance(key, str) else None

    def between(self, a: Any, b: Any) -> Any:
        return between(a, b)

    def n_between(self, a: Any, b: Any, n: int) -> list[Any]:
        return n_between(a, b, n)

    def written(self, key: Any) -> Any:
        from groom import yamlio  # text keys are written quoted: "a1e" must not read as a number

        return yamlio.Quoted(key)


class NumberKeys:
    """Numeric ranks, as Backlog.md's board writes them: a move takes the midpoint of its
    neighbours, the end of the list is 1000 past the last, and keys are spread 1000 apart."""

    kind = "number"
    STEP = 1000
    PRECISION = 1e-6
    """Neighbours closer than this leave no midpoint worth writing: rebalance first."""

    def is_valid(self, key: object) -> bool:
        return isinstance(key, int | float) and not isinstance(key, bool) and math.isfinite(key)

    def of(self, key: object) -> Any:
        return key if self.is_valid(key) else None

    def between(self, a: Any, b: Any) -> Any:
        if a is None and b is None:
            return self.STEP
        if b is None:
            return _whole(math.floor(a) + self.STEP)
        if a is None:  # above the top: between 0 and it while it is positive, as people count
            return self.between(0, b) if b >= 2 * self.PRECISION else _whole(math.ceil(b) - self.STEP)
        if a >= b:
            raise RankError(f"no rank fits between {a!r} and {b!r}: they are not in order")
        if b - a < 2 * self.PRECISION:
            raise RankError(
                f"ranks {a!r} and {b!r} are too close to put a story between them; "
                "run 'groom reprioritize --rebalance' to spread them"
            )
        if isinstance(a, int) and isinstance(b, int) and b - a >= 2:
            return (a + b) // 2  # exact, however large
        middle = a + (b - a) / 2
        whole = math.floor(middle)
        key = _whole(whole) if a < whole < b else round(middle, 6)
        if not a < key < b:  # floats this large have no room between them
            raise RankError(
                f"ranks {a!r} and {b!r} are too close to put a story between them; "
                "run 'groom reprioritize --rebalance' to spread them"
            )
        return key

    def n_between(self, a: Any, b: Any, n: int) -> list[Any]:
        if n <= 0:
            return []
        if a is None and b is None:
            return [self.STEP * (i + 1) for i in range(n)]
        if b is None:
            return [_whole(math.floor(a) + self.STEP * (i + 1)) for i in range(n)]
        if a is None:
            if b / (n + 1) >= self.PRECISION:
                return self.n_between(0, b, n)
            return [_whole(math.ceil(b) - self.STEP * (n - i)) for i in range(n)]
        step = (b - a) / (n + 1)
        if a >= b or step < self.PRECISION:
            raise RankError(
                f"no room for {n} ranks between {a!r} and {b!r}; run 'groom reprioritize --rebalance' to spread them"
            )
        if step >= 1:
            return [_whole(math.floor(a + step * (i + 1))) for i in range(n)]
        return [round(a + step * (i + 1), 6) for i in range(n)]

    def written(self, key: Any) -> Any:
        return key


def written(key: Key) -> Any:
    """The value that writes ``key`` into a file: a text key quoted (``a1e`` must not read as a
    number), a number as a number."""
    return TEXT.written(key) if isinstance(key, str) else key


def _whole(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


TEXT = TextKeys()
NUMBERS = NumberKeys()


def space(ranks: Iterable[object], kind: str = "auto") -> Keys:
    """The keys a backlog is ordered by: ``kind`` from groom.toml (``text``, ``number``), or with
    ``auto`` numbers when its ranks are numbers. A backlog mixing both cannot be ordered between
    them (numbers sort first, whatever the kind): RankError, which suggests a rebalance."""
    numbers = texts = False
    for key in ranks:
        numbers = numbers or NUMBERS.is_valid(key)
        texts = texts or isinstance(key, str)
    if numbers and texts:
        raise RankError(
            "the backlog's ranks mix numbers and text keys; run 'groom reprioritize --rebalance' to give "
            "them one kind (rank.kind in groom.toml says which)"
        )
    if kind == "auto":
        return NUMBERS if numbers else TEXT
    return NUMBERS if kind == "number" else TEXT


def assign_in(keys: Keys, current: Sequence[Any], taken: frozenset[Any] = frozenset()) -> list[Any]:
    """``assign`` in any key space: the longest run already in order keeps its keys, each gap
    between kept keys gets keys spread evenly, stepping past keys ``taken`` by other stories."""
    keep = keep_in_place(current, keys.is_valid)
    result: list[Any] = [key if kept else None for key, kept in zip(current, keep, strict=True)]
    index = 0
    while index < len(result):
        if result[index] is not None:
            index += 1
            continue
        end = index
        while end < len(result) and result[end] is None:
            end += 1
        low = result[index - 1] if index > 0 else None
        high = result[end] if end < len(result) else None
        fresh = keys.n_between(low, high, end - index)
        result[index:end] = _free(keys, fresh, high, taken)
        index = end
    return result


def _free(keys: Keys, fresh: list[Any], high: Any, taken: frozenset[Any]) -> list[Any]:
    """``fresh`` with a key held by another story moved just above it, still below the next
    fresh key (or ``high``), so the keys stay distinct and in order."""
    result: list[Any] = []
    for index, proposed in enumerate(fresh):
        upper = fresh[index + 1] if index + 1 < len(fresh) else high
        key = proposed
        while key in taken:
            key = keys.between(key, upper)
        result.append(key)
    return result
