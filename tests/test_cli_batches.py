"""``cartesia-calls batches``: create from a CSV file, list, get, cancel, retry and wait, end to
end against FakeCartesia through the entry point."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

import cartesia_calls
from cartesia_calls import AsyncClient, CallBatch
from cartesia_calls.cli._render_batches import ERROR_CHARS, tally, tally_text
from cartesia_calls.testing import FakeCartesia
from cartesia_calls.testing._samples import SAMPLE_BATCH_ID

from .cli_support import CLI_FAKE, Invoke, error_line, usage_error
from .helpers import SleepRecorder

BATCHES = "/agents/calls/batches"
REQUIRED = ["--name", "Reminders", "--agent-id", "agent_1", "--from-number-id", "pn_fake_number"]
CSV = (
    "to_number,first_name,visits,balance,vip,zip:str\r\n"
    '+14155550101,"Ada, Countess",3,12.5,TRUE,94103\r\n'
    "+14155550102,Grace,,,false,02139\r\n"
)

pytestmark = CLI_FAKE


@pytest.fixture
def fake_time(monkeypatch: pytest.MonkeyPatch, fake: FakeCartesia) -> list[float]:
    """The CLI's waits move the fake's clock instead of sleeping; returns the waits."""
    sleeps = SleepRecorder(fake)

    class FastClient(AsyncClient):
        def __init__(self, **options: Any) -> None:
            super().__init__(backoff=sleeps.backoff(), **options)

    monkeypatch.setattr(cartesia_calls, "AsyncClient", FastClient)
    return sleeps.delays


def recipients_file(tmp_path: Path, text: str = CSV) -> str:
    path = tmp_path / "recipients.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())  # as Excel's "CSV UTF-8" writes it
    return str(path)


def create(
    cli: Invoke, tmp_path: Path, *extra: str, text: str = CSV, env: dict[str, str] | None = None
) -> Result:
    path = recipients_file(tmp_path, text)
    return cli("batches", "create", *REQUIRED, "--recipients", path, *extra, env=env)


def plain(text: str) -> str:
    """``text`` without the colours and cursor moves a terminal gets."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def created_id(fake: FakeCartesia) -> str:
    [batch_id] = [b for b in fake.batches if b != SAMPLE_BATCH_ID]
    return batch_id


# -- create -------------------------------------------------------------------------------------


def test_create_sends_every_row_with_its_typed_variables(
    cli: Invoke, fake: FakeCartesia, tmp_path: Path
) -> None:
    result = create(cli, tmp_path)
    assert result.exit_code == 0, result.output
    batch_id = created_id(fake)
    assert result.stdout == f"Created batch {batch_id} (Reminders): 2 recipients, status pending.\n"
    assert f"cartesia-calls batches wait {batch_id}" in result.stderr
    [request] = [r for r in fake.requests if r.method == "POST"]
    assert request.json() == {
        "name": "Reminders",
        "agent_id": "agent_1",
        "from_number_id": "pn_fake_number",
        "recipients": [
            {
                "to_number": "+14155550101",
                "dynamic_variables": {
                    "first_name": "Ada, Countess",
                    "visits": 3,
                    "balance": 12.5,
                    "vip": True,
                    "zip": "94103",
                },
            },
            {
                "to_number": "+14155550102",
                "dynamic_variables": {"first_name": "Grace", "vip": False, "zip": "02139"},
            },
        ],
    }


def test_create_passes_the_options(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = create(
        cli, tmp_path,
        "--region", "eu", "--scheduled-at", when, "--target-concurrency-limit", "3",
        "--ringing-timeout-seconds", "20", "--max-call-duration-minutes", "10", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = fake.requests[-1].json()
    assert {key: body[key] for key in body if key != "recipients"} == {
        "name": "Reminders",
        "agent_id": "agent_1",
        "from_number_id": "pn_fake_number",
        "region": "EU",
        "scheduled_at": when,
        "target_concurrency_limit": 3,
        "ringing_timeout_seconds": 20,
        "max_call_duration_minutes": 10,
    }
    printed = json.loads(result.stdout)
    assert printed["id"] == created_id(fake)
    assert printed["region"] == "EU"
    assert printed["status"] == "pending"


def test_a_bad_file_sends_nothing_and_names_every_row(
    cli: Invoke, fake: FakeCartesia, tmp_path: Path
) -> None:
    text = "to_number,first name ok,n\n+14155550101,x,1\n"
    message = usage_error(create(cli, tmp_path, text=text))
    assert "'--recipients'" in message
    assert "row 1 (the header), column B" in message
    text = "to_number,n\n+14155550101,1\n4155550102,2\n+1415555010,3,extra\n"
    message = usage_error(create(cli, tmp_path, text=text))
    assert "2 problems in" in message
    assert "row 3, column A: to_number must be an E.164 phone number" in message
    assert "did the spreadsheet drop the '+'?" in message
    assert "row 4: 3 cells, but the header (row 1) has 2 columns" in message
    assert fake.request_count("POST") == 0


def test_a_bad_file_is_reported_without_an_api_key(cli: Invoke, tmp_path: Path) -> None:
    result = create(cli, tmp_path, text="", env={"CARTESIA_API_KEY": ""})
    assert "row 1: the file is empty" in usage_error(result)


def test_escape_sequences_in_a_file_do_not_reach_the_terminal(cli: Invoke, tmp_path: Path) -> None:
    result = create(cli, tmp_path, text="to_number\n\x1b]0;pwned\x07+1\x1b[2J\n")
    message = usage_error(result)
    assert "row 2, column A" in message
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr


def test_a_missing_file_is_a_usage_error(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    result = cli("batches", "create", *REQUIRED, "--recipients", str(tmp_path / "nope.csv"))
    assert "does not exist" in usage_error(result)
    assert fake.request_count("POST") == 0


@pytest.mark.parametrize(
    ("option", "value", "says"),
    [
        ("--scheduled-at", "tomorrow", "RFC 3339"),
        ("--scheduled-at", "2020-01-01T00:00:00Z", "is in the past"),
        ("--scheduled-at", "2099-01-01T00:00:00Z", "more than 30 days ahead"),
        ("--region", "MARS", "'MARS' is not one of"),
        ("--target-concurrency-limit", "0", "0 is not in the range x>=1"),
        ("--ringing-timeout-seconds", "99", "5<=x<=80"),
        ("--name", "  ", "must not be empty"),
    ],
)
def test_bad_options_are_refused_before_sending(
    cli: Invoke, fake: FakeCartesia, tmp_path: Path, option: str, value: str, says: str
) -> None:
    message = usage_error(create(cli, tmp_path, option, value))
    assert f"'{option}'" in message
    assert says in message
    assert fake.request_count("POST") == 0


def test_dry_run_checks_and_sends_nothing(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    result = create(cli, tmp_path, "--dry-run", env={"CARTESIA_API_KEY": ""})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].endswith(
        "recipients.csv: 2 recipients; variables: first_name (2), visits (1), balance (1), "
        "vip (2), zip (2)"
    )
    assert lines[1] == "Checked; nothing was sent (--dry-run)."
    as_json = json.loads(create(cli, tmp_path, "--dry-run", "--json").stdout)
    assert as_json["recipients"][1] == {
        "to_number": "+14155550102",
        "dynamic_variables": {"first_name": "Grace", "vip": False, "zip": "02139"},
    }
    assert fake.requests == []


def test_create_is_never_retried(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    fake.add_fault(status=500, path=BATCHES, method="POST")
    result = create(cli, tmp_path)
    assert result.exit_code == 1
    line = error_line(result)
    assert "Cartesia's server failed" in line
    assert "may have reached Cartesia and placed calls" in line
    assert "check with `cartesia-calls batches list --agent-id agent_1`" in line
    assert fake.request_count("POST", BATCHES) == 1


# -- list and get -------------------------------------------------------------------------------


def test_list_shows_a_table_and_json_lines(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    assert create(cli, tmp_path).exit_code == 0
    batch_id = created_id(fake)
    table = cli("batches", "list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == [
        "id", "status", "recipients", "dispatched", "ended", "created", "(UTC)", "name",
    ]  # fmt: skip
    assert lines[2].split()[:5] == [batch_id, "pending", "2", "0", "0"]
    assert lines[3].split()[:5] == [SAMPLE_BATCH_ID, "completed", "4", "4", "4"]
    assert "2 batches, newest first" in table.stderr
    rows = [json.loads(line) for line in cli("batches", "list", "--json").stdout.splitlines()]
    assert [row["id"] for row in rows] == [batch_id, SAMPLE_BATCH_ID]
    assert all("recipients" not in row for row in rows)
    limited = cli("batches", "list", "--limit", "1", "--agent-id", "agent_1")
    assert "1 batch of agent 'agent_1', newest first" in limited.stderr
    assert fake.requests[-1].query == {"agent_id": "agent_1", "limit": "1"}
    assert cli("batches", "list", "--agent-id", "nobody").stdout == (
        "No call batches of agent 'nobody'.\n"
    )


def test_list_says_when_more_exist(cli: Invoke, fake: FakeCartesia) -> None:
    for index in range(3):
        fake.add_batch(id=f"acb_{index}", name=f"b{index}")
    result = cli("batches", "list", "--limit", "2")
    assert "more exist: --limit 4 or --all" in result.stderr
    assert len(cli("batches", "list", "--all", "--json").stdout.splitlines()) == 4
    assert cli("batches", "list", "--limit", "2", "--quiet").stderr == ""


def test_get_shows_the_facts_and_every_recipient(cli: Invoke) -> None:
    result = cli("batches", "get", SAMPLE_BATCH_ID)
    assert result.exit_code == 0
    out = result.stdout
    assert "Batch        acb_refills_0301" in out
    assert "Name         March refill reminders" in out
    assert "Recipients   4 recipients: 4 dispatched; 2 completed, 2 failed" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if "+1312" in line}
    assert rows["+13125550178"] == ["failed", "dial_no_answer", "ac_refill_marcus"]
    assert rows["+13125550144"] == ["completed", "agent_hangup", "ac_refill_dana"]


def test_get_shows_why_a_call_was_not_placed(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_batch(id="acb_x", recipients=["+14155550101", "+14155550102"])
    fake.dial_batch("acb_x", outcomes={"+14155550102": "rejected"})
    out = cli("batches", "get", "acb_x").stdout
    [line] = [line for line in out.splitlines() if "+14155550102" in line]
    assert line.split()[:4] == ["+14155550102", "failed", "-", "-"]
    assert line.rstrip().endswith("The call could not be placed.")


def test_get_keeps_a_long_error_short_and_printable(cli: Invoke, fake: FakeCartesia) -> None:
    long = "\x1b[2JNumber blocked. " + "Carrier said no. " * 100
    fake.add_batch(
        id="acb_x",
        recipients=[{"to_number": "+14155550101", "status": "failed", "error_message": long}],
    )
    out = cli("batches", "get", "acb_x").stdout
    assert "\x1b" not in out
    assert "Number blocked." in out
    assert f"… ({len(long) - 4 - ERROR_CHARS:,} more characters)" in " ".join(out.split())
    assert out.count("Carrier said no.") < 15


def test_get_json_is_the_wire_format(cli: Invoke) -> None:
    data = json.loads(cli("batches", "get", SAMPLE_BATCH_ID, "--json").stdout)
    assert data["id"] == SAMPLE_BATCH_ID
    assert len(data["recipients"]) == 4


def test_get_an_unknown_batch(cli: Invoke) -> None:
    result = cli("batches", "get", "acb_nope")
    assert result.exit_code == 1
    assert "batch 'acb_nope' not found (404" in error_line(result)


# -- cancel and retry ---------------------------------------------------------------------------


def test_cancel_stops_dialing(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert create(cli, tmp_path, "--scheduled-at", when).exit_code == 0
    batch_id = created_id(fake)
    result = cli("batches", "cancel", batch_id)
    assert result.exit_code == 0
    assert result.stdout == (
        f"Batch {batch_id} is cancelled: no more calls are placed (2 recipients not called); "
        "calls in progress go on.\n"
    )
    assert fake.batches[batch_id]["status"] == "cancelled"
    again = cli("batches", "cancel", SAMPLE_BATCH_ID)
    assert again.stdout.endswith("completed: dispatching was already over, nothing to stop.\n")
    assert json.loads(cli("batches", "cancel", batch_id, "--json").stdout)["status"] == "cancelled"


def test_retry_queues_the_failed_again(cli: Invoke, fake: FakeCartesia) -> None:
    result = cli("batches", "retry", SAMPLE_BATCH_ID)
    assert result.exit_code == 0
    assert result.stdout == (
        f"Batch {SAMPLE_BATCH_ID} is pending (retry #1): 4 recipients: 2 dispatched; "
        "2 completed, 0 failed, 2 queued.\n"
    )
    assert json.loads(cli("batches", "retry", SAMPLE_BATCH_ID, "--json").stdout)["retry_count"]


def test_retry_is_never_retried_and_a_cancelled_batch_cannot_be(
    cli: Invoke, fake: FakeCartesia
) -> None:
    fake.add_fault(status=503, path=f"{BATCHES}/{SAMPLE_BATCH_ID}/retry")
    result = cli("batches", "retry", SAMPLE_BATCH_ID)
    assert result.exit_code == 1
    assert f"check with `cartesia-calls batches get {SAMPLE_BATCH_ID}`" in error_line(result)
    assert fake.request_count("POST") == 1
    fake.add_batch(id="acb_gone", status="cancelled")
    refused = cli("batches", "retry", "acb_gone")
    assert "batch 'acb_gone': 400 [batch_cancelled]" in error_line(refused)
    assert "may have reached" not in error_line(refused)


# -- wait ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fake_time")
def test_wait_until_every_call_has_ended(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    fake.unreachable_numbers["+14155550102"] = {"message": "Number cannot be dialed."}
    assert create(cli, tmp_path).exit_code == 0
    batch_id = created_id(fake)
    result = cli("batches", "wait", batch_id, "--poll-interval", "5")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Batch {batch_id} completed: 2 recipients: 2 dispatched; 1 completed, 1 failed.\n"
    )
    # Piped (the runner is no terminal): no progress, only the note on what to do next.
    assert result.stderr == f"Call the failed ones again: cartesia-calls batches retry {batch_id}\n"
    assert all(r["status"] in {"completed", "failed"} for r in fake.batches[batch_id]["recipients"])


def test_wait_dispatched_only(
    cli: Invoke, fake: FakeCartesia, fake_time: list[float], tmp_path: Path
) -> None:
    assert create(cli, tmp_path, "--target-concurrency-limit", "2").exit_code == 0
    batch_id = created_id(fake)
    result = cli("batches", "wait", batch_id, "--dispatched", "--json")
    assert result.exit_code == 0, result.output
    batch = json.loads(result.stdout)
    assert batch["status"] == "completed"
    assert {r["status"] for r in batch["recipients"]} <= {"dispatched", "started"}
    assert sum(fake_time) < 30  # returned before any call could end


@pytest.mark.usefixtures("fake_time")
def test_wait_timeout_exits_3(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    assert create(cli, tmp_path).exit_code == 0
    batch_id = created_id(fake)
    result = cli("batches", "wait", batch_id, "--timeout", "10")
    assert result.exit_code == 3
    assert error_line(result) == (
        f"error: batch {batch_id!r} was still in_progress (0 of 2 calls ended) after 10s; "
        "wait longer with --timeout"
    )


@pytest.mark.usefixtures("fake_time")
def test_wait_shows_progress_on_a_terminal(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    assert create(cli, tmp_path).exit_code == 0
    batch_id = created_id(fake)
    terminal = {"TTY_COMPATIBLE": "1"}
    result = cli("batches", "wait", batch_id, "--poll-interval", "5", env=terminal)
    assert result.exit_code == 0
    progress = plain(result.stderr)
    assert f"batch {batch_id}" in progress
    assert "waiting for the first answer..." in progress
    assert "dispatched 2/2 · completed 2 · failed 0" in progress
    assert plain(result.stdout).startswith(f"Batch {batch_id} completed")


@pytest.mark.usefixtures("fake_time")
def test_quiet_silences_the_progress(cli: Invoke, fake: FakeCartesia, tmp_path: Path) -> None:
    fake.unreachable_numbers["+14155550102"] = {"message": "Number cannot be dialed."}
    assert create(cli, tmp_path, "-q").stderr == ""
    batch_id = created_id(fake)
    result = cli("batches", "wait", batch_id, "--quiet", env={"TTY_COMPATIBLE": "1"})
    assert result.exit_code == 0
    assert result.stderr == ""
    assert plain(result.stdout).startswith(f"Batch {batch_id} completed")


def test_wait_for_an_unknown_batch(cli: Invoke) -> None:
    result = cli("batches", "wait", "acb_nope")
    assert result.exit_code == 1
    assert "batch 'acb_nope' not found (404" in error_line(result)


# -- counting -----------------------------------------------------------------------------------


def test_counts_from_the_counters_when_there_are_no_recipients() -> None:
    listed = CallBatch.from_dict(
        {"id": "acb_1", "status": "in_progress", "total_calls_scheduled": 5,
         "total_calls_dispatched": 3, "total_calls_finished": 1}
    )  # fmt: skip
    assert tally_text(tally(listed)) == "5 recipients: 3 dispatched, 1 ended"
    assert tally_text(tally(CallBatch.from_dict({"id": "acb_2"}))) == "recipients unknown"
    cancelled = CallBatch.from_dict(
        {"id": "acb_3", "status": "cancelled", "recipients": [
            {"id": "r1", "status": "completed"}, {"id": "r2", "status": "started"},
            {"id": "r3", "status": "cancelled"}, {"id": "r4", "status": "queued"},
        ]}
    )  # fmt: skip
    assert tally_text(tally(cancelled)) == (
        "4 recipients: 2 dispatched; 1 completed, 0 failed, 1 cancelled, 1 on a call or ringing, "
        "1 queued"
    )
