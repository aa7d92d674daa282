"""``cartesia-calls serve-fake``: the fake API on a local port until Ctrl-C."""

from __future__ import annotations

import asyncio
import time

import click

from cartesia_calls.testing import FakeCartesia, seed_samples
from cartesia_calls.testing._samples import SAMPLE_AGENTS, SAMPLE_BATCH_ID, SAMPLE_CALL_ID

from ._run import EXIT_ERROR, fail

#: How often the fake's clock catches up with the wall clock.
TICK = 0.25


async def _serve(fake: FakeCartesia, *, seed: bool) -> None:
    async with fake:
        calls = seed_samples(fake) if seed else []
        url = fake.base_url
        data = (
            f"{len(calls)} sample calls of {len(SAMPLE_AGENTS)} agents"
            if seed
            else "no calls (started with --empty)"
        )
        echo = click.echo
        echo(f"Fake Cartesia API listening on {url} ({data})")
        echo(f"API key: {fake.api_key}")
        echo("")
        echo("Point the SDK or this CLI at it:")
        echo(f"  export CARTESIA_BASE_URL={url} CARTESIA_API_KEY={fake.api_key}")
        if seed:
            agent = next(iter(SAMPLE_AGENTS))
            echo(f"  cartesia-calls list --agent-id {agent}")
            echo(f"  cartesia-calls get {SAMPLE_CALL_ID}")
            echo(f"  cartesia-calls list --batch-id {SAMPLE_BATCH_ID}")
        echo("")
        echo("Press Ctrl-C to stop.")
        # The fake's clock moves only when told to: keep it on the wall clock so calls placed
        # against it start and end (1 s and 30 s after they are placed).
        last = time.monotonic()
        while True:
            await asyncio.sleep(TICK)
            now = time.monotonic()
            fake.advance(now - last)
            last = now


def serve(*, host: str, port: int, seed: bool) -> None:
    """Run until interrupted; Ctrl-C is the normal way out (exit code 0)."""
    fake = FakeCartesia(host=host, port=port)
    try:
        asyncio.run(_serve(fake, seed=seed))
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", EXIT_ERROR)
