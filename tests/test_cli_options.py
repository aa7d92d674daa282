"""Global options: before the command, or after it; ``--timeout``; ``--quiet``; and a clear
word when a command that does not call the API is given one."""

from __future__ import annotations

from pathlib import Path

import pytest

from cartesia_calls.cli._options import Settings
from cartesia_calls.testing import FakeCartesia
from cartesia_calls.testing._samples import SAMPLE_BATCH_ID, SAMPLE_CALL_ID

from .cli_support import CLI_FAKE, KEY, Invoke, error_line, usage_error

NO_KEY = {"CARTESIA_API_KEY": ""}

pytestmark = CLI_FAKE


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--agent-id", "agent_dental_frontdesk", "--api-key", KEY],
        ["get", SAMPLE_CALL_ID, "--api-key", KEY, "--json"],
        ["batches", "list", "--api-key", KEY],
        ["batches", "--api-key", KEY, "get", SAMPLE_BATCH_ID],
        ["create", "--api-key", KEY, "--agent-id", "a", "--from-number-id", "pn_fake_number",
         "--to", "+14155550101"],
    ],
)  # fmt: skip
def test_global_options_after_the_command(cli: Invoke, args: list[str]) -> None:
    result = cli(*args, env=NO_KEY)
    assert result.exit_code == 0, result.output


def test_after_the_command_wins(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_fault(status=503, headers={"Retry-After": "0"}, times=2)
    result = cli("--max-retries", "0", "get", SAMPLE_CALL_ID, "--max-retries", "2", "--json")
    assert result.exit_code == 0, result.output
    assert fake.request_count("GET") == 3


def test_an_option_before_the_command_is_not_overridden_by_the_environment(
    cli: Invoke, fake: FakeCartesia
) -> None:
    # The copies after a command read no environment variable: --api-key before it stands.
    result = cli("--api-key", KEY, "get", SAMPLE_CALL_ID, env={"CARTESIA_API_KEY": "sk_car_x"})
    assert result.exit_code == 0
    result = cli("--base-url", fake.base_url, "list", "--agent-id", "a", "--cartesia-version",
                 "2026-03-01", env={"CARTESIA_BASE_URL": "http://127.0.0.1:9"})  # fmt: skip
    assert result.exit_code == 0
    assert fake.requests[-1].headers["Cartesia-Version"] == "2026-03-01"


def test_global_timeout(cli: Invoke, fake: FakeCartesia) -> None:
    fake.add_fault(delay=2)
    result = cli("get", SAMPLE_CALL_ID, "--timeout", "0.2", "--max-retries", "0")
    assert result.exit_code == 1
    assert "did not answer in time" in error_line(result)
    assert usage_error(cli("--timeout", "0", "get", "x")).startswith(
        "Invalid value for '--timeout'"
    )


def test_wait_keeps_its_own_timeout(cli: Invoke, fake: FakeCartesia) -> None:
    from cartesia_calls.testing import Lifecycle  # noqa: PLC0415

    fake.add_call(id="ac_live", agent_id="a", lifecycle=Lifecycle(starts_at=0, ends_at=30))
    # After `wait`, --timeout is how long to wait (exit 3); before it, the request timeout.
    result = cli("--timeout", "5", "wait", "ac_live", "--timeout", "0")
    assert result.exit_code == 3
    assert "was still started when the wait timed out" in error_line(result)


@pytest.mark.parametrize("command", ["serve-fake", "demo"])
def test_commands_without_the_api_say_so(cli: Invoke, command: str) -> None:
    message = usage_error(cli(command, "--api-key", KEY))
    assert message == (
        f"--api-key is a global option, for the commands that call the API; {command} does not "
        "use it"
    )
    assert "No such option" in usage_error(cli(command, "--nonsense"))


def test_quiet_silences_notes_and_progress(cli: Invoke, tmp_path: Path) -> None:
    terminal = {"TTY_COMPATIBLE": "1"}
    listed = cli("list", "--agent-id", "agent_dental_frontdesk", "--limit", "1")
    assert "more exist" in listed.stderr
    quiet = cli("-q", "list", "--agent-id", "agent_dental_frontdesk", "--limit", "1")
    assert quiet.stderr == ""
    shown = cli("audio", SAMPLE_CALL_ID, "-o", str(tmp_path / "a.wav"), env=terminal)
    assert "downloading" in shown.stderr
    hushed = cli("audio", SAMPLE_CALL_ID, "-o", str(tmp_path / "b.wav"), "--quiet", env=terminal)
    assert hushed.exit_code == 0
    assert hushed.stderr == ""
    exported = cli("--quiet", "export", "--agent-id", "agent_dental_frontdesk", "-o",
                   str(tmp_path / "c.jsonl"), env=terminal)  # fmt: skip
    assert exported.stderr == ""
    waited = cli("wait", SAMPLE_CALL_ID, "-q", env=terminal)
    assert waited.stderr == ""


def test_settings_never_show_the_key() -> None:
    settings = Settings(api_key=f"  {KEY} ", base_url=" ", timeout=5.0)
    assert settings.api_key == KEY
    assert settings.base_url is None
    assert KEY not in repr(settings)
    assert repr(settings) == (
        "Settings(base_url=None, max_retries=2, cartesia_version=None, timeout=5.0, quiet=False)"
    )
    settings.set("cartesia_version", "  ")
    assert settings.cartesia_version is None
