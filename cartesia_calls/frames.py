"""pandas DataFrames of calls, turns and batches, for notebooks (the ``pandas`` extra).

::

    pip install "cartesia-calls[pandas]"

::

    from cartesia_calls import Client
    from cartesia_calls.frames import calls_frame, turns_frame

    with Client() as client:
        calls = client.calls.list(agent_id="agent_123", expand_transcript=True).to_list()
    calls_frame(calls)  # one row per call: status, end reason, duration, latencies...
    turns_frame(calls)  # one row per transcript turn

``client.calls.list(...).to_pandas()`` (``await ....to_pandas()`` on an ``AsyncClient``) gives
the calls frame directly, and ``client.batches.list().to_pandas()`` the batches frame.

Every frame has the same columns, in the same order and with the same dtypes, whatever the calls
hold; no calls give an empty frame with those columns. Text and enum values are ``string``
columns (plain strings, ``<NA>`` when absent), counts are nullable ``Int64``, seconds are
``float64`` (``NaN`` when absent), times are ``datetime64[us, UTC]`` (``NaT`` when absent).
Values of the caller's own fields (``var.*`` and ``metadata.*`` columns) are kept as sent, in
``object`` columns, with ``None`` where a call lacks the field.

Importing this module does not import pandas; each function does, and raises an
:class:`ImportError` naming the extra when pandas is not installed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._models import AgentCall, CallBatch

if TYPE_CHECKING:
    import pandas

    from ._pagination import AsyncPager

__all__ = ["batches_frame", "calls_frame", "turns_frame"]

_INSTALL_HINT = 'pandas is not installed: pip install "cartesia-calls[pandas]"'

# (column, dtype) in frame order. "datetime" columns become datetime64[us, UTC]: microseconds,
# the resolution of Python's datetime, so no date a server may send overflows.
_STRING = "string"
_INT = "Int64"
_FLOAT = "float64"
_TIME = "datetime64[us, UTC]"

CALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", _STRING),
    ("agent_id", _STRING),
    ("agent_name", _STRING),
    ("status", _STRING),
    ("end_reason", _STRING),
    ("start_time", _TIME),
    ("end_time", _TIME),
    ("duration_s", _FLOAT),
    ("direction", _STRING),
    ("from_number", _STRING),
    ("to_number", _STRING),
    ("turns", _INT),
    ("stt_ttfb_mean", _FLOAT),
    ("stt_ttfb_max", _FLOAT),
    ("tts_ttfb_mean", _FLOAT),
    ("tts_ttfb_max", _FLOAT),
    ("tool_calls", _INT),
)
TURN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("call_id", _STRING),
    ("turn", "int64"),
    ("role", _STRING),
    ("text", _STRING),
    ("start_timestamp", _FLOAT),
    ("end_timestamp", _FLOAT),
    ("stt_ttfb", _FLOAT),
    ("tts_ttfb", _FLOAT),
    ("tool_names", "object"),
)
BATCH_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", _STRING),
    ("name", _STRING),
    ("agent_id", _STRING),
    ("from_number_id", _STRING),
    ("region", _STRING),
    ("status", _STRING),
    ("target_concurrency_limit", _INT),
    ("total_calls_scheduled", _INT),
    ("total_calls_dispatched", _INT),
    ("total_calls_finished", _INT),
    ("retry_count", _INT),
    ("recipients", _INT),
    ("created_at", _TIME),
    ("last_updated_at", _TIME),
    ("scheduled_at", _TIME),
    ("admitted_at", _TIME),
)


def calls_frame(calls: Iterable[AgentCall]) -> pandas.DataFrame:
    """One row per call, for counting, grouping and plotting many calls at once.

    Args:
        calls: any iterable of :class:`~cartesia_calls.AgentCall`: a list, a generator, or a
            sync :class:`~cartesia_calls.Pager` (which fetches every page). Latencies, turns and
            tool calls need transcripts: list with ``expand_transcript=True``.

    Returns:
        A DataFrame with these columns, in this order:

        - ``id``, ``agent_id``, ``agent_name``, ``status``, ``end_reason`` (``string``)
        - ``start_time``, ``end_time`` (``datetime64[us, UTC]``)
        - ``duration_s``: ``end_time - start_time`` in seconds (``float64``)
        - ``direction``, ``from_number``, ``to_number``: from ``telephony_params`` (``string``)
        - ``turns``: the number of transcript turns, ``system`` turns included (``Int64``,
          ``<NA>`` when the call came without its transcript)
        - ``stt_ttfb_mean``, ``stt_ttfb_max``, ``tts_ttfb_mean``, ``tts_ttfb_max``: over the turns
          that report them, in seconds (``float64``, ``NaN`` when none does)
        - ``tool_calls``: the number of tool calls over all turns (``Int64``)
        - ``var.<name>``: one column per dynamic variable any call has (API version
          2026-08-14), sorted by name (``object``, ``None`` where a call lacks it)
        - ``metadata.<key>``: one column per key of the calls' ``metadata`` (API version
          2026-03-01), sorted by key (``object``, ``None`` where a call lacks it)

    Raises:
        TypeError: ``calls`` is not an iterable of ``AgentCall``.
        ImportError: pandas is not installed (the ``pandas`` extra).
    """
    pd = _pandas()
    items = _collect(calls, AgentCall, "calls_frame")
    frame = _frame(pd, CALL_COLUMNS, [_call_row(call) for call in items])
    for prefix, field in (("var.", "dynamic_variables"), ("metadata.", "metadata")):
        values: list[dict[str, Any]] = [getattr(call, field) or {} for call in items]
        for name in sorted({key for value in values for key in value}):
            column = [value.get(name) for value in values]
            frame[prefix + name] = pd.Series(column, dtype=object, index=frame.index)
    return frame


def turns_frame(calls: Iterable[AgentCall]) -> pandas.DataFrame:
    """One row per transcript turn of the calls, in call order then turn order.

    Args:
        calls: any iterable of :class:`~cartesia_calls.AgentCall` (as for :func:`calls_frame`).
            A call without a transcript adds no rows.

    Returns:
        A DataFrame with these columns, in this order:

        - ``call_id`` (``string``); ``turn``: the turn's index in its transcript, from 0 (``int64``)
        - ``role``, ``text`` (``string``)
        - ``start_timestamp``, ``end_timestamp``: seconds from the start of the call (``float64``)
        - ``stt_ttfb``, ``tts_ttfb``: the turn's latencies in seconds (``float64``, ``NaN`` when
          not reported)
        - ``tool_names``: the names of the tools called during the turn, a ``list`` (empty when
          none; ``df.explode("tool_names")`` gives one row per tool call)

    Raises:
        TypeError: ``calls`` is not an iterable of ``AgentCall``.
        ImportError: pandas is not installed (the ``pandas`` extra).
    """
    pd = _pandas()
    rows = [
        (
            call.id,
            index,
            _text(turn.role),
            turn.text,
            turn.start_timestamp,
            turn.end_timestamp,
            turn.stt_ttfb,
            turn.tts_ttfb,
            [tool.name for tool in turn.tool_calls or ()],
        )
        for call in _collect(calls, AgentCall, "turns_frame")
        for index, turn in enumerate(call.transcript or ())
    ]
    return _frame(pd, TURN_COLUMNS, rows)


def batches_frame(batches: Iterable[CallBatch]) -> pandas.DataFrame:
    """One row per call batch: what ``client.batches.list().to_pandas()`` returns.

    Args:
        batches: any iterable of :class:`~cartesia_calls.CallBatch`.

    Returns:
        A DataFrame with the batch's fields as columns, in this order: ``id``, ``name``,
        ``agent_id``, ``from_number_id``, ``region``, ``status`` (``string``);
        ``target_concurrency_limit``, ``total_calls_scheduled``, ``total_calls_dispatched``,
        ``total_calls_finished``, ``retry_count`` (``Int64``); ``recipients``: how many
        recipients the batch came with (``Int64``, ``<NA>`` in lists, which carry none);
        ``created_at``, ``last_updated_at``, ``scheduled_at``, ``admitted_at``
        (``datetime64[us, UTC]``).

    Raises:
        TypeError: ``batches`` is not an iterable of ``CallBatch``.
        ImportError: pandas is not installed (the ``pandas`` extra).
    """
    pd = _pandas()
    rows = [
        (
            batch.id,
            batch.name,
            batch.agent_id,
            batch.from_number_id,
            _text(batch.region),
            _text(batch.status),
            batch.target_concurrency_limit,
            batch.total_calls_scheduled,
            batch.total_calls_dispatched,
            batch.total_calls_finished,
            batch.retry_count,
            None if batch.recipients is None else len(batch.recipients),
            batch.created_at,
            batch.last_updated_at,
            batch.scheduled_at,
            batch.admitted_at,
        )
        for batch in _collect(batches, CallBatch, "batches_frame")
    ]
    return _frame(pd, BATCH_COLUMNS, rows)


# -- helpers ---------------------------------------------------------------------------------


def _pandas() -> Any:
    """pandas, or an ImportError that says which extra installs it."""
    try:
        import pandas  # noqa: PLC0415 - optional, and slow to import
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT, name="pandas") from exc
    return pandas


def _collect(items: Iterable[Any], kind: type[Any], function: str) -> list[Any]:
    """The items as a list, each checked to be a ``kind``."""
    if isinstance(items, kind):
        raise TypeError(
            f"{function}() takes an iterable of {kind.__name__}, not one: "
            f"{function}([{kind.__name__.lower()}])"
        )
    if hasattr(items, "__aiter__") and not hasattr(items, "__iter__"):
        raise TypeError(
            f"{function}() cannot iterate an async pager: use 'await pager.to_pandas()' or "
            f"{function}(await pager.to_list())"
        )
    try:
        collected = list(items)
    except TypeError:
        if hasattr(items, "__iter__"):
            raise  # a TypeError from inside the iteration: not ours to reword
        raise TypeError(
            f"{function}() takes an iterable of {kind.__name__}, got {type(items).__name__}"
        ) from None
    for index, item in enumerate(collected):
        if not isinstance(item, kind):
            hint = (
                f" (parsed JSON? {kind.__name__}.from_dict(data))" if isinstance(item, dict) else ""
            )
            raise TypeError(
                f"{function}() takes {kind.__name__} objects; item {index} is a "
                f"{type(item).__name__}{hint}"
            )
    return collected


def _text(value: str | None) -> str | None:
    """An enum member (or any str subclass) as the plain string it stands for."""
    return None if value is None else str.__str__(value)


def _stats(values: Sequence[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    return math.fsum(values) / len(values), max(values)


def _call_row(call: AgentCall) -> tuple[Any, ...]:
    phone = call.telephony_params
    duration = call.duration
    turns = call.transcript
    if turns is None:
        count = tools = None
        stt: tuple[float | None, float | None] = (None, None)
        tts: tuple[float | None, float | None] = (None, None)
    else:
        count = len(turns)
        tools = sum(len(turn.tool_calls or ()) for turn in turns)
        stt = _stats([turn.stt_ttfb for turn in turns if turn.stt_ttfb is not None])
        tts = _stats([turn.tts_ttfb for turn in turns if turn.tts_ttfb is not None])
    return (
        call.id,
        call.agent_id,
        call.agent_name,
        _text(call.status),
        _text(call.end_reason),
        call.start_time,
        call.end_time,
        None if duration is None else duration.total_seconds(),
        _text(phone.direction) if phone else None,
        phone.from_ if phone else None,
        phone.to if phone else None,
        count,
        *stt,
        *tts,
        tools,
    )


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """A naive UTC datetime (naive ones are taken as UTC, as the SDK writes them)."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def _column(pd: Any, values: Sequence[Any], dtype: str) -> Any:
    if dtype == _TIME:
        # Through numpy at microseconds: pandas.to_datetime would pick nanoseconds on pandas 2,
        # where a year-9999 date a server may send overflows.
        import numpy  # noqa: PLC0415 - comes with pandas

        stamps = numpy.array([_utc(value) for value in values], dtype="datetime64[us]")
        return pd.Series(stamps).dt.tz_localize("UTC")
    if dtype == "object":
        return pd.Series(list(values), dtype=object)
    return pd.Series(list(values), dtype=dtype)


def _frame(
    pd: Any, columns: Sequence[tuple[str, str]], rows: Sequence[tuple[Any, ...]]
) -> pandas.DataFrame:
    by_column: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    frame: pandas.DataFrame = pd.DataFrame(
        {
            name: _column(pd, values, dtype)
            for (name, dtype), values in zip(columns, by_column, strict=True)
        }
    )
    return frame


def _pager_frame(pager: AsyncPager[Any], items: list[Any]) -> pandas.DataFrame:
    """The frame for what a pager listed: calls or batches (``Pager.to_pandas``)."""
    batches = issubclass(pager.item_type, CallBatch)
    return batches_frame(items) if batches else calls_frame(items)
