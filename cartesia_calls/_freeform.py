"""Free-form JSON values: depth-bounded when decoded, written without recursion.

Some fields hold whatever JSON the caller or the server put there: ``metadata``, tool-call
``arguments``, telephony ``parameters`` and ``headers``, ``dynamic_variables``,
``OutboundCallResult.error``, the values of unknown keys kept in ``extra``. Nothing bounds their
shape, but what is done with them must stay linear in their size and must not recurse with their
depth: ``orjson`` refuses to write more than 254 levels (``TypeError``), and ``repr`` of a few
hundred levels raises ``RecursionError``.

The choice, and why:

* **A bound at decode.** A free-form value nested deeper than :data:`MAX_DEPTH` (100) levels is
  refused with a :class:`~cartesia_calls.errors.ResponseDecodeError` whose path names the field
  (``$.metadata``, ``$.transcript[3].tool_calls[0].arguments``, ``$.some_unknown_key``). Real
  metadata nests a few levels; 100 is protobuf's default recursion limit, and even under the
  deepest free-form field (tool-call ``arguments``, 7 levels into a page of calls) a body is at
  most 107 levels deep, well within the 254 ``orjson`` writes. So whatever
  :func:`~cartesia_calls._codec.decode` returns can always be written back with
  :func:`~cartesia_calls._codec.dumps` (what ``export`` writes) and turned into a dict. The
  check is one breadth-first pass, no recursion, linear in the value's size.
* **No recursion after that.** ``to_dict`` copies a free-form value one level deep and never
  descends into it; :func:`safe_repr` walks dicts, lists and tuples with an explicit stack. Both
  are therefore safe for any depth a caller builds by hand; only ``dumps`` may still refuse a
  hand-built value deeper than ``orjson`` writes, with a ``TypeError``.

Rejecting is preferred to writing our own deep JSON encoder: the bound costs one short pass over
small values on the decode path, while an iterative encoder would replace ``orjson`` for every
body to handle a case no real API response has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

__all__ = ["MAX_DEPTH", "SCALAR_TYPES", "safe_repr", "too_deep"]

#: The deepest a free-form value may nest when decoded: ``{"a": {"b": 1}}`` is 2 levels deep.
MAX_DEPTH: Final = 100

_CONTAINERS: Final = (dict, list, tuple)
#: The types of JSON's scalars: a value of one nests nothing.
SCALAR_TYPES: Final = frozenset({str, int, float, bool, type(None)})
_SCALARS: Final = SCALAR_TYPES


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether ``value`` nests dicts, lists or tuples more than ``limit`` levels deep.

    One pass, level by level, without recursion. A container met twice on one level (a value
    shared inside a caller's own structure) is looked at once, so the work stays linear in the
    number of containers times the depth, and a cycle counts as too deep.
    """
    if value.__class__ is dict and _SCALARS.issuperset(map(type, value.values())):
        return limit < 1  # the common case, a flat object, checked in C
    level: list[Any] = [value] if isinstance(value, _CONTAINERS) else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        below: dict[int, Any] = {}
        for container in level:
            children = container.values() if isinstance(container, dict) else container
            if _SCALARS.issuperset(map(type, children)):
                continue  # nothing nested: checked in C
            for child in children:
                if isinstance(child, _CONTAINERS):
                    below[id(child)] = child
        level = list(below.values())
    return False


_DONE: Final[tuple[int, Any]] = (-1, None)
_BRACKETS: Final[dict[type, tuple[str, str]]] = {
    dict: ("{", "}"),
    list: ("[", "]"),
    tuple: ("(", ")"),
}


def safe_repr(value: object) -> str:
    """``repr(value)`` for any depth: dicts, lists and tuples are walked with an explicit stack.

    The text is what ``repr`` gives, ``{...}``/``[...]`` for a container inside itself included.
    Other values (and subclasses of the three) use their own ``repr``.
    """
    if value.__class__ not in _BRACKETS:
        return repr(value)
    out: list[str] = []
    open_ids: set[int] = set()  # containers being written: one met again is a cycle
    stack: list[tuple[Any, Iterator[tuple[int, Any]], str]] = []
    item: Any = value
    while True:
        brackets = _BRACKETS.get(item.__class__)
        if brackets is None:
            out.append(repr(item))
        elif id(item) in open_ids:
            out.append(f"{brackets[0]}...{brackets[1]}")
        elif not item:
            out.append(brackets[0] + brackets[1])
        else:
            out.append(brackets[0])
            open_ids.add(id(item))
            close = ",)" if item.__class__ is tuple and len(item) == 1 else brackets[1]
            entries = item.items() if item.__class__ is dict else item
            stack.append((item, enumerate(entries), close))
        # Move to the next value to write, closing the containers that are done.
        while stack:
            container, entries_left, close = stack[-1]
            index, entry = next(entries_left, _DONE)
            if index < 0:
                out.append(close)
                open_ids.discard(id(container))
                stack.pop()
                continue
            if index:
                out.append(", ")
            if container.__class__ is dict:
                key, item = entry
                out.append(f"{key!r}: ")
            else:
                item = entry
            break
        else:
            return "".join(out)
