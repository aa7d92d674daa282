"""Readable calls: ``str(call)`` in a REPL, ``_repr_html_`` in notebooks; ``repr`` unchanged."""

from __future__ import annotations

import datetime as dt
import html.parser
import re
from typing import Any

import pytest

from cartesia_calls import AgentCall, CallStatus, TranscriptTurn
from cartesia_calls._display import (
    HTML_TURNS,
    MAX_FACT_CHARS,
    TEXT_TURNS,
    call_facts,
    format_duration,
    format_offset,
    format_seconds,
    format_time,
)
from cartesia_calls.testing import make_call, sample_calls

EVIL = '<script>alert("x")</script>'


def sample(call_id: str) -> AgentCall:
    return next(call for call in sample_calls() if call.id == call_id)


def evil_call() -> AgentCall:
    return AgentCall.from_dict(
        {
            "id": "ac_<b>evil</b>",
            "agent_id": "agent_1",
            "agent_name": "Ops & <Support>",
            "status": "completed",
            "summary": EVIL,
            "metadata": {"note": EVIL},
            "transcript": [
                {"role": "user", "start_timestamp": 1.0, "end_timestamp": 2.0, "text": EVIL},
                {
                    "role": "assistant",
                    "start_timestamp": 2.5,
                    "end_timestamp": 4.0,
                    "text": "ok",
                    "tool_calls": [
                        {"name": "<img src=x>", "arguments": {"q": EVIL}, "result": EVIL}
                    ],
                },
                {
                    "role": "system",
                    "start_timestamp": 4.0,
                    "end_timestamp": 4.0,
                    "log_event": {"event": EVIL, "metadata": {"k": EVIL}},
                },
            ],
        }
    )


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


# -- formatters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "--:--"), (0, "00:00"), (5.9, "00:05"), (65, "01:05"), (3725, "1:02:05")],
)
def test_format_offset(seconds: float | None, text: str) -> None:
    assert format_offset(seconds) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "-"),
        (42.4, "42s"),
        (dt.timedelta(minutes=4, seconds=12), "4m 12s"),
        (dt.timedelta(hours=1, minutes=2), "1h 02m"),
    ],
)
def test_format_duration(value: dt.timedelta | float | None, text: str) -> None:
    assert format_duration(value) == text


def test_format_time_and_seconds() -> None:
    moment = dt.datetime(2026, 3, 1, 9, 14, 3, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert format_time(moment) == "2026-03-01 08:14:03 UTC"
    assert format_time(None) == "-"
    assert format_seconds(0.1804) == "180 ms"
    assert format_seconds(1.254) == "1.25 s"


def test_facts_leave_out_what_is_unknown() -> None:
    facts = dict(call_facts(AgentCall.from_dict({"id": "ac_1", "agent_id": "a", "status": "x"})))
    assert facts == {"Call": "ac_1", "Status": "x", "Agent": "a"}


def test_facts_show_the_calls_variables_and_telephony_account_printable_and_bounded() -> None:
    call = AgentCall.from_dict(
        {
            "id": "ac_1",
            "agent_id": "a",
            "status": "completed",
            "telephony_account_type": "sip_trunk",
            "dynamic_variables": {"first_name": "Ada\x1b]0;owned\x07", "visits": 3, "vip": True},
        }
    )
    facts = dict(call_facts(call))
    assert facts["Telephony"] == "sip_trunk"
    # JSON writes the escape sequence as inert text: nothing reaches a terminal raw.
    assert facts["Variables"] == (
        '{"first_name": "Ada\\u001b]0;owned\\u0007", "visits": 3, "vip": true}'
    )
    assert "Variables" in str(call)
    assert "sip_trunk" in call._repr_html_()
    assert "&quot;visits&quot;: 3" in call._repr_html_()
    big = AgentCall.from_dict(
        {
            "id": "ac_2",
            "agent_id": "a",
            "status": "completed",
            "dynamic_variables": {"note": "x" * 5000},
        }
    )
    shown = dict(call_facts(big))["Variables"]
    assert len(shown) < MAX_FACT_CHARS + 40
    left_out = len('{"note": ""}') + 5000 - MAX_FACT_CHARS
    assert shown == '{"note": "' + "x" * (MAX_FACT_CHARS - 10) + f"… ({left_out:,} more characters)"


def test_a_call_built_with_deeply_nested_metadata_still_prints() -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(5000):
        inner["a"] = {}
        inner = inner["a"]
    call = AgentCall(id="ac_1", agent_id="a", status=CallStatus.COMPLETED, metadata=deep)
    assert dict(call_facts(call))["Metadata"].startswith("{'a': {'a': ")
    assert "Metadata" in str(call)
    assert "Metadata" in call._repr_html_()


# -- plain text -----------------------------------------------------------------------------------


def test_str_is_a_short_readable_summary() -> None:
    call = sample("ac_dental_reschedule")
    text = str(call)
    lines = text.splitlines()
    assert lines[0] == "Call        ac_dental_reschedule"
    assert "Status      completed · agent_hangup" in lines
    assert "Ended       2026-03-01 09:15:17 UTC (1m 14s)" in lines
    assert "Transcript  16 turns" in lines
    assert any(line.startswith("00:00 agent  Thanks for calling") for line in lines)
    assert '      ↳ lookup_patient({"phone": "+14155550134"}) → {"patient_id"' in text
    assert "[interrupted, tts " in text
    assert lines[-1] == f"… {16 - TEXT_TURNS} more turns in call.transcript"


def test_repr_is_still_the_attrs_repr() -> None:
    call = sample("ac_dental_reschedule")
    assert repr(call).startswith("AgentCall(id='ac_dental_reschedule', agent_id=")
    assert "transcript=[TranscriptTurn(role=" in repr(call)
    assert str(call) != repr(call)
    assert repr(call.transcript[0]).startswith("TranscriptTurn(role=")  # type: ignore[index]


def test_str_of_a_turn_is_one_line_per_turn_and_tool() -> None:
    turns = sample("ac_dental_reschedule").transcript
    assert turns is not None
    assert str(turns[1]).startswith("00:05 user   Hi Maya.")
    assert str(turns[1]).endswith("[stt 229 ms]")
    assert len(str(turns[4]).splitlines()) == 2
    assert str(turns[11]).startswith("00:56 system event appointment_rescheduled {")
    assert str(turns[-1]) == "01:13 system metric llm_ttft_ms = 312"


def test_str_of_calls_without_transcript() -> None:
    redacted = str(sample("ac_dental_redacted"))
    assert re.search(r"^Redacted +2026-02-28 16:00:00 UTC: transcript, recording", redacted, re.M)
    assert "Transcript" not in redacted
    zdr = str(sample("ac_fiber_zdr"))
    assert "zero data retention" in zdr
    failed = str(sample("ac_refill_marcus"))
    assert "failed · dial_no_answer" in failed
    assert "Error       Nobody answered" in failed
    assert "Transcript  0 turns" in failed


# -- HTML -----------------------------------------------------------------------------------------


def test_html_view_of_a_call() -> None:
    call = sample("ac_dental_reschedule")
    markup = call._repr_html_()
    parsed = parse(markup)
    text = " ".join(parsed.text)
    assert {"div", "table", "tr", "td", "span"} <= parsed.tags
    assert "ac_dental_reschedule" in text
    assert "Bright Smile Dental front desk (agent_dental_frontdesk)" in text
    assert "00:05" in text
    assert "Hi Maya." in text
    assert 'lookup_patient({"phone": "+14155550134"})' in text
    assert "stt 229 ms" in text
    assert "interrupted · tts" in text
    assert "metric llm_ttft_ms = 312" in text


def test_html_escapes_everything_from_the_api() -> None:
    call = evil_call()
    for markup in [call._repr_html_(), *(turn._repr_html_() for turn in call.transcript or [])]:
        assert "<script" not in markup
        assert "<img" not in markup
        assert "<b>evil" not in markup
        assert parse(markup).tags <= {"div", "table", "tr", "td", "th", "span", "b", "br"}
    markup = call._repr_html_()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in markup
    assert "Ops &amp; &lt;Support&gt;" in markup
    assert EVIL in " ".join(parse(markup).text)  # the text reads as written


def test_html_of_a_huge_call_is_cut() -> None:
    call = make_call("ac_huge", turns=HTML_TURNS + 25)
    markup = call._repr_html_()
    assert markup.count("<tr><td") == HTML_TURNS
    assert "25 more turns in call.transcript" in markup


def test_html_of_a_turn() -> None:
    turn = TranscriptTurn.from_dict(
        {
            "role": "user",
            "start_timestamp": 61.2,
            "end_timestamp": 63,
            "text": "Hi",
            "stt_ttfb": 0.2,
        }
    )
    text = " ".join(parse(turn._repr_html_()).text)
    assert "01:01" in text
    assert "user" in text
    assert "Hi" in text
    assert "stt 200 ms" in text


def test_an_unknown_role_and_empty_turn_still_render() -> None:
    turn = TranscriptTurn.from_dict({"role": "narrator", "start_timestamp": 0, "end_timestamp": 0})
    assert str(turn) == "00:00 narrator "
    assert "narrator" in turn._repr_html_()
