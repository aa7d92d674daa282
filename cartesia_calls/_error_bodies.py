"""Reading an error body, whatever a server put in it.

:func:`parse_body` turns the text of an error response into the fields of
:class:`~cartesia_calls.errors.APIStatusError`: Cartesia's error object, the logs endpoint's
``{message, description}``, ``Title: Message`` plain text, or a gateway's HTML page. It is
linear in the length of the (already cut) body and never raises, whatever the body holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

__all__ = ["MAX_ERROR_JSON_DEPTH", "ParsedBody", "parse_body", "shorten"]

#: JSON error bodies nested deeper than this are kept as text only: no error object is that deep,
#: and a deeper value would make ``repr(exc.json)`` or ``json.dumps`` raise ``RecursionError``.
MAX_ERROR_JSON_DEPTH = 64

# Every pattern here is linear on any input: a tag is "<", then anything but "<" or ">", then
# ">", so a failed match stops at the next "<" and no text is scanned twice. (``<[^>]+>`` rescans
# to the end of the body from every "<" that has no ">", which is quadratic.)
_TAG_RE = re.compile(r"<[^<>]*>")
_TITLE_OPEN_RE = re.compile(r"<title(?=[\s/>])", re.IGNORECASE)
_TITLE_CLOSE_RE = re.compile(r"</title", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")
# The first line, ended by any of the separators str.splitlines() knows.
_FIRST_LINE_RE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*")


class ParsedBody:
    """The fields read from an error body (each ``None`` when absent)."""

    __slots__ = ("doc_url", "error_code", "json", "message", "request_id", "title")

    def __init__(self) -> None:
        self.json: Any = None
        self.error_code: str | None = None
        self.title: str | None = None
        self.message: str | None = None
        self.request_id: str | None = None
        self.doc_url: str | None = None


def parse_body(body: str) -> ParsedBody:
    """Read whatever the server said: Cartesia's error object, ``{message, description}``,
    ``Title: Message`` plain text, or an HTML page from a gateway.

    Linear in ``len(body)`` on any input, and never raises: callers pass the kept (cut) body.
    """
    out = ParsedBody()
    text = body.strip()
    if not text:
        return out
    out.json = _json_or_none(text)
    if isinstance(out.json, Mapping):
        obj = out.json
        out.error_code = _field(obj, "error_code", 200)
        out.title = _field(obj, "title", 200)
        out.request_id = _field(obj, "request_id", 200)
        out.doc_url = _field(obj, "doc_url", 2000)
        message = _field(obj, "message")
        description = _field(obj, "description")
        if message is None:
            nested = obj.get("error")
            # {"error": {"message": ...}}, the shape many gateways and proxies answer with.
            inner = _field(nested, "message") if isinstance(nested, Mapping) else None
            message = _field(obj, "detail") or inner or _field(obj, "error")
        if message and description and out.title is None:
            # The logs endpoint's 404 shape: {"message": <short title>, "description": <details>}.
            out.title, message = shorten(message, 200), description
        out.message = message or description
        return out
    if out.json is not None:
        out.message = shorten(text)
        return out
    if text.startswith("<"):
        # An HTML page from a proxy or load balancer: its <title> (or text) is the useful part.
        raw = _html_title(text)
        if raw is None:
            raw = _TAG_RE.sub(" ", text)
        out.message = shorten(_SPACE_RE.sub(" ", raw).strip()) or None
        return out
    match = _FIRST_LINE_RE.match(text)
    first = match.group() if match else text
    title, sep, rest = first.partition(": ")
    if sep and rest and len(title) <= 80:
        out.title, out.message = title.strip(), shorten(text[len(title) + 2 :].strip())
    else:
        out.message = shorten(text)
    return out


def _json_or_none(text: str) -> Any:
    """``text`` parsed as JSON, or ``None`` if it is not JSON or is nested too deeply.

    orjson stops at 1024 levels with an error of its own (the standard library's parser would
    raise ``RecursionError``); values deeper than ``MAX_ERROR_JSON_DEPTH`` are refused after.
    """
    try:
        value = orjson.loads(text)
    except ValueError:  # orjson.JSONDecodeError, depth limit and lone surrogates included
        return None
    return None if _depth_exceeds(value, MAX_ERROR_JSON_DEPTH) else value


def _depth_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _html_title(text: str) -> str | None:
    """The text of the first ``<title>`` element, found in one forward scan; ``None`` if none."""
    opened = _TITLE_OPEN_RE.search(text)
    if opened is None:
        return None
    start = text.find(">", opened.end())
    if start == -1:
        return None
    closed = _TITLE_CLOSE_RE.search(text, start + 1)
    return None if closed is None else text[start + 1 : closed.start()]


def _field(obj: Mapping[str, Any], name: str, limit: int = 500) -> str | None:
    """A text field of an error object: strings, numbers and booleans as text, cut to ``limit``;
    ``None`` for absent, null, or nested values (which have no sensible one-line text)."""
    value = obj.get(name)
    if value is None or isinstance(value, dict | list):
        return None
    return shorten(value if isinstance(value, str) else str(value), limit)


def shorten(text: str, limit: int = 500) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
