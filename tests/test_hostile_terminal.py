"""Server strings full of terminal escape sequences: the command line and ``str(call)`` print them
inert (no escape, control or bidi character reaches the terminal, no rich markup is applied),
while ``--json`` keeps every value exact."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from cartesia_calls import AgentCall
from cartesia_calls._display import printable

from .cli_support import Invoke, invoker
from .hostile import ESCAPES, SECRET, TERMINAL_CONTROLS, Request, Wire, serving_in_thread

MARKUP = "[bold red]MARKUP[/bold red]"


def evil(label: str) -> str:
    """A server string: a label to look for, the escape zoo, and rich markup."""
    return f"{label} {ESCAPES} {MARKUP}"


TURN = {
    "role": "assistant",
    "start_timestamp": 1.0,
    "end_timestamp": 2.0,
    "text": evil("spoken"),
    "tool_calls": [
        {"id": "t1", "name": evil("tool"), "arguments": {"q": evil("arg")}, "result": evil("res")}
    ],
}
CALL: dict[str, Any] = {
    "id": "ac_1",
    "agent_id": "agent_1",
    "agent_name": evil("agent"),
    "status": "completed",
    "end_reason": evil("reason"),
    "summary": evil("summary"),
    "error_message": evil("failure"),
    "start_time": "2026-03-01T12:00:00Z",
    "end_time": "2026-03-01T12:01:00Z",
    "telephony_params": {"from": evil("from"), "to": "+14155550100"},
    "metadata": {"note": evil("meta")},
    "transcript": [TURN, {**TURN, "role": evil("role")}],
}


async def script(request: Request, wire: Wire) -> None:
    if request.path == "/agents/calls":
        failed = {**CALL, "id": "ac_2", "summary": None}  # its table row shows error_message
        await wire.json({"data": [CALL, failed], "next_page": None, "has_more": False})
    elif request.path == "/agents/calls/ac_1":
        await wire.json(CALL)
    elif request.path == "/agents/calls/ac_1/logs":
        await wire.json({"call_id": "ac_1", "logs": [evil("log"), evil("x ERROR y")]})
    else:
        body = {"title": evil("title"), "message": evil("problem"), "request_id": evil("rid")}
        await wire.json(body, status=400)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serving_in_thread(script) as server:
        yield server.base_url


@pytest.fixture
def cli(base_url: str) -> Invoke:
    """The command line against the hostile server (wide: no line is wrapped)."""
    return invoker(base_url, SECRET, columns=200)


def assert_inert(text: str) -> None:
    for control in TERMINAL_CONTROLS:
        assert control not in text, f"{control!r} reached the terminal"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["get", "ac_1"], ["agent", "summary", "failure", "reason", "spoken", "tool", "res"]),
        (["list", "--agent-id", "agent_1"], ["summary", "reason", "failure"]),
        (["list", "--agent-id", "agent_1", "--transcript"], ["summary"]),
        (["logs", "ac_1"], ["log", "x ERROR y"]),
        (["wait", "ac_1"], ["reason", "failure"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) and "ac_1" in value else None,
)
def test_printed_server_strings_are_inert(
    cli: Invoke, args: list[str], expected: list[str]
) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout)
    assert_inert(result.stderr)
    for label in expected:
        assert label in result.stdout
    assert "click me" in result.stdout  # the hyperlink's text stays, its target does not
    # (Metadata and tool arguments are shown as JSON, which spells the escapes out: inert.)
    prose = [line for line in result.stdout.splitlines() if '{"' not in line]
    assert not [line for line in prose if "evil.example" in line]
    assert MARKUP in result.stdout, "rich markup in data is printed as written"


def test_an_error_message_from_the_server_is_inert(cli: Invoke) -> None:
    result = cli("get", "ac_missing")
    assert result.exit_code == 1
    assert_inert(result.stderr)
    assert "problem" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["get", "ac_1", "--json"], ["logs", "ac_1", "--json"]])
def test_json_output_keeps_every_value_exact_and_inert(cli: Invoke, args: list[str]) -> None:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert_inert(result.stdout)
    value = json.loads(result.stdout)
    if args[0] == "get":
        assert value == AgentCall.from_dict(CALL).to_dict()
        assert value["summary"] == evil("summary")
    else:
        assert value["logs"][0] == evil("log")


def test_json_lines_of_a_list_keep_every_value(cli: Invoke) -> None:
    result = cli("list", "--agent-id", "agent_1", "--json")
    assert_inert(result.stdout)
    assert json.loads(result.stdout.splitlines()[0])["agent_name"] == evil("agent")


def test_str_of_a_call_is_inert_and_its_data_exact() -> None:
    call = AgentCall.from_dict(CALL)
    text = str(call)
    assert_inert(text)
    assert "summary" in text
    assert "click me" in text
    assert call.summary == evil("summary")  # the model keeps what the server sent
    assert ESCAPES in call.to_dict()["summary"]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text, unchanged", "plain text, unchanged"),
        ("a\x1b]0;title\x07b", "ab"),
        ("a\x1b]8;;https://x.example/\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),
        ("a\x1b[2J\x1b[1;31mred\x1b[0mb", "aredb"),
        ("a\x9b2Jb", "ab"),
        ("a\x9d0;title\x9cb", "ab"),
        ("a\x1bPpayload\x1b\\b", "ab"),
        ("a\x1bcb", "ab"),
        ("a\u202eb\u2066c\u2069", "abc"),
        ("a\u200fb", "a\u200fb"),  # RLM: right-to-left text needs it
        ("line one\nline\ttwo\r\x00\x7f", "line one\nline\ttwo"),
        ("unterminated \x1b]0;rest of it", "unterminated "),
        ("\x1b[" + "1;" * 10_000, ""),
    ],
)
def test_printable(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_printable_on_one_line() -> None:
    assert printable("a\nb\tc\x1b[0m", one_line=True) == "a b c"
    assert printable("ok", one_line=True) == "ok"
