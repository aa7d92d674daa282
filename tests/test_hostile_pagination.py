"""A server whose list never ends: fresh cursors forever, ``has_more: null``, loops, cursors of
megabytes. Every walk ends with the last page or a typed error, in bounded requests and memory."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Mapping

import pytest

from cartesia_calls import AgentCall, APIError, AsyncPager, Client, Page
from cartesia_calls._pagination import CURSOR_WINDOW, DEFAULT_MAX_PAGES, MAX_CURSOR_CHARS

from .hostile import SECRET, HostileServer, Request, Wire, page, serving_in_thread

LIST = "/agents/calls"


def endless(*, has_more: bool | str | None = "absent", cursor_size: int = 8) -> HostileServer:
    """A server that answers every list request with one call and a cursor never seen before."""
    count = 0

    async def script(request: Request, wire: Wire) -> None:
        nonlocal count
        count += 1
        cursor = f"c{count}".ljust(cursor_size, "x")
        await wire.json(page([f"ac_{count}"], cursor, has_more=has_more))

    return HostileServer(script)


async def collect(pager: AsyncPager[AgentCall], into: list[str]) -> None:
    async for call in pager:
        into.append(call.id)


@pytest.mark.parametrize(
    ("has_more", "version"),
    [("absent", "2026-03-01"), (None, "2026-03-01"), (True, "2026-03-01"), (True, "2026-08-14")],
    ids=["absent-old", "null-old", "true-old", "true-new"],
)
async def test_fresh_cursors_forever_stop_at_the_page_ceiling(
    has_more: bool | str | None, version: str
) -> None:
    async with (
        endless(has_more=has_more) as server,
        server.client(cartesia_version=version) as client,
    ):
        pager = client.calls.list(agent_id="agent_1").with_max_pages(40)
        seen: list[str] = []
        with pytest.raises(APIError, match=r"stopped after 40 pages.*with_max_pages"):
            await collect(pager, seen)
    # Every page up to the ceiling was handed out, and not one request more was sent.
    assert len(seen) == 40
    assert server.count(LIST) == 40


@pytest.mark.parametrize("has_more", ["absent", None], ids=["absent", "null"])
async def test_under_2026_08_14_a_page_without_has_more_true_is_the_last(
    has_more: str | None,
) -> None:
    # 2026-08-14 always sends has_more: a page that does not say "true" ends the walk, even
    # with a cursor (a server handing out fresh cursors with has_more: null is walked once).
    async with endless(has_more=has_more) as server, server.client() as client:
        calls = await client.calls.list(agent_id="agent_1").to_list()
    assert [call.id for call in calls] == ["ac_1"]
    assert server.count(LIST) == 1


def script_of(*pages: dict[str, object]) -> HostileServer:
    """A server answering the list requests with ``pages`` in turn (the last one forever)."""
    answered = 0

    async def script(request: Request, wire: Wire) -> None:
        nonlocal answered
        body = pages[min(answered, len(pages) - 1)]
        answered += 1
        await wire.json(body)

    return HostileServer(script)


@pytest.mark.parametrize(
    ("last", "why"),
    [
        (page(["ac_2"], "c2", has_more=False), "has_more false, a cursor anyway"),
        (page(["ac_2"], None, has_more=True), "has_more true, no cursor"),
        (page(["ac_2"], "", has_more=True), "has_more true, an empty cursor"),
        (page(["ac_2"], None), "no has_more, no cursor"),
        (page([], "c2", has_more=True), "an empty page with a cursor"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
async def test_a_page_that_cannot_lead_further_is_the_last(
    last: dict[str, object], why: str
) -> None:
    async with script_of(page(["ac_1"], "c1", has_more=True), last) as server, server.client() as c:
        calls = await c.calls.list(agent_id="agent_1").to_list()
    assert [c.id for c in calls] == (["ac_1"] if not last["data"] else ["ac_1", "ac_2"])
    assert server.count(LIST) == 2


async def test_a_cursor_loop_is_refused_when_it_repeats() -> None:
    async with (
        script_of(
            page(["ac_1"], "c1", has_more=True),
            page(["ac_2"], "c2", has_more=True),
            page(["ac_3"], "c1", has_more=True),
        ) as server,
        server.client() as client,
    ):
        with pytest.raises(APIError, match="'c1' twice"):
            await client.calls.list(agent_id="agent_1").to_list()
    assert server.count(LIST) == 3


async def test_a_server_that_hands_back_the_starting_cursor_is_refused_at_once() -> None:
    async with script_of(page(["ac_1"], "start", has_more=True)) as server, server.client() as c:
        with pytest.raises(APIError, match="twice"):
            await c.calls.list(agent_id="agent_1", starting_after="start").to_list()
    assert server.count(LIST) == 1


async def test_a_cursor_too_long_to_send_back_is_an_error() -> None:
    huge = page(["ac_1"], "c" * (MAX_CURSOR_CHARS + 1), has_more=True)
    async with script_of(huge) as server, server.client() as client:
        with pytest.raises(APIError, match="characters"):
            await client.calls.list(agent_id="agent_1").to_list()
    assert server.count(LIST) == 1


async def test_a_list_exactly_as_long_as_the_ceiling_completes() -> None:
    pages = [page([f"ac_{i}"], f"c{i}", has_more=True) for i in range(4)]
    pages.append(page(["ac_4"], None, has_more=False))
    async with script_of(*pages) as server, server.client() as client:
        calls = await client.calls.list(agent_id="agent_1").with_max_pages(5).to_list()
    assert len(calls) == 5


def test_the_ceiling_is_generous_and_checked() -> None:
    async def fetch(params: Mapping[str, str]) -> Page[AgentCall]:
        raise AssertionError("nothing is fetched")

    pager = AsyncPager(fetch, {}, item_type=AgentCall)
    assert pager.item_type is AgentCall
    assert pager.max_pages == DEFAULT_MAX_PAGES == 100_000
    assert pager.with_max_pages(7).max_pages == 7
    assert pager.max_pages == DEFAULT_MAX_PAGES, "with_max_pages returns a new pager"
    for bad in (0, -1, True, 2.5, "10"):
        with pytest.raises(ValueError, match="max_pages"):
            pager.with_max_pages(bad)  # type: ignore[arg-type]


def test_the_sync_pager_has_the_same_ceiling() -> None:
    server_pages = [page([f"ac_{i}"], f"c{i}", has_more=True) for i in range(10)]
    answered = 0

    async def script(request: Request, wire: Wire) -> None:
        nonlocal answered
        answered += 1
        await wire.json(server_pages[min(answered, 9)])

    with serving_in_thread(script) as server:
        with Client(api_key=SECRET, base_url=server.base_url, max_retries=0) as client:
            pager = client.calls.list(agent_id="agent_1").with_max_pages(3)
            assert pager.max_pages == 3
            with pytest.raises(APIError, match="stopped after 3 pages"):
                list(pager)
        assert server.count(LIST) == 3


async def walk_peak(pages: int, cursor_size: int) -> int:
    """Peak traced memory while walking ``pages`` pages of fresh ``cursor_size``-char cursors."""
    count = 0
    item = AgentCall.from_dict({"id": "ac_1", "agent_id": "agent_1", "status": "completed"})

    async def fetch(params: Mapping[str, str]) -> Page[AgentCall]:
        nonlocal count
        count += 1
        # A new string each time, as a server's cursors would be.
        return Page(data=[item], next_page=f"{count:08d}".ljust(cursor_size, "x"), has_more=True)

    pager = AsyncPager(fetch, {}, item_type=AgentCall).with_max_pages(pages)
    gc.collect()
    tracemalloc.start()
    try:
        with pytest.raises(APIError, match="stopped after"):
            async for _ in pager.pages():
                pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_memory_stays_flat_however_many_pages_are_walked() -> None:
    # 1 KiB cursors: remembering every one would hold 20 MB after 20,000 pages.
    short = await walk_peak(CURSOR_WINDOW * 2, 1024)
    long = await walk_peak(20_000, 1024)
    assert long < 2 * 1024 * 1024, f"peak {long:,} bytes"
    assert long < short + 512 * 1024, (short, long)
