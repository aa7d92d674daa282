"""Small helpers shared by the tests."""

from __future__ import annotations

import os
import signal
import time

import pytest

from cartesia_calls import Backoff


class SleepRecorder:
    """A ``Backoff.sleep`` that records each requested wait and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)

    def backoff(self, **options: float) -> Backoff:
        """A Backoff that sleeps through this recorder."""
        return Backoff(sleep=self, **options)


def wait_for_child(pid: int, timeout: float = 10) -> int:
    """The child's exit status, killing it if it has not exited within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked child hung")
