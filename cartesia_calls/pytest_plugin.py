"""pytest fixtures for testing code that uses cartesia_calls: a fake API and clients bound to it.

Installed with the package and loaded by pytest through the ``pytest11`` entry point (named
``cartesia_calls``; ``-p no:cartesia_calls`` turns it off), so a test only names a fixture:

- ``cartesia_fake``: a running :class:`~cartesia_calls.testing.FakeCartesia`, empty, on a
  background thread, so sync and async tests alike can use it (seed it with ``add_call``...).
- ``cartesia_sync_client``: a :class:`~cartesia_calls.Client` bound to it.
- ``cartesia_client``: an :class:`~cartesia_calls.AsyncClient` bound to it, for async tests run
  by pytest-asyncio (strict or auto mode, any loop scope) or by anyio's pytest plugin.

Both clients sleep on the fake's clock (``Backoff(sleep=cartesia_fake.sleep)``): retry waits
and ``calls.wait`` polls take no time, and a call's ``Lifecycle`` moves on as they sleep. Each
test gets its own fake and clients; the clients are closed after the test.

Why the fake runs on a thread: an ``AsyncClient`` belongs to the event loop of the test that
uses it, and that loop is owned by whichever async plugin runs the test (and may not exist at
all in a sync test). A fake on its own loop serves every kind of test. The async client is made
and closed by an async fixture of the plugin that runs the test, so it is closed on the loop it
ran on, before that loop goes away (no "Unclosed client session").
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Literal, get_args

import pytest

if TYPE_CHECKING:
    from ._client import AsyncClient
    from ._sync import Client
    from .testing import FakeCartesia

__all__ = ["cartesia_client", "cartesia_fake", "cartesia_sync_client"]

_Scope = Literal["function", "class", "module", "package", "session"]


@pytest.fixture
def cartesia_fake() -> Iterator[FakeCartesia]:
    """A running :class:`~cartesia_calls.testing.FakeCartesia` (empty), stopped after the test.

    Override it in your ``conftest.py`` to seed it or to pass options; the client fixtures use
    whichever ``cartesia_fake`` the test sees.
    """
    from .testing import FakeCartesia  # noqa: PLC0415 - pytest loads this plugin in every run

    with FakeCartesia().run_in_thread() as fake:
        yield fake


@pytest.fixture
def cartesia_sync_client(cartesia_fake: FakeCartesia) -> Iterator[Client]:
    """A :class:`~cartesia_calls.Client` bound to ``cartesia_fake``, closed after the test."""
    from . import Backoff  # noqa: PLC0415

    with cartesia_fake.sync_client(backoff=Backoff(sleep=cartesia_fake.sleep)) as client:
        yield client


@pytest.fixture
def cartesia_client(request: pytest.FixtureRequest) -> AsyncClient:
    """An :class:`~cartesia_calls.AsyncClient` bound to ``cartesia_fake``, for async tests.

    It is opened and closed on the test's event loop by the async plugin that runs the test:
    anyio's (tests that use ``anyio_backend``: ``@pytest.mark.anyio`` or ``anyio_mode = "auto"``)
    or pytest-asyncio (``@pytest.mark.asyncio``, or ``asyncio_mode = "auto"``).
    """
    if "anyio_backend" in request.fixturenames:
        backend = request.getfixturevalue("anyio_backend")
        name = backend if isinstance(backend, str) else backend[0]
        if name != "asyncio":
            pytest.fail(
                f"cartesia_client needs asyncio (aiohttp runs on it), not {name!r}: make the "
                "anyio_backend fixture return 'asyncio'",
                pytrace=False,
            )
        client: AsyncClient = request.getfixturevalue("_cartesia_client_anyio")
        return client
    marker = request.node.get_closest_marker("asyncio")
    if marker is not None:
        if not _asyncio_fixtures:
            pytest.fail("cartesia_client needs pytest-asyncio 0.24 or later", pytrace=False)
        scope = (
            marker.kwargs.get("loop_scope")
            or marker.kwargs.get("scope")
            or request.config.getini("asyncio_default_test_loop_scope")
            or "function"
        )
        asyncio_client: AsyncClient = request.getfixturevalue(f"_cartesia_client_asyncio_{scope}")
        return asyncio_client
    pytest.fail(
        "cartesia_client is an AsyncClient: use it in an async test run by pytest-asyncio or "
        "anyio's pytest plugin (a sync test takes cartesia_sync_client)",
        pytrace=False,
    )


async def _client(fake: FakeCartesia) -> AsyncIterator[AsyncClient]:
    from . import Backoff  # noqa: PLC0415

    async with fake.client(backoff=Backoff(sleep=fake.sleep)) as client:
        yield client


@pytest.fixture
async def _cartesia_client_anyio(cartesia_fake: FakeCartesia) -> AsyncIterator[AsyncClient]:
    """Run by anyio's plugin, which runs async fixtures of tests that use ``anyio_backend``."""
    async for client in _client(cartesia_fake):
        yield client


def _asyncio_fixture(scope: _Scope) -> Any:
    """A fixture for pytest-asyncio, on the runner (event loop) of the given loop scope: a
    test on a module-scoped loop needs its client opened and closed on that loop."""

    async def fixture(cartesia_fake: FakeCartesia) -> AsyncIterator[AsyncClient]:
        async for client in _client(cartesia_fake):
            yield client

    return pytest_asyncio.fixture(
        fixture, loop_scope=scope, name=f"_cartesia_client_asyncio_{scope}"
    )


try:
    import pytest_asyncio

    for _scope in get_args(_Scope):
        globals()[f"_cartesia_client_asyncio_{_scope}"] = _asyncio_fixture(_scope)
    _asyncio_fixtures = True
except (ImportError, TypeError):  # pragma: no cover - absent, or older than 0.24 (no loop_scope)
    _asyncio_fixtures = False
