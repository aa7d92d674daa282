"""``cartesia-calls``: the command line of the cartesia_calls SDK (installed by the ``cli`` extra).

Only click is imported here, so ``cartesia-calls --help`` answers at once; the SDK, aiohttp and
rich are imported by the command that runs. Every command makes one ``AsyncClient`` and runs
in one ``asyncio.run``.

Exit codes: 0 success; 1 the API or the network failed (or a file could not be written);
2 usage: a bad option, no API key, or ``delete`` without ``--yes`` and no terminal to ask on;
3 ``wait`` gave up while the call was still running; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

__all__ = ["main"]

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Settings:
    """What the global options said; the API key never appears in its repr."""

    def __init__(
        self,
        api_key: str | None,
        base_url: str | None,
        max_retries: int,
        cartesia_version: str | None = None,
    ) -> None:
        self.api_key = api_key.strip() if api_key and api_key.strip() else None
        self.base_url = base_url.strip() if base_url and base_url.strip() else None
        self.max_retries = max_retries
        self.cartesia_version = (
            cartesia_version.strip() if cartesia_version and cartesia_version.strip() else None
        )

    def __repr__(self) -> str:
        return (
            f"Settings(base_url={self.base_url!r}, max_retries={self.max_retries}, "
            f"cartesia_version={self.cartesia_version!r})"
        )


def _invoke(settings: Settings, command: Callable[[Any], Awaitable[None]], **how: Any) -> None:
    from ._run import run  # noqa: PLC0415 - the SDK loads only when a command runs

    run(settings, command, **how)


@click.group(context_settings=_CONTEXT)
@click.option(
    "--api-key",
    envvar="CARTESIA_API_KEY",
    show_envvar=True,
    metavar="KEY",
    help="Your Cartesia API key (sk_car_...).",
)
@click.option(
    "--base-url",
    envvar="CARTESIA_BASE_URL",
    show_envvar=True,
    metavar="URL",
    help="The API address (default https://api.cartesia.ai).",
)
@click.option(
    "--cartesia-version",
    envvar="CARTESIA_VERSION",
    show_envvar=True,
    metavar="DATE",
    help="The API version to speak (default 2026-08-14; 2026-03-01 for the older shapes).",
)
@click.option(
    "--max-retries",
    type=click.IntRange(0, 10),
    default=2,
    show_default=True,
    help="Retries of a failed request (connection errors, 408, 429, 5xx).",
)
@click.version_option(package_name="cartesia-calls", message="cartesia-calls %(version)s")
@click.pass_context
def main(
    ctx: click.Context,
    api_key: str | None,
    base_url: str | None,
    cartesia_version: str | None,
    max_retries: int,
) -> None:
    """Inspect and manage Cartesia voice-agent calls.

    \b
    Try it without a key or network:   cartesia-calls demo
    Develop against a local fake API:  cartesia-calls serve-fake
    With your key:                     export CARTESIA_API_KEY=sk_car_...
                                       cartesia-calls list --agent-id AGENT_ID
                                       cartesia-calls get CALL_ID

    Read commands take --json for scripts (list prints JSON Lines). Exit codes: 0 ok, 1 API or
    network error, 2 usage error or no API key, 3 wait timed out, 130 interrupted.
    """
    ctx.obj = Settings(api_key, base_url, max_retries, cartesia_version)


_json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the API's JSON (wire format) instead."
)


@main.command(context_settings=_CONTEXT, short_help="Show a call and its transcript.")
@click.argument("call_id")
@_json_option
@click.pass_obj
def get(settings: Settings, call_id: str, as_json: bool) -> None:
    """Show a call: its facts, then the transcript as a conversation.

    Each turn shows when it started (mm:ss from the start of the call), who spoke, what was
    said, the tools the agent called (arguments and result) and latency (stt/tts time to first
    byte).
    """
    from ._commands import get_call  # noqa: PLC0415

    _invoke(settings, get_call(call_id, as_json=as_json), subject=f"call {call_id!r}")


@main.command("list", context_settings=_CONTEXT, short_help="List an agent's or a batch's calls.")
@click.option("--agent-id", metavar="ID", help="List this agent's calls.")
@click.option(
    "--batch-id", metavar="ID", help="List the calls of this call batch (with --agent-id: its)."
)
@click.option(
    "--start-time-gte",
    metavar="TIME",
    help="Only calls that started at or after this RFC 3339 time (2026-08-14T09:00:00Z).",
)
@click.option(
    "--start-time-lte",
    metavar="TIME",
    help="Only calls that started at or before this RFC 3339 time.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=20,
    show_default=True,
    help="The most calls to show (pages are fetched only as needed).",
)
@click.option("--all", "show_all", is_flag=True, help="Show every call (ignores --limit).")
@click.option("--transcript", is_flag=True, help="Fetch transcripts too (turn counts; in --json).")
@_json_option
@click.pass_obj
def list_(
    settings: Settings,
    *,
    agent_id: str | None,
    batch_id: str | None,
    start_time_gte: str | None,
    start_time_lte: str | None,
    limit: int,
    show_all: bool,
    transcript: bool,
    as_json: bool,
) -> None:
    """List an agent's (or a batch's) calls, newest first, as a table.

    Give --agent-id, --batch-id, or both. With --json, one call per line (JSON Lines), ready
    for jq.
    """
    if agent_id is None and batch_id is None:
        raise click.UsageError("give --agent-id, --batch-id, or both")
    from ._commands import list_calls  # noqa: PLC0415

    command = list_calls(
        agent_id=agent_id,
        batch_id=batch_id,
        start_time_gte=start_time_gte,
        start_time_lte=start_time_lte,
        limit=None if show_all else limit,
        transcript=transcript,
        as_json=as_json,
    )
    _invoke(settings, command)


@main.command(context_settings=_CONTEXT, short_help="Export calls with transcripts to JSON Lines.")
@click.option("--agent-id", metavar="ID", help="Export this agent's calls.")
@click.option("--batch-id", metavar="ID", help="Export the calls of this call batch.")
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="The JSON Lines file to write (appended to; calls already in it are skipped).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="The most transcripts fetched at once.",
)
@click.pass_obj
def export(
    settings: Settings,
    *,
    agent_id: str | None,
    batch_id: str | None,
    output: str,
    concurrency: int,
) -> None:
    """Export calls with their transcripts to a JSON Lines file, one call per line.

    Re-running the same command resumes: calls already in the file are skipped, and a last
    line cut short by a crash is rewritten.
    """
    if (agent_id is None) == (batch_id is None):
        raise click.UsageError("give exactly one of --agent-id and --batch-id")
    from ._commands import export_calls  # noqa: PLC0415

    command = export_calls(output, agent_id=agent_id, batch_id=batch_id, concurrency=concurrency)
    _invoke(settings, command, interrupted_hint="run the same command again to resume")


@main.command(context_settings=_CONTEXT, short_help="Download a call's recording (WAV).")
@click.argument("call_id")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    help="Where to save the WAV file (default: CALL_ID.wav).",
)
@click.pass_obj
def audio(settings: Settings, call_id: str, output: str | None) -> None:
    """Download a call's recording (WAV).

    The file appears only once the whole recording has arrived.
    """
    from ._commands import download_audio  # noqa: PLC0415

    command = download_audio(call_id, output or f"{call_id}.wav")
    _invoke(settings, command, subject=f"call {call_id!r}", not_found="has no recording")


@main.command(context_settings=_CONTEXT, short_help="Print the agent's runtime logs of a call.")
@click.argument("call_id")
@_json_option
@click.pass_obj
def logs(settings: Settings, call_id: str, as_json: bool) -> None:
    """Print the runtime logs of your agent's code for a call."""
    from ._commands import show_logs  # noqa: PLC0415

    command = show_logs(call_id, as_json=as_json)
    _invoke(settings, command, subject=f"call {call_id!r}", not_found="has no logs")


@main.command(context_settings=_CONTEXT, short_help="Wait until a call has ended.")
@click.argument("call_id")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="Give up after this many seconds (exit code 3).",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Seconds between the first polls (then growing up to 30).",
)
@_json_option
@click.pass_obj
def wait(
    settings: Settings, call_id: str, timeout: float, poll_interval: float, as_json: bool
) -> None:
    """Wait until a call has ended, then show how it ended."""
    from ._commands import wait_call  # noqa: PLC0415

    command = wait_call(call_id, timeout=timeout, poll_interval=poll_interval, as_json=as_json)
    _invoke(settings, command, subject=f"call {call_id!r}")


@main.command(context_settings=_CONTEXT, short_help="Hang up a call in progress.")
@click.argument("call_id")
@click.pass_obj
def cancel(settings: Settings, call_id: str) -> None:
    """Hang up a call in progress (it ends with end_reason api_cancelled)."""
    from ._commands import cancel_call  # noqa: PLC0415

    _invoke(settings, cancel_call(call_id), subject=f"call {call_id!r}")


@main.command(context_settings=_CONTEXT, short_help="Delete a call's sensitive data.")
@click.argument("call_id")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def delete(settings: Settings, call_id: str, yes: bool) -> None:
    """Delete a finished call's transcript, recording, logs, summary, variables and numbers.

    The call's record stays, marked as redacted. This cannot be undone: you are asked to
    confirm unless you pass --yes (without a terminal, --yes is required).
    """
    if not yes:
        from ._prompt import confirm_delete  # noqa: PLC0415

        confirm_delete(call_id)
    from ._commands import delete_call  # noqa: PLC0415

    _invoke(settings, delete_call(call_id), subject=f"call {call_id!r}")


@main.command(
    "serve-fake", context_settings=_CONTEXT, short_help="Run a local fake API with sample calls."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="The port to listen on (0: any free port).",
)
@click.option("--empty", is_flag=True, help="Start with no calls instead of the sample data.")
def serve_fake(host: str, port: int, empty: bool) -> None:
    """Run a fake Cartesia API locally, seeded with sample calls, until Ctrl-C.

    Point the SDK or this CLI at it with the printed CARTESIA_BASE_URL and CARTESIA_API_KEY.
    Its clock follows the wall clock: outbound calls you place start after 1 s and end after
    30 s.
    """
    from ._serve import serve  # noqa: PLC0415

    serve(host=host, port=port, seed=not empty)


@main.command(context_settings=_CONTEXT, short_help="Tour the SDK: no key, no network.")
@click.option(
    "--keep",
    type=click.Path(file_okay=False),
    help="Keep the files the demo writes in this directory (default: a temporary one).",
)
def demo(keep: str | None) -> None:
    """Tour the SDK against a built-in fake API: no key, no network, a few seconds."""
    from ._demo import demo as run_demo  # noqa: PLC0415

    run_demo(keep)
