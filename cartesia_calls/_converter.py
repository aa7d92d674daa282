"""The one cattrs converter and its hooks: how each JSON value becomes a field, and back.

What the hooks guarantee, for every model (an attrs class with an ``extra`` field, that is every
:class:`~cartesia_calls._model_base.Model`):

* **Lenient in.** Unknown keys are kept in the model's ``extra`` dict (nested models too);
  unknown enum strings become pseudo-members of the open enums (:mod:`._enums`); ``null`` and
  absent optional fields both read as ``None``.
* **Strict where it matters.** A ``str`` field takes only a string, a list only a JSON array (a
  string is never split into characters), an ``int`` an integer (or an integral float), a
  ``float`` any number, a ``bool`` only ``true``/``false``, an object field only a JSON object.
  A free-form value (``metadata``, ``Any`` fields, ``extra``) may nest at most
  :data:`~cartesia_calls._freeform.MAX_DEPTH` levels (see :mod:`._freeform`).
* **Errors the codec can place.** A hook that refuses a value raises :class:`InvalidValue`,
  whose text says what was expected; cattrs groups them with the attribute or index of each, and
  :mod:`._decode_errors` turns the groups into one error with a JSON path.
* **Round trip out.** Unstructuring writes wire names (``from``), RFC 3339 UTC datetimes ending
  in ``Z``, enums as plain strings, leaves out ``None`` fields (but those marked
  :data:`ALWAYS_EMIT`, which the API always sends) and merges ``extra`` back in.

Datetimes are read from ISO 8601 strings with ``Z``, an offset or none (read as UTC), with up to
nanosecond fractions (cut to microseconds), and are always returned timezone-aware, in UTC.

These hooks are the *detailed* path, which knows where a bad value is. Valid bodies usually take
the generated fast path of :mod:`._fastpath`, which calls the same hooks for anything unusual.
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
from collections.abc import Callable, Mapping
from types import NoneType, UnionType
from typing import Any, Final, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.errors import IterableValidationError, IterableValidationNote
from cattrs.fns import identity
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._enums import OpenEnum
from ._freeform import MAX_DEPTH, too_deep

__all__ = [
    "ALWAYS_EMIT",
    "LOOKED_FOR_LAST",
    "WIRE_NAME",
    "InvalidValue",
    "StructureHook",
    "always_emitted",
    "converter",
    "format_datetime",
    "is_model",
    "is_optional",
    "is_passthrough",
    "model_origin",
    "type_arguments",
    "type_name",
    "unknown_keys",
    "wire_names",
    "wrong",
]

#: ``attrs.field(metadata={WIRE_NAME: "from"})`` gives a field a JSON name other than its
#: Python name (``TelephonyParams.from_`` is ``"from"`` on the wire).
WIRE_NAME: Final = "cartesia_calls.wire_name"

#: ``attrs.field(metadata={ALWAYS_EMIT: True})``: a field the API always sends, ``null``
#: included (required but nullable in the spec, like ``DynamicVariableUpdate.old_value``). It is
#: written even when it is ``None``, so ``to_dict()`` gives such a body back; every other
#: ``None`` field is left out. Honoured by ``unstructure`` and the plain functions of
#: :mod:`._fastpath` alike.
ALWAYS_EMIT: Final = "cartesia_calls.always_emit"

#: ``attrs.field(metadata={LOOKED_FOR_LAST: True})``: a field the current API version no longer
#: sends (2026-03-01's ``text_chunks``...). Decoding looks for it after the others, and not at
#: all when every key was already found (:mod:`._fastpath`); nothing else changes.
LOOKED_FOR_LAST: Final = "cartesia_calls.looked_for_last"

_UTC: Final = _dt.UTC
StructureHook = Callable[[Any, Any], Any]

#: The one converter. Hooks are registered below, at import, and never changed afterwards.
converter: Final = cattrs.Converter(detailed_validation=True)


# --------------------------------------------------------------------------------------------
# What a hook raises: a ValueError whose text is the whole description.


class InvalidValue(ValueError):
    """A value of the wrong JSON type or shape; ``str(exc)`` says what was expected.

    ``path`` continues the JSON path of the value the hook was given (``.key`` when the bad
    value is inside it, as for an unknown key's value); empty when the value itself is bad.
    """

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


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


def wrong(expected: str, value: object) -> InvalidValue:
    """The error for ``value`` not being what was ``expected`` (``"a string"``)."""
    return InvalidValue(f"expected {expected}, got {_json_type(value)}")


_TOO_DEEP: Final = f"expected at most {MAX_DEPTH} levels of nesting, got more"


_STR: Final = frozenset({str})


def _check_depth(value: Any, path: str = "") -> None:
    if too_deep(value):
        raise InvalidValue(_TOO_DEEP, path)


# --------------------------------------------------------------------------------------------
# Primitive structure hooks: exact JSON types, no silent coercion.


def _structure_str(value: Any, _: Any) -> str:
    if value.__class__ is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)  # a str subclass (say, an enum member): keep the plain text
    raise wrong("a string", value)


def _structure_int(value: Any, _: Any) -> int:
    cls = value.__class__
    if cls is int:
        return value  # type: ignore[no-any-return]
    if cls is float and value.is_integer():
        return int(value)
    if cls is float:
        raise InvalidValue(f"expected an integer, got {value!r}")
    raise wrong("an integer", value)


def _structure_float(value: Any, _: Any) -> float:
    cls = value.__class__
    if cls is float:
        return value  # type: ignore[no-any-return]
    if cls is int:
        try:
            return float(value)
        except OverflowError:
            raise InvalidValue("number out of range") from None
    raise wrong("a number", value)


def _structure_bool(value: Any, _: Any) -> bool:
    if value.__class__ is bool:
        return value
    raise wrong("a boolean", value)


def _structure_free_form(value: Any, _: Any) -> Any:
    _check_depth(value)
    return value


def _structure_datetime(value: Any, _: Any) -> _dt.datetime:
    if isinstance(value, str):
        try:
            parsed = _dt.datetime.fromisoformat(value)
        except ValueError:
            shown = value if len(value) <= 40 else value[:39] + "…"
            raise InvalidValue(f"expected an ISO 8601 date-time, got {shown!r}") from None
    elif isinstance(value, _dt.datetime):
        parsed = value
    else:
        raise wrong("an ISO 8601 date-time string", value)
    tz = parsed.tzinfo
    if tz is _UTC:
        return parsed
    if tz is None:
        return parsed.replace(tzinfo=_UTC)
    try:
        return parsed.astimezone(_UTC)
    except (OverflowError, ValueError):
        raise InvalidValue("date-time out of range in UTC") from None


def format_datetime(value: _dt.datetime) -> str:
    """RFC 3339 in UTC: ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``. Naive datetimes are taken as UTC."""
    tz = value.tzinfo
    if tz is not None and tz is not _UTC and value.utcoffset() is not None:
        value = value.astimezone(_UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


def _optional_primitive(cls: type, hook: StructureHook) -> StructureHook:
    """The hook of ``cls | None``: ``None`` and exact ``cls`` values pass as they are (no nested
    call on the hot path); anything else goes to ``hook``."""

    def structure_optional_primitive(value: Any, _: Any) -> Any:
        if value is None or value.__class__ is cls:
            return value
        return hook(value, _)

    return structure_optional_primitive


def _structure_optional_datetime(value: Any, _: Any) -> _dt.datetime | None:
    if value is None:
        return None
    return _structure_datetime(value, _)


_OPTIONAL_PRIMITIVES: Final[dict[Any, StructureHook]] = {
    str: _optional_primitive(str, _structure_str),
    int: _optional_primitive(int, _structure_int),
    float: _optional_primitive(float, _structure_float),
    bool: _optional_primitive(bool, _structure_bool),
    _dt.datetime: _structure_optional_datetime,  # an aware datetime may still need converting
}


# --------------------------------------------------------------------------------------------
# Hook factories and hooks: optionals, lists, objects, open enums.


def is_optional(t: Any) -> bool:
    """``X | None`` (or ``Optional[X]``)."""
    if get_origin(t) not in (typing.Union, UnionType):
        return False
    args = get_args(t)
    return len(args) == 2 and NoneType in args


def is_passthrough(t: Any) -> bool:
    """``Any`` or a type variable left unbound (``Page`` without ``[...]``): free-form JSON."""
    return t is Any or isinstance(t, TypeVar)


def _optional_factory(t: Any) -> StructureHook:
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


def _list_factory(t: Any) -> StructureHook:
    args = get_args(t)
    elem = args[0] if args else Any
    if is_passthrough(elem):

        def structure_any_list(value: Any, _: Any) -> list[Any]:
            if not isinstance(value, list):
                raise wrong("an array", value)
            _check_depth(value)
            return list(value)

        return structure_any_list

    hook = converter.get_structure_hook(elem)

    def structure_list(value: Any, _: Any) -> list[Any]:
        if value.__class__ is not list and not isinstance(value, list):
            raise wrong("an array", value)
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


def _dict_factory(t: Any) -> StructureHook:
    args = get_args(t)
    if args and (args[0] is not str or not is_passthrough(args[1])):
        return converter.gen_structure_mapping(t)  # pragma: no cover - no model uses one

    def structure_object(value: Any, _: Any) -> dict[str, Any]:
        if value.__class__ is not dict and not isinstance(value, dict):
            raise wrong("an object", value)
        if not _STR.issuperset(map(type, value)):
            key = next(key for key in value if key.__class__ is not str)
            raise InvalidValue(f"expected an object with string keys, got key {key!r}")
        if too_deep(value):
            raise InvalidValue(_TOO_DEEP)
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
    raise wrong("a string", value)


def _unstructure_enum(value: OpenEnum) -> str:
    return value._value_


def _unstructure_free_form(value: Any) -> Any:
    """A free-form value as JSON: copied one level deep, never descended into (any depth is
    safe); a model, enum or datetime a caller put there is written as usual."""
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    if is_model(value.__class__) or isinstance(value, OpenEnum | _dt.datetime):
        return converter.unstructure(value)
    return value


def _optional_unstructure_factory(t: Any) -> Callable[[Any], Any]:
    (inner,) = (a for a in get_args(t) if a is not NoneType)
    hook = converter.get_unstructure_hook(inner)
    if hook is identity:
        return identity  # cattrs then writes the field as it is, without a call

    def unstructure_optional(value: Any) -> Any:
        return None if value is None else hook(value)

    return unstructure_optional


def _is_free_form(t: Any) -> bool:
    """``Any``, an unbound type variable, or ``dict[str, Any]``."""
    if is_passthrough(t):
        return True
    args = get_args(t)
    return get_origin(t) is dict and len(args) == 2 and args[0] is str and is_passthrough(args[1])


# --------------------------------------------------------------------------------------------
# Models.


def model_origin(t: Any) -> Any:
    """The class behind ``t`` (``Page`` for ``Page[Any]``); ``t`` itself for a class."""
    origin = get_origin(t)
    return t if origin is None else origin


def is_model(t: Any) -> bool:
    """A model is an attrs class with an ``extra`` field (every ``Model``), or an alias of one."""
    origin = model_origin(t)
    return isinstance(origin, type) and attrs.has(origin) and hasattr(attrs.fields(origin), "extra")


def type_arguments(cl: Any) -> dict[Any, Any]:
    """The type variables of a generic model, bound: ``{ItemT: AgentCall}`` for
    ``Page[AgentCall]`` (an alias, or the class ``Page[AgentCall]`` subclassing one). Variables
    left unbound (``Page``) are absent, and read as ``Any``."""
    for alias in (cl, *getattr(cl, "__orig_bases__", ())):
        origin = get_origin(alias)
        if origin is not None and is_model(origin):
            return dict(zip(origin.__parameters__, get_args(alias), strict=True))
    return {}


def type_name(cl: Any) -> str:
    """``Page[AgentCall]``, ``AgentCall``, ``list[str]``: a type as a user would write it."""
    origin = get_origin(cl)
    if origin is None:
        return getattr(cl, "__qualname__", repr(cl))
    args = ", ".join(type_name(a) for a in get_args(cl))
    return f"{type_name(origin)}[{args}]"


_WIRE_NAMES: dict[type, dict[str, str]] = {}


def wire_names(cls: type) -> dict[str, str]:
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


def unknown_keys(value: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The ``extra`` of a model: the keys of ``value`` not in ``known``, each a free-form value."""
    extra = {k: v for k, v in value.items() if k not in known}
    for key, item in extra.items():
        if isinstance(item, dict | list | tuple):
            _check_depth(item, f".{key}" if key.isidentifier() else f"[{key!r}]")
    return extra


def always_emitted(cls: type) -> frozenset[str]:
    """The Python names of the fields of ``cls`` marked :data:`ALWAYS_EMIT`."""
    return frozenset(a.name for a in attrs.fields(cls) if a.metadata.get(ALWAYS_EMIT))


def _overrides(cls: type, *, out: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {"extra": override(omit=True)}
    always = always_emitted(cls) if out else frozenset()
    for name, wire in wire_names(cls).items():
        if name in always:
            result[name] = override(rename=None if wire == name else wire, omit_if_default=False)
        elif wire != name:
            result[name] = override(rename=wire)
    return result


def _model_structure_factory(cl: Any) -> StructureHook:
    origin = model_origin(cl)
    parameters: tuple[Any, ...] = getattr(cl, "__parameters__", None) or ()
    if cl is origin and parameters:
        # A bare generic model (``Page``): its items stay as parsed JSON.
        cl = types.GenericAlias(cl, tuple(Any for _ in parameters))
    known: frozenset[str] = frozenset(wire_names(origin).values())
    structure_fields = make_dict_structure_fn(cl, converter, **_overrides(origin))
    set_attr = object.__setattr__

    def structure_model(value: Any, _: Any) -> Any:
        if value.__class__ is not dict and not isinstance(value, dict):
            raise wrong("an object", value)
        instance = structure_fields(value, cl)
        if not known.issuperset(value):
            set_attr(instance, "extra", unknown_keys(value, known))
        return instance

    return structure_model


def _model_unstructure_factory(cl: Any) -> Callable[[Any], dict[str, Any]]:
    origin = model_origin(cl)
    known: frozenset[str] = frozenset(wire_names(origin).values())
    unstructure_fields = make_dict_unstructure_fn(
        cl, converter, _cattrs_omit_if_default=True, **_overrides(origin, out=True)
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


# These register by class (functools.singledispatch, which also matches subclasses): the most
# specific class wins, so ``bool`` is not an ``int`` and the open enums are not plain ``str``.
converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(_dt.datetime, _structure_datetime)
converter.register_structure_hook(OpenEnum, _structure_enum)
converter.register_structure_hook_func(is_passthrough, _structure_free_form)
converter.register_structure_hook_factory(is_optional, _optional_factory)
converter.register_structure_hook_factory(_is_list_type, _list_factory)
converter.register_structure_hook_factory(_is_dict_type, _dict_factory)
converter.register_structure_hook_factory(is_model, _model_structure_factory)

converter.register_unstructure_hook(_dt.datetime, format_datetime)
converter.register_unstructure_hook(OpenEnum, _unstructure_enum)
converter.register_unstructure_hook_func(_is_free_form, _unstructure_free_form)
converter.register_unstructure_hook_factory(is_optional, _optional_unstructure_factory)
converter.register_unstructure_hook_factory(is_model, _model_unstructure_factory)
