"""The sync client's resources, pager and audio stream: each method runs its async twin.

Every method here does one thing: call the matching method of the private ``AsyncClient``
through the process-wide :class:`~cartesia_calls._runner.LoopRunner`, and hand back what it
returns (or raise what it raises). Signatures are written out so type checkers and editors see
them; docstrings are copied from the async twins by :func:`mirrors`. ``tests/test_sync.py``
fails when a sync method is missing or its parameters or docstring drift from its twin.
"""

from __future__ import annotations

import builtins
import datetime as _dt
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._audio import DEFAULT_CHUNK_SIZE, AudioStream, Destination, FileSink
from ._batches import AsyncBatches
from ._calls import AsyncCalls
from ._enums import Region
from ._export import ExportResult
from ._models import (
    AgentCall,
    CallBatch,
    CallCancellation,
    CallLogs,
    OutboundCall,
    OutboundCallResult,
    Page,
)
from ._pagination import AsyncPager

if TYPE_CHECKING:
    import pandas

    from ._model_base import Model
    from ._runner import LoopRunner
    from ._sync import Client

__all__ = ["Batches", "Calls", "Pager", "SyncAudioStream", "mirrors"]

T = TypeVar("T", bound="Model")
F = TypeVar("F", bound=Callable[..., Any])


def mirrors(twin: object) -> Callable[[F], F]:
    """Give a sync method the docstring of its async twin, so the two cannot drift apart."""

    def copy_doc(fn: F) -> F:
        fn.__doc__ = twin.__doc__
        return fn

    return copy_doc


class Pager(Generic[T]):
    """The result of a sync ``list`` method: iterate it for items, or :meth:`pages` for pages.

    ``for call in client.calls.list(agent_id=...)`` walks every item, fetching one page per
    request and only when the previous page is used up (the same rules as :class:`AsyncPager`,
    which does the work). ``.first_page()`` fetches only the first page; ``.to_list(limit)``
    collects items. A pager is meant for the thread that iterates it.
    """

    def __init__(self, runner: LoopRunner, pager: AsyncPager[T]) -> None:
        self._runner = runner
        self._pager = pager

    @property
    @mirrors(AsyncPager.params)
    def params(self) -> Mapping[str, str]:
        return self._pager.params

    @property
    @mirrors(AsyncPager.item_type)
    def item_type(self) -> type[T]:
        return self._pager.item_type

    @property
    @mirrors(AsyncPager.max_pages)
    def max_pages(self) -> int:
        return self._pager.max_pages

    @mirrors(AsyncPager.with_max_pages)
    def with_max_pages(self, max_pages: int) -> Pager[T]:
        return Pager(self._runner, self._pager.with_max_pages(max_pages))

    def __iter__(self) -> Iterator[T]:
        # One trip to the event loop per page; the items of a page are handed out here.
        with closing(self._runner.iterate(self._pager.pages)) as pages:
            for page in pages:
                yield from page.data

    @mirrors(AsyncPager.pages)
    def pages(self) -> Iterator[Page[T]]:
        return self._runner.iterate(self._pager.pages)

    @mirrors(AsyncPager.first_page)
    def first_page(self) -> Page[T]:
        return self._runner.run(self._pager.first_page)

    @mirrors(AsyncPager.to_list)
    def to_list(self, limit: int | None = None) -> list[T]:
        return self._runner.run(self._pager.to_list, limit)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(params={self._pager.params!r})"

    @mirrors(AsyncPager.to_pandas)
    def to_pandas(self, limit: int | None = None) -> pandas.DataFrame:
        from .frames import _pager_frame, _pandas  # noqa: PLC0415 - pandas is optional

        _pandas()
        return _pager_frame(self._pager, self.to_list(limit))


class SyncAudioStream:
    """An open recording (``audio/wav``), read chunk by chunk: ``for chunk in stream``.

    Obtained from ``with client.calls.stream_audio(call_id) as stream``; the connection is
    released when the ``with`` block ends. Each chunk is read on the client's event loop and
    handed to the calling thread; only one chunk is held in memory at a time. The checks of
    :class:`~cartesia_calls._audio.AudioStream` apply: a ``Content-Type`` that is not audio
    raises on opening, a WAV body longer or shorter than its header says raises while reading.

    Attributes:
        content_type: the media type the server announced (normally ``audio/wav``).
        content_length: the size in bytes, when the server announced it.
        bytes_read: how many bytes have been read so far.
    """

    def __init__(self, runner: LoopRunner, stream: AudioStream) -> None:
        self._runner = runner
        self._stream = stream

    @property
    def content_type(self) -> str | None:
        """The media type the server announced (normally ``audio/wav``)."""
        return self._stream.content_type

    @property
    def content_length(self) -> int | None:
        """The size in bytes, when the server announced it."""
        return self._stream.content_length

    @property
    def bytes_read(self) -> int:
        """How many bytes have been read so far."""
        return self._stream.bytes_read

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read_chunk():
            yield chunk

    @mirrors(AudioStream.read_chunk)
    def read_chunk(self) -> bytes:
        return self._runner.run(self._stream.read_chunk)


class Calls:
    """Voice-agent calls: fetch, list, place, cancel, redact, logs and recordings.

    Reached as ``client.calls`` on a :class:`~cartesia_calls.Client`. The methods are those of
    :class:`AsyncCalls` (same arguments, results and exceptions), and block until done:
    ``client.calls.get("ac_1")``, ``for call in client.calls.list(agent_id="agent_1")``,
    ``with client.calls.stream_audio("ac_1") as stream: for chunk in stream: ...``.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def _twin(self) -> AsyncCalls:
        return self._client._current().calls

    @mirrors(AsyncCalls.get)
    def get(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AgentCall:
        return self._client._runner.run(
            self._twin().get, call_id, extra_query=extra_query, extra_headers=extra_headers
        )

    @mirrors(AsyncCalls.list)
    def list(
        self,
        *,
        agent_id: str | None = None,
        batch_id: str | None = None,
        start_time_gte: _dt.datetime | str | None = None,
        start_time_lte: _dt.datetime | str | None = None,
        expand_transcript: bool = False,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Pager[AgentCall]:
        return Pager(
            self._client._runner,
            self._twin().list(
                agent_id=agent_id,
                batch_id=batch_id,
                start_time_gte=start_time_gte,
                start_time_lte=start_time_lte,
                expand_transcript=expand_transcript,
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
                extra_query=extra_query,
                extra_headers=extra_headers,
            ),
        )

    @mirrors(AsyncCalls.create)
    def create(
        self,
        *,
        agent_id: str,
        from_number_id: str,
        outbound_calls: Sequence[OutboundCall | Mapping[str, Any]],
        ringing_timeout_seconds: int | None = None,
        max_call_duration_minutes: int | None = None,
        allow_retry: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> builtins.list[OutboundCallResult]:
        return self._client._runner.run(
            self._twin().create,
            agent_id=agent_id,
            from_number_id=from_number_id,
            outbound_calls=outbound_calls,
            ringing_timeout_seconds=ringing_timeout_seconds,
            max_call_duration_minutes=max_call_duration_minutes,
            allow_retry=allow_retry,
            extra_body=extra_body,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    @mirrors(AsyncCalls.cancel)
    def cancel(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallCancellation:
        return self._client._runner.run(
            self._twin().cancel, call_id, extra_query=extra_query, extra_headers=extra_headers
        )

    @mirrors(AsyncCalls.delete)
    def delete(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AgentCall:
        return self._client._runner.run(
            self._twin().delete, call_id, extra_query=extra_query, extra_headers=extra_headers
        )

    @mirrors(AsyncCalls.logs)
    def logs(
        self,
        call_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallLogs:
        return self._client._runner.run(
            self._twin().logs, call_id, extra_query=extra_query, extra_headers=extra_headers
        )

    @mirrors(AsyncCalls.stream_audio)
    @contextmanager
    def stream_audio(
        self,
        call_id: str,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Iterator[SyncAudioStream]:
        runner = self._client._runner
        opened = self._twin().stream_audio(
            call_id, chunk_size=chunk_size, extra_query=extra_query, extra_headers=extra_headers
        )
        with runner.wrap_async_cm(opened) as stream:
            yield SyncAudioStream(runner, stream)

    @mirrors(AsyncCalls.download_audio)
    def download_audio(
        self,
        call_id: str,
        destination: Destination,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        on_progress: Callable[[int, int | None], None] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> int:
        # The one method that is not a single delegation: the chunks come from the event loop,
        # and the file is written here, in the caller's thread, so the loop never waits on disk.
        sink = FileSink(destination, on_progress)
        with self.stream_audio(
            call_id, chunk_size=chunk_size, extra_query=extra_query, extra_headers=extra_headers
        ) as stream:
            sink.total = stream.content_length
            with sink:
                for chunk in stream:
                    sink.write(chunk)
        return sink.written

    @mirrors(AsyncCalls.wait)
    def wait(
        self,
        call_id: str,
        *,
        timeout: float | None = 600.0,
        poll_interval: float = 2.0,
        max_poll_interval: float = 30.0,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> AgentCall:
        return self._client._runner.run(
            self._twin().wait,
            call_id,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    @mirrors(AsyncCalls.export)
    def export(
        self,
        destination: str | os.PathLike[str],
        *,
        agent_id: str | None = None,
        batch_id: str | None = None,
        concurrency: int = 8,
        page_size: int = 100,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> ExportResult:
        return self._client._runner.run(
            self._twin().export,
            destination,
            agent_id=agent_id,
            batch_id=batch_id,
            concurrency=concurrency,
            page_size=page_size,
            on_progress=on_progress,
        )


class Batches:
    """Call batches: many outbound calls queued and dialed at a bounded concurrency.

    Reached as ``client.batches`` on a :class:`~cartesia_calls.Client`. The methods are those
    of :class:`AsyncBatches` (same arguments, results and exceptions), and block until done;
    :meth:`list` returns a lazy :class:`Pager`.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def _twin(self) -> AsyncBatches:
        return self._client._current().batches

    @mirrors(AsyncBatches.create)
    def create(
        self,
        *,
        name: str,
        agent_id: str,
        from_number_id: str,
        recipients: Iterable[OutboundCall | Mapping[str, Any]],
        target_concurrency_limit: int | None = None,
        ringing_timeout_seconds: int | None = None,
        max_call_duration_minutes: int | None = None,
        scheduled_at: _dt.datetime | str | None = None,
        region: Region | str | None = None,
        allow_retry: bool = False,
        extra_body: Mapping[str, Any] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        return self._client._runner.run(
            self._twin().create,
            name=name,
            agent_id=agent_id,
            from_number_id=from_number_id,
            recipients=recipients,
            target_concurrency_limit=target_concurrency_limit,
            ringing_timeout_seconds=ringing_timeout_seconds,
            max_call_duration_minutes=max_call_duration_minutes,
            scheduled_at=scheduled_at,
            region=region,
            allow_retry=allow_retry,
            extra_body=extra_body,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    @mirrors(AsyncBatches.list)
    def list(
        self,
        *,
        agent_id: str | None = None,
        limit: int | None = None,
        starting_after: str | None = None,
        ending_before: str | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> Pager[CallBatch]:
        return Pager(
            self._client._runner,
            self._twin().list(
                agent_id=agent_id,
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
                extra_query=extra_query,
                extra_headers=extra_headers,
            ),
        )

    @mirrors(AsyncBatches.get)
    def get(
        self,
        batch_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        return self._client._runner.run(
            self._twin().get, batch_id, extra_query=extra_query, extra_headers=extra_headers
        )

    @mirrors(AsyncBatches.cancel)
    def cancel(
        self,
        batch_id: str,
        *,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        return self._client._runner.run(
            self._twin().cancel, batch_id, extra_query=extra_query, extra_headers=extra_headers
        )

    @mirrors(AsyncBatches.wait)
    def wait(
        self,
        batch_id: str,
        *,
        dispatch_only: bool = False,
        timeout: float | None = None,
        poll_interval: float = 5.0,
        max_poll_interval: float = 30.0,
        on_progress: Callable[[CallBatch], None] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        return self._client._runner.run(
            self._twin().wait,
            batch_id,
            dispatch_only=dispatch_only,
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            on_progress=on_progress,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )

    @mirrors(AsyncBatches.retry)
    def retry(
        self,
        batch_id: str,
        *,
        allow_retry: bool = False,
        extra_query: Mapping[str, Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> CallBatch:
        return self._client._runner.run(
            self._twin().retry,
            batch_id,
            allow_retry=allow_retry,
            extra_query=extra_query,
            extra_headers=extra_headers,
        )
