"""The documentation cannot rot: its code runs, and its API reference lists every public name.

Every ```` ```python ```` block of ``docs/**/*.md``, ``README.md`` and ``CHANGELOG.md`` is run,
page by page, in the order it appears, the blocks of a page sharing one namespace (like cells
of a notebook). Blocks run against a :class:`~cartesia_calls.testing.FakeCartesia` seeded with
the ids the examples use (``ac_123``, ``agent_123``, ``ap_123``, ``acb_123``...), reached
through ``CARTESIA_API_KEY`` and ``CARTESIA_BASE_URL`` exactly as a reader's code reaches
Cartesia, in a temporary working directory.

* A block with top-level ``await`` / ``async with`` / ``async for`` runs as the body of an
  async function, on one event loop per page; any other block runs as plain module code, so
  ``asyncio.run(main())`` and the sync ``Client`` work as they would in a script.
* Time is simulated: the SDK's default ``Backoff.sleep`` (retry waits, ``calls.wait`` polls)
  advances the fake's clock instead of sleeping, so calls seeded with a lifecycle end at once.
* A block that cannot run (a server that would listen forever, another package) is marked with
  a comment on the line before it::

      <!-- no-test: why it cannot run -->

  It is reported as a skipped test with that reason, and their number is capped.
* Setup the reader does not need to see goes in a hidden block, run in its place::

      <!-- test-setup:
      client = Client()
      -->
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import faulthandler
import importlib
import inspect
import logging
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import cartesia_calls
import cartesia_calls._retry
from cartesia_calls import AsyncClient, Client
from cartesia_calls.testing import FakeCartesia, Lifecycle, Recording

from .helpers import turn

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API_PAGE = DOCS / "api.md"

#: The most blocks that may be marked ``no-test`` across all pages. Raise it only with a reason.
MAX_SKIPPED = 3
#: Hidden setup for snippets, on pages owned elsewhere, that continue from context the page
#: describes in words; keyed by (page, the block's first line). Prefer a ``test-setup`` comment
#: in the page itself: when the block changes, its entry here stops applying and the page fails.
#: A page whose examples take longer than this (seconds) is stopped, with every thread's stack.
PAGE_TIME_LIMIT = 120

_PYTHON_INFOS = {"python", "py", "python3"}
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_NO_TEST = re.compile(r"^\s*<!--\s*no-test\b:?\s*(?P<reason>.*?)\s*-->\s*$")
_SETUP_START = re.compile(r"^\s*<!--\s*test-setup:?\s*$")


@attrs.frozen
class Block:
    """One piece of code in a page: a fenced block, or a hidden setup block."""

    page: Path
    line: int  # 1-based line of the first line of code
    code: str
    skip_reason: str | None = None
    hidden: bool = False

    @property
    def where(self) -> str:
        return f"{_page_id(self.page)}:{self.line}"


def _page_id(page: Path) -> str:
    try:
        return str(page.relative_to(ROOT))
    except ValueError:  # a page outside the repository (the extractor's own test)
        return str(page)


def _pages() -> list[Path]:
    pages = [
        path
        for path in DOCS.rglob("*.md")
        if not {"_build", ".ipynb_checkpoints"} & set(path.relative_to(DOCS).parts)
    ]
    pages += [ROOT / "README.md", ROOT / "CHANGELOG.md"]
    return sorted(path for path in pages if path.exists())


def extract_blocks(page: Path) -> list[Block]:
    """The Python blocks of a Markdown page, in order, with their skip marks."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if _SETUP_START.match(line):
            end = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == "-->"), None)
            if end is None:
                raise AssertionError(f"{page}:{index + 1}: test-setup comment is never closed")
            code = "\n".join(lines[index + 1 : end])
            blocks.append(Block(page, index + 2, code, hidden=True))
            index = end + 1
            continue
        match = _FENCE.match(line)
        if match is None:
            index += 1
            continue
        fence, indent = match["fence"], match["indent"]
        info = match["info"].strip().split()
        end = index + 1
        while end < len(lines):
            closing = _FENCE.match(lines[end])
            if (
                closing is not None
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"].strip()
            ):
                break
            end += 1
        if info and info[0].lower() in _PYTHON_INFOS:
            body = [
                text[len(indent) :] if text.startswith(indent) else text
                for text in lines[index + 1 : end]
            ]
            before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
            skipped = _NO_TEST.match(before)
            code = "\n".join(body)
            blocks.append(
                Block(
                    page,
                    index + 2,
                    code,
                    skip_reason=(skipped["reason"] or "no reason given") if skipped else None,
                )
            )
        index = end + 1
    return blocks


PAGES = _pages()
BLOCKS = {page: extract_blocks(page) for page in PAGES}
PAGES_WITH_CODE = [
    page for page, blocks in BLOCKS.items() if any(not b.skip_reason for b in blocks)
]
SKIPPED = [block for blocks in BLOCKS.values() for block in blocks if block.skip_reason]


# -- the fake API the examples run against -------------------------------------------------------

AGENT = "agent_123"
_START = "2026-03-01T12:00:00Z"


def seed(fake: FakeCartesia) -> None:
    """The ids the examples use: an agent with 28 calls, a phone number, a dialled batch."""
    fake.phone_numbers["ap_123"] = "+14155550100"
    fake.phone_numbers["pn_123"] = "+14155550100"
    fake.add_call(
        id="ac_123",
        agent_id=AGENT,
        agent_name="Front desk",
        status="completed",
        start_time=_START,
        end_time="2026-03-01T12:03:12Z",
        end_reason="client_hangup",
        summary="The caller moved their appointment to Friday at 10:00.",
        telephony_params={
            "to": "+14155550100",
            "from": "+14155550123",
            "direction": "inbound",
            "call_sid": "CA0001",
            "connection_type": "websocket",
        },
        metadata={"customer_id": "cus_42"},
        deployment_id="ad_123",
        deployment_version_id="av_7",
        deployment_region="US",
        zdr_enabled=False,
        transcript=[
            turn("assistant", 0.4, 2.9, "Thanks for calling, how can I help?", tts_ttfb=0.21),
            turn("user", 3.5, 6.0, "I need to move my appointment.", stt_ttfb=0.12),
            {
                "role": "system",
                "start_timestamp": 6.1,
                "end_timestamp": 6.1,
                "log_event": {"event": "intent", "metadata": {"intent": "reschedule"}},
            },
            turn(
                "assistant",
                6.5,
                9.8,
                "Friday at 10:00 is free. Shall I book it?",
                tts_ttfb=0.25,
                end_reason="interrupted",
                tool_calls=[
                    {
                        "id": "tc_1",
                        "name": "find_slot",
                        "arguments": {"day": "friday"},
                        "result": "10:00",
                    }
                ],
            ),
            turn("user", 9.1, 10.0, "Yes please.", stt_ttfb=0.10),
            turn("assistant", 10.4, 12.0, "Done. See you Friday!", tts_ttfb=0.19),
        ],
        logs=["12:00:01 INFO call connected", "12:00:07 INFO find_slot -> 10:00"],
        recording=Recording(3.0),
    )
    fake.add_call(
        id="ac_456",
        agent_id=AGENT,
        status="completed",
        start_time="2026-03-01T11:00:00Z",
        end_time="2026-03-01T11:01:30Z",
        end_reason="agent_hangup",
        transcript=[turn("assistant", 0.3, 1.5, "Hello!"), turn("user", 2.0, 2.5, "Bye.")],
        recording=Recording(1.0),
    )
    fake.add_call(
        id="ac_789",
        agent_id=AGENT,
        transcript=[turn("assistant", 0.5, 2.0, "Hi, this is the front desk.")],
        lifecycle=Lifecycle(starts_at=0, ends_at=120, end_reason="client_hangup"),
    )
    for number in range(22):
        day = 28 - number // 2
        fake.add_call(
            id=f"ac_{1000 + number}",
            agent_id=AGENT,
            status="failed" if number % 7 == 3 else "completed",
            end_reason="error" if number % 7 == 3 else "agent_hangup",
            start_time=f"2026-02-{day:02d}T{9 + number % 2:02d}:00:00Z",
            end_time=f"2026-02-{day:02d}T{9 + number % 2:02d}:0{1 + number % 5}:00Z",
            transcript=[turn("assistant", 0.5, 1.5, f"Hello caller {number}.")],
        )
    fake.add_call(id="ac_no_audio", agent_id="agent_other", status="completed")
    fake.add_call(
        id="ac_abc123",
        agent_id="agent_1",
        status="completed",
        start_time=_START,
        end_time="2026-03-01T12:01:00Z",
        end_reason="agent_hangup",
        transcript=[turn("assistant", 0.4, 1.9, "Hello!")],
    )
    fake.add_batch(
        id="acb_123",
        name="March refill reminders",
        agent_id=AGENT,
        from_number_id="pn_123",
        recipients=["+14155550123", "+14155550124", "+14155550125"],
    )
    fake.dial_batch("acb_123", outcomes={"+14155550125": "no_answer"})


@pytest.fixture
def docs_world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakeCartesia) -> FakeCartesia:
    """A seeded fake API in a background thread, the environment pointing at it, simulated
    time, and a scratch working directory."""
    seed(fake)
    monkeypatch.setenv("CARTESIA_API_KEY", fake.api_key)
    monkeypatch.setenv("CARTESIA_BASE_URL", fake.base_url)
    monkeypatch.setenv("CARTESIA_WEBHOOK_SECRET", "whsec_docs_example")
    monkeypatch.delenv("CARTESIA_CALLS_LOG", raising=False)
    monkeypatch.chdir(tmp_path)

    real_sleep = asyncio.sleep

    async def simulated_sleep(seconds: float) -> None:
        fake.advance(seconds)
        await real_sleep(0)

    # The default Backoff.sleep calls asyncio.sleep through the _retry module's globals.
    monkeypatch.setattr(cartesia_calls._retry, "_asyncio_sleep", simulated_sleep)
    return fake


@contextlib.contextmanager
def _logging_restored() -> Iterator[None]:
    """Examples may configure logging; the next test must not inherit it."""
    loggers = [logging.getLogger(), logging.getLogger("cartesia_calls")]
    saved = [(log, log.level, list(log.handlers), log.propagate) for log in loggers]
    try:
        yield
    finally:
        for log, level, handlers, propagate in saved:
            for handler in log.handlers:
                if handler not in handlers:
                    handler.close()
            log.setLevel(level)
            log.handlers[:] = handlers
            log.propagate = propagate


def _compile(block: Block) -> types.CodeType:
    # Blank lines in front keep tracebacks pointing at the Markdown file's own line numbers.
    source = "\n" * (block.line - 1) + block.code
    code: types.CodeType = compile(
        source, str(block.page), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    )
    return code


def _close_leftovers(namespace: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
    """Close clients an example left open (notebook style), so no session outlives the test."""
    for value in list(namespace.values()):
        if isinstance(value, Client) and not value.is_closed:
            value.close()
        elif isinstance(value, AsyncClient) and not value.is_closed:
            with contextlib.suppress(cartesia_calls.EventLoopMismatchError):
                loop.run_until_complete(value.close())


def run_page(page: Path, blocks: list[Block]) -> int:
    """Run the page's blocks in order in one namespace; returns how many ran."""
    name = "docs_example_" + re.sub(r"\W", "_", _page_id(page))
    module = types.ModuleType(name)
    module.__file__ = str(page)
    sys.modules[name] = module  # attrs and dataclasses look their module up
    namespace = module.__dict__
    loop = asyncio.new_event_loop()
    ran = 0
    faulthandler.dump_traceback_later(PAGE_TIME_LIMIT, exit=True, file=2)  # fd 2: stderr
    try:
        with _logging_restored():
            for block in blocks:
                if block.skip_reason:
                    continue
                code = _compile(block)
                try:
                    result = eval(code, namespace)
                    if code.co_flags & inspect.CO_COROUTINE:
                        loop.run_until_complete(result)
                except BaseException as exc:
                    exc.add_note(f"in the example at {block.where}")
                    raise
                ran += 1
    finally:
        faulthandler.cancel_dump_traceback_later()
        _close_leftovers(namespace, loop)
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        del sys.modules[name]
    return ran


# -- the tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES_WITH_CODE, ids=_page_id)
def test_examples_run(page: Path, docs_world: FakeCartesia) -> None:
    """Every Python block of the page runs without an exception."""
    assert run_page(page, BLOCKS[page]) > 0


@pytest.mark.parametrize("block", SKIPPED, ids=lambda block: block.where)
def test_skipped_example(block: Block) -> None:
    """Each block marked ``no-test`` shows up as a skipped test, with its reason."""
    pytest.skip(f"{block.where}: {block.skip_reason}")


def test_examples_are_found() -> None:
    """The extractor sees the examples (a broken pattern would make every page pass)."""
    runnable = [b for blocks in BLOCKS.values() for b in blocks if not b.skip_reason]
    assert len(runnable) >= 60, f"only {len(runnable)} runnable examples found"
    assert {DOCS / "index.md", DOCS / "quickstart.md", ROOT / "README.md"} <= set(PAGES_WITH_CODE)
    assert len(SKIPPED) <= MAX_SKIPPED, (
        f"{len(SKIPPED)} examples are marked no-test (at most {MAX_SKIPPED}): "
        + ", ".join(block.where for block in SKIPPED)
    )


def test_extract_blocks(tmp_path: Path) -> None:
    """Fences, skip marks, hidden setup and nested fences are read as documented."""
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n"
        "```python\n"
        "a = 1\n"
        "```\n"
        "\n"
        "<!-- no-test: needs a server -->\n"
        "\n"
        "```python\n"
        "serve_forever()\n"
        "```\n"
        "<!-- test-setup:\n"
        "b = 2\n"
        "-->\n"
        "````markdown\n"
        "```python\n"
        "not_code()\n"
        "```\n"
        "````\n"
        "```console\n"
        "$ pip install x\n"
        "```\n"
        "  ```py\n"
        "  c = 3\n"
        "  ```\n",
        encoding="utf-8",
    )
    blocks = extract_blocks(page)
    assert [(b.line, b.code, b.skip_reason, b.hidden) for b in blocks] == [
        (3, "a = 1", None, False),
        (9, "serve_forever()", "needs a server", False),
        (12, "b = 2", None, True),
        (23, "c = 3", None, False),
    ]


def _documented_names() -> set[str]:
    """Full names of the objects ``docs/api.md`` documents with a directive."""
    names: set[str] = set()
    current = ""
    directive = re.compile(r"^\s*\.\. (?:py:)?(?P<kind>[\w-]+)::\s*(?P<name>[\w.]+)")
    for line in API_PAGE.read_text(encoding="utf-8").splitlines():
        match = directive.match(line)
        if match is None:
            continue
        kind, name = match["kind"], match["name"]
        if kind in {"currentmodule", "module"}:
            current = name
        elif kind == "automodule" or name.startswith("cartesia_calls"):
            names.add(name)
        else:
            names.add(f"{current}.{name}" if current else name)
    return names


@pytest.mark.parametrize(
    "module_name",
    [
        "cartesia_calls",
        "cartesia_calls.errors",
        "cartesia_calls.testing",
        "cartesia_calls.webhooks",
    ],
)
def test_api_reference_lists_every_public_name(module_name: str) -> None:
    """A name added to a public ``__all__`` must get an entry in docs/api.md."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:  # pragma: no cover - a public module still being written
        pytest.skip(f"{module_name} does not exist yet")
    documented = _documented_names()
    assert module_name in documented or module_name == "cartesia_calls"
    home = "cartesia_calls" if module_name == "cartesia_calls.errors" else module_name
    missing = sorted(name for name in module.__all__ if f"{home}.{name}" not in documented)
    assert not missing, f"docs/api.md does not document {home}: {', '.join(missing)}"


def test_errors_page_tree_matches_the_code() -> None:
    """The exception tree on docs/errors.md is the one in cartesia_calls/errors.py."""
    doc = cartesia_calls.errors.__doc__ or ""
    tree_in_code = doc.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    tree_in_docs = page.split("```text\n", 1)[1].split("```", 1)[0]
    assert [line.strip() for line in tree_in_docs.strip().splitlines()] == [
        line.strip() for line in tree_in_code.strip().splitlines()
    ]
