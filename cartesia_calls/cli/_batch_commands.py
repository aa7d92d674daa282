"""What each ``batches`` command does, given an open client. Output goes to stdout; progress
and notes to stderr (notes not with ``--quiet``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
from rich.text import Text

from cartesia_calls import AsyncClient, CallBatch, WaitTimeoutError
from cartesia_calls._display import printable

from ._commands import Command, listed_note, take
from ._render import make_console, note, print_json, progress_display
from ._render_batches import (
    batch_facts,
    batch_status,
    batches_table,
    recipients_table,
    tally,
    tally_text,
)
from ._run import EXIT_WAIT_TIMEOUT, CommandFailed


def _sent(options: dict[str, Any]) -> dict[str, Any]:
    """The options ``batches.create`` is given: those left out are not sent (API defaults)."""
    return {key: value for key, value in options.items() if value is not None}


def show_dry_run(path: str, options: dict[str, Any], *, as_json: bool) -> None:
    """``batches create --dry-run``: what would be sent, and nothing sent."""
    body = _sent(options)
    if as_json:
        print_json(body)
        return
    recipients: list[dict[str, Any]] = body["recipients"]
    uses = Counter(name for r in recipients for name in r.get("dynamic_variables", {}))
    line = f"{path}: {len(recipients):,} recipient{'s' if len(recipients) != 1 else ''}"
    if uses:
        line += "; variables: " + ", ".join(f"{name} ({count:,})" for name, count in uses.items())
    console = make_console()
    console.print(Text(printable(line, one_line=True)), soft_wrap=True)
    console.print("Checked; nothing was sent (--dry-run).", soft_wrap=True)


def create_batch(options: dict[str, Any], *, as_json: bool, quiet: bool = False) -> Command:
    """``cartesia-calls batches create``, with the recipients already read and checked."""

    async def command(client: AsyncClient) -> None:
        batch = await client.batches.create(**_sent(options))
        if as_json:
            print_json(batch.to_dict())
            return
        line = Text(f"Created batch {printable(batch.id, one_line=True)}")
        if batch.name:
            line.append(f" ({printable(batch.name, one_line=True)})")
        count = batch.total_calls_scheduled
        if count is None:
            count = len(options["recipients"])
        line.append(f": {count:,} recipient{'s' if count != 1 else ''}, status ")
        line.append_text(batch_status(batch))
        line.append(".")
        make_console().print(line, soft_wrap=True)
        note(f"Follow it with: cartesia-calls batches wait {batch.id}", quiet=quiet)

    return command


def list_batches(
    *, agent_id: str | None, limit: int | None, as_json: bool, quiet: bool = False
) -> Command:
    """``cartesia-calls batches list``: at most ``limit`` batches (``None``: all)."""

    async def command(client: AsyncClient) -> None:
        pager = client.batches.list(
            agent_id=agent_id, limit=100 if limit is None else min(limit, 100)
        )
        shown, more = await take(pager, limit, as_json=as_json)
        if as_json:
            return
        console = make_console()
        owner = f" of agent {agent_id!r}" if agent_id is not None else ""
        if not shown:
            console.print(f"No call batches{owner}.", soft_wrap=True)
            return
        console.print(batches_table(shown, width=console.width))
        listed_note(len(shown), "batch", "batches", owner, more=more, quiet=quiet)

    return command


def get_batch(batch_id: str, *, as_json: bool) -> Command:
    """``cartesia-calls batches get``: the facts, then the recipients."""

    async def command(client: AsyncClient) -> None:
        batch = await client.batches.get(batch_id)
        if as_json:
            print_json(batch.to_dict())
            return
        console = make_console()
        console.print(batch_facts(batch))
        console.print()
        console.print(recipients_table(batch))

    return command


def cancel_batch(batch_id: str, *, as_json: bool) -> Command:
    """``cartesia-calls batches cancel``."""

    async def command(client: AsyncClient) -> None:
        batch = await client.batches.cancel(batch_id)
        if as_json:
            print_json(batch.to_dict())
            return
        counts = tally(batch)
        line = Text(f"Batch {printable(batch.id, one_line=True)} is ")
        line.append_text(batch_status(batch))
        if str(batch.status) == "cancelled":
            spared = counts.cancelled if counts.cancelled is not None else None
            line.append(
                ": no more calls are placed"
                + (f" ({spared:,} recipients not called)" if spared else "")
                + "; calls in progress go on."
            )
        else:
            line.append(": dispatching was already over, nothing to stop.")
        make_console().print(line, soft_wrap=True)

    return command


def retry_batch(batch_id: str, *, as_json: bool) -> Command:
    """``cartesia-calls batches retry``."""

    async def command(client: AsyncClient) -> None:
        batch = await client.batches.retry(batch_id)
        if as_json:
            print_json(batch.to_dict())
            return
        line = Text(f"Batch {printable(batch.id, one_line=True)} is ")
        line.append_text(batch_status(batch))
        if batch.retry_count:
            line.append(f" (retry #{batch.retry_count})")
        line.append(f": {tally_text(tally(batch))}.")
        make_console().print(line, soft_wrap=True)

    return command


def _progress_text(batch: CallBatch) -> str:
    counts = tally(batch)
    parts = [f"dispatched {counts.dispatched or 0:,}/{counts.total or 0:,}"]
    if counts.completed is not None:
        parts.append(f"completed {counts.completed:,}")
        parts.append(f"failed {counts.failed or 0:,}")
        if counts.cancelled:
            parts.append(f"cancelled {counts.cancelled:,}")
    elif counts.ended is not None:
        parts.append(f"ended {counts.ended:,}")
    return " · ".join(parts)


def wait_batch(
    batch_id: str,
    *,
    dispatch_only: bool,
    timeout: float | None,
    poll_interval: float,
    as_json: bool,
    quiet: bool = False,
) -> Command:
    """``cartesia-calls batches wait``: a progress bar on stderr (on a terminal), then one line:
    how the batch went."""

    async def command(client: AsyncClient) -> None:
        progress = progress_display(
            TextColumn(f"batch {printable(batch_id, one_line=True)}"),
            BarColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            quiet=quiet,
        )
        task = progress.add_task("waiting for the first answer...", total=None)

        def on_progress(batch: CallBatch) -> None:
            counts = tally(batch)
            done = counts.dispatched if dispatch_only else counts.ended
            progress.update(
                task, completed=done or 0, total=counts.total, description=_progress_text(batch)
            )

        try:
            with progress:
                batch = await client.batches.wait(
                    batch_id,
                    dispatch_only=dispatch_only,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    max_poll_interval=max(30.0, poll_interval),
                    on_progress=on_progress,
                )
        except WaitTimeoutError as exc:
            raise CommandFailed(f"{exc}; wait longer with --timeout", EXIT_WAIT_TIMEOUT) from None
        if as_json:
            print_json(batch.to_dict())
            return
        line = Text(f"Batch {printable(batch.id, one_line=True)} ")
        line.append_text(batch_status(batch))
        line.append(f": {tally_text(tally(batch))}.")
        make_console().print(line, soft_wrap=True)
        counts = tally(batch)
        if counts.failed:
            note(
                f"Call the failed ones again: cartesia-calls batches retry {batch.id}", quiet=quiet
            )

    return command
