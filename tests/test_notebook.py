"""The quickstart notebook, executed in a real IPython kernel against the fake API.

An IPython kernel runs an asyncio event loop in its main thread, and notebook cells are plain
synchronous code on that thread: exactly where a naive sync wrapper (``asyncio.run`` per call)
fails. The kernel gets the fake's address and key through the environment, as a user's notebook
would get the real ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from cartesia_calls.testing import FakeCartesia, Recording

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "quickstart.ipynb"
AGENT_ID = "agent_support"
CALL_ID = "ac_quickstart_1"
RECORDING = Recording(seconds=1.5)


def read_notebook() -> Any:
    return nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]


def test_the_saved_notebook_is_valid_and_has_no_outputs() -> None:
    notebook = read_notebook()
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


@pytest.fixture
def fake() -> Iterator[FakeCartesia]:
    with FakeCartesia().run_in_thread() as server:
        turns = [
            ("user", 0.4, 2.0, "Hi, where is my order?"),
            ("assistant", 2.3, 5.1, "It left the warehouse this morning."),
        ]
        server.add_call(
            id=CALL_ID,
            agent_id=AGENT_ID,
            status="completed",
            end_reason="agent_hangup",
            start_time="2026-03-01T12:00:30Z",
            transcript=[
                {"role": role, "start_timestamp": start, "end_timestamp": end, "text": text}
                for role, start, end, text in turns
            ],
            recording=RECORDING,
        )
        for n, minute in ((2, 20), (3, 10)):
            server.add_call(
                id=f"ac_quickstart_{n}",
                agent_id=AGENT_ID,
                status="completed",
                start_time=f"2026-03-01T11:{minute}:00Z",
            )
        server.add_call(id="ac_other_agent", agent_id="agent_other")
        yield server


def outputs_by_tag(notebook: Any) -> dict[str, list[Any]]:
    return {
        tag: cell.outputs
        for cell in notebook.cells
        if cell.cell_type == "code"
        for tag in cell.metadata.get("tags", [])
    }


def stdout(outputs: list[Any]) -> str:
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")


def result(outputs: list[Any]) -> str:
    (value,) = [o.data["text/plain"] for o in outputs if o.output_type == "execute_result"]
    return str(value)


def test_the_quickstart_runs_in_a_real_kernel(fake: FakeCartesia, tmp_path: Path) -> None:
    notebook = read_notebook()
    # Not part of the quickstart: shows that the cells above ran where a loop was running.
    probe = "import asyncio\nprint(asyncio.get_running_loop().is_running())"
    cell = nbformat.v4.new_code_cell(probe, metadata={"tags": ["loop"]})  # type: ignore[no-untyped-call]
    notebook.cells.append(cell)
    env = {
        **os.environ,
        "CARTESIA_API_KEY": fake.api_key,
        "CARTESIA_BASE_URL": fake.base_url,
    }
    runner = NotebookClient(
        notebook,
        timeout=60,
        startup_timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    runner.execute(env=env)

    cells = outputs_by_tag(notebook)
    for tag, outputs in cells.items():
        assert [o for o in outputs if o.output_type == "error"] == [], tag
        assert [o for o in outputs if getattr(o, "name", None) == "stderr"] == [], tag

    assert result(cells["client"]) == (
        f"Client(base_url='{fake.base_url}', cartesia_version='2026-08-14')"
    )
    assert stdout(cells["get"]).splitlines() == [
        f"{CALL_ID}: completed, ended by agent_hangup",
        "[ 0.4s] user: Hi, where is my order?",
        "[ 2.3s] assistant: It left the warehouse this morning.",
    ]
    listed = [line.split()[0] for line in stdout(cells["list"]).splitlines()]
    assert listed == [CALL_ID, "ac_quickstart_2", "ac_quickstart_3"]
    assert stdout(cells["download"]) == (
        f"wrote {RECORDING.size} bytes to {CALL_ID}.wav: 1.5 s of audio\n"
    )
    assert result(cells["close"]) == "True"
    assert stdout(cells["loop"]) == "True\n"

    # One get, two list pages (three calls, two per page), one download; all authenticated.
    assert [(r.method, r.path, r.query.get("starting_after")) for r in fake.requests] == [
        ("GET", f"/agents/calls/{CALL_ID}", None),
        ("GET", "/agents/calls", None),
        ("GET", "/agents/calls", "ac_quickstart_2"),
        ("GET", f"/agents/calls/{CALL_ID}/audio", None),
    ]
    assert {r.headers["Authorization"] for r in fake.requests} == {f"Bearer {fake.api_key}"}
