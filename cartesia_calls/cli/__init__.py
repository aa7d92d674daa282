"""``cartesia-calls``: the command line of the cartesia_calls SDK (installed by the ``cli`` extra).

Only click is imported here, so ``cartesia-calls --help`` answers at once; the SDK, aiohttp and
rich are imported by the command that runs. Every command makes one ``AsyncClient`` and runs
in one ``asyncio.run``.

Global options are accepted before the command and after it (see :mod:`._options`).

Exit codes: 0 success; 1 the API or the network failed, a file could not be written, or
``create`` could not place a call to one of the numbers; 2 usage: a bad option or file (nothing
was sent), no API key, or ``delete`` without ``--yes`` and no terminal to ask on; 3 ``wait`` or
``batches wait`` gave up while the call or batch was still going; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from typing import Any

import click

from ._batches_cli import batches
from ._options import (
    CONTEXT,
    LocalCommand,
    MainGroup,
    Settings,
    agent_option,
    duration_option,
    from_number_option,
    global_options,
    invoke,
    json_option,
    list_options,
    ringing_option,
    wait_options,
)
from ._variables import VariableOption, collect_variables

__all__ = ["Settings", "main"]


@click.group(context_settings=CONTEXT, cls=MainGroup)
@global_options
@click.version_option(package_name="cartesia-calls", message="cartesia-calls %(version)s")
@click.pass_context
def main(
    ctx: click.Context,
    *,
    api_key: str | None,
    base_url: str | None,
    cartesia_version: str | None,
    max_retries: int,
    timeout: float | None,
    quiet: bool,
) -> None:
    """Inspect and manage Cartesia voice-agent calls and call batches.

    \b
    Try it without a key or network:   cartesia-calls demo
    Develop against a local fake API:  cartesia-calls serve-fake
    With your key:                     export CARTESIA_API_KEY=sk_car_...
                                       cartesia-calls list --agent-id AGENT_ID
                                       cartesia-calls get CALL_ID

    Global options go before the command, or after it. Read commands take --json for scripts
    (list prints JSON Lines). Exit codes: 0 ok, 1 API or network error (or a call not placed),
    2 usage error or no API key, 3 wait timed out, 130 interrupted.
    """
    ctx.obj = Settings(
        api_key=api_key,
        base_url=base_url,
        max_retries=max_retries,
        cartesia_version=cartesia_version,
        timeout=timeout,
        quiet=quiet,
    )


@main.command(context_settings=CONTEXT, short_help="Show a call and its transcript.")
@click.argument("call_id")
@json_option
@click.pass_obj
def get(settings: Settings, call_id: str, as_json: bool) -> None:
    """Show a call: its facts, then the transcript as a conversation.

    Each turn shows when it started (mm:ss from the start of the call), who spoke, what was
    said, the tools the agent called (arguments and result) and latency (stt/tts time to first
    byte).
    """
    from ._commands import get_call  # noqa: PLC0415

    invoke(settings, get_call(call_id, as_json=as_json), subject=f"call {call_id!r}")


@main.command("list", context_settings=CONTEXT, short_help="List an agent's or a batch's calls.")
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
@list_options("call", "calls")
@click.option("--transcript", is_flag=True, help="Fetch transcripts too (turn counts; in --json).")
@json_option
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
        quiet=settings.quiet,
    )
    invoke(settings, command)


@main.command(context_settings=CONTEXT, short_help="Export calls with transcripts to JSON Lines.")
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

    command = export_calls(
        output,
        agent_id=agent_id,
        batch_id=batch_id,
        concurrency=concurrency,
        quiet=settings.quiet,
    )
    invoke(settings, command, interrupted_hint="run the same command again to resume")


@main.command(context_settings=CONTEXT, short_help="Download a call's recording (WAV).")
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

    command = download_audio(call_id, output or f"{call_id}.wav", quiet=settings.quiet)
    invoke(settings, command, subject=f"call {call_id!r}", not_found="has no recording")


@main.command(context_settings=CONTEXT, short_help="Print the agent's runtime logs of a call.")
@click.argument("call_id")
@json_option
@click.pass_obj
def logs(settings: Settings, call_id: str, as_json: bool) -> None:
    """Print the runtime logs of your agent's code for a call."""
    from ._commands import show_logs  # noqa: PLC0415

    command = show_logs(call_id, as_json=as_json)
    invoke(settings, command, subject=f"call {call_id!r}", not_found="has no logs")


@main.command(context_settings=CONTEXT, short_help="Wait until a call has ended.")
@click.argument("call_id")
@wait_options(timeout=600.0, poll_interval=2.0)
@json_option
@click.pass_obj
def wait(
    settings: Settings, call_id: str, timeout: float, poll_interval: float, as_json: bool
) -> None:
    """Wait until a call has ended, then show how it ended."""
    from ._commands import wait_call  # noqa: PLC0415

    command = wait_call(
        call_id,
        timeout=timeout,
        poll_interval=poll_interval,
        as_json=as_json,
        quiet=settings.quiet,
    )
    invoke(settings, command, subject=f"call {call_id!r}")


def _phone_numbers(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    from cartesia_calls._validate import check_e164  # noqa: PLC0415

    for value in values:
        try:
            check_e164(value, "the number")
        except ValueError as exc:
            raise click.BadParameter(str(exc), ctx, param) from None
    return values


@main.command(context_settings=CONTEXT, short_help="Place outbound calls (never retried).")
@agent_option
@from_number_option
@click.option(
    "--to",
    "to_numbers",
    required=True,
    multiple=True,
    metavar="NUMBER",
    callback=_phone_numbers,
    help="A number to call, in E.164 form (+14155550123); repeat for more calls.",
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    type=VariableOption(),
    callback=collect_variables,
    help="A dynamic variable for the agent, name=value (repeatable; typed as described "
    "above; name:str=value keeps a string).",
)
@ringing_option
@duration_option(None)
@json_option
@click.pass_obj
def create(
    settings: Settings,
    *,
    agent_id: str,
    from_number_id: str,
    to_numbers: tuple[str, ...],
    variables: dict[str, Any] | None,
    ringing_timeout_seconds: int | None,
    max_call_duration_minutes: int | None,
    as_json: bool,
) -> None:
    """Place outbound calls: one per --to, all with the same agent, number and variables.

    Prints one line per number, in order: the new call's id, or why that call was not placed
    (exit code 1 if any was not). The request is never retried once sent: it dials phones,
    and a lost answer must not dial them twice. With --json, one result per line (JSON
    Lines).

    --var values: true/false (any case) become booleans, numbers written as JSON writes them
    (42, -7, 3.5) become numbers, anything else is a string as typed (007, 1.50 and +1 stay
    strings); name:str=value always sends a string.

    \b
    Example:
      cartesia-calls create --agent-id agent_123 --from-number-id pn_123 \\
        --to +14155550123 --var first_name=Ada --var balance=42.5
    """
    from ._commands import create_calls  # noqa: PLC0415

    command = create_calls(
        agent_id=agent_id,
        from_number_id=from_number_id,
        to_numbers=list(to_numbers),
        variables=variables,
        ringing_timeout_seconds=ringing_timeout_seconds,
        max_call_duration_minutes=max_call_duration_minutes,
        as_json=as_json,
        quiet=settings.quiet,
    )
    invoke(settings, command, unsure=f"cartesia-calls list --agent-id {agent_id}")


@main.command(context_settings=CONTEXT, short_help="Hang up a call in progress.")
@click.argument("call_id")
@click.pass_obj
def cancel(settings: Settings, call_id: str) -> None:
    """Hang up a call in progress (it ends with end_reason api_cancelled)."""
    from ._commands import cancel_call  # noqa: PLC0415

    invoke(settings, cancel_call(call_id), subject=f"call {call_id!r}")


@main.command(context_settings=CONTEXT, short_help="Delete a call's sensitive data.")
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

    invoke(settings, delete_call(call_id), subject=f"call {call_id!r}")


@main.command(
    "serve-fake",
    cls=LocalCommand,
    context_settings=CONTEXT,
    short_help="Run a local fake API with sample calls.",
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


@main.command(
    cls=LocalCommand, context_settings=CONTEXT, short_help="Tour the SDK: no key, no network."
)
@click.option(
    "--keep",
    type=click.Path(file_okay=False),
    help="Keep the files the demo writes in this directory (default: a temporary one).",
)
def demo(keep: str | None) -> None:
    """Tour the SDK against a built-in fake API: no key, no network, a few seconds."""
    from ._demo import demo as run_demo  # noqa: PLC0415

    run_demo(keep)


main.add_command(batches)
