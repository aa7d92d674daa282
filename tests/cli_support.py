"""What the command line tests share: the mark that makes ``fake`` the CLI's (it accepts
:data:`KEY`; ``conftest.cli`` runs the CLI against it), an ``invoke`` that checks every run for a
leaked key or a traceback, readers of the one-line errors, and ``serve-fake`` in a subprocess."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import pytest
from click.testing import CliRunner, Result

from cartesia_calls.cli import main

KEY = "sk_car_cli_test_SECRET_0123456789"
#: ``pytestmark = CLI_FAKE``: the module's ``fake`` accepts :data:`KEY` and holds the samples.
CLI_FAKE = pytest.mark.fake(api_key=KEY, samples=True)
#: The installed console script (``None`` when the package is not installed with its scripts).
SCRIPT = shutil.which("cartesia-calls", path=str(Path(sys.executable).parent))


class Invoke(Protocol):
    def __call__(
        self, *args: str, input: str | None = None, env: dict[str, str] | None = None
    ) -> Result: ...


def invoker(base_url: str, key: str = KEY, *, columns: int = 120) -> Invoke:
    """Run ``cartesia-calls`` in-process against the API at ``base_url`` with ``key`` in the
    environment; every run is checked for the key and a traceback."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        environment = {
            "CARTESIA_API_KEY": key,
            "CARTESIA_BASE_URL": base_url,
            "COLUMNS": str(columns),
            **(env or {}),
        }
        result = runner.invoke(main, list(args), input=input, env=environment)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert key not in result.output
        assert key not in result.stderr
        assert "Traceback" not in result.output
        return result

    return invoke


def error_line(result: Result) -> str:
    """The one line an error prints."""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def usage_error(result: Result) -> str:
    """The message of click's usage error (exit code 2): what follows ``Error: ``."""
    assert result.exit_code == 2, result.output
    _, marker, message = result.stderr.partition("Error: ")
    assert marker, result.stderr
    return message.strip()


def command_line(*args: str) -> list[str]:
    """``cartesia-calls ARGS`` as a subprocess runs it (the module works without the script)."""
    return [sys.executable, "-m", "cartesia_calls.cli", *args]


@contextmanager
def serve_fake(*args: str, script: str | None = None) -> Iterator[tuple[str, str, list[str]]]:
    """Run ``cartesia-calls serve-fake --port 0 ARGS`` in a subprocess (through the console
    ``script`` if given, else ``python -m``); yields the base URL and key it printed, and its
    banner (up to "Press Ctrl-C"). Stopped with Ctrl-C (SIGINT): it must exit 0, "Stopped."."""
    command = ("serve-fake", "--port", "0", *args)
    child = subprocess.Popen(
        [script, *command] if script is not None else command_line(*command),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A child inherits an ignored SIGINT from a shell's background job: restore it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )
    try:
        assert child.stdout is not None
        banner: list[str] = []
        while not banner or not banner[-1].startswith("Press Ctrl-C"):
            line = child.stdout.readline()
            assert line, f"serve-fake stopped: {child.communicate(timeout=20)}"
            banner.append(line.rstrip("\n"))
        url = banner[0].split(" on ")[1].split()[0]
        key = banner[1].removeprefix("API key: ").strip()
        yield url, key, banner
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=20)
        assert child.returncode == 0, err
        assert err.strip() == "Stopped."
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
