"""The fast path: one generated structure function per model, for bodies that are valid.

cattrs' detailed validation wraps every field of every object in its own ``try`` and collects
errors as it goes: right for reporting, slow for the common case of a valid body. So each model
also gets a *fast* structure function, generated once: straight-line code that reads each key,
checks exact JSON types inline and calls the converter's hooks (:mod:`._converter`) only for
what is not already the right type, fills the instance's slots, and keeps unknown keys in
``extra``. It accepts exactly what the detailed hooks accept and builds equal models
(``tests/test_convert_fast_path.py`` holds the two to that); on any exception it gives up, and
:mod:`._codec` runs the detailed hook from the start, which finds the path of the bad value.
A valid body is therefore walked once; an invalid one twice.

On a typical call (50 turns) this cut the decode from ~0.5 ms to ~0.17 ms, orjson included.

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
    converter,
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

__all__ = ["FastFn", "fast_hook"]

FastFn = Callable[[Any], Any]
#: cl -> its fast structure function, and the function building a list of them.
_FAST: dict[Any, FastFn] = {}
_MANY: dict[Any, FastFn] = {}
_BUILDING: set[Any] = set()

#: JSON's scalar types: their hooks return exact-type values unchanged.
_PRIMITIVES: Final = (str, int, float, bool)


def fast_hook(cl: Any) -> FastFn:
    """The fast structure function of ``cl`` (a model, ``Page[AgentCall]``...); cached.

    For a type that is not a model it is the detailed hook, so callers need not tell them apart.
    """
    fast = _FAST.get(cl)
    if fast is None:
        fast = _fast_fns(cl)[0] if is_model(cl) else _no_fast_path(cl)
    return fast


def _no_fast_path(cl: Any) -> FastFn:
    hook = converter.get_structure_hook(cl)

    def detailed(value: Any) -> Any:
        return hook(value, cl)

    _FAST[cl] = detailed
    return detailed


def _fast_fns(cl: Any) -> tuple[FastFn, FastFn]:
    """The fast structure function of the model ``cl``, and the one for a list of them."""
    if cl in _MANY:
        return _FAST[cl], _MANY[cl]
    if cl in _BUILDING:  # a model that contains itself: bind to the finished functions later

        def later(value: Any) -> Any:
            return _FAST[cl](value)

        def later_list(items: Any) -> Any:
            return _MANY[cl](items)

        return later, later_list
    _BUILDING.add(cl)
    try:
        return _generate(cl)
    finally:
        _BUILDING.discard(cl)


def _substitute(t: Any, mapping: dict[Any, Any]) -> Any:
    """``t`` with the type variables of a generic model replaced (``list[ItemT]`` ->
    ``list[AgentCall]``); unbound ones become ``Any``."""
    if isinstance(t, TypeVar):
        return mapping.get(t, Any)
    parameters = getattr(t, "__parameters__", ())
    if parameters and not isinstance(t, type):
        return t[tuple(mapping.get(p, Any) for p in parameters)]
    return t


def _field_lines(index: int, t: Any, namespace: dict[str, Any], *, nullable: bool) -> list[str]:
    """Lines turning the local ``v`` into the field's value; helpers go into ``namespace``.

    ``nullable``: ``v`` may be ``None`` (an optional field that was sent as ``null``), which the
    field's hook turns into ``None``; the lines test for it only after the common case.
    """
    hook, typ = f"_h{index}", f"_t{index}"
    namespace[hook] = converter.get_structure_hook(t)
    namespace[typ] = t
    slow = f"v = {hook}(v, {typ})"
    null = " and v is not None" if nullable else ""
    inner = next(a for a in get_args(t) if a is not type(None)) if is_optional(t) else t
    if inner in _PRIMITIVES:
        # The hooks return exact-type values unchanged: only other types need them.
        return [f"if v.__class__ is not {inner.__name__}{null}:", f"    {slow}"]
    if isinstance(inner, type) and issubclass(inner, OpenEnum):
        # Only strings (and str subclasses, which the hook maps to the same member) are keys of
        # the member map; anything else, null included, goes to the hook. An unhashable value
        # raises TypeError here, and the detailed path reports it.
        members = f"_m{index}"
        namespace[members] = inner._value2member_map_
        return [f"m = {members}.get(v)", "if m is None:", f"    {slow}", "else:", "    v = m"]
    if inner is _dt.datetime:
        # What the hook does for the usual value, an ISO 8601 string in UTC; a string that is
        # not a date raises ValueError here, and the detailed path reports it.
        return [
            "if v.__class__ is str:",
            "    v = _fromiso(v)",
            "    if v.tzinfo is not _utc:",
            f"        {slow}",
            "elif v is not None:" if nullable else "else:",
            f"    {slow}",
        ]
    if is_passthrough(inner):
        # A JSON scalar needs no depth check; anything else (null included) goes to the hook.
        return ["if v.__class__ not in _scalars:", f"    {slow}"]
    if _is_object(inner):
        # A flat object (no value nested in it) with string keys is what the hook accepts
        # without a closer look; it copies it, as the hook does.
        return [
            "if v.__class__ is dict and _scalars.issuperset(map(type, v.values()))"
            " and _strs.issuperset(map(type, v)):",
            "    v = dict(v)",
            "elif v is not None:" if nullable else "else:",
            f"    {slow}",
        ]
    if is_model(inner):
        namespace[f"_f{index}"] = _fast_fns(inner)[0]
        if nullable:
            return ["if v is not None:", f"    v = _f{index}(v)"]
        return [f"v = _f{index}(v)"]
    args = get_args(inner)
    if model_origin(inner) is list and args and is_model(args[0]):
        namespace[f"_l{index}"] = _fast_fns(args[0])[1]
        return [
            "if v.__class__ is list:",
            f"    v = _l{index}(v)",
            "elif v is not None:" if nullable else "else:",
            f"    {slow}",
        ]
    if nullable:
        return ["if v is not None:", f"    {slow}"]
    return [slow]


def _is_object(t: Any) -> bool:
    """``dict[str, Any]``: a free-form JSON object."""
    args = get_args(t)
    return model_origin(t) is dict and len(args) == 2 and args[0] is str and is_passthrough(args[1])


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


def _generate(cl: Any) -> tuple[FastFn, FastFn]:
    origin = model_origin(cl)
    mapping = type_arguments(cl)
    wire = wire_names(origin)
    twin = _twin(origin)
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
        "_scalars": SCALAR_TYPES,
        "_strs": frozenset({str}),
    }
    required = [f for f in attrs.fields(origin) if f.name != "extra" and f.default is attrs.NOTHING]
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
    if twin is not None:
        lines.append("i = _tw()")
    arguments: list[str] = []
    for index, field in enumerate(attrs.fields(origin)):
        if field.name == "extra":
            continue
        t = _substitute(field.type, mapping)
        key = wire[field.name]
        target = f"i.{field.name}" if twin is not None else f"v{index}"
        if field.default is attrs.NOTHING:
            lines.append(f"v = o[{key!r}]")
            lines += _field_lines(index, t, namespace, nullable=False)
            lines.append(f"{target} = v")
        else:
            if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                return _no_fast_path(cl), _no_fast_path(list[cl])  # pragma: no cover
            # null means None, which every hook of an optional type returns.
            nullable = field.default is None and (is_optional(t) or is_passthrough(t))
            body = _field_lines(index, t, namespace, nullable=nullable)
            if field.default is None:
                default = "None"
            else:
                default = f"_d{index}"
                namespace[default] = field.default
            lines.append(f"if {key!r} in o:")
            lines.append(f"    v = o[{key!r}]")
            lines.append("    n += 1")
            lines += [f"    {line}" for line in body]
            lines.append(f"    {target} = v")
            lines.append("else:")
            lines.append(f"    {target} = {default}")
        if twin is None:
            arguments.append(f"{field.name}={target}" if field.kw_only else target)
    if twin is not None:
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
    # One function for an object, one for a list of them (the body inlined in its loop: a
    # transcript's turns and text chunks are built without a call per item).
    source = "\n".join(
        [
            "def fast(o):",
            *(f"    {line}" for line in lines),
            "    return i",
            "",
            "def fast_list(items):",
            "    out = []",
            "    for o in items:",
            *(f"        {line}" for line in lines),
            "        out.append(i)",
            "    return out",
        ]
    )
    _compile(source + "\n", f"fast structure {type_name(cl)}", namespace)
    _FAST[cl], _MANY[cl] = namespace["fast"], namespace["fast_list"]
    return _FAST[cl], _MANY[cl]


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
