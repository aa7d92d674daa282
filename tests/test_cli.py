"""The ``cartesia-calls`` command line, end to end against FakeCartesia.

Most tests drive the console script's entry point (``main``) through click's ``CliRunner``, with
the fake server on its own thread (``run_in_thread``) since the runner is synchronous; a few run
the installed script in a subprocess. Every invocation also checks that the API key never shows
up in the output.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import cartesia_calls.cli._commands
import cartesia_calls.cli._prompt
from cartesia_calls import AgentCall, AsyncClient
from cartesia_calls.cli import main
from cartesia_calls.cli._run import describe
from cartesia_calls.testing import FakeCartesia, Lifecycle
from cartesia_calls.testing._fake_versions import render_call
from cartesia_calls.testing._samples import SAMPLE_BATCH_ID, SAMPLE_CALL_ID

from .cli_support import CLI_FAKE, KEY, SCRIPT, Invoke, error_line, invoker, serve_fake

DENTAL = "agent_dental_frontdesk"
DENTAL_IDS = [
    "ac_dental_reschedule",
    "ac_dental_insurance",
    "ac_dental_emergency",
    "ac_dental_redacted",
    "ac_dental_silence",
]

pytestmark = CLI_FAKE


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# -- help, version, import cost -----------------------------------------------------------------


def test_help_lists_every_command(cli: Invoke) -> None:
    result = cli("--help")
    assert result.exit_code == 0
    for command in (
        "get",
        "list",
        "create",
        "batches",
        "export",
        "audio",
        "logs",
        "wait",
        "cancel",
        "delete",
        "serve-fake",
        "demo",
    ):
        assert f"  {command} " in result.output
    assert "CARTESIA_API_KEY" in result.output
    assert "Exit codes" in result.output


@pytest.mark.parametrize(
    "command",
    [
        "get", "list", "create", "export", "audio", "logs", "wait", "cancel", "delete", "demo",
        "serve-fake", "batches", "batches create", "batches list", "batches get",
        "batches cancel", "batches retry", "batches wait",
    ],
)  # fmt: skip
def test_every_command_has_help(cli: Invoke, command: str) -> None:
    result = cli(*command.split(), "--help")
    assert result.exit_code == 0
    usage = result.output.splitlines()[0]
    assert usage.startswith("Usage: ")
    assert f" {command} " in usage


def test_version(cli: Invoke) -> None:
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.startswith("cartesia-calls ")


@pytest.mark.skipif(SCRIPT is None, reason="the console script is not installed")
def test_help_in_a_subprocess() -> None:
    assert SCRIPT is not None
    started = time.perf_counter()
    done = subprocess.run([SCRIPT, "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "serve-fake" in done.stdout
    assert time.perf_counter() - started < 10


def test_importing_the_cli_loads_neither_aiohttp_nor_rich() -> None:
    code = "import sys, cartesia_calls.cli; print(sorted({'aiohttp', 'rich'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- get ----------------------------------------------------------------------------------------


def test_get_shows_the_facts_and_the_conversation(cli: Invoke, fake: FakeCartesia) -> None:
    # The events, metrics and interruptions are 2026-03-01 fields: pin it (the env var way).
    result = cli("get", SAMPLE_CALL_ID, env={"CARTESIA_VERSION": "2026-03-01"})
    assert fake.requests[-1].headers["Cartesia-Version"] == "2026-03-01"
    assert result.exit_code == 0
    out = result.stdout
    for fact in (
        SAMPLE_CALL_ID,
        "completed · agent_hangup",
        "Bright Smile Dental front desk (agent_dental_frontdesk)",
        "2026-03-01 09:14:03 UTC",
        "(1m 14s)",
        "+14155550134 → +14155550100 (inbound)",
        "BSD-4471",
    ):
        assert fact in out
    assert "  00:00  agent   Thanks for calling Bright Smile Dental" in out
    assert "  00:05  user    Hi Maya." in out
    assert '↳ lookup_patient({"phone": "+14155550134"})' in out
    assert '→ {"status": "confirmed", "confirmation_code": "BSD-4471"}' in out
    assert "stt 229 ms" in out
    assert "tts 218 ms" in out
    assert "interrupted · tts" in out
    assert "event appointment_rescheduled" in out
    assert "metric llm_ttft_ms = 312" in out


def test_get_json_is_the_wire_format(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli("--cartesia-version", "2026-03-01", "get", SAMPLE_CALL_ID, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    legacy = render_call(fake.calls[SAMPLE_CALL_ID], legacy=True)
    assert data == AgentCall.from_dict(legacy).to_dict()
    assert data["transcript"][4]["tool_calls"][0]["name"] == "lookup_patient"
    current = json.loads(cli("get", "ac_refill_dana", "--json").stdout)  # 2026-08-14
    assert current["dynamic_variables"]["refill_confirmed"] is True
    assert "metadata" not in current


def test_get_a_redacted_call_says_so(cli: Invoke) -> None:
    result = cli("get", "ac_dental_redacted")
    assert result.exit_code == 0
    assert "Redacted" in result.stdout
    assert "No transcript: deleted." in result.stdout


def test_get_an_unknown_call_is_one_line_and_exit_1(cli: Invoke) -> None:
    result = cli("get", "ac_nope")
    assert result.exit_code == 1
    assert result.stdout == ""
    line = error_line(result)
    assert "call 'ac_nope' not found (404" in line


def test_markup_in_a_transcript_is_printed_as_written(cli: Invoke, fake: FakeCartesia) -> None:
    turn = {"role": "user", "start_timestamp": 1, "end_timestamp": 2, "text": "[bold]hi[/bold]"}
    fake.add_call(id="ac_markup", agent_id="a", transcript=[turn])
    result = cli("get", "ac_markup")
    assert "[bold]hi[/bold]" in result.stdout


# -- list ---------------------------------------------------------------------------------------


def test_list_shows_a_table_newest_first(cli: Invoke) -> None:
    result = cli("list", "--agent-id", DENTAL)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "status", "started"]
    rows = [line.split()[0] for line in lines[2:] if line.strip()]
    assert rows == DENTAL_IDS
    assert "(redacted)" in result.stdout
    assert "Jordan Lee moved" in result.stdout
    assert "5 calls of agent 'agent_dental_frontdesk'" in result.stderr


def test_list_limit_fetches_only_what_it_shows(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli("list", "--agent-id", DENTAL, "--limit", "2")
    assert result.exit_code == 0
    rows = [line.split()[0] for line in result.stdout.splitlines()[2:] if line.strip()]
    assert rows == DENTAL_IDS[:2]
    assert fake.request_count("GET", "/agents/calls") == 1
    assert fake.requests[-1].query["limit"] == "2"
    assert "more exist" in result.stderr


def test_list_all_walks_every_page(cli: Invoke, fake: FakeCartesia) -> None:
    for i in range(130):
        fake.add_call(
            id=f"ac_many_{i:03d}", agent_id="agent_many", start_time="2026-01-01T00:00:00Z"
        )
    result = cli("list", "--agent-id", "agent_many", "--all", "--json")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 130
    assert fake.request_count("GET", "/agents/calls") == 2


def test_list_json_lines(cli: Invoke) -> None:
    result = cli("list", "--batch-id", SAMPLE_BATCH_ID, "--json")
    assert result.exit_code == 0
    calls = [json.loads(line) for line in result.stdout.splitlines()]
    assert [c["id"] for c in calls] == [
        "ac_refill_tom",
        "ac_refill_priya",
        "ac_refill_marcus",
        "ac_refill_dana",
    ]
    assert all("transcript" not in c for c in calls)
    assert calls[2]["end_reason"] == "dial_no_answer"


def test_list_with_transcripts(cli: Invoke) -> None:
    table = cli("list", "--agent-id", DENTAL, "--transcript")
    assert " turns " in table.stdout.splitlines()[0]
    result = cli(
        "--cartesia-version", "2026-03-01", "list", "--agent-id", DENTAL, "--transcript", "--json",
        "--limit", "1",
    )  # fmt: skip
    [call] = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(call["transcript"]) == 16
    result = cli("list", "--agent-id", DENTAL, "--transcript", "--json", "--limit", "1")
    [call] = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(call["transcript"]) == 14  # 2026-08-14 has no event or metric turns


def test_list_by_start_time_and_by_agent_and_batch(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli(
        "list", "--agent-id", "agent_pharmacy_refills", "--batch-id", SAMPLE_BATCH_ID,
        "--start-time-gte", "2026-03-01T11:00:05Z", "--start-time-lte", "2026-03-01T11:00:06Z",
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0
    ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert ids == ["ac_refill_priya", "ac_refill_marcus"]
    query = fake.requests[-1].query
    assert query["start_time_gte"] == "2026-03-01T11:00:05Z"
    assert query["batch_id"] == SAMPLE_BATCH_ID
    empty = cli("list", "--agent-id", "agent_pharmacy_refills", "--batch-id", SAMPLE_BATCH_ID,
                "--start-time-gte", "2030-01-01T00:00:00Z")  # fmt: skip
    assert f"No calls for agent 'agent_pharmacy_refills' in batch '{SAMPLE_BATCH_ID}'." in (
        empty.stdout
    )
    bad = cli("list", "--agent-id", "a", "--start-time-lte", "tomorrow")
    assert bad.exit_code == 2
    assert "start_time_lte" in error_line(bad)


def test_list_of_nothing(cli: Invoke) -> None:
    result = cli("list", "--agent-id", "agent_nobody")
    assert result.exit_code == 0
    assert "No calls for agent 'agent_nobody'." in result.stdout


@pytest.mark.parametrize("args", [[], ["--agent-id", "a", "--limit", "0"]])
def test_list_usage_errors_exit_2(cli: Invoke, args: list[str]) -> None:
    result = cli("list", *args)
    assert result.exit_code == 2


# -- export -------------------------------------------------------------------------------------


def test_export_writes_jsonl_and_resumes(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "calls.jsonl"
    first = cli(
        "--cartesia-version", "2026-03-01",
        "export", "--agent-id", DENTAL, "--output", str(target), "--concurrency", "2",
    )  # fmt: skip
    assert first.exit_code == 0
    assert first.stdout.strip() == f"Exported 5 calls to {target}."
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["id"] for line in lines] == DENTAL_IDS
    assert len(lines[0]["transcript"]) == 16
    second = cli("export", "--agent-id", DENTAL, "-o", str(target))
    assert second.exit_code == 0
    assert "Exported 0 calls" in second.stdout
    assert "5 already in the file, skipped" in second.stdout
    assert len(target.read_text().splitlines()) == 5


def test_export_needs_an_output(cli: Invoke) -> None:
    assert cli("export", "--agent-id", DENTAL).exit_code == 2


# -- audio --------------------------------------------------------------------------------------


def test_audio_writes_a_valid_wav(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "call.wav"
    result = cli("audio", SAMPLE_CALL_ID, "--output", str(target))
    assert result.exit_code == 0
    with wave.open(str(target), "rb") as wav:
        seconds = wav.getnframes() / wav.getframerate()
        assert wav.getnchannels() == 1
    assert seconds == pytest.approx(74.5, abs=0.1)
    assert f"Saved {target} ({target.stat().st_size:,} bytes, 1m 14s of audio)." in result.stdout


def test_audio_defaults_to_the_call_id(
    cli: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli("audio", "ac_refill_dana").exit_code == 0
    assert (tmp_path / "ac_refill_dana.wav").stat().st_size > 44


def test_audio_of_a_call_without_recording(cli: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "x.wav"
    result = cli("audio", "ac_refill_marcus", "-o", str(target))
    assert result.exit_code == 1
    assert "call 'ac_refill_marcus' has no recording (404" in error_line(result)
    assert not target.exists()


# -- logs ---------------------------------------------------------------------------------------


def test_logs(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli("logs", "ac_fiber_error")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == fake.logs["ac_fiber_error"]
    as_json = json.loads(cli("logs", "ac_fiber_error", "--json").stdout)
    assert as_json["call_id"] == "ac_fiber_error"
    assert as_json["logs"] == fake.logs["ac_fiber_error"]


def test_logs_not_available(cli: Invoke) -> None:
    result = cli("logs", "ac_fiber_zdr")
    assert result.exit_code == 1
    line = error_line(result)
    assert "call 'ac_fiber_zdr' has no logs (404: Call logs not available" in line
    assert "may not be available under API version 2026-08-14" in line
    assert "--cartesia-version 2026-03-01" in line
    pinned = cli("--cartesia-version", "2026-03-01", "logs", "ac_fiber_zdr")
    assert pinned.exit_code == 1
    assert "may not be available" not in error_line(pinned)


# -- wait ---------------------------------------------------------------------------------------


def test_wait_for_an_ended_call(cli: Invoke) -> None:
    result = cli("wait", "ac_refill_marcus")
    assert result.exit_code == 0
    assert result.stdout.startswith("Call ac_refill_marcus failed (dial_no_answer) after 1m 00s")


def test_wait_polls_until_the_call_ends(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_call(id="ac_live", agent_id="a", lifecycle=Lifecycle(starts_at=0, ends_at=30))
    timer = threading.Timer(0.2, fake.advance, [60])
    timer.start()
    try:
        result = cli("wait", "ac_live", "--poll-interval", "0.05", "--json")
    finally:
        timer.cancel()
    assert result.exit_code == 0
    call = json.loads(result.stdout)
    assert (call["status"], call["end_reason"]) == ("completed", "agent_hangup")
    assert fake.request_count("GET", "/agents/calls/ac_live") >= 2


def test_wait_timeout_exits_3(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_call(id="ac_live", agent_id="a", lifecycle=Lifecycle(starts_at=0, ends_at=30))
    result = cli("wait", "ac_live", "--timeout", "0")
    assert result.exit_code == 3
    assert "call 'ac_live' was still started" in error_line(result)


# -- cancel and delete --------------------------------------------------------------------------


def test_cancel(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_call(id="ac_live", agent_id="a", lifecycle=Lifecycle(starts_at=0, ends_at=30))
    result = cli("cancel", "ac_live")
    assert result.exit_code == 0
    assert "Cancelled call ac_live" in result.stdout
    assert fake.calls["ac_live"]["end_reason"] == "api_cancelled"


def test_cancel_a_finished_call(cli: Invoke) -> None:
    result = cli("cancel", SAMPLE_CALL_ID)
    assert result.exit_code == 1
    assert f"call {SAMPLE_CALL_ID!r}: 400 [call_not_active]" in error_line(result)


def test_delete_without_yes_and_without_a_terminal_refuses(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli("delete", SAMPLE_CALL_ID)
    assert result.exit_code == 2
    assert "--yes" in error_line(result)
    assert fake.request_count("DELETE") == 0
    assert "redacted_at" not in fake.calls[SAMPLE_CALL_ID]


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend a person is at the terminal (the runner's stdin is a buffer)."""
    monkeypatch.setattr(cartesia_calls.cli._prompt, "stdin_is_interactive", lambda: True)


@pytest.mark.usefixtures("terminal")
def test_delete_after_confirmation(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli("delete", SAMPLE_CALL_ID, input="y\n")
    assert result.exit_code == 0
    assert "This cannot be undone." in result.stderr
    # It says what 2026-08-14 deletes: no "metadata", a field that version does not have.
    assert "dynamic variables and phone numbers" in result.stderr
    assert "metadata" not in result.stderr
    assert "Deleted the transcript" in result.stdout
    assert "redacted_at" in fake.calls[SAMPLE_CALL_ID]
    assert "transcript" not in fake.calls[SAMPLE_CALL_ID]


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize("answer", ["n\n", "\n", ""])
def test_delete_declined(cli: Invoke, fake: FakeCartesia, answer: str) -> None:
    result = cli("delete", SAMPLE_CALL_ID, input=answer)
    assert result.exit_code == 1
    assert result.stderr.strip().endswith("error: not deleted")
    assert fake.request_count("DELETE") == 0


def test_delete_with_yes(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli("delete", "ac_dental_insurance", "--yes")
    assert result.exit_code == 0
    assert fake.calls["ac_dental_insurance"]["redacted_at"]


def test_delete_a_running_call_is_a_bad_request(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_call(id="ac_live", agent_id="a", lifecycle=Lifecycle(starts_at=0, ends_at=30))
    result = cli("delete", "ac_live", "-y")
    assert result.exit_code == 1
    assert "call 'ac_live': 400 [call_not_ended]" in error_line(result)


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["get", "ac_1"], ["list", "--agent-id", "a"], ["logs", "ac_1"], ["wait", "ac_1"]]
)
def test_missing_key_says_how_to_set_it(cli: Invoke, args: list[str]) -> None:
    result = cli(*args, env={"CARTESIA_API_KEY": ""})
    assert result.exit_code == 2
    line = error_line(result)
    assert "--api-key" in line
    assert "CARTESIA_API_KEY" in line


def test_key_from_the_option(cli: Invoke) -> None:
    result = cli("--api-key", KEY, "get", SAMPLE_CALL_ID, env={"CARTESIA_API_KEY": ""})
    assert result.exit_code == 0


def test_a_wrong_key_is_rejected_and_not_printed(cli: Invoke) -> None:
    wrong = "sk_car_wrong_key_987654321"
    result = cli("--api-key", wrong, "get", SAMPLE_CALL_ID)
    assert result.exit_code == 1
    line = error_line(result)
    assert "API key was rejected (401" in line
    assert wrong not in result.output


def test_rate_limit_after_retries(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_fault(status=429, headers={"Retry-After": "0"}, times=10)
    result = cli("get", SAMPLE_CALL_ID)
    assert result.exit_code == 1
    line = error_line(result)
    assert "rate limited (429" in line
    assert "after 2 retries" in line
    assert "Retry-After" in line
    assert fake.request_count("GET") == 3


def test_rate_limit_retried_away(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_fault(status=429, headers={"Retry-After": "0"}, times=2)
    assert cli("get", SAMPLE_CALL_ID, "--json").exit_code == 0


def test_server_errors_after_retries(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_fault(status=503, headers={"Retry-After": "0"}, times=10)
    result = cli("--max-retries", "1", "list", "--agent-id", DENTAL)
    assert result.exit_code == 1
    assert "Cartesia's server failed after 1 retry: 503" in error_line(result)


def test_unreachable_api(cli: Invoke) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    result = cli("--base-url", url, "--max-retries", "0", "get", SAMPLE_CALL_ID)
    assert result.exit_code == 1
    assert f"could not reach {url}" in error_line(result)


def test_bad_base_url_is_a_usage_error(cli: Invoke) -> None:
    result = cli("--base-url", "ftp://example.com", "get", SAMPLE_CALL_ID)
    assert result.exit_code == 2
    assert "base_url must be an http(s) URL" in error_line(result)


def test_ctrl_c_exits_130(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    def get_call(call_id: str, *, as_json: bool) -> Callable[[AsyncClient], Any]:
        async def command(client: AsyncClient) -> None:
            raise KeyboardInterrupt

        return command

    monkeypatch.setattr(cartesia_calls.cli._commands, "get_call", get_call)
    result = cli("get", SAMPLE_CALL_ID)
    assert result.exit_code == 130
    assert error_line(result) == "error: interrupted"


def test_export_interrupted_says_how_to_resume(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def export_calls(*args: Any, **kwargs: Any) -> Callable[[AsyncClient], Any]:
        async def command(client: AsyncClient) -> None:
            raise KeyboardInterrupt

        return command

    monkeypatch.setattr(cartesia_calls.cli._commands, "export_calls", export_calls)
    result = cli("export", "--agent-id", DENTAL, "-o", str(tmp_path / "x.jsonl"))
    assert result.exit_code == 130
    assert "run the same command again to resume" in error_line(result)


def test_an_unexpected_exception_is_still_one_line(
    cli: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    def get_call(call_id: str, *, as_json: bool) -> Callable[[AsyncClient], Any]:
        async def command(client: AsyncClient) -> None:
            raise RuntimeError("boom " + KEY)

        return command

    monkeypatch.setattr(cartesia_calls.cli._commands, "get_call", get_call)
    result = cli("get", SAMPLE_CALL_ID)  # the fixture checks the key was scrubbed
    assert result.exit_code == 1
    assert "unexpected RuntimeError: boom sk_car_***" in error_line(result)
    assert "CARTESIA_CALLS_DEBUG" in error_line(result)


def test_a_closed_pipe_ends_quietly(cli: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    def get_call(call_id: str, *, as_json: bool) -> Callable[[AsyncClient], Any]:
        async def command(client: AsyncClient) -> None:
            raise BrokenPipeError(32, "Broken pipe")  # the reader of `| head` went away

        return command

    monkeypatch.setattr(cartesia_calls.cli._commands, "get_call", get_call)
    result = cli("get", SAMPLE_CALL_ID, "--json")
    assert result.exit_code == 1
    assert result.stderr == ""


def test_describe_leaves_unknown_exceptions_alone() -> None:
    assert describe(RuntimeError("x"), subject=None, not_found="", base_url="u") is None


# -- demo and serve-fake ------------------------------------------------------------------------


def test_demo_keeps_its_files_when_asked(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["demo", "--keep", str(tmp_path)], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    assert "Next steps" in result.stdout
    [recording] = tmp_path.glob("*.wav")
    with wave.open(str(recording), "rb") as wav:
        assert wav.getnframes() / wav.getframerate() == pytest.approx(29.0)
    assert len((tmp_path / "calls.jsonl").read_text().splitlines()) == 5


@pytest.mark.skipif(SCRIPT is None, reason="the console script is not installed")
def test_demo_in_a_subprocess_without_key_or_network() -> None:
    assert SCRIPT is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("CARTESIA_")}
    started = time.perf_counter()
    done = subprocess.run(
        [SCRIPT, "demo"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    out = done.stdout
    for title in (
        "1. List an agent's calls",
        "2. Get a call with its transcript",
        "3. Place an outbound call and wait for it to end",
        "4. Download its recording",
        "5. Export calls with transcripts to JSON Lines",
        "6. Handle errors",
        "Next steps",
    ):
        assert title in out
    assert "NotFoundError: 404 [call_not_found]" in out
    assert "on attempt 3" in out
    assert "ran it again: 0 written, 5 skipped" in out
    assert "cartesia-calls list --agent-id AGENT_ID" in out
    assert elapsed < 15


@pytest.mark.skipif(SCRIPT is None, reason="the console script is not installed")
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_serve_fake_serves_the_samples_until_ctrl_c(tmp_path: Path) -> None:
    assert SCRIPT is not None
    with serve_fake(script=SCRIPT) as (url, key, banner):
        assert url.startswith("http://127.0.0.1:")
        assert f"export CARTESIA_BASE_URL={url} CARTESIA_API_KEY={key}" in banner[4]
        result = invoker(url, key)("list", "--agent-id", DENTAL, "--json")
        assert result.exit_code == 0, result.output
        assert len(result.stdout.splitlines()) == 5


def test_serve_fake_on_a_busy_port() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = CliRunner().invoke(main, ["serve-fake", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
