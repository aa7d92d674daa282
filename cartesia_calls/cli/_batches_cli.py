"""``cartesia-calls batches``: create, list, get, cancel, retry and wait for call batches.

Only click is imported here; the work is in :mod:`._batch_commands`. ``batches create`` reads
and checks its CSV file (:mod:`._recipients`) before the API key is even looked at, so a bad
file is reported (exit code 2) without anything sent.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import click

from ._options import (
    CONTEXT,
    ApiGroup,
    Settings,
    agent_option,
    duration_option,
    from_number_option,
    invoke,
    json_option,
    list_options,
    not_blank,
    ringing_option,
    wait_options,
)

__all__ = ["batches"]

_REGIONS = ("US", "EU", "APAC")


def _scheduled_at(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An RFC 3339 time with an offset, in the future and at most 30 days ahead (the API's
    rules), checked before anything is sent."""
    if value is None:
        return None
    from cartesia_calls._validate import parse_rfc3339  # noqa: PLC0415

    try:
        moment = parse_rfc3339(value, "the time")
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    now = _dt.datetime.now(_dt.UTC)
    if moment <= now:
        raise click.BadParameter(f"{value!r} is in the past", ctx, param)
    if moment > now + _dt.timedelta(days=30):
        raise click.BadParameter(
            f"{value!r} is more than 30 days ahead (the API's limit)", ctx, param
        )
    return value


@click.group(cls=ApiGroup, context_settings=CONTEXT, short_help="Create and follow call batches.")
def batches() -> None:
    """Call batches: many outbound calls queued and dialed a few at a time.

    \b
    cartesia-calls batches create --name NAME --agent-id ID --from-number-id pn_... \\
        --recipients recipients.csv
    cartesia-calls batches wait BATCH_ID
    cartesia-calls batches get BATCH_ID
    """


@batches.command(
    "create", context_settings=CONTEXT, short_help="Queue a batch of calls from a CSV file."
)
@click.option("--name", required=True, callback=not_blank, help="A name for the batch.")
@agent_option
@from_number_option
@click.option(
    "--recipients",
    "recipients_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, readable=True),
    metavar="FILE.csv",
    help="The numbers to call: a CSV file with a to_number column; every other column is a "
    "dynamic variable (see below).",
)
@click.option(
    "--region",
    type=click.Choice(_REGIONS, case_sensitive=False),
    help="Where the calls are placed from (SIP-trunk numbers only; default: your telephony "
    "account's region).",
)
@click.option(
    "--scheduled-at",
    metavar="TIME",
    callback=_scheduled_at,
    help="Start dialing at this RFC 3339 time (2026-08-20T09:00:00Z), at most 30 days ahead "
    "(default: at once).",
)
@click.option(
    "--target-concurrency-limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="How many calls may run at once.",
)
@ringing_option
@duration_option(480)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check the file and the options, print what would be sent, send nothing.",
)
@json_option
@click.pass_obj
def create(
    settings: Settings,
    *,
    name: str,
    agent_id: str,
    from_number_id: str,
    recipients_file: str,
    region: str | None,
    scheduled_at: str | None,
    target_concurrency_limit: int | None,
    ringing_timeout_seconds: int | None,
    max_call_duration_minutes: int | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Queue a batch of outbound calls, one per row of a CSV file (1 to 5000 rows).

    The file's first row is the header. Its to_number column holds the numbers to call, in
    E.164 form (+14155550123); every other column is a dynamic variable of that name for the
    agent. An empty cell leaves that variable out for that row; empty rows are skipped. Values
    are typed like create's --var: true/false become booleans, numbers written as JSON writes
    them (42, 3.5) become numbers, anything else is a string as written (007, 1.50 stay
    strings); a column named name:str keeps its values strings. A UTF-8 file exported from a
    spreadsheet (byte order mark, quoted fields, CRLF) works as is.

    The whole file is checked before anything is sent; every problem is listed with its row
    number (the header is row 1). The request is never retried once sent: it dials phones.

    \b
    Example recipients.csv:
      to_number,first_name,appointment,reminders
      +14155550123,Ada,"Tuesday, 9:30",2
      +14155550124,Grace,"Friday, 14:00",
    """
    from ._recipients import RecipientsError, read_recipients  # noqa: PLC0415

    try:
        recipients = read_recipients(recipients_file)
    except RecipientsError as exc:
        from cartesia_calls._display import printable  # noqa: PLC0415

        problems = [printable(line, one_line=True) for line in exc.problems]
        if exc.more:
            problems.append(f"... and {exc.more} more")
        if len(problems) == 1:
            message = f"{recipients_file}: {problems[0]}"
        else:
            count = len(exc.problems) + exc.more
            message = f"{count} problems in {recipients_file}:\n" + "\n".join(
                f"  {line}" for line in problems
            )
        raise click.BadParameter(message, param_hint="'--recipients'") from None
    except OSError as exc:
        raise click.BadParameter(
            f"{recipients_file}: {exc.strerror or exc}", param_hint="'--recipients'"
        ) from None
    from ._batch_commands import create_batch  # noqa: PLC0415

    options: dict[str, Any] = {
        "name": name,
        "agent_id": agent_id,
        "from_number_id": from_number_id,
        "recipients": recipients,
        "region": None if region is None else region.upper(),
        "scheduled_at": scheduled_at,
        "target_concurrency_limit": target_concurrency_limit,
        "ringing_timeout_seconds": ringing_timeout_seconds,
        "max_call_duration_minutes": max_call_duration_minutes,
    }
    if dry_run:
        from ._batch_commands import show_dry_run  # noqa: PLC0415

        show_dry_run(recipients_file, options, as_json=as_json)
        return
    command = create_batch(options, as_json=as_json, quiet=settings.quiet)
    invoke(settings, command, unsure=f"cartesia-calls batches list --agent-id {agent_id}")


@batches.command("list", context_settings=CONTEXT, short_help="List call batches, newest first.")
@click.option("--agent-id", metavar="ID", callback=not_blank, help="Only this agent's batches.")
@list_options("batch", "batches")
@json_option
@click.pass_obj
def list_(
    settings: Settings, *, agent_id: str | None, limit: int, show_all: bool, as_json: bool
) -> None:
    """List call batches, newest first, as a table (with --json, one per line: JSON Lines).

    Lists carry no recipients: `batches get` shows them.
    """
    from ._batch_commands import list_batches  # noqa: PLC0415

    command = list_batches(
        agent_id=agent_id,
        limit=None if show_all else limit,
        as_json=as_json,
        quiet=settings.quiet,
    )
    invoke(settings, command)


@batches.command("get", context_settings=CONTEXT, short_help="Show a batch and its recipients.")
@click.argument("batch_id")
@json_option
@click.pass_obj
def get(settings: Settings, batch_id: str, as_json: bool) -> None:
    """Show a batch: its facts and counts, then each recipient's status, end reason and call
    id (and why a call could not be placed)."""
    from ._batch_commands import get_batch  # noqa: PLC0415

    invoke(settings, get_batch(batch_id, as_json=as_json), subject=f"batch {batch_id!r}")


@batches.command("cancel", context_settings=CONTEXT, short_help="Stop dialing a batch.")
@click.argument("batch_id")
@json_option
@click.pass_obj
def cancel(settings: Settings, batch_id: str, as_json: bool) -> None:
    """Stop dialing a batch: its queued recipients are not called; calls in progress go on."""
    from ._batch_commands import cancel_batch  # noqa: PLC0415

    invoke(settings, cancel_batch(batch_id, as_json=as_json), subject=f"batch {batch_id!r}")


@batches.command(
    "retry", context_settings=CONTEXT, short_help="Call again the recipients whose call failed."
)
@click.argument("batch_id")
@json_option
@click.pass_obj
def retry(settings: Settings, batch_id: str, as_json: bool) -> None:
    """Queue again the recipients whose last call failed (busy, unanswered, not placed).

    The request is never retried once sent: it dials phones.
    """
    from ._batch_commands import retry_batch  # noqa: PLC0415

    invoke(
        settings,
        retry_batch(batch_id, as_json=as_json),
        subject=f"batch {batch_id!r}",
        unsure=f"cartesia-calls batches get {batch_id}",
    )


@batches.command(
    "wait", context_settings=CONTEXT, short_help="Wait until a batch's calls have ended."
)
@click.argument("batch_id")
@click.option(
    "--dispatched",
    "dispatch_only",
    is_flag=True,
    help="Stop waiting once every recipient was dispatched (the batch's status is final), "
    "without waiting for the calls to end.",
)
@wait_options(timeout=None, poll_interval=5.0)
@json_option
@click.pass_obj
def wait(
    settings: Settings,
    batch_id: str,
    *,
    dispatch_only: bool,
    timeout: float | None,
    poll_interval: float,
    as_json: bool,
) -> None:
    """Wait until every recipient's call has ended (or, with --dispatched, until dispatching
    is over), then print how the batch went.

    On a terminal, a progress bar shows the recipients dispatched, completed and failed
    against the total; piped, only the final line is printed.
    """
    from ._batch_commands import wait_batch  # noqa: PLC0415

    command = wait_batch(
        batch_id,
        dispatch_only=dispatch_only,
        timeout=timeout,
        poll_interval=poll_interval,
        as_json=as_json,
        quiet=settings.quiet,
    )
    invoke(settings, command, subject=f"batch {batch_id!r}")
