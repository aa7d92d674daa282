"""The fast path: generated code per model for bodies that are valid, in two flavours.

cattrs' detailed validation wraps every field of every object in its own ``try`` and collects
errors as it goes: right for reporting, slow for the common case of a valid body. So each model
also gets *fast* functions, generated once: straight-line code that reads each key, checks exact
JSON types inline and calls the converter's hooks (:mod:`._converter`) only for what is not
already the right type. They accept exactly what the detailed hooks accept; on any exception
they give up, and :mod:`._codec` runs the detailed hook from the start, which finds the path of
the bad value. A valid body is therefore walked once; an invalid one twice.

* :func:`fast_hook` builds the model, with unknown keys in ``extra``: equal to what the
  detailed hook builds (``tests/test_convert_fast_path.py`` holds the two to that).
* :func:`plain_hook` builds no model at all: it returns the JSON-ready dicts that
  ``unstructure`` would make of that model (wire names in field order, no ``None`` fields but
  the :data:`~._converter.ALWAYS_EMIT` ones, ``...Z`` datetimes, numbers as the fields hold
  them, unknown keys last), so that
  ``orjson.dumps`` of it writes the same bytes as :func:`~._codec.dumps` of the model. An export
  writes calls this way without building them (``tests/test_convert_plain.py``).

How the model functions are fast (measured with callgrind, ``docs/performance.md``): a model's
fields are stored into a mutable twin of its class (:func:`_twin`) as plain slot stores, which
the interpreter specialises, and the instance becomes the frozen class at the end; keys are
counted as they are found, so ``extra`` needs no second look at the keys when there are none
(and the fields the current API version no longer sends, marked
:data:`~._converter.LOOKED_FOR_LAST`, are looked for last, and not at all once every key was
found: one test instead of one per field for a body of the current version); and a list of
models (a transcript, its text chunks) is built by a loop with the model's code inlined, not
by a call per item.

Like cattrs, each generated function's source is registered with :mod:`linecache` under its
own file name (``<cartesia_calls fast structure AgentCall>``), so a traceback through it shows
the generated line.
"""

from __future__ import annotations

import datetime as _dt
import linecache
from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any, Final, TypeVar, get_args

import attrs

from ._converter import (
    LOOKED_FOR_LAST,
    always_emitted,
    converter,
    format_datetime,
    is_model,
    is_optional,
    is_passthrough,
    model_origin,
    type_arguments,
    type_name,
    unknown_keys,
    wire_names,
    wrong,
)
from ._enums import OpenEnum
from ._freeform import SCALAR_TYPES

__all__ = ["FastFn", "fast_hook", "plain_hook"]

FastFn = Callable[[Any], Any]
#: (cl, plain) -> the generated function for one object, and the one for a list of them.
_ONE: dict[tuple[Any, bool], FastFn] = {}
_MANY: dict[tuple[Any, bool], FastFn] = {}
_BUILDING: set[tuple[Any, bool]] = set()

#: JSON's scalar types: their hooks return exact-type values unchanged.
_PRIMITIVES: Final = (str, int, float, bool)


def fast_hook(cl: Any) -> FastFn:
    """The fast structure function of ``cl`` (a model, ``Page[AgentCall]``...); cached.

    For a type that is not a model it is the detailed hook, so callers need not tell them apart.
    """
    fast = _ONE.get((cl, False))
    if fast is None:
        fast = _functions(cl, plain=False)[0] if is_model(cl) else _detailed(cl, plain=False)
    return fast


def plain_hook(cl: Any) -> FastFn:
    """The function turning parsed JSON into ``unstructure(structure(data, cl))`` without
    building ``cl``; it raises where the fast structure function would (then decode the body
    instead). Cached; for a type that is not a model it structures and unstructures."""
    plain = _ONE.get((cl, True))
    if plain is None:
        plain = _functions(cl, plain=True)[0] if is_model(cl) else _detailed(cl, plain=True)
    return plain


def _detailed(cl: Any, *, plain: bool) -> FastFn:
    hook = converter.get_structure_hook(cl)
    if plain:
        out = converter.get_unstructure_hook(cl)

        def detailed(value: Any) -> Any:
            return out(hook(value, cl))

    else:

        def detailed(value: Any) -> Any:
            return hook(value, cl)

    _ONE[cl, plain] = detailed
    return detailed


def _functions(cl: Any, *, plain: bool) -> tuple[FastFn, FastFn]:
    """The generated function for one ``cl``, and the one for a list of them."""
    key = (cl, plain)
    if key in _MANY:
        return _ONE[key], _MANY[key]
    if key in _BUILDING:  # a model that contains itself: bind to the finished functions later

        def later(value: Any) -> Any:
            return _ONE[key](value)

        def later_list(items: Any) -> Any:
            return _MANY[key](items)

        return later, later_list
    _BUILDING.add(key)
    try:
        one, many = _generate(cl, plain=plain)
    finally:
        _BUILDING.discard(key)
    _ONE[key], _MANY[key] = one, many
    return one, many


def _substitute(t: Any, mapping: dict[Any, Any]) -> Any:
    """``t`` with the type variables of a generic model replaced (``list[ItemT]`` ->
    ``list[AgentCall]``); unbound ones become ``Any``."""
    if isinstance(t, TypeVar):
        return mapping.get(t, Any)
    parameters = getattr(t, "__parameters__", ())
    if parameters and not isinstance(t, type):
        return t[tuple(mapping.get(p, Any) for p in parameters)]
    return t


def _is_object(t: Any) -> bool:
    """``dict[str, Any]``: a free-form JSON object."""
    args = get_args(t)
    return model_origin(t) is dict and len(args) == 2 and args[0] is str and is_passthrough(args[1])


def _value_lines(
    index: int, t: Any, namespace: dict[str, Any], *, nullable: bool, plain: bool
) -> list[str]:
    """Lines turning the local ``v``, a field's JSON value, into the field's value (``plain``:
    into what ``unstructure`` writes for it); helpers go into ``namespace``.

    ``nullable``: ``v`` may be ``None`` (an optional field sent as ``null``), which the field's
    hook turns into ``None``; the lines test for it only after the common case. (The plain
    functions leave out ``None`` fields before they get here.)
    """
    hook, typ = f"_h{index}", f"_t{index}"
    namespace[hook] = converter.get_structure_hook(t)
    namespace[typ] = t
    slow = f"v = {hook}(v, {typ})"
    null = " and v is not None" if nullable else ""
    otherwise = "elif v is not None:" if nullable else "else:"
    inner = next(a for a in get_args(t) if a is not type(None)) if is_optional(t) else t
    if inner in _PRIMITIVES:
        # The hooks return exact-type values unchanged: only other types need them. What a hook
        # returns is written as it is.
        return [f"if v.__class__ is not {inner.__name__}{null}:", f"    {slow}"]
    if isinstance(inner, type) and issubclass(inner, OpenEnum):
        if plain:
            # Any string is a value of an open enum, and written as it came.
            return ["if v.__class__ is not str:", f"    {slow}._value_"]
        # Only strings (and str subclasses, which the hook maps to the same member) are keys of
        # the member map; anything else, null included, goes to the hook. An unhashable value
        # raises TypeError here, and the detailed path reports it.
        members = f"_m{index}"
        namespace[members] = inner._value2member_map_
        return [f"m = {members}.get(v)", "if m is None:", f"    {slow}", "else:", "    v = m"]
    if inner is _dt.datetime:
        # What the hook does for the usual value, an ISO 8601 string in UTC; a string that is
        # not a date raises ValueError here, and the detailed path reports it.
        lines = [
            "if v.__class__ is str:",
            "    v = _fromiso(v)",
            "    if v.tzinfo is not _utc:",
            f"        {slow}",
            otherwise,
            f"    {slow}",
        ]
        return [*lines, "v = _written(v)"] if plain else lines
    if is_passthrough(inner):
        # A JSON scalar needs no depth check; anything else (null included) goes to the hook.
        return ["if v.__class__ not in _scalars:", f"    {slow}"]
    if _is_object(inner):
        # A flat object (no value nested in it) with string keys is what the hook accepts
        # without a closer look; it copies it, as the hook does (a plain function need not:
        # the copy would be written the same).
        return [
            "if v.__class__ is dict and _scalars.issuperset(map(type, v.values()))"
            " and _strs.issuperset(map(type, v)):",
            "    pass" if plain else "    v = dict(v)",
            otherwise,
            f"    {slow}",
        ]
    if is_model(inner):
        namespace[f"_f{index}"] = _functions(inner, plain=plain)[0]
        if nullable:
            return ["if v is not None:", f"    v = _f{index}(v)"]
        return [f"v = _f{index}(v)"]
    args = get_args(inner)
    if model_origin(inner) is list and args and is_model(args[0]):
        namespace[f"_l{index}"] = _functions(args[0], plain=plain)[1]
        return ["if v.__class__ is list:", f"    v = _l{index}(v)", otherwise, f"    {slow}"]
    if plain:
        namespace[f"_u{index}"] = converter.get_unstructure_hook(t)
        return [f"v = _u{index}({hook}(v, {typ}))"]
    if nullable:
        return ["if v is not None:", f"    {slow}"]
    return [slow]


def _twin(cl: type) -> type | None:
    """A mutable twin of ``cl`` to fill a new instance in, when that is equivalent to ``__init__``.

    The twin is a subclass that adds no slots and sets attributes the plain way, so the
    generated code can write ``i.text = v``: the interpreter turns that into a direct slot
    store, while the frozen class itself must go through ``object.__setattr__`` (or a slot
    descriptor's ``__set__``), several times slower. Once every field is set, the instance's
    ``__class__`` becomes ``cl`` (allowed: the layouts are the same), so what is returned is an
    ordinary frozen instance. Only for classes whose ``__init__`` would do nothing more: slotted,
    no validators, converters, ``__attrs_pre_init__``/``__attrs_post_init__``, and ``extra`` the
    only field with a factory. ``None`` otherwise (the generated code then calls ``cl(...)``).
    """
    if hasattr(cl, "__attrs_pre_init__") or hasattr(cl, "__attrs_post_init__"):
        return None
    for field in attrs.fields(cl):
        if field.validator is not None or field.converter is not None:
            return None
        if isinstance(field.default, attrs.Factory) and field.name != "extra":  # type: ignore[arg-type]
            return None
        descriptor = next(
            (k.__dict__[field.name] for k in cl.__mro__ if field.name in k.__dict__), None
        )
        if not isinstance(descriptor, MemberDescriptorType):
            return None
    # Both __setattr__ and __delattr__ must be object's for the type to keep the generic
    # setattr slot (which the interpreter's slot-store specialisation requires); __init__ is
    # object's so that calling the twin only allocates.
    body = {
        "__slots__": (),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
        "__init__": object.__init__,
        "__module__": __name__,
        "__qualname__": f"_twin[{cl.__qualname__}]",
    }
    return type(cl.__name__, (cl,), body)


def _field_lines(
    index: int,
    field: Any,
    t: Any,
    *,
    key: str,
    target: str,
    namespace: dict[str, Any],
    plain: bool,
    always: bool,
) -> list[str]:
    """Lines reading one field's ``key`` from ``o`` into ``target``."""
    if field.default is attrs.NOTHING:
        lines = [f"v = o[{key!r}]"]
        lines += _value_lines(index, t, namespace, nullable=False, plain=plain)
        return [*lines, f"{target} = v"]
    # null means None for an optional field, which every hook of an optional type returns;
    # unstructure leaves a None field out.
    nullable = is_optional(t) or is_passthrough(t)
    lines = [f"if {key!r} in o:", f"    v = o[{key!r}]", "    n += 1"]
    if not plain:
        body = _value_lines(index, t, namespace, nullable=nullable, plain=False)
        return [
            *lines,
            *(f"    {x}" for x in body),
            f"    {target} = v",
            "else:",
            f"    {target} = None",
        ]
    body = _value_lines(index, t, namespace, nullable=False, plain=True)
    if nullable:
        lines += ["    if v is not None:", *(f"        {x}" for x in body)]
        lines.append(f"        {target} = v")
    else:  # pragma: no cover - every field with a default is optional or Any
        lines += [f"    {x}" for x in body]
        lines += ["    if v is not None:", f"        {target} = v"]
    if always:
        # Written when None too (absent or null), as unstructure writes it.
        lines += ["    else:", f"        {target} = None", "else:", f"    {target} = None"]
    return lines


def _generate(cl: Any, *, plain: bool) -> tuple[FastFn, FastFn]:
    origin = model_origin(cl)
    mapping = type_arguments(cl)
    wire = wire_names(origin)
    fields = [f for f in attrs.fields(origin) if f.name != "extra"]
    if any(f.default is not attrs.NOTHING and f.default is not None for f in fields):
        # Only None defaults are generated for (no model has another); a field that left out
        # its default would be written by unstructure only when it differs from it.
        return _detailed(cl, plain=plain), _detailed(list[cl], plain=plain)  # pragma: no cover
    twin = None if plain else _twin(origin)
    namespace: dict[str, Any] = {
        "_cl": origin,
        "_tw": twin,
        "_known": frozenset(wire.values()),
        "_extra": _extra,
        "_wrong": wrong,
        "_set": object.__setattr__,
        "_uncounted": float("-inf"),
        "_fromiso": _dt.datetime.fromisoformat,
        "_utc": _dt.UTC,
        "_written": format_datetime,
        "_scalars": SCALAR_TYPES,
        "_strs": frozenset({str}),
    }
    required = [f for f in fields if f.default is attrs.NOTHING]
    always = always_emitted(origin)
    # `n` counts the keys of `o` that are fields: when it equals len(o), `extra` is empty, and
    # the keys need not be looked at again. A dict subclass might count its keys its own way:
    # for one, `n` starts at minus infinity (which stays unequal to any length).
    lines = [
        f"n = {len(required)}",
        "if o.__class__ is not dict:",
        "    if not isinstance(o, dict):",
        "        raise _wrong('an object', o)",
        "    n = _uncounted",
    ]
    if plain:
        lines.append("i = {}")
    elif twin is not None:
        lines.append("i = _tw()")
    arguments: list[str] = []
    # Fields the current API version no longer sends are looked for last, and not at all once
    # every key of `o` was found (`n` reached len(o)), as for any body of the current version:
    # one test instead of one per field. (Models only: what unstructure writes, and so a plain
    # function, keeps the fields' order.)
    last = [] if twin is None else [f for f in fields if f.metadata.get(LOOKED_FOR_LAST)]
    legacy: list[str] = []
    for index, field in enumerate(fields, 1):
        if field in last:
            continue
        key = wire[field.name]
        t = _substitute(field.type, mapping)
        target = f"i.{field.name}" if twin is not None else f"v{index}"
        if plain:
            target = f"i[{key!r}]"
        lines += _field_lines(
            index,
            field,
            t,
            key=key,
            target=target,
            namespace=namespace,
            plain=plain,
            always=field.name in always,
        )
        if not plain and twin is None:
            arguments.append(f"{field.name}={target}" if field.kw_only else target)
    for index, field in enumerate(fields, 1):
        if field in last:
            legacy += _field_lines(
                index,
                field,
                _substitute(field.type, mapping),
                key=wire[field.name],
                target=f"i.{field.name}",
                namespace=namespace,
                plain=False,
                always=False,
            )
    if last:
        lines += [
            "if n == len(o):",
            *(f"    i.{field.name} = None" for field in last),
            "else:",
            *(f"    {line}" for line in legacy),
        ]
    if plain:
        # Unknown keys are written after the fields, in the order they came.
        lines += ["if n != len(o):", "    i.update(_extra(o, _known))"]
    elif twin is not None:
        lines += [
            "i.extra = {} if n == len(o) else _extra(o, _known)",
            "i.__class__ = _cl",
        ]
    else:
        lines += [
            f"i = _cl({', '.join(arguments)})",
            "if n != len(o):",
            "    _set(i, 'extra', _extra(o, _known))",
        ]
    full: list[str] = []
    if twin is not None and len(fields) <= FULL_UP_TO:
        full = _full_lines(fields, wire, mapping, namespace)
    # One function for an object, one for a list of them (the body inlined in its loop: a
    # transcript's turns and text chunks are built without a call per item).
    source = [
        "def one(o):",
        *(f"    {line}" for line in _then(full, "return i")),
        *(f"    {line}" for line in lines),
        "    return i",
        "",
        "def many(items):",
        "    out = []",
        "    for o in items:",
        *(f"        {line}" for line in _then(full, "out.append(i)", "continue")),
        *(f"        {line}" for line in lines),
        "        out.append(i)",
        "    return out",
    ]
    what = f"{'plain' if plain else 'fast'} structure {type_name(cl)}"
    _compile("\n".join(source) + "\n", what, namespace)
    return namespace["one"], namespace["many"]


#: Models of this many fields or fewer are first tried as carrying every field (see _full_lines).
FULL_UP_TO: Final = 8


def _full_lines(
    fields: list[Any], wire: dict[str, str], mapping: dict[Any, Any], namespace: dict[str, Any]
) -> list[str]:
    """Lines building a model from a plain dict that has every field and nothing else.

    Small models (a text chunk, a dynamic variable update, a tool call) usually come with every
    field: when a dict has as many keys as the model has fields, each is read without testing
    for it first, and ``extra`` is empty. If a key is missing after all (an unknown key took its
    place), the KeyError sends the object to the general lines, which the caller puts after
    these. Only for models of :data:`FULL_UP_TO` fields or fewer: a turn or a call rarely has
    them all. The try block is left open for :func:`_then` to close.
    """
    lines = ["i = _tw()"]
    for index, field in enumerate(fields, 1):
        t = _substitute(field.type, mapping)
        nullable = field.default is not attrs.NOTHING and (is_optional(t) or is_passthrough(t))
        lines.append(f"v = o[{wire[field.name]!r}]")
        lines += _value_lines(index, t, namespace, nullable=nullable, plain=False)
        lines.append(f"i.{field.name} = v")
    lines += ["i.extra = {}", "i.__class__ = _cl"]
    return [
        f"if o.__class__ is dict and len(o) == {len(fields)}:",
        "    try:",
        *(f"        {line}" for line in lines),
    ]


def _then(full: list[str], *done: str) -> list[str]:
    """``full`` (if any) ending with ``done`` on success; a KeyError goes on after it."""
    if not full:
        return []
    return [*full, *(f"        {line}" for line in done), "    except KeyError:", "        pass"]


def _extra(o: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {} if known.issuperset(o) else unknown_keys(o, known)


def _compile(source: str, what: str, namespace: dict[str, Any]) -> None:
    """Run generated ``source`` in ``namespace``, registered with :mod:`linecache` under a file
    name of its own (``<cartesia_calls fast structure AgentCall>``, then ``... #2``), so that
    tracebacks through it show its lines."""
    filename = f"<cartesia_calls {what}>"
    entry = (len(source), None, source.splitlines(keepends=True), filename)
    number = 1
    # setdefault: of two threads generating at once, each gets a name of its own.
    while linecache.cache.setdefault(filename, entry) is not entry:
        number += 1
        filename = f"<cartesia_calls {what} #{number}>"
        entry = (*entry[:3], filename)
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - generated from our models
