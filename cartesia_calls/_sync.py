"""``Client``: the synchronous client, a facade over a private ``AsyncClient``.

The facade has no logic of its own. Each ``Client`` owns a private :class:`AsyncClient` that no
user code ever sees, and every method runs that client's coroutine on the process-wide event
loop of :func:`~cartesia_calls._runner.get_runner` (one daemon thread, ``cartesia-calls-io``).
The aiohttp session is therefore created on that loop and only ever touched from it, whichever
thread calls, and whether or not that thread runs an event loop of its own (Jupyter,
``asyncio.run``).

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from ._client import (
    _UNSET,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncClient,
)
from ._netconfig import Verify
from ._retry import Backoff
from ._runner import LoopRunner, get_runner
from ._sync_resources import Batches, Calls, mirrors
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, RawResponse, ResponseInfo, Timeout

__all__ = ["Client"]

_logger = logging.getLogger(__name__)


class Client:
    """The synchronous client for Cartesia's agent Calls API.

    Takes the same arguments as :class:`AsyncClient` and has the same resources and methods,
    returning the same models and raising the same exceptions; its methods simply block until
    the result is there::

        from cartesia_calls import Client

        with Client() as client:  # reads CARTESIA_API_KEY
            call = client.calls.get("ac_abc123")
            for call in client.calls.list(agent_id="agent_1"):
                print(call.id, call.status)

    Requests run on one background event-loop thread shared by every ``Client`` of the
    process, so a client works in scripts, threads, notebooks and inside a running event loop
    alike. One client may be shared by any number of threads. Ctrl-C cancels the request in
    flight and leaves the client usable. In async code, use :class:`AsyncClient` instead.

    Args:
        api_key: your Cartesia API key (``sk_car_...``). Defaults to ``$CARTESIA_API_KEY``; a
            missing key raises :class:`~cartesia_calls.errors.MissingAPIKeyError` here.
        base_url: the API's address. Defaults to ``$CARTESIA_BASE_URL``, then
            ``https://api.cartesia.ai``.
        cartesia_version: the API version, sent as ``Cartesia-Version`` with every request.
            Defaults to ``$CARTESIA_VERSION``, then ``2026-08-14``; any string is sent as
            given.
        timeout: a :class:`Timeout`, or a number of seconds for the whole request.
        max_retries: how many times a failed request that may safely be repeated is retried.
        backoff: how long to wait between attempts (see :class:`Backoff`).
        default_headers: extra headers sent with every request.
        connection_limit: the most connections open at once (the pool size).
        on_response: called with a :class:`ResponseInfo` for every response. It runs on the
            background event-loop thread: keep it quick, and make no sync client calls in it.
        max_response_bytes: the largest response body held in memory (see
            :class:`AsyncClient`).
        verify: ``True``, ``False``, a CA bundle path or an :class:`ssl.SSLContext` (see
            :class:`AsyncClient`).
        proxy: an ``http://`` or ``https://`` proxy URL for every request.
        trust_env: read the proxy and ``SSL_CERT_FILE`` variables from the environment, once.

    Attributes:
        calls: the calls resource (:class:`Calls`).
        batches: the call batches resource (:class:`Batches`).
    """

    calls: Calls
    batches: Batches

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        cartesia_version: str | None = None,
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: Backoff | None = None,
        default_headers: Mapping[str, str] | None = None,
        connection_limit: int = 100,
        on_response: Callable[[ResponseInfo], None] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: Verify = True,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        make = functools.partial(
            AsyncClient,
            api_key,
            base_url=base_url,
            cartesia_version=cartesia_version,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            default_headers=default_headers,
            connection_limit=connection_limit,
            on_response=on_response,
            max_response_bytes=max_response_bytes,
            verify=verify,
            proxy=proxy,
            trust_env=trust_env,
        )
        # Validates every argument; opens nothing (the session is created by the first
        # request, on the runner's loop).
        first = make()
        # A rebuild after a fork keeps the address resolved now.
        self._setup(functools.partial(make, base_url=first.base_url), first, parent=None)

    def _setup(
        self, make: Callable[[], AsyncClient], first: AsyncClient, parent: Client | None
    ) -> None:
        runner = get_runner()
        self._runner = runner
        self._make = make
        # A derived client (with_options) shares its parent's pool: it keeps the parent alive,
        # and follows it to a fresh AsyncClient after a fork.
        self._parent = parent
        self._slot = _Slot(_bind(runner, first, owns_pool=parent is None))
        self._finalizer: weakref.finalize[[LoopRunner, _Slot], Client] | None = None
        if parent is None:
            self._finalizer = weakref.finalize(self, _collected, runner, self._slot)
            # At exit the runner's registered cleanup closes the session instead.
            self._finalizer.atexit = False
        self.calls = Calls(self)
        self.batches = Batches(self)

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

    @property
    @mirrors(AsyncClient.base_url)
    def base_url(self) -> str:
        return self._slot.binding.client.base_url

    @property
    @mirrors(AsyncClient.backoff)
    def backoff(self) -> Backoff:
        return self._slot.binding.client.backoff

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

    @property
    @mirrors(AsyncClient.is_closed)
    def is_closed(self) -> bool:
        return self._slot.binding.client.is_closed

    @mirrors(AsyncClient.with_options)
    def with_options(
        self,
        *,
        cartesia_version: str = _UNSET,
        timeout: float | Timeout | None = _UNSET,
        max_retries: int = _UNSET,
        backoff: Backoff = _UNSET,
        default_headers: Mapping[str, str] = _UNSET,
        on_response: Callable[[ResponseInfo], None] | None = _UNSET,
        max_response_bytes: int = _UNSET,
    ) -> Self:
        def derive() -> AsyncClient:
            return self._current().with_options(
                cartesia_version=cartesia_version,
                timeout=timeout,
                max_retries=max_retries,
                backoff=backoff,
                default_headers=default_headers,
                on_response=on_response,
                max_response_bytes=max_response_bytes,
            )

        clone = object.__new__(type(self))
        clone._setup(derive, derive(), parent=self)
        return clone

    @mirrors(AsyncClient.request)
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> RawResponse:
        return self._runner.run(
            self._current().request,
            method,
            path,
            params=params,
            json=json,
            idempotent=idempotent,
        )

    @mirrors(AsyncClient.close)
    def close(self) -> None:
        self._runner.run(self._current().close)
        self._slot.binding.unregister()
        if self._finalizer is not None:
            self._finalizer.detach()

    def __enter__(self) -> Self:
        self._runner.run(self._current().__aenter__)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        # The key is deliberately absent: reprs end up in logs and tracebacks.
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, "
            f"cartesia_version={self.cartesia_version!r})"
        )


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
