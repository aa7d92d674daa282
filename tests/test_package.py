"""The public surface: every exported name resolves, and importing the package stays cheap."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import cartesia_calls


def test_every_public_name_resolves_and_is_documented() -> None:
    for name in cartesia_calls.__all__:
        value = getattr(cartesia_calls, name)
        if name not in {"__version__", "DEFAULT_BASE_URL", "DEFAULT_CARTESIA_VERSION"}:
            assert value.__doc__, f"{name} has no docstring"
    assert set(cartesia_calls.__all__) <= set(dir(cartesia_calls))


def test_one_table_names_every_public_name_and_its_module() -> None:
    # __all__ and the type checkers' imports are generated from _PUBLIC (tools/gen_sync.py).
    table = cartesia_calls._PUBLIC
    assert sorted(cartesia_calls.__all__) == sorted(["__version__", *table])
    for name, module in table.items():
        home = importlib.import_module(f"cartesia_calls.{module}")
        assert getattr(cartesia_calls, name) is getattr(home, name), name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        cartesia_calls.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_importing_the_package_does_not_load_aiohttp() -> None:
    code = "import sys, cartesia_calls; print('aiohttp' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


# A server made of asyncio alone (the fake is an aiohttp app): it answers one request with
# what it received, so the script can tell when aiohttp was loaded and what was sent.
LAZY_AIOHTTP = """
import asyncio, json, sys

import cartesia_calls

def loaded():
    return sorted({"aiohttp", "cartesia_calls._wire"} & set(sys.modules))

async def answer(reader, writer):
    head = (await reader.readuntil(b"\\r\\n\\r\\n")).decode()
    body = json.dumps({"aiohttp_loaded_when_sent": loaded(), "head": head}).encode()
    writer.write(b"HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\n"
                 b"Content-Length: %d\\r\\nConnection: close\\r\\n\\r\\n" % len(body) + body)
    await writer.drain()
    writer.close()

async def main():
    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    url = "http://127.0.0.1:%d" % server.sockets[0].getsockname()[1]
    print("import", loaded())
    client = cartesia_calls.AsyncClient(api_key="sk_test", base_url=url)
    cartesia_calls.Client(api_key="sk_test", base_url=url).close()
    client.with_options(timeout=5).calls  # noqa
    print("construct", loaded())
    async with client:
        response = await client.request("GET", "/agents/calls")
    print("request", loaded())
    print("answer", response.text)
    import aiohttp
    print("version", aiohttp.__version__)
    server.close()

asyncio.run(main())
"""


def test_aiohttp_is_loaded_by_the_first_request_not_by_a_client() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LAZY_AIOHTTP],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    assert lines["import"] == "[]"
    assert lines["construct"] == "[]"
    assert lines["request"] == "['aiohttp', 'cartesia_calls._wire']"
    answer = json.loads(lines["answer"])
    head = answer["head"].lower()
    # Sent with the same headers as ever, the User-Agent naming the aiohttp that sent it.
    assert "authorization: bearer sk_test" in head
    assert "cartesia-version: 2026-08-14" in head
    agent = f"user-agent: cartesia-calls-python/{cartesia_calls.__version__} "
    assert agent in head
    assert f"aiohttp/{lines['version']}\r\n" in head


PACKAGE = Path(cartesia_calls.__file__).parent


def imported_modules(path: Path, *, typing_only: bool = True) -> set[str]:
    """Every module a source file imports (relative imports as ``.name``), at any depth;
    with ``typing_only=False``, not those imported for the type checkers alone (under ``if
    TYPE_CHECKING:``), which are never imported when the program runs."""
    tree = ast.parse(path.read_text())
    if not typing_only:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                node.body = []
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names.add(module)
            if node.module is None:  # from . import _display
                names.update("." + alias.name for alias in node.names)
    return names


def library_modules() -> list[Path]:
    """The library proper: not the fake server (testing/) nor the command line (cli/)."""
    return sorted(PACKAGE.glob("*.py"))


def test_only_the_wire_imports_aiohttp() -> None:
    # _wire is imported by the transport with the first session; the transport names aiohttp's
    # types for the type checkers only.
    users = {
        path.name
        for path in library_modules()
        if any(
            m == "aiohttp" or m.startswith("aiohttp.")
            for m in imported_modules(path, typing_only=False)
        )
    }
    assert users == {"_wire.py"}
    # ...and _wire is imported inside the functions that open or use a session only.
    for path in library_modules():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                assert node.module != "_wire", f"{path.name} imports _wire when it is imported"


@pytest.mark.parametrize("name", ["_transport.py", "_wire.py"])
def test_the_transport_knows_no_model(name: str) -> None:
    imports = imported_modules(PACKAGE / name)
    assert not imports & {"._models", "._model_base", "._codec", "._enums", "._calls", "._batches"}


MODEL_MODULES = [
    "_models.py",
    "_model_base.py",
    "_codec.py",
    "_converter.py",
    "_fastpath.py",
    "_decode_errors.py",
    "_freeform.py",
    "_enums.py",
    "_display.py",
]


@pytest.mark.parametrize("name", MODEL_MODULES)
def test_models_do_no_io(name: str) -> None:
    io = {"aiohttp", "anyio", "asyncio", "socket", "._transport", "._client", "._runner"}
    assert not imported_modules(PACKAGE / name) & io


def test_the_library_never_imports_the_cli_extras() -> None:
    for path in [*library_modules(), *sorted((PACKAGE / "testing").glob("*.py"))]:
        roots = {m.split(".")[0] for m in imported_modules(path)}
        assert not roots & {"click", "rich"}, path.name
