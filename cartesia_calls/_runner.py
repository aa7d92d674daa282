"""The one event loop behind the synchronous facade.

The sync ``Client`` has no logic of its own: each of its methods runs the matching
``AsyncClient`` coroutine through :class:`LoopRunner`, which owns a single asyncio event loop in
a daemon thread (``cartesia-calls-io``), shared by every sync client of the process. Loop-bound
objects such as an aiohttp session are created on that loop and only ever touched from it, so a
sync client keeps its connection pool across calls, and works the same whether the calling
thread runs an event loop of its own (Jupyter, ``asyncio.run``) or not.

A call is handed over in one step each way, the cheapest the two threads allow: the caller
schedules the job with ``loop.call_soon_threadsafe`` and sleeps on a socket pair of its thread's
(:class:`._handoff.Waker`), which the loop thread writes to when the job's coroutine is done.
The task starts eagerly (:func:`._handoff.eager_task`): its first step (for a request,
everything up to waiting for the response) runs in the callback that receives the job, not one
turn of the loop later. No anyio blocking portal and no :class:`concurrent.futures.Future` sit
in between: the portal's ``start_task_soon`` waits for the loop to acknowledge each task before
the caller waits for the result (two round trips), and a future adds a condition variable and
callbacks per call. ``docs/design.md`` has the measurements (``benchmarks/sync_handoff.py``);
what is left per call is mostly the two threads waking each other up (``docs/performance.md``).

What the runner guarantees to the thread that blocks on it:

* the coroutine's result, or its exception object unchanged;
* Ctrl-C (or any ``BaseException`` raised while waiting) cancels the call on the loop and waits
  briefly for the cancellation to finish before re-raising, so no request is left half-done;
* a clear error instead of a deadlock when called from the loop thread itself;
* a forked child starts a loop of its own (:attr:`LoopRunner.generation` tells owners of
  loop-bound objects that theirs died with the parent's loop);
* interpreter exit never hangs on the loop, and registered cleanups (closing sessions) get a
  short, bounded chance to run first.

It knows nothing about HTTP or the SDK's models.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import itertools
import logging
import os
import threading
import time
import weakref
from asyncio import Task
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from concurrent import futures
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, ParamSpec, TypeVar

from ._handoff import LockWaker, Waker, eager_task, forget_wakers, this_threads_waker

__all__ = ["LoopRunner", "get_runner"]

T = TypeVar("T")
P = ParamSpec("P")

_THREAD_NAME = "cartesia-calls-io"
# How often a blocked caller wakes up; lock waits are not interruptible on Windows, so this
# bounds how long Ctrl-C can go unnoticed there.
_POLL_INTERVAL = 0.25
# How long an interrupted caller waits for its cancelled coroutine to unwind.
_CANCEL_GRACE = 1.0
_EXIT_TIMEOUT = 2.0

_logger = logging.getLogger(__name__)


class _Outcome(Generic[T]):
    """A one-shot result (a value, an exception, or "cancelled") set on the loop thread and
    waited for by one caller thread at a time, which sleeps on its :class:`._handoff.Waker`.

    ``done`` is what counts: a wake-up may be stale (meant for a wait that was interrupted), so
    a waiter checks ``done`` again each time it wakes.
    """

    __slots__ = ("_cancelled", "_error", "_value", "_waiter", "done")

    def __init__(self) -> None:
        self.done = False
        self._cancelled = False
        self._value: T | None = None
        self._error: BaseException | None = None
        self._waiter: Waker | LockWaker | None = None

    def set_result(self, value: T) -> None:
        if not self.done:
            self._value = value
            self._release()

    def set_exception(self, error: BaseException) -> None:
        if not self.done:
            self._error = error
            self._release()

    def set_cancelled(self) -> None:
        if not self.done:
            self._cancelled = True
            self._release()

    def _release(self) -> None:
        self.done = True
        waiter = self._waiter
        if waiter is not None:
            waiter.wake()

    def wait(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for the outcome; whether it is there."""
        deadline = time.monotonic() + timeout
        remaining = timeout
        waker = None
        while not self.done:
            if waker is None:
                # Record the waiter, then look at done again: set by the loop thread in
                # between, it woke nobody.
                waker = self._waiter = this_threads_waker()
                continue
            if remaining <= 0:
                return False
            waker.sleep(remaining)
            remaining = deadline - time.monotonic()
        return True

    def result(self) -> T:
        """The value, or raise the exception (the same object) or
        :class:`concurrent.futures.CancelledError`; only once :meth:`wait` said it is there."""
        if self._cancelled:
            raise futures.CancelledError
        error = self._error
        if error is not None:
            try:
                raise error
            finally:
                del error  # no cycle through this frame's traceback
        return self._value  # type: ignore[return-value]  # set_result was called: it is a T


@dataclass(frozen=True, slots=True)
class _Loop:
    """A running event loop: its thread, the asyncio loop itself, the event that stops it, and
    the jobs running on it (touched on the loop thread only)."""

    thread: threading.Thread
    aio: asyncio.AbstractEventLoop
    stop: asyncio.Event
    jobs: set[_Job[Any]] = field(default_factory=set)

    def submit(self, job: _Job[Any]) -> None:
        """Start ``job`` on the loop, without waiting for the loop to take it."""
        self.aio.call_soon_threadsafe(job.start, self)


def _start_loop() -> _Loop:
    """Start an asyncio loop in a new daemon thread and return it once it runs.

    No context manager (as ``anyio.from_thread.start_blocking_portal`` is) holds the thread: a
    suspended generator whose cleanup blocks on the loop would hang a forked child (where the
    loop thread no longer exists) the moment it is garbage-collected.
    """
    started: Future[_Loop] = Future()

    async def serve() -> None:
        loop = _Loop(threading.current_thread(), asyncio.get_running_loop(), asyncio.Event())
        started.set_result(loop)
        await loop.stop.wait()

    def main() -> None:
        try:
            asyncio.run(serve())
        except BaseException as exc:
            if started.done():
                raise
            started.set_exception(exc)

    threading.Thread(target=main, name=_THREAD_NAME, daemon=True).start()
    return started.result()


class _Job(Generic[T]):
    """One coroutine run for a blocking caller, in a task of its own, with an outcome.

    Submitting hands back nothing before the task may already be running, and an interrupt can
    land in between; so a job can be cancelled at any moment by scheduling :meth:`cancel` on the
    loop, and its :attr:`outcome` is set only when the coroutine is completely done, cleanup
    included (or when it was cancelled before it started).
    """

    __slots__ = ("_args", "_fn", "_kwargs", "_linked", "_task", "outcome")

    def __init__(
        self,
        fn: Callable[..., Awaitable[T]],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        linked: _Outcome[Any] | None = None,
    ) -> None:
        self._fn = fn
        self._args = args
        self._kwargs = kwargs
        #: Another outcome the coroutine sets on its way; cancelled if the job ends without.
        self._linked = linked
        self._task: Task[None] | None = None
        self.outcome: _Outcome[T] = _Outcome()

    def start(self, loop: _Loop) -> None:
        """Start the task; on the loop thread. Nothing happens if it was cancelled first.

        The task's first step runs right here, up to the coroutine's first real suspension
        (a request waiting for its socket), not in a later turn of the loop.
        """
        if not self.outcome.done:
            self._task = eager_task(loop.aio, self._run(loop.jobs))

    async def _run(self, jobs: set[_Job[Any]]) -> None:
        jobs.add(self)
        try:
            value = await self._fn(*self._args, **self._kwargs)
        except asyncio.CancelledError:
            self.outcome.set_cancelled()
            raise
        except BaseException as exc:
            # Even KeyboardInterrupt/SystemExit go to the caller: raised here, they would
            # tear down the loop every other caller shares.
            self.outcome.set_exception(exc)
        else:
            self.outcome.set_result(value)
        finally:
            jobs.discard(self)
            self._unlink()

    def cancel(self) -> None:
        """Cancel the coroutine (or keep it from starting); call on the loop thread only."""
        if self._task is None:
            self.outcome.set_cancelled()
            self._unlink()
        else:
            self._task.cancel()

    def _unlink(self) -> None:
        if self._linked is not None:
            self._linked.set_cancelled()  # nothing happens if the coroutine set it


class LoopRunner:
    """Runs coroutines for synchronous callers on one shared, lazily started event loop.

    Use the process-wide instance from :func:`get_runner`. The loop thread starts on the first
    call, not at construction, so building clients is cheap and import-time safe. Every method
    may be called from any number of threads at once, except from the loop thread itself (that
    would deadlock), where :class:`RuntimeError` says to use the ``AsyncClient`` instead.
    """

    def __init__(self) -> None:
        """Create a runner; no thread or loop is started until the first call."""
        self._lock = threading.Lock()
        self._loop: _Loop | None = None
        self._generation = 0
        self._cleanups: dict[int, Callable[[], Awaitable[None]]] = {}
        self._cleanup_keys = itertools.count()
        _RUNNERS.add(self)

    @property
    def generation(self) -> int:
        """A number that changes whenever the loop is replaced (after a fork or a shutdown).

        Owners of loop-bound objects (an aiohttp session) record it when they build them; if
        it has changed since, those objects belong to a dead loop and must be abandoned, not
        closed (after a fork their sockets still belong to the parent), and built anew.
        """
        return self._generation

    def run(self, fn: Callable[P, Awaitable[T]], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the loop and block until it is done.

        Returns its result or raises its exception (the same object). If the waiting thread is
        interrupted (Ctrl-C, ``SystemExit``), the coroutine is cancelled on the loop, given up
        to a second to unwind, and the interrupt is re-raised.
        """
        job = _Job(fn, args, kwargs)
        loop = self._running_loop()
        try:
            loop.submit(job)
        except BaseException:
            self._cancel(loop, job)
            raise
        return self._wait(loop, job, job.outcome)

    def iterate(self, agen_factory: Callable[[], AsyncIterator[T]]) -> Generator[T, None, None]:
        """Iterate an async iterator from sync code, one item per trip to the loop.

        Nothing happens until the first ``next()``; the factory is then called on the loop, so
        it may create loop-bound objects. Closing the iterator early (``break`` then garbage
        collection, ``close()``, an error) closes the async iterator on the loop (``aclose``)
        if it has one.
        """
        agen = self.run(_call, agen_factory)
        generation = self._generation
        exhausted = False
        try:
            while True:
                try:
                    item = self.run(agen.__anext__)
                except StopAsyncIteration:
                    exhausted = True
                    return
                yield item
        finally:
            aclose = getattr(agen, "aclose", None)
            if not exhausted and aclose is not None and self._generation == generation:
                self.run(aclose)

    def wrap_async_cm(self, cm: AbstractAsyncContextManager[T]) -> AbstractContextManager[T, bool]:
        """Use an async context manager from sync code: ``with runner.wrap_async_cm(cm) as x:``.

        ``__aenter__`` and ``__aexit__`` run in one task on the loop (so cancel scopes and task
        groups inside ``cm`` work), and an exception from the ``with`` body is passed to
        ``__aexit__``, which may suppress it. Interrupts while entering or exiting cancel it
        like :meth:`run` does.
        """
        return _BlockingContextManager(self, cm)

    def register_cleanup(self, fn: Callable[[], Awaitable[None]]) -> Callable[[], None]:
        """Have ``fn()`` awaited on the loop when the runner shuts down (at interpreter exit).

        For objects bound to the current loop, e.g. ``register_cleanup(session.close)``, so a
        sync client that was never closed still closes its session at exit. Returns a function
        that unregisters it (call it when the object is closed; calling it twice is harmless).
        The runner holds ``fn`` strongly until then. Registrations belong to the current loop:
        a fork or a shutdown drops them; register again when you rebuild.
        May be called from any thread, the loop thread included.
        """
        key = next(self._cleanup_keys)
        self._cleanups[key] = fn

        def unregister() -> None:
            self._cleanups.pop(key, None)

        return unregister

    def shutdown(self, timeout: float = _EXIT_TIMEOUT) -> None:
        """Run the registered cleanups, then stop the loop, waiting ``timeout`` seconds at most.

        Cleanups run concurrently for up to three quarters of ``timeout``; calls still in flight
        are then cancelled. If the loop does not answer in time (a blocking call wedged it), it
        is left behind: its thread is a daemon and cannot hold up interpreter exit. Called by an
        ``atexit`` hook; a later call lazily starts a new loop (and :attr:`generation` changes).
        """
        with self._lock:
            loop = self._loop
            if loop is None:
                return
            _refuse_loop_thread(loop)
            cleanups = list(self._cleanups.values())
            self._forget_loop()
        deadline = time.monotonic() + timeout
        if loop.thread.is_alive():
            stopping = asyncio.run_coroutine_threadsafe(
                _stop(loop, cleanups, timeout * 0.75), loop.aio
            )
            _wait_done(stopping, timeout)
        loop.thread.join(max(0.0, deadline - time.monotonic()))

    def _running_loop(self) -> _Loop:
        loop = self._loop
        if loop is None or not loop.thread.is_alive():
            with self._lock:
                loop = self._loop
                if loop is None or not loop.thread.is_alive():
                    if loop is not None:  # the loop died: whatever was bound to it is gone
                        self._forget_loop()
                    loop = self._loop = _start_loop()
        _refuse_loop_thread(loop)
        return loop

    def _forget_loop(self) -> None:
        self._loop = None
        self._cleanups.clear()
        self._generation += 1

    def _after_fork_in_child(self) -> None:
        # The loop thread does not exist in the child, and the lock may have been held by a
        # thread that does not exist either.
        self._lock = threading.Lock()
        self._forget_loop()

    def _wait(self, loop: _Loop, job: _Job[Any], outcome: _Outcome[T]) -> T:
        """Block until ``outcome`` is set; if interrupted meanwhile, cancel ``job``, re-raise."""
        try:
            while not outcome.wait(_POLL_INTERVAL):
                if not loop.thread.is_alive() and not outcome.done:
                    raise RuntimeError(f"the {_THREAD_NAME} event loop died during the call")
        except BaseException:
            self._cancel(loop, job)
            raise
        return outcome.result()

    def _cancel(self, loop: _Loop, job: _Job[Any]) -> None:
        try:
            loop.aio.call_soon_threadsafe(job.cancel)
        except RuntimeError:  # the loop is closed: nothing is left running
            return
        job.outcome.wait(_CANCEL_GRACE)


class _BlockingContextManager(AbstractContextManager[T, bool]):
    """An async context manager held open by one task on the loop, driven from sync code."""

    def __init__(self, runner: LoopRunner, cm: AbstractAsyncContextManager[T]) -> None:
        self._runner = runner
        self._cm = cm
        self._entered: _Outcome[T] = _Outcome()
        self._exit_info: tuple[type[BaseException] | None, BaseException | None, Any] = (
            None,
            None,
            None,
        )
        self._exit_requested: asyncio.Event | None = None
        self._job: _Job[bool | None] | None = None
        self._loop: _Loop | None = None

    async def _serve(self) -> bool | None:
        self._exit_requested = asyncio.Event()
        try:
            value = await self._cm.__aenter__()
        except asyncio.CancelledError:
            self._entered.set_cancelled()
            raise
        except BaseException as exc:
            self._entered.set_exception(exc)
            raise
        self._entered.set_result(value)
        try:
            await self._exit_requested.wait()
        except BaseException as exc:  # cancelled while the caller is inside the with block
            await self._cm.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return await self._cm.__aexit__(*self._exit_info)

    def _request_exit(self) -> None:
        assert self._exit_requested is not None
        self._exit_requested.set()

    def __enter__(self) -> T:
        if self._job is not None:
            raise RuntimeError("this context manager has already been entered")
        # If the job ends without entering (cancelled at shutdown), the caller stops waiting.
        self._job = job = _Job(self._serve, (), {}, linked=self._entered)
        self._loop = loop = self._runner._running_loop()
        try:
            loop.submit(job)
        except BaseException:
            self._runner._cancel(loop, job)
            raise
        return self._runner._wait(loop, job, self._entered)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        assert self._job is not None
        assert self._loop is not None
        self._exit_info = (exc_type, exc_value, traceback)
        try:
            self._loop.aio.call_soon_threadsafe(self._request_exit)
        except RuntimeError:  # the loop is gone, and the task with it
            return False
        return bool(self._runner._wait(self._loop, self._job, self._job.outcome))


def _wait_done(future: Future[Any], timeout: float) -> None:
    """Wait at most ``timeout`` seconds for ``future`` to be done, however it ends."""
    # Not concurrent.futures.wait(): it overlooks a future cancelled by Future.cancel() alone.
    with contextlib.suppress(futures.CancelledError, TimeoutError):
        future.exception(timeout)


async def _call(fn: Callable[[], T]) -> T:
    return fn()


async def _stop(loop: _Loop, cleanups: list[Callable[[], Awaitable[None]]], budget: float) -> None:
    async def clean(fn: Callable[[], Awaitable[None]]) -> None:
        try:
            await fn()
        except Exception:
            _logger.warning("cleanup %r failed at shutdown", fn, exc_info=True)

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(budget), asyncio.TaskGroup() as tg:
            for fn in cleanups:
                tg.create_task(clean(fn))
    for job in list(loop.jobs):
        job.cancel()
    # serve() returns, and asyncio.run() waits for the cancelled jobs before closing the loop.
    loop.stop.set()


def _refuse_loop_thread(loop: _Loop) -> None:
    if threading.get_ident() == loop.thread.ident:
        raise RuntimeError(
            "a synchronous cartesia_calls call was made from the SDK's own event loop thread "
            f"({_THREAD_NAME}), where blocking on that loop would deadlock; "
            "in async code use the AsyncClient and await it instead"
        )


_RUNNERS: weakref.WeakSet[LoopRunner] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    # The parent's sockets are the child's too: a wake-up meant for one could reach the other.
    forget_wakers()
    for runner in list(_RUNNERS):
        runner._after_fork_in_child()


@atexit.register
def _shutdown_at_exit() -> None:
    for runner in list(_RUNNERS):
        runner.shutdown()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)

# Constructing a runner starts nothing, so the process-wide one can simply exist.
_SHARED = LoopRunner()


def get_runner() -> LoopRunner:
    """Return the process-wide :class:`LoopRunner` that every sync client shares."""
    return _SHARED
