"""Rich views of call batches: the counts, the facts, the recipients, the list table.

Like :mod:`._render`, every string the server sent goes through
:func:`cartesia_calls._display.printable` and is laid out as :class:`rich.text.Text`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.table import Table
from rich.text import Text

from cartesia_calls import CallBatch
from cartesia_calls._display import clip, format_time, printable

from ._render import fitted_table

_BATCH_STYLES = {
    "completed": "green",
    "failed": "red",
    "cancelled": "magenta",
    "pending": "yellow",
    "in_progress": "yellow",
}
#: The most characters of a recipient's error the table shows (the rest: ``--json``).
ERROR_CHARS = 200
_RECIPIENT_STYLES = {"completed": "green", "failed": "red", "cancelled": "magenta"}


@dataclass(frozen=True)
class Tally:
    """A batch's recipients counted: from the recipients when the batch has them (Get Call
    Batch), else from the API's counters (``completed``, ``failed``, ``cancelled`` unknown)."""

    total: int | None
    dispatched: int | None
    ended: int | None
    completed: int | None = None
    failed: int | None = None
    cancelled: int | None = None


def tally(batch: CallBatch) -> Tally:
    """Count a batch's recipients by where they are."""
    if batch.recipients is None:
        return Tally(
            batch.total_calls_scheduled, batch.total_calls_dispatched, batch.total_calls_finished
        )
    statuses = Counter(str(r.status) for r in batch.recipients)
    total = len(batch.recipients)
    return Tally(
        total=total,
        dispatched=total - statuses["queued"] - statuses["cancelled"],
        ended=sum(1 for r in batch.recipients if r.call_ended),
        completed=statuses["completed"],
        failed=statuses["failed"],
        cancelled=statuses["cancelled"],
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def tally_text(counts: Tally) -> str:
    """``4 recipients: 3 dispatched; 1 completed, 1 failed, 1 on a call or ringing, 1 queued``."""
    if counts.total is None:
        return "recipients unknown"
    text = _plural(counts.total, "recipient")
    parts = []
    if counts.dispatched is not None:
        parts.append(f"{counts.dispatched:,} dispatched")
    if counts.completed is None:
        if counts.ended is not None:
            parts.append(f"{counts.ended:,} ended")
        return f"{text}: {', '.join(parts)}" if parts else text
    outcomes = [f"{counts.completed:,} completed", f"{counts.failed or 0:,} failed"]
    if counts.cancelled:
        outcomes.append(f"{counts.cancelled:,} cancelled")
    ongoing = (counts.dispatched or 0) - (counts.completed or 0) - (counts.failed or 0)
    if ongoing > 0:
        outcomes.append(f"{ongoing:,} on a call or ringing")
    queued = counts.total - (counts.dispatched or 0) - (counts.cancelled or 0)
    if queued > 0:
        outcomes.append(f"{queued:,} queued")
    return f"{text}: {', '.join(parts)}; {', '.join(outcomes)}"


def batch_status(batch: CallBatch) -> Text:
    """The batch's status, coloured."""
    status = printable(str(batch.status or "unknown"), one_line=True)
    return Text(status, style=_BATCH_STYLES.get(status, "yellow"))


def batch_facts(batch: CallBatch) -> Table:
    """The batch's header: id, name, status, agent, number, times and counts."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row("Batch", Text(printable(batch.id, one_line=True), style="bold"))
    if batch.name:
        grid.add_row("Name", Text(printable(batch.name, one_line=True)))
    status = batch_status(batch)
    if batch.is_terminal and batch.all_calls_ended is False:
        status.append(" (dispatching over; calls still running)", style="dim")
    grid.add_row("Status", status)
    grid.add_row("Recipients", Text(tally_text(tally(batch))))
    rows = [
        ("Agent", batch.agent_id),
        ("From", batch.from_number_id),
        ("Region", None if batch.region is None else str(batch.region)),
        ("Concurrency", _number(batch.target_concurrency_limit)),
        ("Retries", _number(batch.retry_count)),
        ("Created", None if batch.created_at is None else format_time(batch.created_at)),
        ("Scheduled", None if batch.scheduled_at is None else format_time(batch.scheduled_at)),
        ("Started", None if batch.admitted_at is None else format_time(batch.admitted_at)),
        ("Updated", None if batch.last_updated_at is None else format_time(batch.last_updated_at)),
    ]
    for label, value in rows:
        if value is not None:
            grid.add_row(label, Text(printable(value, one_line=True)))
    return grid


def _number(value: int | None) -> str | None:
    return None if value is None else f"{value:,}"


def recipients_table(batch: CallBatch) -> Table | Text:
    """One row per recipient: number, status, end reason, call id, and why it was not placed
    (at most :data:`ERROR_CHARS` characters of it)."""
    recipients = batch.recipients
    if recipients is None:
        return Text("The API sent no recipients for this batch.", style="dim")
    if not recipients:
        return Text("The batch has no recipients.", style="dim")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    for header in ("number", "status", "end reason", "call"):
        table.add_column(header, no_wrap=True)
    with_errors = any(r.error_message for r in recipients)
    if with_errors:
        table.add_column("error", overflow="fold")
    for recipient in recipients:
        status = printable(str(recipient.status or "-"), one_line=True)
        row = [
            Text(printable(recipient.to_number or "-", one_line=True)),
            Text(status, style=_RECIPIENT_STYLES.get(status, "yellow")),
            Text(printable(str(recipient.end_reason or "-"), one_line=True)),
            Text(printable(recipient.agent_call_id or "-", one_line=True)),
        ]
        if with_errors:
            error = clip(printable(recipient.error_message or "", one_line=True), ERROR_CHARS)
            row.append(Text(error, style="red"))
        table.add_row(*row)
    return table


def batches_table(batches: Sequence[CallBatch], *, width: int) -> Table:
    """A table of batches: id, status, recipients, dispatched, ended, created, and the name cut
    to what fits in ``width`` columns (left out when too narrow)."""
    rows: list[list[Text]] = []
    for batch in batches:
        counts = tally(batch)
        rows.append(
            [
                Text(printable(batch.id, one_line=True), style="bold"),
                batch_status(batch),
                Text(_number(counts.total) or "-"),
                Text(_number(counts.dispatched) or "-"),
                Text(_number(counts.ended) or "-"),
                Text(format_time(batch.created_at, seconds=False)),
                Text(printable(batch.name or "", one_line=True)),
            ]
        )
    headers = ["id", "status", "recipients", "dispatched", "ended", "created (UTC)", "name"]
    return fitted_table(
        headers, rows, width=width, right={"recipients", "dispatched", "ended"}, last_min=8
    )
