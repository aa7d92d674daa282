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

Structure functions are generated once per model (cattrs code generation) and cached; the hot
path of a decode is ``orjson.loads`` plus those functions.
"""

from __future__ import annotations

import datetime as _dt
import typing
from collections.abc import Callable
from types import NoneType, UnionType
from typing import Any, Final, Self, TypeVar, get_args, get_origin

import attrs
import cattrs
import orjson
from cattrs.errors import (
    ClassValidationError,
    IterableValidationError,
    IterableValidationNote,
)
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


def _body_of(data: Any) -> str:
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
    hook = _structure_hook(cl)
    try:
        return hook(data, cl)  # type: ignore[no-any-return]
    except Exception as exc:
        raise _decode_error(exc, cl, _body_of(data)) from exc


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
