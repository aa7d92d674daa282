"""Human-readable views of calls: plain text for ``str()``, HTML for notebooks.

``str(call)`` is a short multi-line summary (the header facts and the first turns of the
transcript); in Jupyter, VS Code or any notebook that renders ``_repr_html_``, a call shows as a
conversation. ``repr(call)`` stays the attrs-style ``AgentCall(id=..., ...)``.

Standard library only; every value taken from a call is HTML-escaped. The small formatters here
(``format_offset``, ``call_facts``...) are shared with the ``cartesia-calls`` command line.

Every string the server sent goes through :func:`printable` before any view shows it: a call's
name, summary or transcript could otherwise carry terminal escape sequences (retitle the window,
clear the screen, hide a hyperlink) or bidi overrides that make text read differently than it
is. ``to_dict()`` and ``--json`` keep the exact values.
"""

from __future__ import annotations

import datetime as _dt
import html
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from ._freeform import safe_repr, too_deep

if TYPE_CHECKING:
    from ._models import AgentCall, ToolCall, TranscriptTurn

__all__ = [
    "call_facts",
    "call_html",
    "call_text",
    "clip",
    "format_duration",
    "format_offset",
    "format_seconds",
    "format_time",
    "printable",
    "role_label",
    "tool_call_text",
    "turn_body",
    "turn_html",
    "turn_latency",
    "turn_text",
]

#: The most characters one header fact shows (a long summary, a big set of variables): the
#: rest is cut, and the view says how much more there is.
MAX_FACT_CHARS: Final = 1000
#: How many turns ``str(call)`` shows before "... N more turns".
TEXT_TURNS: Final = 10
#: How many turns the notebook view renders before "... N more turns" (keeps huge calls light).
HTML_TURNS: Final = 500

_ROLE_LABELS: Final = {"assistant": "agent", "user": "user", "system": "system"}


# -- terminal safety -----------------------------------------------------------------------------

# Escape sequences, whole: CSI (ESC [ or U+009B, parameters, intermediates, a final byte), the
# string controls OSC/DCS/SOS/PM/APC (ESC ] P X ^ _ or their one-character C1 forms, up to BEL, ST
# or the end of the text: an unterminated one would swallow what follows on a terminal), and any
# other escape (ESC, intermediates, a final byte). Every branch ends in optional parts, so a match
# never backtracks: linear on any input.
_ESCAPE_RE: Final = re.compile(
    "(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]?"
    "|(?:\x1b[\\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\\\|\x9c)?"
    "|\x1b[ -/]*[0-~]?"
)
# Characters removed on their own: C0 controls but tab and newline, DEL, C1 controls, and the bidi
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069; the marks LRM/RLM stay, RTL
# text needs them).
_REMOVED: Final = [
    *(c for c in range(0x20) if c not in (0x09, 0x0A)),
    *range(0x7F, 0xA0),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_MULTILINE: Final = dict.fromkeys(_REMOVED)
_ONE_LINE: Final = {**_MULTILINE, 0x09: " ", 0x0A: " "}


def printable(text: str, *, one_line: bool = False) -> str:
    """``text`` safe to print on a terminal: escape sequences and control characters removed.

    Removes whole escape sequences (colours, cursor moves, window titles, OSC 8 hyperlinks),
    every other C0/C1 control character and DEL, and the bidi overrides and isolates. Newlines
    and tabs stay, or become spaces with ``one_line=True`` (table cells). Linear time; a string
    that needs nothing is returned as it is.
    """
    if text.isprintable():
        return text
    cleaned = _ESCAPE_RE.sub("", text)
    return cleaned.translate(_ONE_LINE if one_line else _MULTILINE)


# -- small formatters ----------------------------------------------------------------------------


def format_offset(seconds: float | None) -> str:
    """Seconds from the call's start as ``mm:ss`` (``h:mm:ss`` past an hour)."""
    if seconds is None:
        return "--:--"
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def format_duration(value: _dt.timedelta | float | None) -> str:
    """A duration for people: ``42s``, ``4m 12s``, ``1h 02m``; ``-`` when unknown."""
    if value is None:
        return "-"
    seconds = value.total_seconds() if isinstance(value, _dt.timedelta) else float(value)
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def format_time(moment: _dt.datetime | None, *, seconds: bool = True) -> str:
    """A UTC timestamp as ``2026-03-01 09:14:03 UTC``; ``-`` when unknown."""
    if moment is None:
        return "-"
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if seconds else "%Y-%m-%d %H:%M")


def format_seconds(value: float) -> str:
    """A latency: ``180 ms`` below a second, ``1.25 s`` above."""
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def role_label(role: str) -> str:
    """``agent``, ``user`` or ``system`` (the API's ``assistant`` is shown as ``agent``)."""
    return _ROLE_LABELS.get(str(role), printable(str(role), one_line=True))


def _compact(value: Any) -> str:
    """Free-form values (variables, metadata, tool arguments) as one line of JSON; a value
    JSON cannot write, or nested too deep to write safely (built by hand, not decoded), as
    its depth-safe ``repr``."""
    if too_deep(value):
        return safe_repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
    except (TypeError, ValueError):
        return safe_repr(value)


def clip(text: str, limit: int = MAX_FACT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def turn_latency(turn: TranscriptTurn) -> str | None:
    """The turn's latency figures, e.g. ``stt 160 ms`` or ``tts 210 ms``; ``None`` if none."""
    parts = []
    if turn.stt_ttfb is not None:
        parts.append(f"stt {format_seconds(turn.stt_ttfb)}")
    if turn.tts_ttfb is not None:
        parts.append(f"tts {format_seconds(turn.tts_ttfb)}")
    return " · ".join(parts) or None


def turn_body(turn: TranscriptTurn) -> str:
    """What a turn says: its text, or for a ``system`` turn its event or metric (printable)."""
    return printable(_turn_body(turn))


def _turn_body(turn: TranscriptTurn) -> str:
    if turn.text is not None:
        return turn.text
    if turn.log_event is not None:
        event = turn.log_event
        details = f" {_compact(event.metadata)}" if event.metadata else ""
        return f"event {event.event or '?'}{details}"
    if turn.log_metric is not None:
        metric = turn.log_metric
        value = "?" if metric.value is None else f"{metric.value:g}"
        return f"metric {metric.name or '?'} = {value}"
    if turn.text_chunks:
        return "".join(chunk.text or "" for chunk in turn.text_chunks)
    return ""


def tool_call_text(tool: ToolCall) -> tuple[str, str | None]:
    """A tool call as ``(name(arguments), result)``, printable; the result is ``None`` when
    absent."""
    arguments = _compact(tool.arguments) if tool.arguments is not None else ""
    result = None if tool.result is None else printable(tool.result)
    return printable(f"{tool.name or 'tool'}({arguments})"), result


def turn_notes(turn: TranscriptTurn) -> list[str]:
    """What to say beside a turn's text: ``interrupted``, and its latency figures."""
    notes = []
    if turn.end_reason == "interrupted":
        notes.append("interrupted")
    latency = turn_latency(turn)
    if latency:
        notes.append(latency)
    return notes


def call_facts(call: AgentCall) -> list[tuple[str, str]]:
    """The header of a call as ``(label, value)`` pairs, only those that are known; every value
    is :func:`printable` and at most :data:`MAX_FACT_CHARS` long."""
    facts: list[tuple[str, str]] = [("Call", call.id)]
    status = str(call.status)
    if call.end_reason is not None:
        status += f" · {call.end_reason}"
    facts.append(("Status", status))
    agent = f"{call.agent_name} ({call.agent_id})" if call.agent_name else call.agent_id
    facts.append(("Agent", agent))
    if call.start_time is not None:
        facts.append(("Started", format_time(call.start_time)))
    if call.end_time is not None:
        facts.append(("Ended", f"{format_time(call.end_time)} ({format_duration(call.duration)})"))
    params = call.telephony_params
    if params is not None and (params.from_ or params.to):
        numbers = f"{params.from_ or '?'} → {params.to or '?'}"
        if params.direction is not None:
            numbers += f" ({params.direction})"
        facts.append(("Numbers", numbers))
    if call.telephony_account_type is not None:
        facts.append(("Telephony", str(call.telephony_account_type)))
    if call.summary:
        facts.append(("Summary", call.summary))
    if call.error_message:
        facts.append(("Error", call.error_message))
    if call.redacted_at is not None:
        facts.append(
            (
                "Redacted",
                f"{format_time(call.redacted_at)}: transcript, recording, logs and other "
                "sensitive data deleted",
            )
        )
    if call.zdr_enabled:
        facts.append(("Retention", "zero data retention: no transcript, audio or logs kept"))
    if call.dynamic_variables:
        facts.append(("Variables", _compact(call.dynamic_variables)))
    if call.metadata:
        facts.append(("Metadata", _compact(call.metadata)))
    if call.transcript is not None:
        facts.append(("Transcript", _plural(len(call.transcript), "turn")))
    return [(label, clip(printable(value))) for label, value in facts]


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


# -- plain text ----------------------------------------------------------------------------------


def turn_text(turn: TranscriptTurn) -> str:
    """One line (plus one per tool call): ``01:05 agent  Sure, let me check.  [tts 210 ms]``."""
    line = f"{format_offset(turn.start_timestamp)} {role_label(turn.role):<6} {turn_body(turn)}"
    notes = turn_notes(turn)
    if notes:
        line += f"  [{', '.join(notes)}]"
    for tool in turn.tool_calls or ():
        call, result = tool_call_text(tool)
        line += f"\n      ↳ {call}" + (f" → {result}" if result is not None else "")
    return line


def call_text(call: AgentCall, *, max_turns: int = TEXT_TURNS) -> str:
    """``str(call)``: the header facts, then the first ``max_turns`` turns of the transcript."""
    facts = call_facts(call)
    width = max(len(label) for label, _ in facts)
    lines = [f"{label:<{width}}  {value}" for label, value in facts]
    turns = call.transcript or []
    if turns:
        lines.append("")
        lines.extend(turn_text(turn) for turn in turns[:max_turns])
        if len(turns) > max_turns:
            lines.append(f"… {_plural(len(turns) - max_turns, 'more turn')} in call.transcript")
    return "\n".join(lines)


# -- HTML ----------------------------------------------------------------------------------------

_e = html.escape

_BOX: Final = (
    "font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, sans-serif; "
    "font-size: 13px; line-height: 1.45; max-width: 960px;"
)
_MUTED: Final = "opacity: 0.65;"
_ROLE_STYLES: Final = {
    "assistant": "background: rgba(38, 132, 255, 0.15); color: inherit;",
    "user": "background: rgba(46, 160, 67, 0.18); color: inherit;",
    "system": "background: rgba(128, 128, 128, 0.15); color: inherit; font-style: italic;",
}
_STATUS_COLORS: Final = {"completed": "#2ea043", "failed": "#d1242f"}


def _badge(text: str, style: str) -> str:
    return (
        f'<span style="{style} border-radius: 4px; padding: 0 6px; font-size: 12px; '
        f'white-space: nowrap;">{_e(text)}</span>'
    )


def _tool_html(tool: ToolCall) -> str:
    call, result = tool_call_text(tool)
    parts = [
        '<div style="margin: 2px 0 0 0; font-family: ui-monospace, SFMono-Regular, Menlo, '
        'monospace; font-size: 12px;">',
        f"<span style={_q(_MUTED)}>↳ tool</span> <b>{_e(call)}</b>",
    ]
    if result is not None:
        parts.append(f"<br><span style={_q(_MUTED)}>→</span> {_e(result)}")
    parts.append("</div>")
    return "".join(parts)


def _q(value: str) -> str:
    return f'"{_e(value)}"'


def _turn_row(turn: TranscriptTurn) -> str:
    role = str(turn.role)
    body = _e(turn_body(turn))
    if role == "system":
        body = f"<span style={_q(_MUTED)}>{body}</span>"
    tools = "".join(_tool_html(tool) for tool in turn.tool_calls or ())
    notes = turn_notes(turn)
    note_html = (
        f'<div style="{_MUTED} font-size: 11px;">{_e(" · ".join(notes))}</div>' if notes else ""
    )
    cell = "padding: 3px 8px; vertical-align: top; text-align: left;"
    return (
        "<tr>"
        f'<td style="{cell} {_MUTED} font-family: ui-monospace, monospace; white-space: nowrap;">'
        f"{_e(format_offset(turn.start_timestamp))}</td>"
        f'<td style="{cell}">{_badge(role_label(role), _ROLE_STYLES.get(role, _ROLE_STYLES["system"]))}</td>'  # noqa: E501
        f'<td style="{cell}">{body}{tools}{note_html}</td>'
        "</tr>"
    )


def _turn_table(turns: Iterable[TranscriptTurn]) -> str:
    rows = "".join(_turn_row(turn) for turn in turns)
    return f'<table style="border-collapse: collapse; margin-top: 8px;">{rows}</table>'


def turn_html(turn: TranscriptTurn) -> str:
    """A transcript turn for notebooks (``TranscriptTurn._repr_html_``)."""
    return f'<div style="{_BOX}">{_turn_table([turn])}</div>'


def call_html(call: AgentCall, *, max_turns: int = HTML_TURNS) -> str:
    """A call for notebooks (``AgentCall._repr_html_``): header facts, then the conversation."""
    status = str(call.status)
    color = _STATUS_COLORS.get(status, "#bf8700")
    title = (
        f'<div style="font-size: 15px; margin-bottom: 6px;"><b>{_e(call.id)}</b> '
        f'<span style="color: {color}; font-weight: 600;">{_e(status)}</span>'
        + (
            f" <span style={_q(_MUTED)}>· {_e(str(call.end_reason))}</span>"
            if call.end_reason
            else ""
        )
        + "</div>"
    )
    rows = "".join(
        f'<tr><th style="text-align: left; padding: 1px 12px 1px 0; vertical-align: top; '
        f'font-weight: 600; white-space: nowrap;">{_e(label)}</th>'
        f'<td style="text-align: left; padding: 1px 0;">{_e(value)}</td></tr>'
        for label, value in call_facts(call)
        if label not in {"Call", "Status"}
    )
    parts = [
        f'<div style="{_BOX}">',
        title,
        f'<table style="border-collapse: collapse;">{rows}</table>',
    ]
    turns = call.transcript or []
    if turns:
        parts.append(_turn_table(turns[:max_turns]))
        if len(turns) > max_turns:
            more = _plural(len(turns) - max_turns, "more turn")
            parts.append(f"<div style={_q(_MUTED)}>… {_e(more)} in call.transcript</div>")
    parts.append("</div>")
    return "".join(parts)
