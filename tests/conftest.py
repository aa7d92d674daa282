"""Shared fixtures. Every ``async def`` test runs on asyncio (``anyio_mode = "auto"``).

``fake`` and ``client`` follow the test that asks for them. An async test gets a
:class:`FakeCartesia` on its own event loop and an :class:`AsyncClient`; a sync test gets a
FakeCartesia on a thread of its own (the test blocks its thread: a fake on it could not answer)
and a :class:`Client`. Both clients back off through ``sleeps`` (a :class:`SleepRecorder`), so
no test waits on the wall clock for a retry, and a test can read the waits it asked for.

A module or a test varies them without another copy:

- ``@pytest.mark.fake(**options)``: the FakeCartesia's keyword arguments (``api_key=``,
  ``clock_start=``...); ``samples=True`` also seeds it with the sample calls and batch. On a
  test, or ``pytestmark = pytest.mark.fake(...)`` for a whole module.
- ``@pytest.mark.client(**options)``: the client's (``max_retries=0``, ``timeout=``...).
- Seed data: a module's own ``fake`` fixture that takes ``fake`` (pytest hands it this one),
  adds its calls, and returns it.
- What depends on other fixtures: a module's own ``fake_options`` (a webhook receiver's URL) or
  ``sleeps`` (``SleepRecorder(fake)``, whose waits move the fake's clock).

``threaded_fake`` is the thread-hosted fake for an async test that wants one; ``cli`` runs
``cartesia-calls`` in-process against ``fake`` (``tests/cli_support.py``); ``authority`` is a
private certificate authority (``trustme``) and ``ca_file`` its certificate as a file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import trustme

from cartesia_calls import AsyncClient, Client
from cartesia_calls.testing import FakeCartesia, seed_samples

from .helpers import SleepRecorder

if TYPE_CHECKING:
    from .cli_support import Invoke


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fake(**options): keyword arguments for the `fake` fixture's FakeCartesia; "
        "samples=True seeds it with the sample calls",
    )
    config.addinivalue_line(
        "markers", "client(**options): keyword arguments for the `client` fixture's client"
    )


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp speaks asyncio only."""
    return "asyncio"


def _is_async(request: pytest.FixtureRequest) -> bool:
    """Whether the test is run on an event loop (anyio's plugin gives those ``anyio_backend``)."""
    return "anyio_backend" in request.fixturenames


def _marker_options(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    marker = request.node.get_closest_marker(name)
    return dict(marker.kwargs) if marker is not None else {}


# -- the fake ----------------------------------------------------------------------------------


@pytest.fixture
def fake_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The fake's options: those of the closest ``@pytest.mark.fake(...)``, if any."""
    return _marker_options(request, "fake")


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> FakeCartesia:
    """A running FakeCartesia: on the test's event loop for an async test, on a thread of its
    own for a sync one."""
    kind = "_fake_on_loop" if _is_async(request) else "threaded_fake"
    server: FakeCartesia = request.getfixturevalue(kind)
    return server


def _new(options: dict[str, Any]) -> FakeCartesia:
    """A FakeCartesia of ``options`` (but ``samples``), not started yet."""
    return FakeCartesia(**{name: value for name, value in options.items() if name != "samples"})


def _seed(server: FakeCartesia, options: dict[str, Any]) -> FakeCartesia:
    if options.get("samples"):
        seed_samples(server)
    return server


@pytest.fixture
async def _fake_on_loop(fake_options: dict[str, Any]) -> AsyncIterator[FakeCartesia]:
    async with _new(fake_options) as server:
        yield _seed(server, fake_options)


@pytest.fixture
def threaded_fake(fake_options: dict[str, Any]) -> Iterator[FakeCartesia]:
    """A running FakeCartesia on a thread (and event loop) of its own."""
    with _new(fake_options).run_in_thread() as server:
        yield _seed(server, fake_options)


# -- the clients -------------------------------------------------------------------------------


@pytest.fixture
def sleeps() -> SleepRecorder:
    """The clients' backoff sleep: records each wait and returns at once."""
    return SleepRecorder()


@pytest.fixture
def client_options(request: pytest.FixtureRequest, sleeps: SleepRecorder) -> dict[str, Any]:
    """The client's options: backoff through ``sleeps``, then those of the closest
    ``@pytest.mark.client(...)``."""
    return {"backoff": sleeps.backoff(), **_marker_options(request, "client")}


@pytest.fixture
def client(request: pytest.FixtureRequest) -> AsyncClient | Client:
    """A client bound to ``fake``, closed after the test: an AsyncClient for an async test, a
    Client for a sync one."""
    kind = "_async_client" if _is_async(request) else "_sync_client"
    bound: AsyncClient | Client = request.getfixturevalue(kind)
    return bound


@pytest.fixture
async def _async_client(
    fake: FakeCartesia, client_options: dict[str, Any]
) -> AsyncIterator[AsyncClient]:
    async with fake.client(**client_options) as bound:
        yield bound


@pytest.fixture
def _sync_client(fake: FakeCartesia, client_options: dict[str, Any]) -> Iterator[Client]:
    with fake.sync_client(**client_options) as bound:
        yield bound


# -- the command line, certificates ------------------------------------------------------------


@pytest.fixture
def cli(fake: FakeCartesia) -> Invoke:
    """``cartesia-calls`` run in-process against ``fake`` (which must accept ``cli_support.KEY``:
    ``pytestmark = CLI_FAKE``); every run is checked for the key and a traceback."""
    from .cli_support import invoker  # noqa: PLC0415 - click is an extra only the CLI tests need

    return invoker(fake.base_url)


@pytest.fixture(scope="session")
def authority() -> trustme.CA:
    """A private certificate authority (``hostile.server_tls`` makes a server context from it)."""
    return trustme.CA()


@pytest.fixture
def ca_file(authority: trustme.CA, tmp_path: Path) -> str:
    """The path of ``authority``'s certificate, as a user would pass to ``verify=``."""
    path = tmp_path / "private-ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return str(path)
