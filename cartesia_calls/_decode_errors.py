"""Error translation: cattrs' exception groups become one ResponseDecodeError with a JSON path.

When the detailed hooks (:mod:`._converter`) refuse a body, cattrs raises a tree of
``ClassValidationError`` (one sub-exception per bad attribute) and ``IterableValidationError``
(one per bad index) around the hooks' own errors. :func:`decode_error` walks that tree once and
turns it into a :class:`~cartesia_calls.errors.ResponseDecodeError` whose ``path`` is the JSON
path of the first bad value, written with JSON keys (``$.telephony_params.from``, not
``from_``), whose ``errors`` lists every problem found, and whose ``body`` is the response text
(cut at 64 KiB). This is the only place the two kinds of error meet.
"""

from __future__ import annotations

from typing import Any

import orjson
from cattrs.errors import ClassValidationError, IterableValidationError

from ._converter import InvalidValue, is_model, model_origin, type_name, wire_names
from ._freeform import safe_repr
from .errors import MAX_ERROR_BODY_CHARS, ResponseDecodeError

__all__ = ["body_text", "decode_error", "text_of"]


def _describe(exc: BaseException) -> str:
    if isinstance(exc, InvalidValue):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, ValueError):
        return f"invalid value ({exc})"
    return f"invalid value ({type(exc).__name__}: {exc})"


def _problems(exc: BaseException, path: str, out: list[tuple[str, str]]) -> None:
    """Walk cattrs' exception groups depth-first; paths use JSON keys (``from``, not ``from_``)."""
    if isinstance(exc, ClassValidationError):
        names = wire_names(model_origin(exc.cl)) if is_model(exc.cl) else {}
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
        out.append((_describe(exc), path + (exc.path if isinstance(exc, InvalidValue) else "")))


def decode_error(
    exc: BaseException,
    cl: Any,
    body: str,
    *,
    status_code: int | None = None,
    method: str | None = None,
    url: str | None = None,
) -> ResponseDecodeError:
    """The :class:`ResponseDecodeError` for ``exc``, raised while structuring ``body`` as ``cl``."""
    problems: list[tuple[str, str]] = []
    try:
        _problems(exc, "$", problems)
    except Exception:
        problems = []
    if not problems:
        problems = [(_describe(exc), "$")]
    errors = tuple(f"{what} @ {where}" for what, where in problems)
    what, path = problems[0]
    message = f"response body is not a valid {type_name(cl)}: {what} at {path}"
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


def body_text(data: Any) -> str:
    """Parsed JSON (or anything) as text for an error's ``body``, cut to 64 KiB; never raises."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS, default=repr).decode()
    except Exception:  # too deep for orjson, or a value it cannot write
        try:
            text = safe_repr(data)
        except Exception:
            text = f"<unprintable {type(data).__name__}>"
    return text[:MAX_ERROR_BODY_CHARS]


def text_of(body: bytes | bytearray | memoryview | str) -> str:
    """A response body as text for an error's ``body``, cut to 64 KiB."""
    if isinstance(body, str):
        return body[:MAX_ERROR_BODY_CHARS]
    # A UTF-8 character is at most 4 bytes: never decode more than what is kept.
    head = bytes(body[: MAX_ERROR_BODY_CHARS * 4])
    return head.decode("utf-8", errors="replace")[:MAX_ERROR_BODY_CHARS]
