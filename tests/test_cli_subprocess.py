"""The issue's "done when": with the ``cli`` extra, ``create`` and ``batches create --recipients
file.csv`` work against ``serve-fake``, every process a real one."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .cli_support import command_line, serve_fake

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")


@pytest.fixture(scope="module")
def server() -> Iterator[dict[str, str]]:
    with serve_fake() as (url, key, banner):
        assert any("cartesia-calls create --agent-id AGENT_ID" in line for line in banner)
        yield {**os.environ, "CARTESIA_BASE_URL": url, "CARTESIA_API_KEY": key}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command_line(*args), capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_create_against_serve_fake(server: dict[str, str]) -> None:
    done = run(
        server, "create", "--agent-id", "agent_dental_frontdesk",
        "--from-number-id", "pn_fake_number", "--to", "+14155550123", "--var", "first_name=Ada",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    number, call_id = done.stdout.split()
    assert (number, call_id[:3]) == ("+14155550123", "ac_")
    shown = run(server, "get", call_id, "--json")
    assert shown.returncode == 0, shown.stderr
    assert '"first_name": "Ada"' in shown.stdout


def test_batches_create_from_a_csv_against_serve_fake(
    server: dict[str, str], tmp_path: Path
) -> None:
    recipients = tmp_path / "recipients.csv"
    recipients.write_bytes(
        b"\xef\xbb\xbfto_number,first_name,appointment\r\n"
        b'+14155550101,Ada,"Tuesday, 9:30"\r\n'
        b"+14155550102,Grace,\r\n"
    )
    done = run(
        server, "batches", "create", "--name", "Reminders", "--agent-id", "agent_1",
        "--from-number-id", "pn_fake_number", "--recipients", str(recipients),
        "--target-concurrency-limit", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Created batch acb_")
    assert done.stdout.endswith("(Reminders): 2 recipients, status pending.\n")
    batch_id = done.stdout.split()[2]
    shown = run(server, "batches", "get", batch_id)
    assert shown.returncode == 0, shown.stderr
    assert "+14155550101" in shown.stdout
    assert "+14155550102" in shown.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("to_number\n555\n")
    refused = run(
        server, "batches", "create", "--name", "x", "--agent-id", "a",
        "--from-number-id", "pn_fake_number", "--recipients", str(bad),
    )  # fmt: skip
    assert refused.returncode == 2
    assert "row 2, column A: to_number must be an E.164 phone number" in refused.stderr
