"""The clients under test, each behind the same small interface.

A contender opens its client once (one connection pool, reused by every request, as an
application would), gets a call by id, lists a whole agent's calls with transcripts, maybe
exports them, and closes. Async contenders run on the benchmark's event loop; sync ones are
called from the main thread while no loop is running there.

* ``floor``: aiohttp + ``orjson.loads`` and nothing else (no models, no checks beyond the
  status): the least any aiohttp-based client can cost. ``floor_json`` is the same with the
  standard library's ``json.loads``.
* ``ours_async`` / ``ours_sync``: ``cartesia_calls.AsyncClient`` / ``cartesia_calls.Client``.
* ``official_async`` / ``official_sync``: the official ``cartesia`` package,
  ``AsyncCartesia`` / ``Cartesia``, ``client.agents.calls.retrieve(id)``.

The sync ``cartesia_calls.Client`` is picked up when the installed package exports it; if it
does not, its rows are simply absent (and the run says so).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import orjson

import cartesia_calls

CALLS = "/agents/calls"
API_VERSION = "2026-08-14"
PAGE_SIZE = 100


class Contender:
    """One client. ``kind`` is ``"async"`` (methods are coroutines) or ``"sync"``.

    ``lists`` / ``exports``: whether it has ``list_all(agent_id)`` / ``export(agent_id, path)``
    (both return the number of calls).
    """

    key = ""
    label = ""
    kind = "async"
    lists = False
    exports = False

    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url = base_url
        self.api_key = api_key
        self.client: Any = None

    def open(self) -> Any:
        raise NotImplementedError

    def get(self, call_id: str) -> Any:
        raise NotImplementedError

    def close(self) -> Any:
        raise NotImplementedError


# -- the floor ------------------------------------------------------------------------------


class Floor(Contender):
    """aiohttp, one reused session, the body parsed by ``orjson.loads``; no models."""

    key = "floor"
    label = "floor: aiohttp + orjson.loads"
    lists = exports = True
    loads: Callable[[bytes], Any] = staticmethod(orjson.loads)

    async def open(self) -> None:
        self.client = aiohttp.ClientSession(
            headers={
                "Authorization": f"Bearer {self.api_key}",
                "Cartesia-Version": API_VERSION,
                "Accept": "application/json",
            }
        )

    async def _get_json(self, path: str, params: dict[str, str] | None = None) -> Any:
        async with self.client.get(self.base_url + path, params=params) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {body[:200]!r}")
        return self.loads(body)

    async def get(self, call_id: str) -> Any:
        return await self._get_json(f"{CALLS}/{call_id}")

    async def get_bytes(self, call_id: str) -> bytes:
        async with self.client.get(f"{self.base_url}{CALLS}/{call_id}") as response:
            return await response.read()

    async def _pages(self, agent_id: str) -> AsyncIterator[list[Any]]:
        params = {"agent_id": agent_id, "expand": "transcript", "limit": str(PAGE_SIZE)}
        while True:
            page = await self._get_json(CALLS, params)
            yield page["data"]
            if not page["data"] or not page.get("has_more") or not page.get("next_page"):
                return
            params["starting_after"] = page["next_page"]

    async def list_all(self, agent_id: str) -> int:
        count = 0
        async for data in self._pages(agent_id):
            count += len(data)
        return count

    async def export(self, agent_id: str, destination: str) -> int:
        """The floor of an export: pages parsed and each call written back as a JSON line."""
        count = 0
        with open(destination, "ab") as file:  # noqa: ASYNC230 - the floor does the least
            async for data in self._pages(agent_id):
                file.write(b"".join(orjson.dumps(item) + b"\n" for item in data))
                count += len(data)
        return count

    async def close(self) -> None:
        await self.client.close()


class FloorJson(Floor):
    key = "floor_json"
    label = "floor: aiohttp + json.loads"
    loads = staticmethod(json.loads)


# -- cartesia_calls -------------------------------------------------------------------------


class OursAsync(Contender):
    key = "ours_async"
    label = "cartesia_calls.AsyncClient"
    lists = exports = True

    async def open(self) -> None:
        self.client = cartesia_calls.AsyncClient(api_key=self.api_key, base_url=self.base_url)

    async def get(self, call_id: str) -> Any:
        return await self.client.calls.get(call_id)

    async def list_all(self, agent_id: str) -> int:
        count = 0
        pager = self.client.calls.list(agent_id=agent_id, expand_transcript=True, limit=PAGE_SIZE)
        async for _call in pager:
            count += 1
        return count

    async def export(self, agent_id: str, destination: str) -> int:
        result = await self.client.calls.export(destination, agent_id=agent_id, page_size=PAGE_SIZE)
        return int(result.written)

    async def close(self) -> None:
        await self.client.close()


def sync_client_class() -> Any:
    """``cartesia_calls.Client`` when this version of the package has it, else ``None``."""
    return getattr(cartesia_calls, "Client", None)


class OursSync(Contender):
    key = "ours_sync"
    label = "cartesia_calls.Client (sync)"
    kind = "sync"

    def open(self) -> None:
        self.client = sync_client_class()(api_key=self.api_key, base_url=self.base_url)

    def get(self, call_id: str) -> Any:
        return self.client.calls.get(call_id)

    def close(self) -> None:
        self.client.close()


# -- the official SDK -------------------------------------------------------------------------


class OfficialAsync(Contender):
    key = "official_async"
    label = "cartesia.AsyncCartesia (official)"
    lists = True

    async def open(self) -> None:
        import cartesia  # noqa: PLC0415 - only the benchmarks need it

        self.client = cartesia.AsyncCartesia(api_key=self.api_key, base_url=self.base_url)

    async def get(self, call_id: str) -> Any:
        return await self.client.agents.calls.retrieve(call_id)

    async def list_all(self, agent_id: str) -> int:
        count = 0
        pager = self.client.agents.calls.list(
            agent_id=agent_id, expand="transcript", limit=PAGE_SIZE
        )
        async for _call in pager:
            count += 1
        return count

    async def close(self) -> None:
        await self.client.close()


class OfficialSync(Contender):
    key = "official_sync"
    label = "cartesia.Cartesia (official, sync)"
    kind = "sync"

    def open(self) -> None:
        import cartesia  # noqa: PLC0415

        self.client = cartesia.Cartesia(api_key=self.api_key, base_url=self.base_url)

    def get(self, call_id: str) -> Any:
        return self.client.agents.calls.retrieve(call_id)

    def close(self) -> None:
        self.client.close()


def official_available() -> bool:
    """Whether the official ``cartesia`` package is installed (the ``bench`` group has it)."""
    return importlib.util.find_spec("cartesia") is not None


def all_contenders(base_url: str, api_key: str) -> list[Contender]:
    """Every contender available here, in the order the tables show them."""
    kinds: list[type[Contender]] = [Floor, FloorJson, OursAsync]
    if sync_client_class() is not None:
        kinds.append(OursSync)
    if official_available():
        kinds += [OfficialAsync, OfficialSync]
    return [kind(base_url, api_key) for kind in kinds]
