"""What the fake server's route modules share: responses, errors, pagination, timestamps,
stored wire forms, and the API's checks of outbound items and dynamic variables."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from typing import Any, Final

import orjson
from aiohttp import web

JSON = "application/json"
#: A route: method, path pattern, handler.
Route = tuple[str, str, Any]
#: What the API takes as a phone number.
E164: Final = re.compile(r"^\+[1-9]\d{1,14}$")
_OUTBOUND_KEYS: Final = frozenset({"to_number", "dynamic_variables", "metadata"})


def error_body(
    error_code: str | None, title: str, message: str, *, doc_url: str | None = None
) -> dict[str, Any]:
    """Cartesia's structured error object (the spec's ``PublicErrorResponse``)."""
    body: dict[str, Any] = {
        "error_code": error_code,
        "title": title,
        "message": message,
        "request_id": str(uuid.uuid4()),
    }
    if doc_url is not None:
        body["doc_url"] = doc_url
    return body


def json_error(
    status: int, error_code: str | None, title: str, message: str, **headers: str
) -> web.Response:
    """A JSON error response in Cartesia's format."""
    return web.Response(
        status=status,
        body=orjson.dumps(error_body(error_code, title, message)),
        content_type=JSON,
        headers=headers or None,
    )


def bad_request(message: str) -> web.Response:
    """The API's 400 for a request it rejects, ``message`` naming the field."""
    return json_error(400, "invalid_request", "Bad request", message)


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON success response."""
    return web.Response(status=status, body=orjson.dumps(data), content_type=JSON)


def paginate(
    items: list[dict[str, Any]], query: Mapping[str, str], noun: str
) -> dict[str, Any] | web.Response:
    """One page of ``items`` (already newest first) for a list request, the way the API pages.

    Reads ``limit`` (1 to 100, default 10) and one of ``starting_after``/``ending_before`` (an
    item id); returns ``{"data", "has_more", "next_page"}``, or a 400 error response.
    """
    raw_limit = query.get("limit", "10")
    try:
        limit = int(raw_limit)
    except ValueError:
        limit = 0
    if not 1 <= limit <= 100:
        return bad_request(f"limit must be 1 to 100, got {raw_limit!r}.")
    after, before = query.get("starting_after"), query.get("ending_before")
    if after is not None and before is not None:
        return bad_request("Pass one of starting_after and ending_before.")
    ids = [item["id"] for item in items]
    cursor = after if after is not None else before
    if cursor is not None and cursor not in ids:
        return json_error(400, "invalid_cursor", "Invalid cursor", f"No {noun} {cursor!r}.")
    if before is not None:
        earlier = items[: ids.index(before)]
        page, has_more = earlier[-limit:], len(earlier) > limit
        next_page = page[0]["id"] if has_more else None
    else:
        rest = items[ids.index(after) + 1 :] if after is not None else items
        page, has_more = rest[:limit], len(rest) > limit
        next_page = page[-1]["id"] if has_more else None
    return {"data": page, "has_more": has_more, "next_page": next_page}


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def dynamic_variables_problem(value: Any) -> str | None:
    """What the API would say is wrong with one item's ``dynamic_variables`` (``None``: fine).

    The spec's rules: an object of at most 64 names (letters, digits, ``_``; starting with a
    letter or ``_``; up to 64 characters; no ``system__``/``secret__`` prefix) whose values are
    strings, numbers or booleans, at most 16 KiB as UTF-8 JSON.
    """
    if not isinstance(value, dict):
        return "dynamic_variables must be an object."
    if len(value) > 64:
        return "dynamic_variables may have at most 64 variables."
    for name, item in value.items():
        if not _VARIABLE_NAME.fullmatch(name):
            return f"Invalid dynamic variable name {name!r}."
        if name.startswith(("system__", "secret__")):
            return f"Dynamic variable name {name!r} uses a reserved prefix."
        if item is None or not isinstance(item, str | int | float):
            return f"Dynamic variable {name!r} must be a string, number or boolean."
    if len(orjson.dumps(value)) > 16 * 1024:
        return "dynamic_variables exceeds 16 KiB."
    return None


def outbound_item_problem(item: Any, where: str) -> str | None:
    """What the API would say is wrong with one outbound item (``outbound_calls[i]`` of Create
    Outbound Call, ``recipients[i]`` of Create Call Batch: ``where``); ``None``: fine."""
    if not isinstance(item, dict):
        return f"{where} must be an object."
    unknown = sorted(set(item) - _OUTBOUND_KEYS)
    if unknown:
        return f"Unknown field {where}.{unknown[0]}."
    number = item.get("to_number")
    if not isinstance(number, str) or not E164.match(number):
        return f"{where}.to_number must be an E.164 phone number, got {number!r}."
    if item.get("metadata") is not None and not isinstance(item["metadata"], dict):
        return f"{where}.metadata must be an object."
    if "dynamic_variables" in item:
        problem = dynamic_variables_problem(item["dynamic_variables"])
        if problem is not None:
            return f"{where}: {problem}"
    return None


def parse_time(value: Any) -> dt.datetime | None:
    """An RFC 3339 (or ISO 8601) timestamp as a datetime, naive when it has no offset; ``None``
    for anything that is not one. RFC 3339's lower-case ``t`` and ``z`` are read too."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.strip().upper())
    except ValueError:
        return None


def stored_time(value: Any) -> dt.datetime | None:
    """A timestamp of stored (seeded) data as an aware datetime: one without an offset is
    taken as UTC; ``None`` when it is not a timestamp."""
    parsed = parse_time(value)
    if parsed is None or parsed.tzinfo is not None:
        return parsed
    return parsed.replace(tzinfo=dt.UTC)


def wire_form(value: Any, what: str) -> dict[str, Any]:
    """What to store for a seeded object: a model's ``to_dict()``, a copy of a mapping, or
    ``{}`` for ``None``; anything else is a ``TypeError`` saying ``what`` it must be."""
    if value is None:
        return {}
    if hasattr(value, "to_dict"):
        data: dict[str, Any] = value.to_dict()
        return data
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"{what}, got {type(value).__name__}")
