"""Checks of caller input, run before anything is sent. Each error names the argument."""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import orjson

from ._converter import format_datetime

__all__ = [
    "check_dynamic_variables",
    "check_e164",
    "check_extra_headers",
    "check_int_range",
    "check_non_empty",
    "check_optional_int_range",
    "merge_extra",
    "merge_query",
    "outbound_items",
    "page_params",
    "parse_rfc3339",
    "rfc3339",
]

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_OUTBOUND_KEYS = ("to_number", "dynamic_variables", "metadata")

#: The API's limits on one call's dynamic variables (API version 2026-08-14).
MAX_DYNAMIC_VARIABLES: Final = 64
MAX_DYNAMIC_VARIABLES_BYTES: Final = 16 * 1024
_VARIABLE_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_RESERVED_PREFIXES: Final = ("system__", "secret__")
# What orjson (and so the SDK) can write as a JSON integer.
_JSON_INT_RANGE: Final = (-(2**63), 2**64 - 1)

# RFC 3339 date-time: a date, a time, an offset (``Z`` or ``+hh:mm``); "T" may be a space.
_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
)


def check_non_empty(value: Any, name: str) -> str:
    """``value`` as a non-empty string, or a TypeError/ValueError naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{name} must be a non-empty string")
    return value


def check_e164(value: Any, name: str) -> str:
    """``value`` if it is an E.164 phone number (``+14155550123``), else a ValueError."""
    check_non_empty(value, name)
    if not _E164.match(value):
        raise ValueError(
            f"{name} must be an E.164 phone number like '+14155550123' "
            f"(a '+', the country code, then up to 15 digits), got {value!r}"
        )
    return str(value)


def check_int_range(value: Any, name: str, low: int | None, high: int | None) -> int:
    """``value`` if it is an int within ``[low, high]`` (either bound may be open)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"{low if low is not None else '-inf'} to {high if high is not None else 'inf'}"
        raise ValueError(f"{name} must be from {bounds}, got {value}")
    return value


def check_optional_int_range(
    value: Any, name: str, low: int | None, high: int | None
) -> int | None:
    """Like :func:`check_int_range`, letting ``None`` (not sent) through."""
    return None if value is None else check_int_range(value, name, low, high)


def page_params(
    limit: int | None, starting_after: str | None, ending_before: str | None
) -> dict[str, str]:
    """The query parameters of a list request's page size and cursor, checked."""
    params: dict[str, str] = {}
    if limit is not None:
        params["limit"] = str(check_int_range(limit, "limit", 1, 100))
    if starting_after is not None and ending_before is not None:
        raise ValueError("give at most one of starting_after and ending_before")
    if starting_after is not None:
        params["starting_after"] = check_non_empty(starting_after, "starting_after")
    if ending_before is not None:
        params["ending_before"] = check_non_empty(ending_before, "ending_before")
    return params


def rfc3339(value: Any, name: str) -> str:
    """A date-time argument as the RFC 3339 text to send.

    A :class:`~datetime.datetime` must be timezone-aware and is sent in UTC with ``Z``
    (``2026-08-14T09:30:00Z``); a string must be an RFC 3339 date-time with an offset and is sent
    exactly as given. Anything else is a TypeError, a naive datetime or a malformed string a
    ValueError, each naming ``name``.
    """
    parsed = parse_rfc3339(value, name)
    return value if isinstance(value, str) else format_datetime(parsed)


def parse_rfc3339(value: Any, name: str) -> _dt.datetime:
    """The aware datetime a :func:`rfc3339` argument stands for (same checks, same errors)."""
    if isinstance(value, str):
        if _RFC3339.fullmatch(value):
            try:
                return _dt.datetime.fromisoformat(value.upper().replace(" ", "T"))
            except ValueError:
                pass  # a date that does not exist (month 13): reported below
        raise ValueError(
            f"{name} must be an RFC 3339 date-time with a UTC offset, such as "
            f"'2026-08-14T09:30:00Z' or '2026-08-14T11:30:00+02:00', got {value!r}"
        )
    if not isinstance(value, _dt.datetime):
        raise TypeError(
            f"{name} must be a timezone-aware datetime or an RFC 3339 string, "
            f"got {type(value).__name__}"
        )
    if value.utcoffset() is None:
        raise ValueError(
            f"{name} must be timezone-aware: it needs a timezone (for example "
            f"datetime.now(timezone.utc), or .replace(tzinfo=...)); got the naive "
            f"{value.isoformat()!r}"
        )
    return value


def check_dynamic_variables(value: Any, where: str) -> dict[str, Any]:
    """A call's ``dynamic_variables`` checked against the API's rules, as a new dict.

    At most 64 names; a name is 1-64 letters, digits or ``_``, starting with a letter or ``_``,
    and not ``system__...`` or ``secret__...`` (reserved); a value is a ``str``, ``int``,
    ``float`` (finite) or ``bool``; at most 16 KiB as UTF-8 JSON. ``where`` names the item
    (``outbound_calls[2]``) in the error, and the error names the variable.
    """
    label = f"{where}.dynamic_variables"
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{label} must be a dict of names to str, int, float or bool values, "
            f"got {type(value).__name__}"
        )
    if len(value) > MAX_DYNAMIC_VARIABLES:
        raise ValueError(
            f"{label} has {len(value)} variables; the API takes at most {MAX_DYNAMIC_VARIABLES}"
        )
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{label} has a name that is not a string: {key!r}")
        if not _VARIABLE_NAME.fullmatch(key):
            raise ValueError(
                f"{label}[{key!r}]: a name is 1 to 64 letters, digits or underscores, starting "
                "with a letter or an underscore"
            )
        prefix = next((p for p in _RESERVED_PREFIXES if key.startswith(p)), None)
        if prefix is not None:
            raise ValueError(f"{label}[{key!r}]: names starting with {prefix!r} are reserved")
        if not isinstance(item, str | int | float):  # bool is an int
            raise TypeError(
                f"{label}[{key!r}] must be a str, int, float or bool, got {type(item).__name__}"
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise ValueError(f"{label}[{key!r}] is {item}, which JSON cannot carry")
        if (
            isinstance(item, int)
            and not isinstance(item, bool)
            and not _JSON_INT_RANGE[0] <= item <= _JSON_INT_RANGE[1]
        ):
            raise ValueError(f"{label}[{key!r}] is an integer too large to send as JSON")
        out[key] = item
    size = len(orjson.dumps(out))
    if size > MAX_DYNAMIC_VARIABLES_BYTES:
        raise ValueError(
            f"{label} is {size} bytes as JSON; the API takes at most "
            f"{MAX_DYNAMIC_VARIABLES_BYTES} (16 KiB)"
        )
    return out


def outbound_items(items: Any, name: str, *, max_items: int | None = None) -> list[dict[str, Any]]:
    """Outbound call items (:class:`OutboundCall` models or dicts) as wire dicts, checked.

    A dict may carry only ``to_number``, ``dynamic_variables`` and ``metadata``, and a model no
    unknown fields: anything else is an error rather than something silently dropped.
    ``dynamic_variables`` is checked by :func:`check_dynamic_variables`; both it and
    ``metadata`` are sent as given.
    """
    from ._models import OutboundCall  # noqa: PLC0415 - models import nothing from here

    if isinstance(items, str | bytes | bytearray | Mapping) or not isinstance(items, Iterable):
        raise TypeError(
            f"{name} must be a list of OutboundCall or {{'to_number': ..., "
            f"'dynamic_variables': ...}} dicts, got {type(items).__name__}"
        )
    listed = list(items)
    if not listed or (max_items is not None and len(listed) > max_items):
        bounds = f"1 to {max_items}" if max_items is not None else "at least 1"
        raise ValueError(f"{name} must have {bounds} items, got {len(listed)}")
    out: list[dict[str, Any]] = []
    for index, item in enumerate(listed):
        where = f"{name}[{index}]"
        allowed = ", ".join(repr(key) for key in _OUTBOUND_KEYS)
        if isinstance(item, OutboundCall):
            if item.extra:
                raise ValueError(
                    f"{where} has an unknown field {next(iter(item.extra))!r} (from "
                    f"OutboundCall.extra); only {allowed} are sent"
                )
            to_number: Any = item.to_number
            variables: Any = item.dynamic_variables
            metadata: Any = item.metadata
        elif isinstance(item, Mapping):
            unknown = [key for key in item if key not in _OUTBOUND_KEYS]
            if unknown:
                raise ValueError(
                    f"{where} has an unknown key {unknown[0]!r}; only {allowed} are allowed"
                )
            if "to_number" not in item:
                raise ValueError(f"{where} is missing 'to_number'")
            to_number = item["to_number"]
            variables, metadata = item.get("dynamic_variables"), item.get("metadata")
        else:
            raise TypeError(f"{where} must be an OutboundCall or a dict, got {type(item).__name__}")
        entry: dict[str, Any] = {"to_number": check_e164(to_number, f"{where}.to_number")}
        if variables is not None:
            entry["dynamic_variables"] = check_dynamic_variables(variables, where)
        if metadata is not None:
            if not isinstance(metadata, Mapping) or not all(isinstance(k, str) for k in metadata):
                raise TypeError(f"{where}.metadata must be a dict with string keys (a JSON object)")
            entry["metadata"] = dict(metadata)
        out.append(entry)
    return out


def merge_extra(
    named: dict[str, Any], extra: Mapping[str, Any] | None, what: str
) -> dict[str, Any]:
    """``named`` (what the named arguments produced) with ``extra`` merged in.

    ``extra`` is for what this SDK does not name yet, so a key that a named argument already
    set is a ValueError, never a silent override: the named argument wins nothing and loses
    nothing. ``what`` is the parameter's name (``extra_body``, ``extra_query``).
    """
    if extra is None:
        return named
    if not isinstance(extra, Mapping):
        raise TypeError(f"{what} must be a dict, got {type(extra).__name__}")
    for key in extra:
        if not isinstance(key, str):
            raise TypeError(f"{what} keys must be strings, got {key!r}")
        if key in named:
            raise ValueError(
                f"{what} sets {key!r}, which an argument of this method already set; "
                f"give it once, as the argument"
            )
    return {**named, **extra}


def merge_query(named: dict[str, str], extra: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters with ``extra_query`` merged in (see :func:`merge_extra`); values must
    be strings, ints, floats or bools (``True`` is sent as ``true``)."""
    merged = merge_extra(named, extra, "extra_query")
    out: dict[str, str] = {}
    for key, value in merged.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            out[key] = str(value)
        else:
            raise TypeError(
                f"extra_query[{key!r}] must be a str, int, float or bool, "
                f"got {type(value).__name__}"
            )
    return out


def check_extra_headers(headers: Mapping[str, Any] | None) -> dict[str, str] | None:
    """``extra_headers`` checked: string names and values, no line breaks, and never
    ``Authorization`` (the client's key is the only credential it sends)."""
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        raise TypeError(f"extra_headers must be a dict, got {type(headers).__name__}")
    out: dict[str, str] = {}
    for key, value in headers.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("extra_headers must map header names (str) to values (str)")
        if key.strip().lower() == "authorization":
            raise ValueError(
                "extra_headers cannot set Authorization: the client sends its own API key"
            )
        if any(c in key + value for c in "\r\n\0") or not key.strip():
            raise ValueError(f"extra_headers has an invalid header {key!r}")
        out[key] = value
    return out
