"""Rich views of calls for the terminal: the header facts, the conversation, the list table.

User data is always rendered as :class:`rich.text.Text` (never parsed as markup), so a
transcript containing ``[bold]`` prints as written. Every string the server sent goes through
:func:`cartesia_calls._display.printable` before it is laid out, so escape sequences and control
characters in it never reach the terminal; the consoles made here apply it once more to
whatever they print, as a last guard. ``--json`` output keeps every value exact.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import textwrap
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from rich import box
from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    JustifyMethod,
    RenderHook,
    RenderResult,
)
from rich.progress import Progress, ProgressColumn
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from cartesia_calls import AgentCall
from cartesia_calls._display import (
    call_facts,
    format_duration,
    format_offset,
    format_time,
    printable,
    role_label,
    tool_call_text,
    turn_body,
    turn_notes,
)

_ROLE_STYLES = {"assistant": "bold cyan", "user": "bold green", "system": "dim"}
_STATUS_STYLES = {"completed": "green", "failed": "red", "created": "yellow", "started": "yellow"}
#: Width used when the output is not a terminal (a pipe, a file) and COLUMNS is not set.
PIPE_WIDTH = 120


def _tolerant(stream: Any) -> None:
    # A transcript may hold any character; a console that cannot show one gets an escape
    # instead of a UnicodeEncodeError.
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, TypeError, OSError):  # exotic streams
            reconfigure(errors="backslashreplace")


class _Printable:
    """Renders another renderable with :func:`printable` applied to its text (not to the
    control codes rich itself emits for colours and live displays)."""

    def __init__(self, renderable: ConsoleRenderable) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


class _PrintableHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Printable(renderable) for renderable in renderables]


def make_console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr): no markup or auto-highlighting of data, nothing that
    could drive the terminal in what it prints, colors only on a terminal, 120 columns when
    writing to a pipe."""
    _tolerant(sys.stderr if stderr else sys.stdout)
    console = Console(stderr=stderr, markup=False, highlight=False, emoji=False)
    console.push_render_hook(_PrintableHook())
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPE_WIDTH
    return console


def note(text: str, *, quiet: bool) -> None:
    """A dim note on stderr (what to run next, what was left out), unless ``quiet``."""
    if not quiet:
        make_console(stderr=True).print(Text(text, style="dim"), soft_wrap=True)


def progress_display(*columns: ProgressColumn | str, quiet: bool) -> Progress:
    """A progress display on stderr that shows only on a terminal and not with ``quiet``, and
    is gone when it ends (what stays is the command's result line)."""
    err = make_console(stderr=True)
    return Progress(*columns, console=err, transient=True, disable=quiet or not err.is_terminal)


# Characters JSON may carry raw (ensure_ascii=False) that a terminal would act on: DEL, the C1
# controls and the bidi overrides. Written as \u escapes, they are the same JSON values (jq and
# json.loads read them back exactly) but inert on a terminal. json.dumps escapes C0 itself.
_JSON_ESCAPES: dict[int, str] = {
    c: f"\\u{c:04x}" for c in [*range(0x7F, 0xA0), *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}


def _json_text(value: Any, **options: Any) -> str:
    return json.dumps(value, ensure_ascii=False, **options).translate(_JSON_ESCAPES)


def print_json(value: Any) -> None:
    """Indented JSON on stdout, unwrapped (for pipes and jq); values exact."""
    sys.stdout.write(_json_text(value, indent=2) + "\n")
    sys.stdout.flush()


def print_json_line(value: Any) -> None:
    """One JSON Lines record on stdout; values exact."""
    sys.stdout.write(_json_text(value, separators=(",", ":")) + "\n")


def status_text(call: AgentCall) -> Text:
    """``completed`` in green, ``failed`` in red, anything running in yellow."""
    status = printable(str(call.status), one_line=True)
    return Text(status, style=_STATUS_STYLES.get(status, "yellow"))


def facts(call: AgentCall) -> Table:
    """The call's header: id and status on top, then one labelled fact per line."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in call_facts(call):
        if label == "Status":
            text = status_text(call)
            if call.end_reason is not None:
                text.append(f" · {printable(str(call.end_reason), one_line=True)}")
            grid.add_row(label, text)
        elif label == "Call":
            grid.add_row(label, Text(value, style="bold"))
        else:
            grid.add_row(label, Text(value))
    return grid


def conversation(call: AgentCall, width: int) -> Text:
    """The transcript as a conversation, wrapped to ``width`` columns, as one :class:`Text`.

    One block per turn: ``mm:ss  who   text``, continuation lines indented under the text, then
    one line per tool call (``↳ name(arguments)`` and ``→ result``); latency figures and
    interruptions end the turn's last line, dimmed.
    """
    turns = call.transcript
    if turns is None:
        reason = (
            "deleted"
            if call.is_redacted
            else "not kept (zero data retention)"
            if call.zdr_enabled
            else "not available"
        )
        return Text(f"No transcript: {reason}.", style="dim")
    if not turns:
        return Text("The transcript is empty.", style="dim")
    time_width = max(len(format_offset(turn.start_timestamp)) for turn in turns)
    indent = " " * (2 + time_width + 2 + 6 + 2)
    body_width = max(24, width - len(indent))
    lines: list[Text] = []
    for turn in turns:
        role = str(turn.role)
        style = _ROLE_STYLES.get(role, "dim")
        body = turn_body(turn)
        wrapped = textwrap.wrap(body, body_width) or [""]
        notes = turn_notes(turn)
        for index, piece in enumerate(wrapped):
            line = Text(indent)
            if index == 0:
                line = Text("  ")
                line.append(format_offset(turn.start_timestamp).rjust(time_width), style="dim")
                line.append("  ")
                line.append(f"{role_label(role):<6}", style=style)
                line.append("  ")
            line.append(piece, style="dim italic" if role == "system" else "")
            lines.append(line)
        if notes:
            note = "  " + " · ".join(notes)
            if len(wrapped[-1]) + len(note) <= body_width:
                lines[-1].append(note, style="dim")
            else:
                lines.append(Text(indent + note.strip(), style="dim"))
        for tool in turn.tool_calls or ():
            call_line, result = tool_call_text(tool)
            for index, piece in enumerate(textwrap.wrap(call_line, body_width - 2) or [""]):
                line = Text(indent)
                line.append("↳ " if index == 0 else "  ", style="dim")
                line.append(piece, style="magenta")
                lines.append(line)
            if result is not None:
                for index, piece in enumerate(textwrap.wrap(result, body_width - 2) or [""]):
                    line = Text(indent)
                    line.append("→ " if index == 0 else "  ", style="dim")
                    line.append(piece, style="dim")
                    lines.append(line)
    return Text("\n").join(lines)


def print_call(console: Console, call: AgentCall) -> None:
    """Facts, a blank line, the conversation."""
    console.print(facts(call))
    console.print()
    console.print(conversation(call, console.width), soft_wrap=True)


def _summary_cell(call: AgentCall) -> Text:
    if call.is_redacted:
        return Text("(redacted)", style="dim")
    if call.summary:
        return Text(printable(call.summary, one_line=True))
    if call.error_message:
        return Text(printable(call.error_message, one_line=True), style="red")
    if call.zdr_enabled:
        return Text("(zero data retention)", style="dim")
    return Text("")


def calls_table(calls: Sequence[AgentCall], *, width: int, with_turns: bool = False) -> Table:
    """A table of calls: id, status, start, duration, end reason, (turns), and the summary cut
    to what fits in ``width`` columns."""
    rows: list[list[Text]] = []
    for call in calls:
        end_reason = "-" if call.end_reason is None else str(call.end_reason)
        row = [
            Text(printable(call.id, one_line=True), style="bold"),
            status_text(call),
            Text(format_time(call.start_time, seconds=False)),
            Text(format_duration(call.duration)),
            Text(printable(end_reason, one_line=True)),
        ]
        if with_turns:
            row.append(Text("-" if call.transcript is None else str(len(call.transcript))))
        row.append(_summary_cell(call))
        rows.append(row)
    headers = ["id", "status", "started (UTC)", "duration", "end reason"]
    if with_turns:
        headers.append("turns")
    headers.append("summary")
    return fitted_table(headers, rows, width=width, right={"duration", "turns"}, last_min=12)


def fitted_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Text]],
    *,
    width: int,
    right: Collection[str] = (),
    last_min: int,
) -> Table:
    """A list table whose columns are as wide as their widest cell, but the last (a free text:
    summary, name), which gets what is left of ``width`` columns, cut with an ellipsis, or is
    left out when that is less than ``last_min``. Columns named in ``right`` are right-aligned.
    """
    sizes = [
        max([len(header)] + [row[index].cell_len for row in rows])
        for index, header in enumerate(headers[:-1])
    ]
    # Columns are three spaces apart; the last gets what is left.
    last_width = width - sum(sizes) - 3 * (len(headers) - 1)
    with_last = last_width >= last_min
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    for header, size in zip(headers[:-1], sizes, strict=True):
        justify: JustifyMethod = "right" if header in right else "left"
        table.add_column(header, no_wrap=True, min_width=size, justify=justify)
    if with_last:
        table.add_column(headers[-1], no_wrap=True, overflow="ellipsis", max_width=last_width)
    for row in rows:
        table.add_row(*(row if with_last else row[:-1]))
    return table


def log_lines(lines: Iterable[str]) -> Text:
    """Log lines as one unwrapped :class:`Text`; ``ERROR`` lines in red."""
    out = [
        Text(printable(line, one_line=True), style="red" if " ERROR " in line else "")
        for line in lines
    ]
    return Text("\n").join(out)
