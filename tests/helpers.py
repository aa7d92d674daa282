"""Small helpers shared by the tests."""

from __future__ import annotations

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
