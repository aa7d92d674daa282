"""Checks of caller input, run before anything is sent. Each error names the argument."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "check_e164",
    "check_int_range",
    "check_non_empty",
    "check_optional_int_range",
    "outbound_items",
    "page_params",
]

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_OUTBOUND_KEYS = frozenset({"to_number", "metadata"})


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


def outbound_items(items: Any, name: str, *, max_items: int | None = None) -> list[dict[str, Any]]:
    """Outbound call items (:class:`OutboundCall` models or dicts) as wire dicts, checked.

    A dict may carry only ``to_number`` and ``metadata``, and a model no unknown fields: anything
    else is an error rather than something silently dropped.
    """
    from ._models import OutboundCall  # noqa: PLC0415 - models import nothing from here

    if isinstance(items, str | bytes | bytearray | Mapping) or not isinstance(items, Iterable):
        raise TypeError(
            f"{name} must be a list of OutboundCall or {{'to_number': ..., 'metadata': ...}} "
            f"dicts, got {type(items).__name__}"
        )
    listed = list(items)
    if not listed or (max_items is not None and len(listed) > max_items):
        bounds = f"1 to {max_items}" if max_items is not None else "at least 1"
        raise ValueError(f"{name} must have {bounds} items, got {len(listed)}")
    out: list[dict[str, Any]] = []
    for index, item in enumerate(listed):
        where = f"{name}[{index}]"
        if isinstance(item, OutboundCall):
            if item.extra:
                raise ValueError(
                    f"{where} has an unknown field {next(iter(item.extra))!r} (from "
                    "OutboundCall.extra); only 'to_number' and 'metadata' are sent"
                )
            to_number: Any = item.to_number
            metadata: Any = item.metadata
        elif isinstance(item, Mapping):
            unknown = [key for key in item if key not in _OUTBOUND_KEYS]
            if unknown:
                raise ValueError(
                    f"{where} has an unknown key {unknown[0]!r}; only 'to_number' and "
                    "'metadata' are allowed"
                )
            if "to_number" not in item:
                raise ValueError(f"{where} is missing 'to_number'")
            to_number, metadata = item["to_number"], item.get("metadata")
        else:
            raise TypeError(f"{where} must be an OutboundCall or a dict, got {type(item).__name__}")
        entry: dict[str, Any] = {"to_number": check_e164(to_number, f"{where}.to_number")}
        if metadata is not None:
            if not isinstance(metadata, Mapping) or not all(isinstance(k, str) for k in metadata):
                raise TypeError(f"{where}.metadata must be a dict with string keys (a JSON object)")
            entry["metadata"] = dict(metadata)
        out.append(entry)
    return out
