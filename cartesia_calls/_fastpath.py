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

__all__ = ["FastFn", "fast_hook"]

FastFn = Callable[[Any], Any]
_FAST: dict[Any, FastFn] = {}
_BUILDING: set[Any] = set()

#: JSON's scalar types: their hooks return exact-type values unchanged.
_PRIMITIVES: Final = (str, int, float, bool)


def fast_hook(cl: Any) -> FastFn:
    """The fast structure function of ``cl`` (a model, ``Page[AgentCall]``...); cached.

    For a type that is not a model it is the detailed hook, so callers need not tell them apart.
    """
    fast = _FAST.get(cl)
    if fast is None:
        fast = _fast_structure_fn(cl) if is_model(cl) else _no_fast_path(cl)
    return fast


def _no_fast_path(cl: Any) -> FastFn:
    hook = converter.get_structure_hook(cl)

    def detailed(value: Any) -> Any:
        return hook(value, cl)

    _FAST[cl] = detailed
    return detailed


def _fast_structure_fn(cl: Any) -> FastFn:
    fast = _FAST.get(cl)
    if fast is not None:
        return fast
    if cl in _BUILDING:  # a model that contains itself: bind to the finished function later

        def later(value: Any) -> Any:
            return _FAST[cl](value)

        return later
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


def _field_lines(index: int, t: Any, namespace: dict[str, Any]) -> list[str]:
    """Lines turning the local ``v`` (never ``None`` when ``t`` is optional: the caller checks)
    into the field's value; helpers go into ``namespace``."""
    hook, typ = f"_h{index}", f"_t{index}"
    namespace[hook] = converter.get_structure_hook(t)
    namespace[typ] = t
    slow = f"v = {hook}(v, {typ})"
    inner = next(a for a in get_args(t) if a is not type(None)) if is_optional(t) else t
    if inner in _PRIMITIVES:
        # The hooks return exact-type values unchanged: only other types need them.
        return [f"if v.__class__ is not {inner.__name__}:", f"    {slow}"]
    if isinstance(inner, type) and issubclass(inner, OpenEnum):
        members = f"_m{index}"
        namespace[members] = inner._value2member_map_
        return [
            f"m = {members}.get(v) if v.__class__ is str else None",
            "if m is None:",
            f"    {slow}",
            "else:",
            "    v = m",
        ]
    if is_model(inner):
        namespace[f"_f{index}"] = _fast_structure_fn(inner)
        return [f"v = _f{index}(v)"]
    args = get_args(inner)
    if model_origin(inner) is list and args and is_model(args[0]):
        namespace[f"_f{index}"] = _fast_structure_fn(args[0])
        return [
            "if v.__class__ is list:",
            f"    v = [_f{index}(x) for x in v]",
            "else:",
            f"    {slow}",
        ]
    return [slow]


def _slot_setters(cl: type) -> dict[str, Any] | None:
    """``name -> slot descriptor`` for every field, when instances may be filled slot by slot.

    That skips the attrs ``__init__`` (a frozen class sets each field through
    ``object.__setattr__``, several times slower than the slot's own ``__set__``), so it is only
    done for classes whose ``__init__`` would do nothing else: slotted, no validators, converters,
    ``__attrs_pre_init__``/``__attrs_post_init__``, and ``extra`` the only field with a factory.
    """
    if hasattr(cl, "__attrs_pre_init__") or hasattr(cl, "__attrs_post_init__"):
        return None
    setters: dict[str, Any] = {}
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
        setters[field.name] = descriptor.__set__
    return setters


class _Absent:
    pass


_ABSENT: Final = _Absent()


def _generate(cl: Any) -> FastFn:
    origin = model_origin(cl)
    mapping = type_arguments(cl)
    wire = wire_names(origin)
    setters = _slot_setters(origin)
    namespace: dict[str, Any] = {
        "_cl": origin,
        "_new": object.__new__,
        "_known": frozenset(wire.values()),
        "_unknown": unknown_keys,
        "_set": object.__setattr__,
        "_wrong": wrong,
        "_absent": _ABSENT,
    }
    lines = [
        "def fast(o):",
        "    if o.__class__ is not dict and not isinstance(o, dict):",
        "        raise _wrong('an object', o)",
        "    g = o.get",
    ]
    if setters is not None:
        namespace["_s_extra"] = setters["extra"]
        lines += [
            "    instance = _new(_cl)",
            "    _s_extra(instance, {} if _known.issuperset(o) else _unknown(o, _known))",
        ]
    arguments: list[str] = []
    for index, field in enumerate(attrs.fields(origin)):
        if field.name == "extra":
            continue
        t = _substitute(field.type, mapping)
        key = wire[field.name]
        body = _field_lines(index, t, namespace)
        if field.default is attrs.NOTHING:
            lines.append(f"    v = o[{key!r}]")
            lines += [f"    {line}" for line in body]
        elif field.default is None and (is_optional(t) or is_passthrough(t)):
            # Absent and null both mean None, which every hook of an optional type returns.
            lines.append(f"    v = g({key!r})")
            lines.append("    if v is not None:")
            lines += [f"        {line}" for line in body]
        else:
            # A default other than None, or a non-optional type: absent means the default.
            if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
                return _no_fast_path(cl)  # pragma: no cover - no model has one
            namespace[f"_d{index}"] = field.default
            lines.append(f"    v = g({key!r}, _absent)")
            lines.append("    if v is _absent:")
            lines.append(f"        v = _d{index}")
            lines.append("    else:")
            lines += [f"        {line}" for line in body]
        if setters is not None:
            namespace[f"_s{index}"] = setters[field.name]
            lines.append(f"    _s{index}(instance, v)")
        else:
            lines.append(f"    v{index} = v")
            arguments.append(f"{field.name}=v{index}" if field.kw_only else f"v{index}")
    if setters is None:
        lines += [
            f"    instance = _cl({', '.join(arguments)})",
            "    if not _known.issuperset(o):",
            "        _set(instance, 'extra', _unknown(o, _known))",
        ]
    lines.append("    return instance")
    _compile("\n".join(lines) + "\n", f"fast structure {type_name(cl)}", namespace)
    generated: FastFn = namespace["fast"]
    _FAST[cl] = generated
    return generated


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
