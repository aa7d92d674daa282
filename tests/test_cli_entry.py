"""The ``cartesia-calls`` script installed without the ``cli`` extra: one line, exit 1.

The installed console script runs in a subprocess whose ``sitecustomize`` makes the extra's
packages unimportable (``sys.modules[name] = None``, which is what ``import`` and
``importlib.util.find_spec`` see for a package that is not installed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cartesia_calls._cli_entry import HINT, main

SCRIPT = shutil.which("cartesia-calls", path=str(Path(sys.executable).parent))
needs_script = pytest.mark.skipif(SCRIPT is None, reason="the console script is not installed")


def run_without(tmp_path: Path, *hidden: str, args: tuple[str, ...] = ("--help",)) -> Any:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(
        "import sys\n" + "".join(f"sys.modules[{name!r}] = None\n" for name in hidden)
    )
    env = {**os.environ, "PYTHONPATH": str(shim)}
    assert SCRIPT is not None
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


@needs_script
@pytest.mark.parametrize("hidden", [("click", "rich"), ("click",), ("rich",)])
@pytest.mark.parametrize("args", [("--help",), ("list", "--agent-id", "agent_1"), ()])
def test_without_the_extra_one_line_says_what_to_install(
    tmp_path: Path, hidden: tuple[str, ...], args: tuple[str, ...]
) -> None:
    done = run_without(tmp_path, *hidden, args=args)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == HINT + "\n"
    assert 'pip install "cartesia-calls[cli]"' in HINT


@needs_script
def test_the_shim_hides_only_what_it_names(tmp_path: Path) -> None:
    # The same subprocess set-up with nothing hidden runs the real command line.
    done = run_without(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "serve-fake" in done.stdout


def test_help_through_the_entry_point_loads_only_click() -> None:
    code = (
        "import sys\n"
        "from cartesia_calls._cli_entry import main\n"
        "sys.argv = ['cartesia-calls', '--help']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print(exc.code)\n"
        "print(sorted({'click', 'rich', 'aiohttp', 'cartesia_calls._client'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Inspect and manage Cartesia voice-agent calls" in done.stdout
    assert done.stdout.splitlines()[-2:] == ["0", "['click']"]


def test_in_process_without_click(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "click", None)
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert capsys.readouterr() == ("", HINT + "\n")


def test_in_process_with_click_runs_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["cartesia-calls", "--help"])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 0
    assert "Inspect and manage Cartesia voice-agent calls" in capsys.readouterr().out
