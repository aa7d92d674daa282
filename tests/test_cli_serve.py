"""``cartesia-calls serve-fake``: a closed stdout is not a listen failure, and the base URL it
suggests works without the SDK's plain-HTTP warning."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import warnings
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner

import cartesia_calls.cli._serve
from cartesia_calls import AsyncClient
from cartesia_calls.cli import main
from cartesia_calls.cli._serve import suggested_url

from .cli_support import command_line, serve_fake

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and pipes")


@pytest.mark.parametrize(
    ("host", "url", "noted"),
    [
        ("127.0.0.1", "http://127.0.0.1:8765", False),
        ("localhost", "http://localhost:8765", False),
        ("::1", "http://[::1]:8765", False),
        ("0.0.0.0", "http://127.0.0.1:8765", True),
        ("::", "http://[::1]:8765", True),
        ("192.168.1.20", "http://192.168.1.20:8765", True),
        ("fake.example", "http://fake.example:8765", True),
    ],
)
def test_the_suggested_url(host: str, url: str, noted: bool) -> None:
    suggested, note = suggested_url(host, 8765)
    assert suggested == url
    assert (note is not None) is noted
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        AsyncClient(api_key="sk_car_fake", base_url=suggested)
    # The URL triggers the plain-HTTP warning only when the note explains it.
    assert bool(caught) is (noted and host not in {"0.0.0.0", "::"})
    if note is not None and caught:
        assert "plain HTTP" in note


def test_every_interface_suggests_loopback_and_explains() -> None:
    _, note = suggested_url("0.0.0.0", 8765)
    assert note is not None
    assert "every interface" in note
    assert "http://<this machine's address>:8765" in note


def test_a_closed_stdout_is_not_a_listen_failure_in_a_subprocess() -> None:
    read, write = os.pipe()
    os.close(read)  # the reader (`| head`) is already gone when serve-fake prints
    try:
        done = subprocess.run(
            command_line("serve-fake", "--port", "0"),
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert done.returncode == 1
    assert done.stderr == ""


def test_a_closed_stdout_ends_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    def closed(*args: Any, **kwargs: Any) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("cartesia_calls.cli._serve.click.echo", closed)
    result = CliRunner().invoke(main, ["serve-fake", "--port", "0"])
    assert result.exit_code == 1
    assert "cannot listen" not in result.output
    assert result.output == ""


def test_every_interface_in_a_subprocess() -> None:
    with serve_fake("--host", "0.0.0.0", "--empty") as (url, key, banner):
        assert url.startswith("http://127.0.0.1:")
        assert f"  export CARTESIA_BASE_URL={url} CARTESIA_API_KEY={key}" in banner
        assert any("It listens on every interface (0.0.0.0)" in line for line in banner)
        env = {**os.environ, "CARTESIA_BASE_URL": url, "CARTESIA_API_KEY": key}
        done = subprocess.run(
            command_line("list", "--agent-id", "a"),
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "warning" not in done.stderr
        assert done.stdout == "No calls for agent 'a'.\n"


def test_the_banner_and_ctrl_c_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    async def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    # Ctrl-C on the first tick of the fake's clock.
    loop_only = SimpleNamespace(run=asyncio.run, sleep=interrupted)
    monkeypatch.setattr(cartesia_calls.cli._serve, "asyncio", loop_only)
    result = CliRunner().invoke(main, ["serve-fake", "--port", "0", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Fake Cartesia API listening on http://127.0.0.1:")
    assert "12 sample calls of 3 agents" in lines[0]
    assert any(line.startswith("It listens on every interface (0.0.0.0)") for line in lines)
    assert lines[-1] == "Press Ctrl-C to stop."
    assert result.stderr == "Stopped.\n"
