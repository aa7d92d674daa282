"""The event loop behind the sync facade: what a blocking caller sees.

Each test gets its own :class:`LoopRunner` (its own loop thread) and shuts it down afterwards;
the process-wide runner is only exercised in subprocesses, where exit behaviour is visible.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import os
import signal
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import CancelledError, ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar

import anyio
import anyio.lowlevel
import pytest

from cartesia_calls._handoff import this_threads_waker
from cartesia_calls._runner import LoopRunner, get_runner

from .helpers import in_forked_child, run_python

LOOP_THREAD = "cartesia-calls-io"


@pytest.fixture
def runner() -> Iterator[LoopRunner]:
    runner = LoopRunner()
    yield runner
    runner.shutdown()


async def add(a: int, b: int = 0) -> int:
    await anyio.lowlevel.checkpoint()
    return a + b


async def current_thread() -> threading.Thread:
    return threading.current_thread()


class Boom(Exception):
    pass


def test_run_returns_the_coroutine_result(runner: LoopRunner) -> None:
    assert runner.run(add, 1, 2) == 3
    assert runner.run(add, 1, b=41) == 42


def test_run_raises_the_coroutine_exception_object_unchanged(runner: LoopRunner) -> None:
    boom = Boom("boom")

    async def fail() -> None:
        await anyio.lowlevel.checkpoint()
        raise boom

    with pytest.raises(Boom) as info:
        runner.run(fail)
    assert info.value is boom


def test_an_error_raised_before_the_first_await_keeps_its_traceback(runner: LoopRunner) -> None:
    async def fail_at_once() -> None:
        raise Boom("at once")

    with pytest.raises(Boom, match="at once") as info:
        runner.run(fail_at_once)
    assert any(entry.name == "fail_at_once" for entry in info.traceback)


def test_every_call_runs_in_a_task_of_its_own_even_one_that_never_suspends(
    runner: LoopRunner,
) -> None:
    # asyncio.timeout and aiohttp's timeouts raise RuntimeError where there is no current task.
    async def own_task() -> asyncio.Task[object] | None:
        return asyncio.current_task()

    first, second = runner.run(own_task), runner.run(own_task)
    assert first is not None
    assert second is not None
    assert first is not second
    assert first.done()


REQUEST_ID: ContextVar[str] = ContextVar("REQUEST_ID", default="unset")


def test_the_coroutine_sees_the_callers_context_variables_and_its_changes_stay_there(
    runner: LoopRunner,
) -> None:
    # What tracing and logging contexts rely on: a sync call runs in a copy of the caller's
    # context, as an awaited coroutine would see it.
    async def read_then_change() -> str:
        seen = REQUEST_ID.get()
        REQUEST_ID.set("changed on the loop")
        await anyio.lowlevel.checkpoint()
        return seen

    token = REQUEST_ID.set("req-1")
    try:
        assert runner.run(read_then_change) == "req-1"
        assert REQUEST_ID.get() == "req-1"
        with ThreadPoolExecutor(max_workers=1) as pool:  # another thread, another context
            assert pool.submit(lambda: runner.run(read_then_change)).result() == "unset"
    finally:
        REQUEST_ID.reset(token)


def test_a_call_waits_for_its_own_result_past_a_wake_up_meant_for_an_abandoned_one(
    runner: LoopRunner,
) -> None:
    # A call its caller stopped waiting for (Ctrl-C, then the grace period ran out) still wakes
    # that thread when it ends; the thread's next call must not take that for its own result.
    this_threads_waker().wake()

    async def later() -> int:
        await anyio.sleep(0.05)
        return 42

    assert runner.run(later) == 42


def test_a_thread_that_cannot_open_sockets_still_makes_calls(
    runner: LoopRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_file_descriptors() -> tuple[socket.socket, socket.socket]:
        raise OSError(errno.EMFILE, "Too many open files")

    runner.run(add, 0)  # the loop (and its own socket pair) exists already
    monkeypatch.setattr(socket, "socketpair", out_of_file_descriptors)
    results: list[int] = []

    async def later(value: int) -> int:
        await anyio.sleep(0.01)
        return value

    def calls() -> None:
        results.extend(runner.run(later, n) for n in range(3))

    caller = threading.Thread(target=calls)  # a new thread: its waker is made now
    caller.start()
    caller.join(5)
    assert results == [0, 1, 2]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts /proc/self/fd")
def test_threads_that_made_sync_calls_leave_no_file_descriptors_behind(runner: LoopRunner) -> None:
    runner.run(add, 0)  # the loop thread and this thread's waker exist before counting
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(10):
        caller = threading.Thread(target=runner.run, args=(add, 1))
        caller.start()
        caller.join()
    gc.collect()
    assert len(os.listdir("/proc/self/fd")) <= before


def test_run_works_where_the_calling_thread_runs_its_own_loop(runner: LoopRunner) -> None:
    # What a Jupyter cell is: synchronous code on a thread whose asyncio loop is running.
    async def cell() -> tuple[int, threading.Thread]:
        return runner.run(add, 20, 22), runner.run(current_thread)

    total, loop_thread = asyncio.run(cell())
    assert total == 42
    assert loop_thread is not threading.current_thread()
    assert loop_thread.name == LOOP_THREAD


def test_concurrent_callers_share_one_daemon_loop_thread(runner: LoopRunner) -> None:
    callers = 24
    arrived = 0
    everyone_here: anyio.Event | None = None

    async def square(i: int) -> tuple[int, threading.Thread]:
        # Every call waits until all are in flight: they really run concurrently on the loop.
        nonlocal arrived, everyone_here
        if everyone_here is None:
            everyone_here = anyio.Event()
        arrived += 1
        if arrived == callers:
            everyone_here.set()
        with anyio.fail_after(5):
            await everyone_here.wait()
        return i * i, threading.current_thread()

    with ThreadPoolExecutor(max_workers=callers) as pool:
        results = list(pool.map(lambda i: runner.run(square, i), range(callers)))

    assert [value for value, _ in results] == [i * i for i in range(callers)]
    loop_threads = {thread for _, thread in results}
    assert len(loop_threads) == 1
    (loop_thread,) = loop_threads
    assert loop_thread.name == LOOP_THREAD
    assert loop_thread.daemon
    assert loop_thread is not threading.main_thread()


def test_run_from_the_loop_thread_raises_instead_of_deadlocking(runner: LoopRunner) -> None:
    async def reenter() -> int:
        return runner.run(add, 1)

    with pytest.raises(RuntimeError, match="use the AsyncClient"):
        runner.run(reenter)
    assert runner.run(add, 1) == 1


@contextmanager
def ctrl_c_once(started: threading.Event) -> Iterator[None]:
    """Press Ctrl-C (a real SIGINT to the main thread) as soon as ``started`` is set."""
    assert threading.current_thread() is threading.main_thread()

    def press() -> None:
        assert started.wait(5)
        signal.pthread_kill(threading.main_thread().ident or 0, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    helper = threading.Thread(target=press)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            yield
    finally:
        helper.join()
        signal.signal(signal.SIGINT, previous)


class Hang:
    """A coroutine function that waits forever: ``started`` is set once it runs, ``unwound``
    once its cancellation has finished unwinding."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.unwound = threading.Event()

    async def __call__(self) -> None:
        self.started.set()
        try:
            await anyio.sleep_forever()
        finally:
            self.unwound.set()


needs_pthread_kill = pytest.mark.skipif(
    not hasattr(signal, "pthread_kill"), reason="needs pthread_kill"
)


@needs_pthread_kill
def test_ctrl_c_cancels_the_call_on_the_loop(runner: LoopRunner) -> None:
    hang = Hang()
    with ctrl_c_once(hang.started):
        runner.run(hang)

    # The coroutine saw the cancellation, and had finished unwinding before run() re-raised.
    assert hang.unwound.is_set()
    assert runner.run(add, 2, 3) == 5


@needs_pthread_kill
def test_ctrl_c_while_entering_an_async_cm_cancels_the_enter(runner: LoopRunner) -> None:
    started = threading.Event()
    unwound = threading.Event()

    @asynccontextmanager
    async def slow_to_open() -> AsyncIterator[None]:
        started.set()
        try:
            await anyio.sleep_forever()
            yield
        finally:
            unwound.set()

    with ctrl_c_once(started), runner.wrap_async_cm(slow_to_open()):
        pytest.fail("entered")  # pragma: no cover
    assert unwound.is_set()


def test_iterate_is_lazy_and_closing_early_runs_the_generator_cleanup(
    runner: LoopRunner,
) -> None:
    produced: list[int] = []
    closed_on: list[str] = []

    async def numbers() -> AsyncIterator[int]:
        try:
            for i in range(1000):
                produced.append(i)
                yield i
        finally:
            closed_on.append(threading.current_thread().name)

    it = runner.iterate(numbers)
    assert produced == []
    assert next(it) == 0
    assert produced == [0]
    assert next(it) == 1
    assert produced == [0, 1]
    assert closed_on == []
    it.close()
    assert closed_on == [LOOP_THREAD]
    assert produced == [0, 1]

    for i in runner.iterate(numbers):
        if i == 2:
            break
    assert closed_on == [LOOP_THREAD, LOOP_THREAD]


def test_iterate_yields_everything_then_stops(runner: LoopRunner) -> None:
    async def letters() -> AsyncIterator[str]:
        for letter in "abc":
            await anyio.lowlevel.checkpoint()
            yield letter

    assert list(runner.iterate(letters)) == ["a", "b", "c"]


def test_iterate_raises_the_iterator_exception(runner: LoopRunner) -> None:
    async def broken() -> AsyncIterator[int]:
        yield 1
        raise Boom

    it = runner.iterate(broken)
    assert next(it) == 1
    with pytest.raises(Boom):
        next(it)


def test_wrap_async_cm_enters_and_exits_in_one_task_on_the_loop(runner: LoopRunner) -> None:
    seen: list[tuple[str, str]] = []

    @asynccontextmanager
    async def resource() -> AsyncIterator[str]:
        seen.append(("enter", threading.current_thread().name))
        # A task group must be exited by the task that entered it.
        async with anyio.create_task_group():
            yield "value"
        seen.append(("exit", threading.current_thread().name))

    with runner.wrap_async_cm(resource()) as value:
        assert value == "value"
        assert seen == [("enter", LOOP_THREAD)]
    assert seen == [("enter", LOOP_THREAD), ("exit", LOOP_THREAD)]


def test_wrap_async_cm_passes_the_body_exception_to_aexit(runner: LoopRunner) -> None:
    seen: list[BaseException] = []

    @asynccontextmanager
    async def watching(suppress: bool) -> AsyncIterator[None]:
        try:
            yield
        except Boom as exc:
            seen.append(exc)
            if not suppress:
                raise

    boom = Boom()
    with pytest.raises(Boom) as info, runner.wrap_async_cm(watching(suppress=False)):
        raise boom
    assert info.value is boom
    assert seen == [boom]

    with runner.wrap_async_cm(watching(suppress=True)):
        raise Boom
    assert len(seen) == 2


def test_cleanups_run_on_shutdown_and_a_new_loop_starts_afterwards(runner: LoopRunner) -> None:
    ran: list[str] = []

    async def cleanup() -> None:
        await anyio.lowlevel.checkpoint()
        ran.append(threading.current_thread().name)

    async def never_ran() -> None:
        ran.append("unregistered")

    first_loop = runner.run(current_thread)
    generation = runner.generation
    runner.register_cleanup(cleanup)
    runner.register_cleanup(never_ran)()
    runner.shutdown()

    assert ran == [LOOP_THREAD]
    assert not first_loop.is_alive()
    assert runner.generation != generation
    assert runner.run(current_thread) is not first_loop


def test_shutdown_is_bounded_when_a_cleanup_hangs(runner: LoopRunner) -> None:
    runner.run(add, 0)
    runner.register_cleanup(anyio.sleep_forever)
    started = time.monotonic()
    runner.shutdown(timeout=0.2)
    assert time.monotonic() - started < 1


def test_get_runner_is_one_runner_per_process() -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        runners = set(pool.map(lambda _: get_runner(), range(8)))
    assert runners == {get_runner()}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_a_loop_of_its_own(runner: LoopRunner) -> None:
    parent_loop = runner.run(current_thread)
    generation = runner.generation

    def child() -> int:
        child_loop = runner.run(current_thread)
        ok = child_loop.name == LOOP_THREAD and child_loop is not parent_loop
        return 0 if ok and runner.generation != generation else 2

    assert in_forked_child(child) == 0
    assert runner.run(current_thread) is parent_loop
    assert runner.generation == generation


def test_interpreter_exit_closes_sessions_nobody_closed() -> None:
    # An aiohttp session a sync client never closed: the exit hook closes it on the loop, so
    # aiohttp has nothing to warn about, and exit is prompt.
    started = time.monotonic()
    result = run_python(
        """
        import threading
        import aiohttp
        from cartesia_calls._runner import get_runner

        runner = get_runner()

        async def open_session():
            session = aiohttp.ClientSession()

            async def close():
                await session.close()
                print("closed on", threading.current_thread().name, flush=True)

            runner.register_cleanup(close)

        runner.run(open_session)
        print("exiting", flush=True)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["exiting", f"closed on {LOOP_THREAD}"]
    assert result.stderr == ""
    assert time.monotonic() - started < 5


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_that_used_the_runner_exits_normally() -> None:
    # Not os._exit(): the child runs its exit hooks and finalizers, none of which may wait on
    # the parent's loop thread (it does not exist in the child).
    result = run_python(
        """
        import os, time, warnings
        from cartesia_calls._runner import get_runner

        # Python 3.12+ warns about any fork() in a process with threads; the warning is about
        # the script's own fork, not about the runner, and would hide what stderr is checked for.
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)

        async def pid():
            return os.getpid()

        runner = get_runner()
        runner.run(pid)
        child = os.fork()
        if child == 0:
            assert runner.run(pid) == os.getpid()
            raise SystemExit(0)
        deadline = time.monotonic() + 5
        while not (status := os.waitpid(child, os.WNOHANG))[0]:
            if time.monotonic() > deadline:
                os.kill(child, 9)
                raise SystemExit("the forked child hung")
            time.sleep(0.01)
        raise SystemExit(os.waitstatus_to_exitcode(status[1]))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_a_wedged_loop_does_not_hang_interpreter_exit() -> None:
    started = time.monotonic()
    result = run_python(
        """
        import threading, time
        from cartesia_calls._runner import get_runner

        runner = get_runner()
        wedged = threading.Event()

        async def wedge():
            wedged.set()
            time.sleep(60)  # blocks the loop thread itself

        threading.Thread(target=runner.run, args=(wedge,), daemon=True).start()
        wedged.wait()
        print("exiting", flush=True)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "exiting\n"
    assert time.monotonic() - started < 8


def shut_down_while_waiting(
    runner: LoopRunner, wait: Callable[[], object], started: threading.Event
) -> list[BaseException]:
    """Call ``wait`` on a thread, shut ``runner`` down once ``started`` is set, and return what
    the call raised; the thread must stop waiting."""
    raised: list[BaseException] = []

    def call() -> None:
        try:
            wait()
        except BaseException as exc:
            raised.append(exc)

    caller = threading.Thread(target=call)
    caller.start()
    assert started.wait(5)
    runner.shutdown(timeout=1)
    caller.join(5)
    assert not caller.is_alive()
    return raised


def test_shutdown_cancels_calls_in_flight_and_their_callers_stop_waiting(
    runner: LoopRunner,
) -> None:
    hang = Hang()
    raised = shut_down_while_waiting(runner, lambda: runner.run(hang), hang.started)
    assert hang.unwound.is_set()
    assert [type(exc) for exc in raised] == [CancelledError]


def test_an_async_cm_cancelled_before_it_entered_stops_the_caller_waiting(
    runner: LoopRunner,
) -> None:
    started = threading.Event()

    @asynccontextmanager
    async def never_opens() -> AsyncIterator[None]:
        started.set()
        await anyio.sleep_forever()
        yield  # pragma: no cover

    def enter() -> None:
        with runner.wrap_async_cm(never_opens()):
            pytest.fail("entered")  # pragma: no cover

    raised = shut_down_while_waiting(runner, enter, started)
    assert [type(exc) for exc in raised] == [CancelledError]
