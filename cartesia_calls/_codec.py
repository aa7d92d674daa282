"""JSON bytes <-> models: the entry points the rest of the SDK calls.

* :func:`decode` parses a response body once (``orjson``) and builds the requested model;
  :func:`structure` does the same from parsed JSON (what ``Model.from_dict`` calls).
* Both go through one helper, :func:`_build`: the generated fast path first
  (:mod:`._fastpath`); if it raises anything, the converter's detailed hooks from the start
  (:mod:`._converter`); if those fail too, one
  :class:`~cartesia_calls.errors.ResponseDecodeError` with the JSON path of the first bad value
  (:mod:`._decode_errors`). Nothing else escapes.
* :func:`unstructure` and :func:`dumps` go the other way: wire names, ``...Z`` datetimes,
  plain-string enums, no ``None`` fields (but those the API always sends), ``extra`` merged
  back in.
* :func:`decode_plain` goes from a body straight to what :func:`unstructure` would make of its
  model, without building the model when it need not (what an export writes).
* Bodies of :data:`PAUSE_GC_FROM` bytes and more are decoded with the cyclic garbage collector
  paused (:func:`_gc_paused`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import threading
from collections.abc import Callable, Iterator
from typing import Any, Final, TypeVar

import orjson

from ._converter import StructureHook, converter, format_datetime, is_model
from ._decode_errors import body_text, decode_error, text_of
from ._fastpath import fast_hook, plain_hook
from .errors import ResponseDecodeError

__all__ = [
    "decode",
    "decode_plain",
    "detailed_hook",
    "dumps",
    "loads",
    "structure",
    "unstructure",
]

T = TypeVar("T")

_HOOKS: dict[Any, StructureHook] = {}


def detailed_hook(cl: Any) -> StructureHook:
    """The converter's (detailed, path-reporting) structure hook for ``cl``; cached."""
    hook = _HOOKS.get(cl)
    if hook is None:
        hook = _HOOKS[cl] = converter.get_structure_hook(cl)
    return hook


def _build(data: Any, cl: type[T], body: Callable[[], str], **context: Any) -> T:
    """``data`` as a ``cl``: the fast path, else the detailed one, else a ResponseDecodeError
    carrying ``body()`` and ``context`` (status, method, URL)."""
    try:
        return fast_hook(cl)(data)  # type: ignore[no-any-return]
    except Exception:  # noqa: S110 - the detailed hook below tells what is wrong
        pass
    try:
        return detailed_hook(cl)(data, cl)  # type: ignore[no-any-return]
    except Exception as exc:
        raise decode_error(exc, cl, body(), **context) from exc


def structure(data: Any, cl: type[T]) -> T:
    """Build ``cl`` (a model or a generic like ``Page[AgentCall]``) from parsed JSON.

    Raises:
        ResponseDecodeError: ``data`` cannot be a ``cl``; ``.path`` points at the first bad value.
    """
    return _build(data, cl, lambda: body_text(data))


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
    if len(body) < PAUSE_GC_FROM:
        return _decode(body, cl, status_code, method, url, plain=False)  # type: ignore[no-any-return]
    with _gc_paused():
        return _decode(body, cl, status_code, method, url, plain=False)  # type: ignore[no-any-return]


def decode_plain(
    body: bytes | bytearray | memoryview | str,
    cl: Any,
    *,
    status_code: int | None = None,
    method: str | None = None,
    url: str | None = None,
) -> Any:
    """What ``unstructure(decode(body, cl, ...))`` returns, without building ``cl`` when the
    body is plain (the usual case): :func:`~._fastpath.plain_hook`. Otherwise the body is
    decoded and the model unstructured, so what is returned, and every error raised, are the
    same as :func:`decode`'s, to the byte once written with :func:`dumps`.
    """
    if len(body) < PAUSE_GC_FROM:
        return _decode(body, cl, status_code, method, url, plain=True)
    with _gc_paused():
        return _decode(body, cl, status_code, method, url, plain=True)


def _decode(
    body: bytes | bytearray | memoryview | str,
    cl: Any,
    status_code: int | None,
    method: str | None,
    url: str | None,
    *,
    plain: bool,
) -> Any:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise ResponseDecodeError(
            f"response body is not valid JSON ({exc})",
            body=text_of(body),
            path=None,
            status_code=status_code,
            method=method,
            url=url,
        ) from exc
    if plain:
        try:
            return plain_hook(cl)(data)
        except Exception:  # noqa: S110 - the model path below tells what is wrong, or copes
            pass
    built = _build(data, cl, lambda: text_of(body), status_code=status_code, method=method, url=url)
    return converter.unstructure(built) if plain else built


#: Bodies from this size on (64 KiB: a call of a few hundred turns, a page of calls with
#: transcripts) are decoded with the cyclic garbage collector paused.
PAUSE_GC_FROM: Final = 64 * 1024

_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_resume = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a big body is decoded.

    Decoding a big body allocates tens of thousands of objects (parsed JSON, then models), and
    every 700 allocations the collector runs; now and then it walks older generations too, and
    the whole heap once they have grown by a quarter. None of that can free anything: what the
    decode builds is alive until it returns, and reference counting frees the parsed JSON. Paused,
    the collector looks at the new objects once, at its next run after the decode (a large call:
    about 15 % fewer instructions per get, see docs/performance.md).

    ``gc.disable()`` is process-wide, so pauses are counted: the collector is enabled again when
    the last decode in any thread ends, and only if it was enabled when the first began (a
    program that disabled it keeps it disabled). What this cannot tell apart: a thread that
    calls ``gc.disable()`` while another thread's decode has it paused sees it enabled again
    when that decode ends. Decodes hold the GIL for their whole length, so a pause lasts as
    long as one decode (milliseconds), whatever other threads do meanwhile.
    """
    global _gc_pausers, _gc_resume  # noqa: PLW0603 - one process-wide state, like gc's own
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_resume:
                gc.enable()


def loads(body: bytes | bytearray | memoryview | str) -> Any:
    """Parse JSON (orjson). Raises :class:`ValueError` (``orjson.JSONDecodeError``) if invalid."""
    return orjson.loads(body)


def _json_default(value: Any) -> Any:
    if is_model(value.__class__):
        return converter.unstructure(value)
    if isinstance(value, _dt.datetime):
        return format_datetime(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps(obj: Any) -> bytes:
    """Serialize to compact JSON bytes (orjson); models, enums and datetimes included.

    Models are written as :meth:`Model.to_dict` does, datetimes as ``...Z`` UTC strings. Raises
    ``TypeError`` for a value JSON cannot hold, or one nested deeper than orjson writes (254
    levels; a decoded model is always shallower, see :mod:`._freeform`).
    """
    return orjson.dumps(obj, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def unstructure(obj: Any) -> Any:
    """Turn models (and containers of them) into plain JSON-ready Python values."""
    return converter.unstructure(obj)
