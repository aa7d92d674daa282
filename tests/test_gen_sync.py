"""tools/gen_sync.py: the generated files are current, and a stale one fails the check.

The generator runs on a copy of the package in a temporary folder, so these tests can change
the async code (or the generated file) the way a contributor would, and see what the check and
the generator make of it.
"""

from __future__ import annotations

import functools
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "tools" / "gen_sync.py"


@functools.cache
def generator() -> ModuleType:
    """tools/gen_sync.py as a module (its rewrite rules are what the parity tests apply)."""
    spec = importlib.util.spec_from_file_location("gen_sync", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_sync"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of what the generator reads and writes: the package, itself, ruff's settings."""
    shutil.copytree(ROOT / "cartesia_calls", tmp_path / "cartesia_calls")
    (tmp_path / "tools").mkdir()
    shutil.copy(GENERATOR, tmp_path / "tools" / "gen_sync.py")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def run(tree: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(tree / "tools" / "gen_sync.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_committed_files_are_what_the_generator_writes() -> None:
    assert generator().main(["--check"]) == 0


def test_a_hand_edited_generated_file_fails_the_check_and_is_rewritten(tree: Path) -> None:
    generated = tree / "cartesia_calls" / "_sync.py"
    committed = generated.read_text(encoding="utf-8")
    edit(generated, '"""Fetch one call, with its transcript.', '"""Fetch a call.')
    result = run(tree, "--check")
    assert result.returncode == 1
    assert "cartesia_calls/_sync.py: stale; run `python tools/gen_sync.py`" in result.stderr
    assert '-        """Fetch a call.' in result.stdout
    assert '+        """Fetch one call, with its transcript.' in result.stdout
    assert run(tree).returncode == 0
    assert generated.read_text(encoding="utf-8") == committed
    assert run(tree, "--check").returncode == 0


def test_a_changed_async_method_makes_both_generated_files_stale(tree: Path) -> None:
    edit(
        tree / "cartesia_calls" / "_calls.py",
        "    async def get(\n        self,\n        call_id: str,\n        *,\n",
        "    async def get(\n        self,\n        call_id: str,\n        *,\n"
        "        expand: bool = False,\n",
    )
    result = run(tree, "--check")
    assert result.returncode == 1
    assert "cartesia_calls/_raw_resources.py, cartesia_calls/_sync.py: stale" in result.stderr
    assert run(tree).returncode == 0
    sync = (tree / "cartesia_calls" / "_sync.py").read_text(encoding="utf-8")
    # The sync twin and both raw forms take the new parameter and pass it on.
    assert sync.count("        expand: bool = False,\n") == 2
    assert sync.count("expand=expand") == 2


def test_a_new_async_client_option_reaches_the_sync_client(tree: Path) -> None:
    # What the transport work does: an option added to AsyncClient (here one whose type needs
    # an import of its own) is on Client, and passed on, once generated.
    client = tree / "cartesia_calls" / "_client.py"
    edit(
        client,
        "        api_key: str | None = None,\n        *,\n",
        "        api_key: str | None = None,\n        *,\n"
        "        sample_ratio: fractions.Fraction | None = None,\n",
    )
    edit(client, "import os\n", "import fractions\nimport os\n")
    assert run(tree, "--check").returncode == 1
    assert run(tree).returncode == 0
    sync = (tree / "cartesia_calls" / "_sync.py").read_text(encoding="utf-8")
    assert "        sample_ratio: fractions.Fraction | None = None,\n" in sync
    assert "                sample_ratio=sample_ratio,\n" in sync
    assert "\nimport fractions\n" in sync


def test_a_new_async_method_gets_a_sync_twin_and_a_raw_form(tree: Path) -> None:
    edit(
        tree / "cartesia_calls" / "_batches.py",
        "    async def retry(",
        "    async def pause(self, batch_id: str) -> CallBatch:\n"
        '        """Pause a batch: ``await client.batches.pause(batch_id)``."""\n'
        '        return await self._request("POST", _batch_path(batch_id, "pause"), CallBatch, '
        "idempotent=True, extra_query=None, extra_headers=None)\n\n"
        "    async def retry(",
    )
    assert run(tree).returncode == 0
    sync = (tree / "cartesia_calls" / "_sync.py").read_text(encoding="utf-8")
    assert '"""Pause a batch: ``client.batches.pause(batch_id)``."""' in sync
    raw = (tree / "cartesia_calls" / "_raw_resources.py").read_text(encoding="utf-8")
    assert "async def pause(self, batch_id: str) -> APIResponse[CallBatch]:" in raw


def test_an_async_docstring_no_rule_can_rewrite_stops_the_generator(tree: Path) -> None:
    edit(
        tree / "cartesia_calls" / "_calls.py",
        '"""Fetch one call, with its transcript.',
        '"""Fetch one call, with its transcript (a coroutine).',
    )
    before = (tree / "cartesia_calls" / "_sync.py").read_text(encoding="utf-8")
    result = run(tree)
    assert result.returncode == 1
    assert "the sync docstring of Calls.get still says 'coroutine'" in result.stderr
    assert "add a rewrite to DOC_RULES" in result.stderr
    assert (tree / "cartesia_calls" / "_sync.py").read_text(encoding="utf-8") == before


def test_a_method_of_an_unknown_kind_stops_the_generator(tree: Path) -> None:
    edit(
        tree / "cartesia_calls" / "_calls.py",
        "    async def cancel(",
        "    async def listen(self) -> AsyncIterator[bytes]:\n"
        '        """Chunks."""\n'
        "        yield b''\n\n"
        "    async def cancel(",
    )
    result = run(tree)
    assert result.returncode == 1
    assert "AsyncCalls.listen (async_gen) has no raw-response form" in result.stderr
