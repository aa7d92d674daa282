"""JSON <-> attrs models: one cattrs converter, configured once, at import.

What the converter guarantees, for every :class:`Model`:

* **Lenient in.** Unknown keys are kept in the model's ``extra`` dict (nested models too);
  unknown enum strings become pseudo-members of the open enums (:mod:`._enums`); ``null`` and
  absent optional fields both read as ``None``.
* **Strict where it matters.** A ``str`` field takes only a string, a list only a JSON array (a
  string is never split into characters), an ``int`` an integer (or an integral float), a
  ``float`` any number, a ``bool`` only ``true``/``false``, an object field only a JSON object.
* **One clear error.** Anything that cannot be the model raises
  :class:`~cartesia_calls.errors.ResponseDecodeError` with the JSON path of the first bad value
  (``$.transcript[3].start_timestamp``), every problem found, and the body. Nothing else escapes.
* **Round trip.** ``M.from_dict(m.to_dict()) == m``: :meth:`Model.to_dict` writes wire names
  (``from``), RFC 3339 UTC datetimes ending in ``Z``, enums as plain strings, leaves out ``None``
  fields and merges ``extra`` back in.

Datetimes are read from ISO 8601 strings with ``Z``, an offset or none (read as UTC), with up to
nanosecond fractions (cut to microseconds), and are always returned timezone-aware, in UTC.

Speed: every function that touches a field is generated once per model and cached. A decode is
``orjson.loads`` plus one *fast* structure function per object (straight-line code, exact-type
checks inline, slots filled directly); only when that fails does cattrs' detailed-validation
structure run, from the start, to find the path of the bad value. ``to_dict`` is likewise one
generated function per model. See "The fast path" below and ``docs/performance.md``.
"""

from __future__ import annotations

import datetime as _dt
import typing
from collections.abc import Callable
from types import MemberDescriptorType, NoneType, UnionType
from typing import Any, Final, Self, TypeVar, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.errors import (
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._enums import OpenEnum
from .errors import MAX_ERROR_BODY_CHARS, ResponseDecodeError

__all__ = [
    "WIRE_NAME",
    "Model",
    "converter",
    "decode",
    "dumps",
    "format_datetime",
    "loads",
    "parameterize",
    "structure",
    "unstructure",
]

T = TypeVar("T")

#: ``attrs.field(metadata={WIRE_NAME: "from"})`` gives a field a JSON name other than its
#: Python name (``TelephonyParams.from_`` is ``"from"`` on the wire).
WIRE_NAME: Final = "cartesia_calls.wire_name"

_UTC: Final = _dt.UTC
_StructureHook = Callable[[Any, Any], Any]


#: The one converter. Hooks are registered below, at import, and never changed afterwards.
converter: Final = cattrs.Converter(detailed_validation=True)


# --------------------------------------------------------------------------------------------
# Errors raised by the hooks: a ValueError whose text is the whole description.


class _InvalidValue(ValueError):
    """A value of the wrong JSON type or shape; ``str(exc)`` says what was expected."""


_JSON_TYPE_NAMES: Final[dict[type, str]] = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    NoneType: "null",
}


def _json_type(value: object) -> str:
    cls = value.__class__
    name = _JSON_TYPE_NAMES.get(cls)
    if name is not None:
        return name
    for base, base_name in _JSON_TYPE_NAMES.items():
        if isinstance(value, base):
            return base_name
    return cls.__name__


def _wrong(expected: str, value: object) -> _InvalidValue:
    return _InvalidValue(f"expected {expected}, got {_json_type(value)}")


# --------------------------------------------------------------------------------------------
# Primitive structure hooks: exact JSON types, no silent coercion.


def _structure_str(value: Any, _: Any) -> str:
    if value.__class__ is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a str subclass (say, an enum member): keep the plain text
    raise _wrong("a string", value)


def _structure_int(value: Any, _: Any) -> int:
    cls = value.__class__
    if cls is int:
        return value  # type: ignore[no-any-return]
    if cls is float and value.is_integer():
        return int(value)
    if cls is float:
        raise _InvalidValue(f"expected an integer, got {value!r}")
    raise _wrong("an integer", value)


def _structure_float(value: Any, _: Any) -> float:
    cls = value.__class__
    if cls is float:
        return value  # type: ignore[no-any-return]
    if cls is int:
        try:
            return float(value)
        except OverflowError:
            raise _InvalidValue("number out of range") from None
    raise _wrong("a number", value)


def _structure_bool(value: Any, _: Any) -> bool:
    if value.__class__ is bool:
        return value
    raise _wrong("a boolean", value)


def _structure_any(value: Any, _: Any) -> Any:
    return value


def _structure_datetime(value: Any, _: Any) -> _dt.datetime:
    if isinstance(value, str):
        try:
            parsed = _dt.datetime.fromisoformat(value)
        except ValueError:
            shown = value if len(value) <= 40 else value[:39] + "…"
            raise _InvalidValue(f"expected an ISO 8601 date-time, got {shown!r}") from None
    elif isinstance(value, _dt.datetime):
        parsed = value
    else:
        raise _wrong("an ISO 8601 date-time string", value)
    tz = parsed.tzinfo
    if tz is _UTC:
        return parsed
    if tz is None:
        return parsed.replace(tzinfo=_UTC)
    try:
        return parsed.astimezone(_UTC)
    except (OverflowError, ValueError):
        raise _InvalidValue("date-time out of range in UTC") from None


def format_datetime(value: _dt.datetime) -> str:
    """RFC 3339 in UTC: ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``. Naive datetimes are taken as UTC."""
    tz = value.tzinfo
    if tz is not None and tz is not _UTC and value.utcoffset() is not None:
        value = value.astimezone(_UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


# ``X | None`` versions of the primitive hooks, written out (no nested call on the hot path).


def _structure_optional_str(value: Any, _: Any) -> str | None:
    if value is None or value.__class__ is str:
        return value
    return _structure_str(value, _)


def _structure_optional_int(value: Any, _: Any) -> int | None:
    if value is None or value.__class__ is int:
        return value
    return _structure_int(value, _)


def _structure_optional_float(value: Any, _: Any) -> float | None:
    if value is None or value.__class__ is float:
        return value
    return _structure_float(value, _)


def _structure_optional_bool(value: Any, _: Any) -> bool | None:
    if value is None or value.__class__ is bool:
        return value
    raise _wrong("a boolean", value)


def _structure_optional_datetime(value: Any, _: Any) -> _dt.datetime | None:
    if value is None:
        return None
    return _structure_datetime(value, _)


#: JSON's scalar types: their hooks return exact-type values unchanged.
_PRIMITIVES: Final = (str, int, float, bool)

_OPTIONAL_PRIMITIVES: Final[dict[Any, _StructureHook]] = {
    str: _structure_optional_str,
    int: _structure_optional_int,
    float: _structure_optional_float,
    bool: _structure_optional_bool,
    _dt.datetime: _structure_optional_datetime,
}


# --------------------------------------------------------------------------------------------
# Hook factories and hooks: optionals, lists, objects, open enums.


def _is_optional(t: Any) -> bool:
    if get_origin(t) not in (typing.Union, UnionType):
        return False
    args = get_args(t)
    return len(args) == 2 and NoneType in args


def _optional_factory(t: Any) -> _StructureHook:
    (inner,) = (a for a in get_args(t) if a is not NoneType)
    fused = _OPTIONAL_PRIMITIVES.get(inner)
    if fused is not None:
        return fused
    if isinstance(inner, type) and issubclass(inner, OpenEnum):
        members = inner._value2member_map_

        def structure_optional_enum(value: Any, _: Any) -> Any:
            if value is None:
                return None
            if value.__class__ is str:
                member = members.get(value)
                if member is not None:
                    return member
            return _structure_enum(value, inner)

        return structure_optional_enum
    hook = converter.get_structure_hook(inner)

    def structure_optional(value: Any, _: Any) -> Any:
        if value is None:
            return None
        return hook(value, inner)

    return structure_optional


def _is_passthrough(t: Any) -> bool:
    return t is Any or isinstance(t, TypeVar)


def _list_factory(t: Any) -> _StructureHook:
    args = get_args(t)
    elem = args[0] if args else Any
    if _is_passthrough(elem):

        def structure_any_list(value: Any, _: Any) -> list[Any]:
            if not isinstance(value, list):
                raise _wrong("an array", value)
            return list(value)

        return structure_any_list

    hook = converter.get_structure_hook(elem)

    def structure_list(value: Any, _: Any) -> list[Any]:
        if value.__class__ is not list and not isinstance(value, list):
            raise _wrong("an array", value)
        try:
            return [hook(item, elem) for item in value]
        except Exception:  # noqa: S110 - errors are collected again, with their indices, below
            pass
        errors: list[Exception] = []
        for index, item in enumerate(value):
            try:
                hook(item, elem)
            except Exception as exc:
                note = IterableValidationNote(f"Structuring {t!r} @ index {index}", index, elem)
                exc.__notes__ = [*getattr(exc, "__notes__", ()), note]
                errors.append(exc)
        if not errors:  # pragma: no cover - only if a hook is not deterministic
            return [hook(item, elem) for item in value]
        raise IterableValidationError(f"While structuring {t!r}", errors, t)

    return structure_list


def _dict_factory(t: Any) -> _StructureHook:
    args = get_args(t)
    if args and (args[0] is not str or not _is_passthrough(args[1])):
        return converter.gen_structure_mapping(t)  # pragma: no cover - no model uses one

    def structure_object(value: Any, _: Any) -> dict[str, Any]:
        if value.__class__ is not dict and not isinstance(value, dict):
            raise _wrong("an object", value)
        for key in value:
            if key.__class__ is not str:
                raise _InvalidValue(f"expected an object with string keys, got key {key!r}")
        return dict(value)

    return structure_object


def _is_list_type(t: Any) -> bool:
    origin: Any = get_origin(t)
    return origin is list


def _is_dict_type(t: Any) -> bool:
    origin: Any = get_origin(t)
    return origin is dict


def _structure_enum(value: Any, cl: type[OpenEnum]) -> OpenEnum:
    if value.__class__ is str:
        member = cl._value2member_map_.get(value)
        if member is not None:
            return member  # type: ignore[return-value]
        return cl(value)
    if isinstance(value, str):
        return cl(value)
    raise _wrong("a string", value)


def _unstructure_enum(value: OpenEnum) -> str:
    return value._value_


def _unstructure_object(value: dict[str, Any]) -> dict[str, Any]:
    return dict(value)


def _is_object_type(t: Any) -> bool:
    args = get_args(t)
    return get_origin(t) is dict and len(args) == 2 and args[0] is str and _is_passthrough(args[1])


# --------------------------------------------------------------------------------------------
# Models.


def _model_origin(t: Any) -> Any:
    origin = get_origin(t)
    return t if origin is None else origin


def _is_model(t: Any) -> bool:
    origin = _model_origin(t)
    return isinstance(origin, type) and issubclass(origin, Model)


_WIRE_NAMES: dict[type, dict[str, str]] = {}


def _wire_names(cls: type) -> dict[str, str]:
    """Python attribute name -> JSON key, for every field of a model but ``extra``."""
    names = _WIRE_NAMES.get(cls)
    if names is None:
        attrs.resolve_types(cls)
        names = {
            a.name: a.metadata.get(WIRE_NAME, a.name)
            for a in attrs.fields(cls)
            if a.name != "extra"
        }
        _WIRE_NAMES[cls] = names
    return names


def _overrides(cls: type) -> dict[str, Any]:
    result: dict[str, Any] = {"extra": override(omit=True)}
    for name, wire in _wire_names(cls).items():
        if wire != name:
            result[name] = override(rename=wire)
    return result


def _model_structure_factory(cl: Any) -> _StructureHook:
    origin = _model_origin(cl)
    parameters: tuple[Any, ...] = getattr(cl, "__parameters__", None) or ()
    if cl is origin and parameters:
        # A bare generic model (``Page``): its items stay as parsed JSON.
        cl = cl[tuple(Any for _ in parameters)]
    known: frozenset[str] = frozenset(_wire_names(origin).values())
    structure_fields = make_dict_structure_fn(cl, converter, **_overrides(origin))
    set_attr = object.__setattr__

    def structure_model(value: Any, _: Any) -> Any:
        if value.__class__ is not dict and not isinstance(value, dict):
            raise _wrong("an object", value)
        instance = structure_fields(value, cl)
        if not known.issuperset(value):
            set_attr(instance, "extra", {k: v for k, v in value.items() if k not in known})
        return instance

    return structure_model


def _model_unstructure_factory(cl: Any) -> Callable[[Any], dict[str, Any]]:
    fast = _fast_unstructure_fn(cl)
    if fast is not None:
        return fast
    origin = _model_origin(cl)
    known: frozenset[str] = frozenset(_wire_names(origin).values())
    unstructure_fields = make_dict_unstructure_fn(
        cl, converter, _cattrs_omit_if_default=True, **_overrides(origin)
    )

    def unstructure_model(instance: Any) -> dict[str, Any]:
        result = unstructure_fields(instance)
        extra = instance.extra
        if extra:
            for key, value in extra.items():
                # A documented key always comes from its field, never from `extra`.
                if key not in known:
                    result[key] = value
        return result

    return unstructure_model


def _unstructure_expression(t: Any, index: int, namespace: dict[str, Any]) -> str | None:
    """The expression writing the non-``None`` local ``v`` of type ``t``, inlining what the
    converter's hook for ``t`` does; ``None`` when ``t`` is not one of the common cases."""
    hook = converter.get_unstructure_hook(t)
    if t in _PRIMITIVES and hook is identity:
        return "v"
    if isinstance(t, type) and issubclass(t, OpenEnum) and hook is _unstructure_enum:
        return "v._value_"
    if t is _dt.datetime and hook is format_datetime:
        namespace["_format_datetime"] = format_datetime
        return "_format_datetime(v)"
    if _is_object_type(t) and hook is _unstructure_object:
        return "dict(v)"
    if _is_plain_model(t):
        namespace[f"_u{index}"] = hook
        return f"_u{index}(v)"
    if _is_list_type(t) and get_args(t):
        (item,) = get_args(t)
        if item in _PRIMITIVES and hook is list:
            return "list(v)"
        if _is_plain_model(item):
            namespace[f"_u{index}"] = converter.get_unstructure_hook(item)
            return f"[_u{index}(x) for x in v]"
    return None


def _is_plain_model(t: Any) -> bool:
    """A model class that is not generic (``AgentCall``, not ``Page``)."""
    return isinstance(t, type) and issubclass(t, Model) and not _is_generic(t)


def _is_generic(t: Any) -> bool:
    return bool(getattr(t, "__parameters__", None))


def _fast_unstructure_fn(cl: Any) -> Callable[[Any], dict[str, Any]] | None:
    """Straight-line ``to_dict`` of a model: what cattrs' ``make_dict_unstructure_fn`` with
    ``omit_if_default`` plus the ``extra`` merge does, without a hook call per field for strings
    and numbers. ``None`` (use cattrs) for a model with a field of any other kind."""
    if not _is_plain_model(cl):
        return None  # generic models (Page): cattrs resolves their type variables
    wire = _wire_names(cl)
    namespace: dict[str, Any] = {"_known": frozenset(wire.values())}
    lines = ["def unstructure(instance):", "    result = {}"]
    for index, field in enumerate(attrs.fields(cl)):
        if field.name == "extra":
            continue
        t = field.type
        key = wire[field.name]
        lines.append(f"    v = instance.{field.name}")
        if field.default is attrs.NOTHING:
            expression = _unstructure_expression(t, index, namespace)
            if expression is None:
                return None
            lines.append(f"    result[{key!r}] = {expression}")
            continue
        if field.default is not None:
            return None  # pragma: no cover - every optional field defaults to None
        inner = _optional_inner(t) if _is_optional(t) else t
        expression = _unstructure_expression(inner, index, namespace)
        if expression is None:
            return None
        # cattrs' omit_if_default: a field equal to its default (None) is left out.
        lines += ["    if v is not None:", f"        result[{key!r}] = {expression}"]
    lines += [
        "    extra = instance.extra",
        "    if extra:",
        "        for key, value in extra.items():",
        "            # A documented key always comes from its field, never from `extra`.",
        "            if key not in _known:",
        "                result[key] = value",
        "    return result",
    ]
    name = f"<cartesia_calls fast unstructure {_type_name(cl)}>"
    exec(compile("\n".join(lines), name, "exec"), namespace)  # noqa: S102 - from our models
    generated: Callable[[Any], dict[str, Any]] = namespace["unstructure"]
    return generated


# These register by class (functools.singledispatch, which also matches subclasses): the most
# specific class wins, so ``bool`` is not an ``int`` and the open enums are not plain ``str``.
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(_dt.datetime, _structure_datetime)
converter.register_structure_hook(OpenEnum, _structure_enum)
converter.register_structure_hook_func(_is_passthrough, _structure_any)
converter.register_structure_hook_factory(_is_optional, _optional_factory)
converter.register_structure_hook_factory(_is_list_type, _list_factory)
converter.register_structure_hook_factory(_is_dict_type, _dict_factory)
converter.register_structure_hook_factory(_is_model, _model_structure_factory)

converter.register_unstructure_hook(_dt.datetime, format_datetime)
converter.register_unstructure_hook(OpenEnum, _unstructure_enum)
converter.register_unstructure_hook_func(_is_object_type, _unstructure_object)
converter.register_unstructure_hook_factory(_is_model, _model_unstructure_factory)


# --------------------------------------------------------------------------------------------
# Turning cattrs' exception groups into a ResponseDecodeError.


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _InvalidValue):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ValueError):
        return f"invalid value ({exc})"
    return f"invalid value ({type(exc).__name__}: {exc})"


def _problems(exc: BaseException, path: str, out: list[tuple[str, str]]) -> None:
    """Walk cattrs' exception groups depth-first; paths use JSON keys (``from``, not ``from_``)."""
    if isinstance(exc, ClassValidationError):
        names = _wire_names(_model_origin(exc.cl)) if _is_model(exc.cl) else {}
        with_notes, without = exc.group_exceptions()
        for sub, attr_note in with_notes:
            _problems(sub, f"{path}.{names.get(attr_note.name, attr_note.name)}", out)
        for sub in without:
            _problems(sub, path, out)
    elif isinstance(exc, IterableValidationError):
        with_index, without = exc.group_exceptions()
        for sub, index_note in with_index:
            _problems(sub, f"{path}[{index_note.index!r}]", out)
        for sub in without:
            _problems(sub, path, out)
    else:
        out.append((_describe(exc), path))


def _type_name(cl: Any) -> str:
    origin = get_origin(cl)
    if origin is None:
        return getattr(cl, "__qualname__", repr(cl))
    args = ", ".join(_type_name(a) for a in get_args(cl))
    return f"{_type_name(origin)}[{args}]"


def body_text(data: Any) -> str:
    """Parsed JSON (or anything) as text for an error's ``body``, cut to 64 KiB; never raises."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=repr).decode()
    except Exception:
        try:
            text = repr(data)
        except Exception:
            text = f"<unprintable {type(data).__name__}>"
    return text[:MAX_ERROR_BODY_CHARS]


def _text_of(body: bytes | bytearray | memoryview | str) -> str:
    if isinstance(body, str):
        return body[:MAX_ERROR_BODY_CHARS]
    # A UTF-8 character is at most 4 bytes: never decode more than what is kept.
    head = bytes(body[: MAX_ERROR_BODY_CHARS * 4])
    return head.decode("utf-8", errors="replace")[:MAX_ERROR_BODY_CHARS]


def _decode_error(
    exc: BaseException,
    cl: Any,
    body: str,
    *,
    status_code: int | None = None,
    method: str | None = None,
    url: str | None = None,
) -> ResponseDecodeError:
    problems: list[tuple[str, str]] = []
    try:
        _problems(exc, "$", problems)
    except Exception:
        problems = []
    if not problems:
        problems = [(_describe(exc), "$")]
    errors = tuple(f"{what} @ {where}" for what, where in problems)
    what, path = problems[0]
    message = f"response body is not a valid {_type_name(cl)}: {what} at {path}"
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ResponseDecodeError(
        message,
        body=body,
        path=path,
        errors=errors,
        status_code=status_code,
        method=method,
        url=url,
    )


# --------------------------------------------------------------------------------------------
# Public helpers.

_HOOKS: dict[Any, _StructureHook] = {}


def _structure_hook(cl: Any) -> _StructureHook:
    hook = _HOOKS.get(cl)
    if hook is None:
        hook = _HOOKS[cl] = converter.get_structure_hook(cl)
    return hook


# --------------------------------------------------------------------------------------------
# The fast path.
#
# cattrs' detailed validation wraps every field of every object in its own try/except and
# collects errors as it goes: right for reporting, slow for the common case of a valid body.
# So each model also gets a *fast* structure function, generated once: straight-line code that
# reads each key, checks exact JSON types inline and calls the (same) hooks above only for what
# is not already the right type, fills the instance's slots, and keeps unknown keys in
# ``extra``. It accepts exactly what the detailed hooks accept and builds equal models; on any
# exception it gives up, and :func:`structure`/:func:`decode` run the detailed hook from the
# start, which raises the ResponseDecodeError with the path (or, if it succeeds after all,
# returns its result). A valid body is therefore walked once; an invalid one twice.
#
# On a typical call (50 turns) this cut the decode from ~0.5 ms to ~0.17 ms, orjson included.

_FastFn = Callable[[Any], Any]
_FAST: dict[Any, _FastFn] = {}


def _substitute(t: Any, mapping: dict[Any, Any]) -> Any:
    """``t`` with the type variables of a generic model replaced (``list[ItemT]`` ->
    ``list[AgentCall]``)."""
    if isinstance(t, TypeVar):
        return mapping.get(t, Any)
    parameters = getattr(t, "__parameters__", ())
    if parameters and not isinstance(t, type):
        return t[tuple(mapping.get(p, Any) for p in parameters)]
    return t


def _optional_inner(t: Any) -> Any:
    return next(a for a in get_args(t) if a is not NoneType)


def _fast_field(index: int, t: Any, namespace: dict[str, Any]) -> list[str]:
    """Lines turning the local ``v`` (never ``None`` when ``t`` is optional: the caller checks)
    into the field's value; helpers go into ``namespace``."""
    hook, typ = f"_h{index}", f"_t{index}"
    namespace[hook] = converter.get_structure_hook(t)
    namespace[typ] = t
    slow = f"v = {hook}(v, {typ})"
    inner = _optional_inner(t) if _is_optional(t) else t
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
    if _is_model(inner):
        namespace[f"_f{index}"] = _fast_structure_fn(inner)
        return [f"v = _f{index}(v)"]
    if _is_list_type(inner):
        args = get_args(inner)
        if args and _is_model(args[0]):
            namespace[f"_f{index}"] = _fast_structure_fn(args[0])
            return [
                "if v.__class__ is list:",
                f"    v = [_f{index}(x) for x in v]",
                "else:",
                f"    {slow}",
            ]
    if _is_passthrough(inner):
        return []
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


def _fast_structure_fn(cl: Any) -> _FastFn:
    """The fast structure function of a model (``Page[AgentCall]`` included); cached."""
    fast = _FAST.get(cl)
    if fast is not None:
        return fast
    if cl in _BUILDING:  # a model that contains itself: bind to the finished function later

        def later(value: Any) -> Any:
            return _FAST[cl](value)

        return later
    _BUILDING.add(cl)
    try:
        return _generate_fast_structure_fn(cl)
    finally:
        _BUILDING.discard(cl)


_BUILDING: set[Any] = set()


def _generate_fast_structure_fn(cl: Any) -> _FastFn:
    origin = _model_origin(cl)
    parameters: tuple[Any, ...] = getattr(origin, "__parameters__", None) or ()
    mapping = dict(zip(parameters, get_args(cl) or (Any,) * len(parameters), strict=True))
    wire = _wire_names(origin)
    setters = _slot_setters(origin)
    namespace: dict[str, Any] = {
        "_cl": origin,
        "_new": object.__new__,
        "_known": frozenset(wire.values()),
        "_set": object.__setattr__,
        "_wrong": _wrong,
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
            "    if _known.issuperset(o):",
            "        _s_extra(instance, {})",
            "    else:",
            "        _s_extra(instance, {k: x for k, x in o.items() if k not in _known})",
        ]
    arguments: list[str] = []
    for index, field in enumerate(attrs.fields(origin)):
        if field.name == "extra":
            continue
        t = _substitute(field.type, mapping)
        key = wire[field.name]
        body = _fast_field(index, t, namespace)
        if field.default is attrs.NOTHING:
            lines.append(f"    v = o[{key!r}]")
            lines += [f"    {line}" for line in body]
        elif field.default is None and (_is_optional(t) or _is_passthrough(t)):
            # Absent and null both mean None, which every hook of an optional type returns.
            lines.append(f"    v = g({key!r})")
            if body:
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
            lines += [f"        {line}" for line in body or ["pass"]]
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
            "        _set(instance, 'extra', {k: x for k, x in o.items() if k not in _known})",
        ]
    lines.append("    return instance")
    source = "\n".join(lines)
    name = f"<cartesia_calls fast structure {_type_name(cl)}>"
    exec(compile(source, name, "exec"), namespace)  # noqa: S102 - code generated from our models
    generated: _FastFn = namespace["fast"]
    _FAST[cl] = generated
    return generated


class _Absent:
    pass


_ABSENT: Final = _Absent()


def _no_fast_path(cl: Any) -> _FastFn:
    hook = converter.get_structure_hook(cl)

    def detailed(value: Any) -> Any:
        return hook(value, cl)

    _FAST[cl] = detailed
    return detailed


def _fast_hook(cl: Any) -> _FastFn:
    fast = _FAST.get(cl)
    if fast is None:
        fast = _fast_structure_fn(cl) if _is_model(cl) else _no_fast_path(cl)
    return fast


def loads(body: bytes | bytearray | memoryview | str) -> Any:
    """Parse JSON (orjson). Raises :class:`ValueError` (``orjson.JSONDecodeError``) if invalid."""
    return orjson.loads(body)


def _json_default(value: Any) -> Any:
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(obj: Any) -> bytes:
    """Serialize to compact JSON bytes (orjson); models, enums and datetimes included.

    Models are written as :meth:`Model.to_dict` does, datetimes as ``...Z`` UTC strings.
    """
    return orjson.dumps(obj, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def unstructure(obj: Any) -> Any:
    """Turn models (and containers of them) into plain JSON-ready Python values."""
    return converter.unstructure(obj)


def structure(data: Any, cl: type[T]) -> T:
    """Build ``cl`` (a model or a generic like ``Page[AgentCall]``) from parsed JSON.

    Raises:
        ResponseDecodeError: ``data`` cannot be a ``cl``; ``.path`` points at the first bad value.
    """
    try:
        return _fast_hook(cl)(data)  # type: ignore[no-any-return]
    except Exception:  # noqa: S110 - the detailed hook below tells what is wrong
        pass
    hook = _structure_hook(cl)
    try:
        return hook(data, cl)  # type: ignore[no-any-return]
    except Exception as exc:
        raise _decode_error(exc, cl, body_text(data)) from exc


def decode(
    body: bytes | bytearray | memoryview | str,
    cl: type[T],
    *,
    status_code: int | None = None,
    method: str | None = None,
    url: str | None = None,
) -> T:
    """Parse a response body once and build ``cl`` from it.

    Raises:
        ResponseDecodeError: the body is not JSON (``path`` is ``None``), or not a ``cl``
            (``path`` is the JSON path of the first bad value). It carries the body text (cut at
            64 KiB) and the status, method and URL given here.
    """
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ResponseDecodeError(
            f"response body is not valid JSON ({exc})",
            body=_text_of(body),
            path=None,
            status_code=status_code,
            method=method,
            url=url,
        ) from exc
    try:
        return _fast_hook(cl)(data)  # type: ignore[no-any-return]
    except Exception:  # noqa: S110 - the detailed hook below tells what is wrong
        pass
    hook = _structure_hook(cl)
    try:
        return hook(data, cl)  # type: ignore[no-any-return]
    except Exception as exc:
        raise _decode_error(
            exc, cl, _text_of(body), status_code=status_code, method=method, url=url
        ) from exc


# --------------------------------------------------------------------------------------------
# The model base class.

_GenericAliasBase: Any = getattr(typing, "_GenericAlias")  # noqa: B009 - private, not in typeshed


class _ModelAlias(_GenericAliasBase, _root=True):  # type: ignore[misc,call-arg]
    """``Page[AgentCall]``: a generic alias whose ``from_dict`` knows its type arguments."""

    def from_dict(self, data: Any) -> Any:
        return structure(data, self)


def parameterize(alias: Any) -> Any:
    """Wrap ``Generic.__class_getitem__``'s result so ``Model[X].from_dict`` structures ``X``.

    Without this, ``Page[AgentCall].from_dict`` would reach ``Page.from_dict`` and lose
    ``AgentCall``. Generic models call it from their ``__class_getitem__``.
    """
    return _ModelAlias(alias.__origin__, alias.__args__)


@attrs.frozen(repr=False)
class Model:
    """Base of every model: decoding from and encoding to JSON-ready dicts.

    Attributes:
        extra: the JSON keys of the response that this version of the SDK does not know, with
            their raw values (empty when there were none). Written back by :meth:`to_dict`.
    """

    extra: dict[str, Any] = attrs.field(factory=dict, kw_only=True, hash=False)

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build the model from parsed JSON (a ``dict``).

        Raises:
            ResponseDecodeError: ``data`` is not this model: a required field is missing, a value
                has the wrong type, or ``data`` is not a dict. ``.path`` is the JSON path of the
                first bad value (``$.transcript[3].start_timestamp``), ``.errors`` lists them all.
        """
        return structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict: wire names, ``...Z`` datetimes, plain-string enums, no ``None``
        fields, ``extra`` merged back in. Free-form objects (``metadata``...) are copied one
        level deep; values nested inside them are shared with the model."""
        return converter.unstructure(self)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        parts = [
            f"{a.name}={getattr(self, a.name)!r}"
            for a in attrs.fields(type(self))
            if a.name != "extra"
        ]
        if self.extra:
            parts.append(f"extra={self.extra!r}")
        return f"{type(self).__qualname__}({', '.join(parts)})"
