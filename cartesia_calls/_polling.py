"""Polling until something is over: the loop behind ``calls.wait`` and ``batches.wait``.

Polls start ``poll_interval`` seconds apart and grow by half each time, up to
``max_poll_interval``. The waits go through an injected ``sleep`` (the client's
:class:`~cartesia_calls.Backoff`), which tests replace with one that returns at once; the
deadline counts the time each such sleep stood for, so it holds in tests as on the wall clock.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

__all__ = ["check_polling", "poll_until"]

T = TypeVar("T")

#: Each wait between polls is this many times the one before, up to the cap.
GROWTH: Final = 1.5


def check_polling(timeout: float | None, poll_interval: float, max_poll_interval: float) -> None:
    """Refuse a negative timeout or intervals out of order (a ``ValueError``, nothing sent)."""
    if timeout is not None and timeout < 0:
        raise ValueError(f"timeout must be 0 or more seconds, got {timeout}")
    if poll_interval <= 0 or max_poll_interval < poll_interval:
        raise ValueError("poll_interval must be > 0 and at most max_poll_interval")


async def poll_until(
    fetch: Callable[[], Awaitable[T]],
    is_over: Callable[[T], bool],
    *,
    sleep: Callable[[float], Awaitable[None]],
    timeout: float | None,  # noqa: ASYNC109 - a deadline for the polling loop
    poll_interval: float,
    max_poll_interval: float,
    timed_out: Callable[[T], Exception],
    on_poll: Callable[[T], None] | None = None,
) -> T:
    """``await fetch()`` until ``is_over`` says so, and return what the last fetch gave.

    ``on_poll`` sees every result (the last one included). At the deadline, the exception
    ``timed_out(last result)`` is raised; the last wait is cut to what is left of the
    deadline, so the loop never sleeps past it.
    """
    check_polling(timeout, poll_interval, max_poll_interval)
    started = time.monotonic()
    slept = 0.0
    interval = poll_interval
    while True:
        value = await fetch()
        if on_poll is not None:
            on_poll(value)
        if is_over(value):
            return value
        # Injected sleeps return at once; counting the time they stood for keeps the deadline.
        elapsed = max(time.monotonic() - started, slept)
        if timeout is not None and elapsed >= timeout:
            raise timed_out(value)
        delay = interval if timeout is None else min(interval, timeout - elapsed)
        await sleep(delay)
        slept += delay
        interval = min(interval * GROWTH, max_poll_interval)
