"""HTTP configuration: ``verify=`` (a private CA, a context, off), ``proxy=`` (forward and CONNECT
through a proxy on loopback), ``trust_env=`` (proxy and certificate variables, read once per
client), and the packaging rules around them (declared dependencies, no private aiohttp API)."""

from __future__ import annotations

import ast
import base64
import ssl
import sys
import tomllib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import trustme

import cartesia_calls
from cartesia_calls import APIConnectionError, AsyncClient, Client
from cartesia_calls.testing import FakeCartesia

from .helpers import SleepRecorder
from .hostile import ForwardProxy, server_tls

ROOT = Path(__file__).parent.parent
KEY = "sk_car_config_0123456789"


@pytest.fixture
async def tls_fake(authority: trustme.CA) -> AsyncIterator[FakeCartesia]:
    async with FakeCartesia(api_key=KEY, ssl_context=server_tls(authority)) as fake:
        fake.add_call(id="ac_1")
        yield fake


pytestmark = pytest.mark.fake(api_key=KEY)


@pytest.fixture
def fake(fake: FakeCartesia) -> FakeCartesia:
    fake.add_call(id="ac_1")
    return fake


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy or certificate variables but those a test sets."""
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
    for scheme in ("http", "https", "all", "no"):
        monkeypatch.delenv(f"{scheme}_proxy", raising=False)
        monkeypatch.delenv(f"{scheme.upper()}_PROXY", raising=False)
    return monkeypatch


def quick(fake: FakeCartesia, **options: Any) -> AsyncClient:
    return AsyncClient(
        api_key=KEY, base_url=fake.base_url, backoff=SleepRecorder().backoff(), **options
    )


# -- verify ----------------------------------------------------------------------------------------


async def test_verify_with_a_ca_bundle_path_reaches_a_private_ca_server(
    tls_fake: FakeCartesia, ca_file: str
) -> None:
    assert tls_fake.base_url.startswith("https://")
    async with quick(tls_fake, verify=ca_file) as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"
    async with quick(tls_fake, verify=Path(ca_file)) as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"


async def test_verify_with_a_context_and_verify_off(
    tls_fake: FakeCartesia, authority: trustme.CA
) -> None:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    async with quick(tls_fake, verify=context) as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"
    async with quick(tls_fake, verify=False) as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"


async def test_without_the_private_ca_the_server_is_refused_without_retrying(
    tls_fake: FakeCartesia, clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sleeps = SleepRecorder()
    async with AsyncClient(
        api_key=KEY, base_url=tls_fake.base_url, backoff=sleeps.backoff(), verify=tmp_path
    ) as client:  # a directory of authorities, here trusting none
        with pytest.raises(APIConnectionError, match="TLS error") as info:
            await client.calls.get("ac_1")
    assert info.value.transient is False
    assert info.value.request_sent is False
    assert sleeps.delays == []


@pytest.mark.parametrize(
    ("verify", "error", "match"),
    [
        ("/no/such/bundle.pem", ValueError, "no CA bundle file or directory"),
        (__file__, ValueError, "not a readable CA bundle"),
        (123, TypeError, "verify must be"),
        (b"/etc/ssl", TypeError, "verify must be"),
        (None, TypeError, "verify must be"),
    ],
)
def test_bad_verify_values_are_named(verify: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        AsyncClient(api_key=KEY, verify=verify)  # type: ignore[arg-type]


# -- trust_env: SSL_CERT_FILE ----------------------------------------------------------------------


async def test_ssl_cert_file_is_read_once_when_the_client_is_created(
    tls_fake: FakeCartesia, ca_file: str, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("SSL_CERT_FILE", ca_file)
    trusting = quick(tls_fake)
    ignoring = quick(tls_fake, trust_env=False)
    clean_env.delenv("SSL_CERT_FILE")
    async with trusting, ignoring:
        assert (await trusting.calls.get("ac_1")).id == "ac_1"
        with pytest.raises(APIConnectionError, match="certificate"):
            await ignoring.calls.get("ac_1")
    # Set after the client was made: not seen.
    untrusting = quick(tls_fake)
    clean_env.setenv("SSL_CERT_FILE", ca_file)
    async with untrusting:
        with pytest.raises(APIConnectionError, match="certificate"):
            await untrusting.calls.get("ac_1")


def test_trust_env_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="trust_env"):
        AsyncClient(api_key=KEY, trust_env="yes")  # type: ignore[arg-type]


# -- proxies ---------------------------------------------------------------------------------------


async def test_an_http_request_goes_through_the_proxy(fake: FakeCartesia) -> None:
    async with ForwardProxy() as proxy, quick(fake, proxy=proxy.url) as client:
        assert (await client.calls.get("ac_1")).id == "ac_1"
    line, headers = proxy.seen[0]
    assert line == f"GET {fake.base_url}/agents/calls/ac_1"
    assert "proxy-authorization" not in headers
    assert fake.requests[0].headers["Authorization"] == f"Bearer {KEY}"


async def test_https_goes_through_a_connect_tunnel_with_the_proxys_credentials(
    tls_fake: FakeCartesia, ca_file: str
) -> None:
    async with ForwardProxy() as proxy:
        url = proxy.url.replace("http://", "http://alice:s3cret-pw@")
        async with quick(tls_fake, proxy=url, verify=ca_file) as client:
            assert (await client.calls.get("ac_1")).id == "ac_1"
    (line, headers), *_ = proxy.seen
    assert line == f"CONNECT {tls_fake.base_url.removeprefix('https://')}"
    expected = base64.b64encode(b"alice:s3cret-pw").decode()
    assert headers["proxy-authorization"] == f"Basic {expected}"
    # Inside the tunnel, the key goes to the API only (the proxy saw the CONNECT line alone).
    assert all(KEY not in str(seen) for seen in proxy.seen)


async def test_a_proxy_that_is_down_is_an_error_without_its_password(
    fake: FakeCartesia,
) -> None:
    async with ForwardProxy() as proxy:
        url = proxy.url.replace("http://", "http://alice:s3cret-pw@")
    async with quick(fake, proxy=url, max_retries=1) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.calls.get("ac_1")
    assert info.value.request_sent is False
    assert info.value.retries_taken == 1
    for text in (str(info.value), repr(info.value), repr(vars(info.value))):
        assert "s3cret-pw" not in text


async def test_environment_proxies_are_read_once_and_no_proxy_is_honoured(
    fake: FakeCartesia, clean_env: pytest.MonkeyPatch
) -> None:
    async with ForwardProxy() as proxy:
        clean_env.setenv("HTTP_PROXY", proxy.url)
        proxied = quick(fake)
        direct = quick(fake, trust_env=False)
        clean_env.setenv("NO_PROXY", "localhost,127.0.0.1")
        bypassing = quick(fake)
        clean_env.delenv("HTTP_PROXY")
        clean_env.delenv("NO_PROXY")
        async with proxied, direct, bypassing:
            for client in (proxied, direct, bypassing):
                assert (await client.calls.get("ac_1")).id == "ac_1"
    assert len(proxy.seen) == 1  # the first client only: the others went direct
    assert fake.request_count() == 3


@pytest.mark.parametrize(
    ("proxy", "error", "match"),
    [
        ("socks5://alice:s3cret-pw@127.0.0.1:1080", ValueError, "http:// or https://"),
        ("http://alice:s3cret-pw@proxy:port", ValueError, "not a valid URL"),
        ("http://alice:s3cret-pw@proxy:3128/path", ValueError, "scheme, host and port"),
        ("alice:s3cret-pw@proxy:3128", ValueError, "http:// or https://"),
        (3128, TypeError, "proxy must be a URL"),
    ],
)
def test_bad_proxies_are_named_without_their_password(
    proxy: object, error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match) as info:
        AsyncClient(api_key=KEY, proxy=proxy)  # type: ignore[arg-type]
    assert "s3cret-pw" not in str(info.value)


def test_an_environment_proxy_aiohttp_cannot_use_is_ignored_with_a_warning(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("ALL_PROXY", "socks5://alice:s3cret-pw@127.0.0.1:1080")
    with pytest.warns(UserWarning, match="ALL_PROXY environment variable") as caught:
        client = AsyncClient(api_key=KEY)
    assert "s3cret-pw" not in str(caught[0].message)
    assert client._transport._proxy is None


# -- the sync client passes them through -----------------------------------------------------------


def test_the_sync_client_takes_the_same_options(authority: trustme.CA, ca_file: str) -> None:
    fake = FakeCartesia(api_key=KEY, ssl_context=server_tls(authority))
    fake.add_call(id="ac_1")
    with (
        fake.run_in_thread(),
        Client(api_key=KEY, base_url=fake.base_url, verify=ca_file, trust_env=False) as client,
    ):
        assert client.calls.get("ac_1").id == "ac_1"
        small = client.with_options(max_response_bytes=10)
        with pytest.raises(cartesia_calls.ResponseDecodeError, match="larger than 10 bytes"):
            small.calls.get("ac_1")


# -- packaging: declared dependencies, public aiohttp API only ---------------------------------


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_every_imported_package_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {
        requirement.split(">")[0].split("=")[0].split("[")[0].strip().lower()
        for requirement in [
            *project["dependencies"],
            *(r for extra in project.get("optional-dependencies", {}).values() for r in extra),
        ]
    }
    package = Path(cartesia_calls.__file__).parent
    used: set[str] = set()
    for path in package.rglob("*.py"):
        used |= imported_roots(path)
    third_party = used - set(sys.stdlib_module_names) - {"cartesia_calls"}
    # The pytest plugin runs only inside pytest, its host: pytest is there by definition, and
    # pytest-asyncio is imported only if the user has it (the plugin works without it).
    third_party -= {"pytest", "pytest_asyncio"}
    assert {"multidict", "yarl"} <= third_party
    assert third_party <= declared, f"imported but not declared: {third_party - declared}"


def test_the_transport_uses_only_aiohttps_public_api() -> None:
    import aiohttp  # noqa: PLC0415

    tree = ast.parse((Path(cartesia_calls.__file__).parent / "_wire.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] != "aiohttp", f"from {node.module} import ..."
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "aiohttp"
        ):
            assert node.attr in aiohttp.__all__ or node.attr == "__version__", node.attr
