"""The quickstart notebook, executed in a real IPython kernel against the fake API.

An IPython kernel runs an asyncio event loop in its main thread, and notebook cells are plain
synchronous code on that thread: exactly where a naive sync wrapper (``asyncio.run`` per call)
fails. The notebook runs twice, as its readers run it:

* with a key in the environment (here: this test's fake's key and address, as a user's notebook
  gets the real ones): it talks to that API and starts nothing of its own;
* with no key, as the docs build runs it (``nb_execution_mode`` in docs/conf.py): its first cell
  starts a fake seeded with the sample calls.

Either way every cell runs without an error, and the charts come out as PNG images, which is
what the built page shows.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from cartesia_calls.testing import FakeCartesia, sample_calls

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "notebooks" / "quickstart.ipynb"
CALL_ID = "ac_dental_reschedule"
AGENTS = ["agent_dental_frontdesk", "agent_fiber_support", "agent_pharmacy_refills"]
DENTAL_CALLS = [
    "ac_dental_reschedule",
    "ac_dental_insurance",
    "ac_dental_emergency",
    "ac_dental_redacted",
    "ac_dental_silence",
]
PNG = b"\x89PNG\r\n\x1a\n"


def read_notebook() -> Any:
    return nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]


def test_the_saved_notebook_is_valid_and_has_no_outputs() -> None:
    notebook = read_notebook()
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == []
            assert cell.execution_count is None


def outputs_by_tag(notebook: Any) -> dict[str, list[Any]]:
    return {
        tag: cell.outputs
        for cell in notebook.cells
        if cell.cell_type == "code"
        for tag in cell.metadata.get("tags", [])
    }


def stdout(outputs: list[Any]) -> str:
    return "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")


def result(outputs: list[Any], kind: str = "text/plain") -> str:
    (value,) = [o.data[kind] for o in outputs if o.output_type == "execute_result"]
    return str(value)


def images(outputs: list[Any]) -> list[bytes]:
    return [
        base64.b64decode(o.data["image/png"])
        for o in outputs
        if o.output_type == "display_data" and "image/png" in o.data
    ]


def run_notebook(tmp_path: Path, env: dict[str, str], *probes: str) -> dict[str, list[Any]]:
    """Execute the notebook, then the probe cells (not part of it); outputs by cell tag."""
    notebook = read_notebook()
    for index, probe in enumerate(probes):
        cell = nbformat.v4.new_code_cell(probe, metadata={"tags": [f"probe{index}"]})  # type: ignore[no-untyped-call]
        notebook.cells.append(cell)
    clean = {
        name: value
        for name, value in os.environ.items()
        # The kernel picks its own matplotlib backend (inline), as in Jupyter.
        if not name.startswith("CARTESIA_") and name != "MPLBACKEND"
    }
    runner = NotebookClient(
        notebook,
        timeout=120,
        startup_timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    runner.execute(env={**clean, **env})
    cells = outputs_by_tag(notebook)
    for tag, outputs in cells.items():
        assert [o for o in outputs if o.output_type == "error"] == [], tag
        assert [o for o in outputs if getattr(o, "name", None) == "stderr"] == [], tag
    return cells


def check_outputs(cells: dict[str, list[Any]]) -> None:
    """What the reader sees, the same with the real API's data or the sample calls."""
    lines = stdout(cells["get"]).splitlines()
    assert lines[0] == f"{CALL_ID}: completed, ended by agent_hangup"
    assert lines[1].startswith("[ 0.7s] assistant: Thanks for calling Bright Smile Dental")
    assert len(lines) == 5
    assert [line.split()[0] for line in stdout(cells["list"]).splitlines()] == DENTAL_CALLS
    assert stdout(cells["download"]) == f"wrote 1192044 bytes to {CALL_ID}.wav: 74.5 s of audio\n"

    table = result(cells["frame"], "text/html")
    assert all(call.id in table for call in sample_calls())
    assert "tts_ttfb_mean" in table
    for chart in ("latency", "reasons"):
        [png] = images(cells[chart])
        assert png.startswith(PNG), chart
    assert result(cells["close"]) == "True"


@pytest.mark.fake(samples=True)
def test_the_notebook_with_a_key_uses_that_api(fake: FakeCartesia, tmp_path: Path) -> None:
    cells = run_notebook(
        tmp_path,
        {"CARTESIA_API_KEY": fake.api_key, "CARTESIA_BASE_URL": fake.base_url},
        # The cells above ran where an event loop was running; and started no fake.
        "import asyncio\nprint(asyncio.get_running_loop().is_running(), 'fake' in globals())",
    )
    check_outputs(cells)
    assert result(cells["client"]) == (
        f"Client(base_url='{fake.base_url}', cartesia_version='2026-08-14')"
    )
    assert stdout(cells["probe0"]) == "True False\n"

    # One get, three list pages (five calls, two per page), one download, then one page of
    # calls with transcripts per agent for the frames; all authenticated with the given key.
    dental = "agent_dental_frontdesk"
    assert [
        (r.method, r.path, r.query.get("agent_id"), r.query.get("starting_after"))
        for r in fake.requests
    ] == [
        ("GET", f"/agents/calls/{CALL_ID}", None, None),
        ("GET", "/agents/calls", dental, None),
        ("GET", "/agents/calls", dental, "ac_dental_insurance"),
        ("GET", "/agents/calls", dental, "ac_dental_redacted"),
        ("GET", f"/agents/calls/{CALL_ID}/audio", None, None),
        *[("GET", "/agents/calls", agent, None) for agent in AGENTS],
    ]
    assert [r.query.get("expand") for r in fake.requests[-3:]] == ["transcript"] * 3
    assert {r.headers["Authorization"] for r in fake.requests} == {f"Bearer {fake.api_key}"}


def test_the_notebook_without_a_key_runs_on_its_own_fake(tmp_path: Path) -> None:
    cells = run_notebook(
        tmp_path,
        {},
        "print(fake.base_url == os.environ['CARTESIA_BASE_URL'], len(fake.requests))",
    )
    check_outputs(cells)
    assert stdout(cells["probe0"]) == "True 8\n"
