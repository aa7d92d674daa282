"""``cartesia-calls serve-fake``: the fake API on a local port until Ctrl-C.

Only a failure to open the port is reported as "cannot listen"; a reader of stdout that goes
away (``serve-fake | head``) ends the server quietly, like any command line tool. The base URL
it suggests is one the SDK takes without its plain-HTTP warning whenever it can be: listening on
every interface (``--host 0.0.0.0``), it suggests the loopback address and explains the rest.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time

import click

from cartesia_calls.testing import FakeCartesia, seed_samples
from cartesia_calls.testing._samples import (
    SAMPLE_AGENTS,
    SAMPLE_BATCH_ID,
    SAMPLE_CALL_ID,
    SAMPLE_FROM_NUMBER_ID,
)

from ._run import EXIT_ERROR, closed_stdout, fail

#: How often the fake's clock catches up with the wall clock.
TICK = 0.25


class _CannotListen(Exception):
    def __init__(self, error: OSError) -> None:
        super().__init__(error.strerror or str(error))


def suggested_url(host: str, port: int) -> tuple[str, str | None]:
    """The base URL to point clients at, and a note about it (``None`` when there is none)."""
    name = host.strip().strip("[]")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(name)
    except ValueError:
        address = None
    if address is not None and address.version == 6:
        name = f"[{name}]"
    if name in {"", "localhost"} or (address is not None and address.is_loopback):
        return f"http://{name or '127.0.0.1'}:{port}", None
    if address is not None and address.is_unspecified:
        local = "127.0.0.1" if address.version == 4 else "[::1]"
        return f"http://{local}:{port}", (
            f"It listens on every interface ({host}): this machine reaches it at the URL above; "
            f"other machines at http://<this machine's address>:{port}, where the SDK warns "
            "that the API key travels over plain HTTP (the fake's key is no secret: ignore it)."
        )
    return f"http://{name}:{port}", (
        f"{host} is not this machine's loopback address, so the SDK warns that the API key "
        "travels over plain HTTP; the fake's key is no secret: ignore the warning here, never "
        "with a real key."
    )


async def _serve(fake: FakeCartesia, *, seed: bool) -> None:
    try:
        await fake.start()
    except OSError as exc:
        raise _CannotListen(exc) from None
    try:
        calls = seed_samples(fake) if seed else []
        url, note = suggested_url(fake.host, fake.port)
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
        echo(
            f"  cartesia-calls create --agent-id AGENT_ID --from-number-id "
            f"{SAMPLE_FROM_NUMBER_ID} --to +14155550123"
        )
        if note is not None:
            echo("")
            echo(note)
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
    finally:
        await fake.close()


def serve(*, host: str, port: int, seed: bool) -> None:
    """Run until interrupted; Ctrl-C is the normal way out (exit code 0)."""
    fake = FakeCartesia(host=host, port=port)
    try:
        asyncio.run(_serve(fake, seed=seed))
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    except BrokenPipeError:
        closed_stdout()
    except _CannotListen as exc:
        fail(f"cannot listen on {host}:{port}: {exc}", EXIT_ERROR)
