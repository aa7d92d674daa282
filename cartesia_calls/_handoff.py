"""How the sync facade's two threads hand a call over: the caller's wake-up, and a task that
starts at once.

* :func:`this_threads_waker`: each caller thread sleeps on a socket pair of its own
  (:class:`Waker`) until the loop thread writes to it; a thread that cannot have sockets uses a
  lock (:class:`LockWaker`). Why a socket: see :class:`Waker`.
* :func:`eager_task`: a task whose first step has already run, on the loop thread, so a
  request is on its way in the callback that received it rather than a turn of the loop later.

:mod:`._runner` builds the runner on these; ``docs/performance.md`` has the measurements.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
import threading
import weakref
from asyncio import Task
from collections.abc import Callable, Coroutine
from contextvars import Context
from typing import Any, TypeVar

__all__ = ["LockWaker", "Waker", "eager_task", "forget_wakers", "this_threads_waker"]

T = TypeVar("T")


class Waker:
    """How one thread sleeps until the loop thread wakes it: a socket pair of its own.

    The loop thread wakes it with a ``send``, which CPython makes with the GIL released, so the
    woken thread can take the GIL at once. A lock's ``release`` wakes it while the loop thread
    still holds the GIL: on a shared CPU the woken thread preempts the loop thread, finds the
    GIL taken and sleeps again, on the GIL and then on its mutex (``benchmarks/sync_handoff.py
    --breakdown``: about 26 µs from the release until the caller runs, against 19 µs).
    """

    __slots__ = ("__weakref__", "_receive", "_send")

    def __init__(self, receive: socket.socket, send: socket.socket) -> None:
        self._receive = receive
        self._send = send
        # Waking must never block the loop: a full buffer already holds a wake-up.
        send.setblocking(False)
        # Closed when the thread ends (its local storage is cleared) or the waker is collected.
        # Not by __del__: garbage collected in a cycle, the sockets could be finalized first
        # (and warn that they were never closed); the finalizer holds them until it ran.
        weakref.finalize(self, _close_both, receive, send)

    def wake(self) -> None:
        """Wake the thread (a wake-up nobody waits for ends a later sleep early)."""
        # Gone (the thread ended and closed it) or full (a wake-up is pending): nothing to do.
        with contextlib.suppress(OSError):
            self._send.send(b"\0")

    def sleep(self, timeout: float) -> None:
        """Sleep until woken (or woken earlier), or for ``timeout`` seconds."""
        if self._receive.gettimeout() != timeout:
            self._receive.settimeout(timeout)
        with contextlib.suppress(TimeoutError):
            self._receive.recv(4096)  # every pending wake-up at once


def _close_both(receive: socket.socket, send: socket.socket) -> None:
    receive.close()
    send.close()


class LockWaker:
    """The same with a lock, for a thread that cannot have sockets (out of file descriptors)."""

    __slots__ = ("_lock",)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()

    def wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # released already: a wake-up is pending
            self._lock.release()

    def sleep(self, timeout: float) -> None:
        self._lock.acquire(timeout=timeout)


class _ThreadWakers(threading.local):
    waker: Waker | LockWaker | None = None


_wakers = _ThreadWakers()


def this_threads_waker() -> Waker | LockWaker:
    waker = _wakers.waker
    if waker is None:
        try:
            waker = Waker(*socket.socketpair())
        except OSError:
            waker = LockWaker()
        _wakers.waker = waker
    return waker


def forget_wakers() -> None:
    """Drop every thread's waker (in a forked child: the parent's sockets are its too)."""
    global _wakers  # noqa: PLW0603
    _wakers = _ThreadWakers()


if sys.version_info >= (3, 12):

    def eager_task(aio: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> Task[T]:
        """A task of ``coro`` whose first step has run already (on the loop thread)."""
        return Task(coro, loop=aio, eager_start=True)

else:

    def eager_task(aio: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T]) -> Task[T]:
        """A task of ``coro`` whose first step has run already (on the loop thread).

        Python 3.11 has no ``eager_start``; its ``Task`` schedules its first step with
        ``loop.call_soon``, looked up on the loop object. For that one call, an instance
        attribute shadows the method and runs the step at once, in the task's context, with the
        task current (``asyncio.current_task()``, timeouts and cancellation all behave as in any
        task): what ``eager_start`` does. A loop that takes no attributes (uvloop) just
        schedules it.
        """
        try:
            attributes = vars(aio)
        except TypeError:  # no __dict__
            return Task(coro, loop=aio)
        attributes["call_soon"] = _StepNow(aio)
        try:
            return Task(coro, loop=aio)
        finally:
            attributes.pop("call_soon", None)


class _StepNow:
    """Stands in for ``loop.call_soon`` once: calls the callback now, after removing itself
    (so whatever the callback schedules goes to the real ``call_soon``)."""

    __slots__ = ("_aio",)

    def __init__(self, aio: asyncio.AbstractEventLoop) -> None:
        self._aio = aio

    def __call__(self, callback: Callable[..., object], *args: Any, context: Context) -> None:
        # A task always passes its context (a copy of the one current when it was created).
        del vars(self._aio)["call_soon"]
        context.run(callback, *args)
