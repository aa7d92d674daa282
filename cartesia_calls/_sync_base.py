"""What the generated sync classes (``_sync.py``) stand on: the client's lifecycle, and the
protocol methods (``__iter__``, ``__enter__``...) that are not a plain delegation.

The facade has no logic of its own. Each ``Client`` owns a private :class:`AsyncClient` that no
user code ever sees, and every method runs that client's coroutine on the process-wide event
loop of :func:`~cartesia_calls._runner.get_runner` (one daemon thread, ``cartesia-calls-io``).
The aiohttp session is therefore created on that loop and only ever touched from it, whichever
thread calls, and whether or not that thread runs an event loop of its own (Jupyter,
``asyncio.run``). The public methods themselves are generated from the async classes by
``tools/gen_sync.py``; this module is written by hand.

What this module adds is lifecycle:

* **fork**: the runner's :attr:`~cartesia_calls._runner.LoopRunner.generation` changes in a
  forked child. The first call there abandons the private client (its sockets belong to the
  parent, so nothing is closed) and builds a fresh one with the same settings.
* **exit**: a client's close is registered with the runner, which awaits it at interpreter exit,
  so a client nobody closed leaves no "Unclosed client session" behind and never hangs exit.
* **garbage collection**: a client collected unclosed has its session closed soon after, by a
  small daemon thread; the finalizer itself only queues the work (it never blocks, touches the
  loop or starts a thread).
"""

from __future__ import annotations

import functools
import logging
import os
import queue
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Generic, Self, TypeVar

from ._client import AsyncClient
from ._runner import LoopRunner, get_runner
from ._transport import Timeout

if TYPE_CHECKING:
    from ._audio import AudioStream
    from ._model_base import Model
    from ._pagination import AsyncPager
    from ._sync import Client

__all__ = ["AudioStreamBase", "Bound", "ClientBase", "PagerBase"]

T = TypeVar("T", bound="Model")

_logger = logging.getLogger(__name__)


class ClientBase:
    """The sync ``Client``'s state and lifecycle; its public methods are generated."""

    _runner: LoopRunner

    def _start(self, make: Callable[..., AsyncClient]) -> None:
        """Set up a root client from ``make``, the private client's constructor with the
        user's arguments bound."""
        # Validates every argument; opens nothing (the session is created by the first
        # request, on the runner's loop).
        first = make()
        # A rebuild after a fork keeps the address resolved now.
        self._setup(functools.partial(make, base_url=first.base_url), first, parent=None)

    def _setup(
        self, make: Callable[[], AsyncClient], first: AsyncClient, parent: ClientBase | None
    ) -> None:
        runner = get_runner()
        self._runner = runner
        self._make = make
        # A derived client (with_options) shares its parent's pool: it keeps the parent alive,
        # and follows it to a fresh AsyncClient after a fork.
        self._parent = parent
        self._slot = _Slot(_bind(runner, first, owns_pool=parent is None))
        self._finalizer: weakref.finalize[[LoopRunner, _Slot], ClientBase] | None = None
        if parent is None:
            self._finalizer = weakref.finalize(self, _collected, runner, self._slot)
            # At exit the runner's registered cleanup closes the session instead.
            self._finalizer.atexit = False
        self._attach()

    def _attach(self) -> None:
        """Create the resources (``self.calls = Calls(self)``...): generated."""
        raise NotImplementedError

    def _current(self) -> AsyncClient:
        """The private AsyncClient for the runner's current loop (a new one after a fork)."""
        binding = self._slot.binding
        if binding.generation == self._runner.generation or binding.client.is_closed:
            return binding.client
        with _rebind_lock:
            binding = self._slot.binding
            if binding.generation != self._runner.generation and not binding.client.is_closed:
                binding.unregister()
                if self._parent is None:
                    binding.client._abandon()
                fresh = _bind(self._runner, self._make(), owns_pool=self._parent is None)
                self._slot.binding = binding = fresh
            return binding.client

    def _derive(self, derive: Callable[[AsyncClient], AsyncClient]) -> Self:
        """A client whose private client is ``derive(<this one's>)`` (``with_options``)."""

        def make() -> AsyncClient:
            return derive(self._current())

        clone = object.__new__(type(self))
        clone._setup(make, make(), parent=self)
        return clone

    def _close(self) -> None:
        self._runner.run(self._current().close)
        self._slot.binding.unregister()
        if self._finalizer is not None:
            self._finalizer.detach()

    # What the async client sets as plain attributes, the sync one reads from it.

    @property
    def cartesia_version(self) -> str:
        """The ``Cartesia-Version`` header sent with every request."""
        return self._slot.binding.client.cartesia_version

    @property
    def timeout(self) -> Timeout:
        """The time limits of each request."""
        return self._slot.binding.client.timeout

    @property
    def max_retries(self) -> int:
        """How many times a failed request that may safely be repeated is retried."""
        return self._slot.binding.client.max_retries

    def __enter__(self) -> Self:
        self._runner.run(self._current().__aenter__)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def __repr__(self) -> str:
        # The key is deliberately absent: reprs end up in logs and tracebacks.
        client = self._slot.binding.client
        return (
            f"{type(self).__name__}(base_url={client.base_url!r}, "
            f"cartesia_version={client.cartesia_version!r})"
        )


class Bound:
    """A resource of a sync client (``client.calls``...): it finds its async twin through the
    client at every call, so it follows the client to a fresh private client after a fork."""

    __slots__ = ("_client",)

    def __init__(self, client: Client) -> None:
        self._client = client


class PagerBase(Generic[T]):
    """A sync pager's state and its iteration; its other methods are generated."""

    def __init__(self, runner: LoopRunner, pager: AsyncPager[T]) -> None:
        self._runner = runner
        self._pager = pager

    def __iter__(self) -> Iterator[T]:
        # One trip to the event loop per page; the items of a page are handed out here.
        with closing(self._runner.iterate(self._pager.pages)) as pages:
            for page in pages:
                yield from page.data

    def __repr__(self) -> str:
        return f"{type(self).__name__}(params={self._pager.params!r})"


class AudioStreamBase:
    """A sync audio stream's state, the attributes the async one sets, and its iteration."""

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
        while chunk := self._runner.run(self._stream.read_chunk):
            yield chunk


@dataclass(frozen=True, slots=True)
class _Binding:
    """A private AsyncClient, the runner generation (loop) it belongs to, and how to take its
    close off the runner's exit cleanups."""

    client: AsyncClient
    generation: int
    unregister: Callable[[], None]


class _Slot:
    """A client's current binding, shared with its finalizer (which must not hold the client)."""

    __slots__ = ("binding",)

    def __init__(self, binding: _Binding) -> None:
        self.binding = binding


def _bind(runner: LoopRunner, client: AsyncClient, *, owns_pool: bool) -> _Binding:
    unregister = _nothing
    if owns_pool:
        unregister = runner.register_cleanup(client.close)
        # Started here, in ordinary code: a finalizer must not start threads.
        _closer.start()
    return _Binding(client, runner.generation, unregister)


def _nothing() -> None:
    return None


class _Closer:
    """Closes the private clients of ``Client`` objects garbage-collected while still open.

    A finalizer runs in whatever thread collects the object (the loop thread included), at
    almost any point of that thread's work, possibly while it holds one of ``threading``'s own
    locks: it must not block, touch the loop, or start a thread. It only puts the binding on a
    :class:`queue.SimpleQueue` (whose ``put`` is safe there); this daemon thread closes it
    through the runner.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[LoopRunner, _Binding]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread unless it runs already; cheap when it does."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._serve, name="cartesia-calls-close", daemon=True
                )
                self._thread.start()

    def submit(self, runner: LoopRunner, binding: _Binding) -> None:
        """Have ``binding``'s client closed soon; safe to call from a finalizer."""
        self._queue.put((runner, binding))

    def _serve(self) -> None:
        while True:
            runner, binding = self._queue.get()
            try:
                runner.run(binding.client.close)
            except Exception:
                _logger.debug("closing a garbage-collected Client failed", exc_info=True)
            else:
                binding.unregister()


_closer = _Closer()
# Held only while a client swaps in a fresh AsyncClient (after a fork); reentrant because a
# derived client rebinds its parent first.
_rebind_lock = threading.RLock()


def _reset_in_child() -> None:
    # The locks may have been held by threads that do not exist in the child, and the closer's
    # thread is gone; what it had queued belongs to the parent.
    global _closer, _rebind_lock  # noqa: PLW0603
    _closer = _Closer()
    _rebind_lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_in_child)


def _collected(runner: LoopRunner, slot: _Slot) -> None:
    """Finalizer of a root client garbage-collected unclosed: have its session closed soon."""
    binding = slot.binding
    if binding.generation != runner.generation:  # its loop is gone: nothing to close
        binding.unregister()
        binding.client._abandon()
    else:
        _closer.submit(runner, binding)
