"""``cartesia-calls demo``: a tour of the SDK against the fake API, in this process.

No key and no network: a :class:`FakeCartesia` listens on loopback, seeded with the sample data
set, and every step shows the code it runs and what came back. The client's backoff sleeps on
the fake's clock, so waiting for a 30-second call, or honouring a ``Retry-After``, takes no time.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import wave
from pathlib import Path

from rich.console import Console
from rich.text import Text

from cartesia_calls import AsyncClient, Backoff, NotFoundError, ResponseInfo
from cartesia_calls.testing import FakeCartesia, Recording, seed_samples
from cartesia_calls.testing._samples import SAMPLE_CALL_ID, SAMPLE_FROM_NUMBER_ID

from ._render import calls_table, log_lines, make_console, print_call
from ._run import EXIT_ERROR, EXIT_INTERRUPTED, describe, fail

_AGENT = "agent_dental_frontdesk"
_OUTBOUND_AGENT = "agent_pharmacy_refills"
_OUTBOUND_NUMBER = "+13125550144"


class _Tour:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.step = 0

    def title(self, text: str) -> None:
        self.step += 1
        self.console.print()
        self.console.rule(Text(f"{self.step}. {text}", style="bold"), align="left")

    def say(self, text: str) -> None:
        self.console.print(Text(text, style="dim"), soft_wrap=False)

    def code(self, source: str) -> None:
        for line in source.strip("\n").splitlines():
            self.console.print(Text("    " + line, style="cyan"), soft_wrap=True)
        self.console.print()

    def out(self, text: str | Text) -> None:
        self.console.print(text if isinstance(text, Text) else Text(text), soft_wrap=True)


async def _tour(console: Console, folder: Path) -> None:
    tour = _Tour(console)
    async with FakeCartesia() as fake:
        seed_samples(fake)
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            # Time passes on the fake's clock only: polls and retries return at once.
            waits.append(seconds)
            await fake.sleep(seconds)

        console.print(Text("cartesia_calls: a tour of the SDK", style="bold"))
        tour.say(
            f"A fake Cartesia API is running in this process on {fake.base_url}, seeded with "
            "sample calls of three agents.\nNo API key, no network. Each step shows the code, "
            "then what it returned."
        )
        async with fake.client(backoff=Backoff(sleep=sleep)) as client:
            await _list(tour, client)
            await _get(tour, client)
            call_id = await _place_and_wait(tour, client, fake)
            await _audio(tour, client, call_id, folder)
            await _export(tour, client, folder)
            await _errors(tour, client, fake, waits)
            await _logs(tour, client)
        _next_steps(tour)


async def _list(tour: _Tour, client: AsyncClient) -> None:
    tour.title("List an agent's calls")
    tour.code(
        f"""
async with AsyncClient() as client:  # reads CARTESIA_API_KEY
    calls = await client.calls.list(agent_id="{_AGENT}").to_list()
"""
    )
    calls = await client.calls.list(agent_id=_AGENT).to_list()
    tour.console.print(calls_table(calls, width=tour.console.width))
    tour.say("Newest first; pages are fetched lazily as you iterate (async for call in ...).")


async def _get(tour: _Tour, client: AsyncClient) -> None:
    tour.title("Get a call with its transcript")
    tour.code(
        f"""
call = await client.calls.get("{SAMPLE_CALL_ID}")
for turn in call.transcript:
    print(turn.start_timestamp, turn.role, turn.text, turn.tool_calls, turn.tts_ttfb)
"""
    )
    call = await client.calls.get(SAMPLE_CALL_ID)
    print_call(tour.console, call)
    tour.say("(The same view: cartesia-calls get CALL_ID; in a notebook, just display the call.)")


async def _place_and_wait(tour: _Tour, client: AsyncClient, fake: FakeCartesia) -> str:
    tour.title("Place an outbound call and wait for it to end")
    tour.code(
        f"""
[result] = await client.calls.create(
    agent_id="{_OUTBOUND_AGENT}",
    from_number_id="{SAMPLE_FROM_NUMBER_ID}",
    outbound_calls=[
        {{"to_number": "{_OUTBOUND_NUMBER}", "dynamic_variables": {{"rx": "RX-448120"}}}}
    ],
)
call = await client.calls.wait(result.agent_call_id)  # polls until completed or failed
"""
    )
    [result] = await client.calls.create(
        agent_id=_OUTBOUND_AGENT,
        from_number_id=SAMPLE_FROM_NUMBER_ID,
        outbound_calls=[{"to_number": _OUTBOUND_NUMBER, "dynamic_variables": {"rx": "RX-448120"}}],
    )
    call_id = result.agent_call_id
    assert call_id is not None
    # The fake rings for 1 s and talks for 29 s; Cartesia records the call, and so does the fake.
    fake.recordings[call_id] = Recording(29.0)
    polls_before = fake.request_count("GET", f"/agents/calls/{call_id}")
    call = await client.calls.wait(call_id)
    polls = fake.request_count("GET", f"/agents/calls/{call_id}") - polls_before
    tour.out(f"placed {call_id} to {result.number}")
    duration = call.duration.total_seconds() if call.duration is not None else 0.0
    tour.out(
        f"polled {polls} times: {call.status} ({call.end_reason}) after {duration:.0f} s "
        "on the fake's clock"
    )
    tour.say(
        "Never retried behind your back: a create dials real phones. The demo's client sleeps "
        "on the fake's clock\n(AsyncClient(backoff=Backoff(sleep=fake.sleep))), so a 30-second "
        "call ends at once."
    )
    return call_id


async def _audio(tour: _Tour, client: AsyncClient, call_id: str, folder: Path) -> None:
    tour.title("Download its recording")
    target = folder / f"{call_id}.wav"
    tour.code(f'size = await client.calls.download_audio("{call_id}", "{target.name}")')
    size = await client.calls.download_audio(call_id, target)
    with wave.open(str(target), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
        shape = f"{wav.getsampwidth() * 8}-bit {wav.getframerate() // 1000} kHz"
    tour.out(f"saved {target}: {size:,} bytes, {seconds:.1f} s of {shape} WAV")
    tour.say("Streamed in chunks and written atomically: a failed download leaves no half file.")


async def _export(tour: _Tour, client: AsyncClient, folder: Path) -> None:
    tour.title("Export calls with transcripts to JSON Lines")
    target = folder / "calls.jsonl"
    tour.code(f'result = await client.calls.export("{target.name}", agent_id="{_AGENT}")')
    first = await client.calls.export(target, agent_id=_AGENT)
    tour.out(f"wrote {first.written} calls to {target} (one JSON object per line)")
    again = await client.calls.export(target, agent_id=_AGENT)
    tour.out(f"ran it again: {again.written} written, {again.skipped} skipped")
    tour.say("Exports resume: calls already in the file are skipped (cartesia-calls export).")


async def _errors(tour: _Tour, client: AsyncClient, fake: FakeCartesia, waits: list[float]) -> None:
    tour.title("Handle errors")
    tour.code(
        """
try:
    await client.calls.get("ac_does_not_exist")
except NotFoundError as exc:
    print(exc)
"""
    )
    try:
        await client.calls.get("ac_does_not_exist")
    except NotFoundError as exc:
        tour.out(f"NotFoundError: {exc}")
    fake.add_fault(
        status=429,
        headers={"Retry-After": "1"},
        body={
            "error_code": "concurrency_limited",
            "title": "Too many concurrent requests",
            "message": "You have exceeded your plan's concurrency limit.",
            "request_id": "req_demo_429",
        },
        path="/agents/calls/ac_fiber_outage",
        times=2,
    )
    responses: list[ResponseInfo] = []
    waits.clear()
    tour.say("\nNow the fake answers the next request with 429 twice, asking for Retry-After: 1.")
    tour.code('call = await client.calls.get("ac_fiber_outage")  # retried automatically')
    call = await client.with_options(on_response=responses.append).calls.get("ac_fiber_outage")
    attempt = responses[-1].attempt if responses else 1
    slept = ", ".join(f"{w:g} s" for w in waits)
    tour.out(
        f"got {call.id} on attempt {attempt}, after waiting {slept} as the server asked "
        f"(status {call.status})"
    )
    tour.say(
        "Every error is a CartesiaError: NotFoundError, RateLimitError, APIConnectionError... "
        "with status, error_code and request_id."
    )


async def _logs(tour: _Tour, client: AsyncClient) -> None:
    tour.title("Read the agent's runtime logs")
    tour.code(f'logs = await client.calls.logs("{SAMPLE_CALL_ID}")')
    result = await client.calls.logs(SAMPLE_CALL_ID)
    shown = result.logs[:4]
    tour.console.print(log_lines(shown), soft_wrap=True)
    if len(result.logs) > len(shown):
        tour.say(f"... {len(result.logs) - len(shown)} more lines")


def _next_steps(tour: _Tour) -> None:
    tour.console.print()
    tour.console.rule(Text("Next steps", style="bold"), align="left")
    steps = [
        ("Your own calls", "export CARTESIA_API_KEY=sk_car_..."),
        ("", "cartesia-calls list --agent-id AGENT_ID"),
        ("", "cartesia-calls get CALL_ID"),
        ("", "cartesia-calls export --agent-id AGENT_ID --output calls.jsonl"),
        ("Develop offline", "cartesia-calls serve-fake   # this fake API, on a local port"),
        ("In Python", "from cartesia_calls import AsyncClient   # README: 'Use it'"),
        ("In your tests", "from cartesia_calls.testing import FakeCartesia, seed_samples"),
        ("Every command", "cartesia-calls --help   (docs/cli.md)"),
    ]
    for label, command in steps:
        line = Text(f"  {label:<17}", style="bold")
        line.append(command, style="cyan")
        tour.console.print(line, soft_wrap=True)


def demo(keep: str | None) -> None:
    """Run the tour; files go to ``keep`` (kept) or to a temporary directory (removed)."""
    console = make_console()
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="cartesia-calls-demo-") as scratch:
            folder = Path(keep) if keep is not None else Path(scratch)
            folder.mkdir(parents=True, exist_ok=True)
            asyncio.run(_tour(console, folder))
    except KeyboardInterrupt:
        fail("interrupted", EXIT_INTERRUPTED)
    except Exception as exc:  # one line, no traceback
        described = describe(exc, subject=None, not_found="not found", base_url="the fake API")
        message, code = described or (f"the demo failed: {type(exc).__name__}: {exc}", EXIT_ERROR)
        fail(message, code)
    where = f" Files are in {keep}." if keep is not None else ""
    console.print()
    console.print(Text(f"Done in {time.perf_counter() - started:.1f} s.{where}", style="dim"))
