"""Small helpers shared by the tests (the fixtures are in ``conftest.py``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from cartesia_calls import APIStatusError, Backoff

if TYPE_CHECKING:
    from cartesia_calls.testing import FakeCartesia


class SleepRecorder:
    """A ``Backoff.sleep`` that records each requested wait and returns at once.

    Given a fake, it also moves the fake's clock by each wait: the time passes for the fake
    (calls end, batches dispatch) while the test does not wait at all.
    """

    def __init__(self, fake: FakeCartesia | None = None) -> None:
        self.delays: list[float] = []
        self._fake = fake

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        if self._fake is not None:
            self._fake.advance(seconds)

    def backoff(self, **options: float) -> Backoff:
        """A Backoff that sleeps through this recorder."""
        return Backoff(sleep=self, **options)


def seed_calls(fake: FakeCartesia, count: int, agent_id: str = "agent_1") -> list[str]:
    """Seed ``count`` calls with distinct start times; returns their ids newest first."""
    for i in range(count):
        fake.add_call(
            id=f"ac_{i:03d}",
            agent_id=agent_id,
            start_time=f"2026-03-01T12:{i // 60:02d}:{i % 60:02d}Z",
            transcript=[turn("user", 0, 1, "hi")],
        )
    return [f"ac_{i:03d}" for i in reversed(range(count))]


def turn(role: str, start: float, end: float, text: str | None, **fields: Any) -> dict[str, Any]:
    """A transcript turn as the API sends it."""
    return {"role": role, "start_timestamp": start, "end_timestamp": end, "text": text, **fields}


def error_texts(error: APIStatusError) -> list[str]:
    """Everything an error shows or holds, as text: a secret must be in none of it."""
    texts = [str(error), repr(error), error.body, error.message, str(error.title)]
    texts += [str(error.error_code), str(error.request_id), str(error.doc_url)]
    texts += [json.dumps(error.json), str(dict(error.headers)), str(error.args)]
    return texts


def run_python(
    script: str, *flags: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (dedented) in a fresh interpreter with ``flags``; never raises on failure."""
    return subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )


def in_forked_child(child: Callable[[], int]) -> int:
    """Fork; the child runs ``child`` and exits with what it returns (1 if it raised); the
    parent gets that exit status (the child is killed if it hangs)."""
    with warnings.catch_warnings():
        # Python >= 3.12 warns about forking a process that has threads: that is the point.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through its exit code only
        code = 1
        try:
            code = child()
        finally:
            os._exit(code)
    return wait_for_child(pid)


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
