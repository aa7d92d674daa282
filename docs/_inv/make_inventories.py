"""Write the small, offline intersphinx inventories the docs link through.

CI builds the docs without network, so ``docs/conf.py`` points intersphinx at the files this
script writes (``python.inv``, ``aiohttp.inv``, ``attrs.inv``) instead of downloading each
project's ``objects.inv``. Each file lists only the objects these docs (and the API reference's
type hints) refer to, with the projects' real documentation URLs, so every link goes to the
right page of the real docs.

The URIs were taken from the projects' own published inventories (CPython 3.11, aiohttp, attrs).
When the docs start referring to something new from one of them (a reference that stays plain
text in the built HTML; ``sphinx-build -n`` lists them), add it to the table below and run::

    python docs/_inv/make_inventories.py

then commit the three ``.inv`` files. The output is deterministic.
"""

from __future__ import annotations

import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (domain:role, uri relative to the project's docs root; "$" stands for the name)
PYTHON: dict[str, tuple[str, str]] = {
    # builtins
    "None": ("py:data", "library/constants.html#None"),
    "bool": ("py:class", "library/functions.html#bool"),
    "bytearray": ("py:class", "library/stdtypes.html#bytearray"),
    "bytes": ("py:class", "library/stdtypes.html#bytes"),
    "dict": ("py:class", "library/stdtypes.html#dict"),
    "float": ("py:class", "library/functions.html#float"),
    "frozenset": ("py:class", "library/stdtypes.html#frozenset"),
    "int": ("py:class", "library/functions.html#int"),
    "list": ("py:class", "library/stdtypes.html#list"),
    "memoryview": ("py:class", "library/stdtypes.html#memoryview"),
    "object": ("py:class", "library/functions.html#object"),
    "set": ("py:class", "library/stdtypes.html#set"),
    "str": ("py:class", "library/stdtypes.html#str"),
    "tuple": ("py:class", "library/stdtypes.html#tuple"),
    # exceptions and warnings
    "ConnectionError": ("py:exception", "library/exceptions.html#$"),
    "Exception": ("py:exception", "library/exceptions.html#$"),
    "FileNotFoundError": ("py:exception", "library/exceptions.html#$"),
    "IsADirectoryError": ("py:exception", "library/exceptions.html#$"),
    "KeyError": ("py:exception", "library/exceptions.html#$"),
    "KeyboardInterrupt": ("py:exception", "library/exceptions.html#$"),
    "RuntimeError": ("py:exception", "library/exceptions.html#$"),
    "TimeoutError": ("py:exception", "library/exceptions.html#$"),
    "TypeError": ("py:exception", "library/exceptions.html#$"),
    "UserWarning": ("py:exception", "library/exceptions.html#$"),
    "ValueError": ("py:exception", "library/exceptions.html#$"),
    # modules
    "asyncio": ("py:module", "library/asyncio.html#module-asyncio"),
    "json": ("py:module", "library/json.html#module-json"),
    "logging": ("py:module", "library/logging.html#module-logging"),
    # asyncio
    "asyncio.Semaphore": ("py:class", "library/asyncio-sync.html#$"),
    "asyncio.TaskGroup": ("py:class", "library/asyncio-task.html#$"),
    "asyncio.gather": ("py:function", "library/asyncio-task.html#$"),
    "asyncio.run": ("py:function", "library/asyncio-runner.html#$"),
    "asyncio.sleep": ("py:function", "library/asyncio-task.html#$"),
    # collections.abc and typing
    "collections.abc.AsyncIterator": ("py:class", "library/collections.abc.html#$"),
    "collections.abc.Awaitable": ("py:class", "library/collections.abc.html#$"),
    "collections.abc.Callable": ("py:class", "library/collections.abc.html#$"),
    "collections.abc.Iterable": ("py:class", "library/collections.abc.html#$"),
    "collections.abc.Iterator": ("py:class", "library/collections.abc.html#$"),
    "collections.abc.Mapping": ("py:class", "library/collections.abc.html#$"),
    "collections.abc.Sequence": ("py:class", "library/collections.abc.html#$"),
    "typing.Any": ("py:data", "library/typing.html#$"),
    "typing.BinaryIO": ("py:class", "library/typing.html#$"),
    "typing.ClassVar": ("py:data", "library/typing.html#$"),
    "typing.Generic": ("py:class", "library/typing.html#$"),
    "typing.Literal": ("py:data", "library/typing.html#$"),
    "typing.Self": ("py:data", "library/typing.html#$"),
    # the rest of the standard library
    "concurrent.futures.ThreadPoolExecutor": ("py:class", "library/concurrent.futures.html#$"),
    "contextlib.AbstractContextManager": ("py:class", "library/contextlib.html#$"),
    "datetime.UTC": ("py:attribute", "library/datetime.html#$"),
    "datetime.datetime": ("py:class", "library/datetime.html#$"),
    "datetime.timedelta": ("py:class", "library/datetime.html#$"),
    "datetime.timezone.utc": ("py:attribute", "library/datetime.html#$"),
    "enum.Enum": ("py:class", "library/enum.html#$"),
    "enum.StrEnum": ("py:class", "library/enum.html#$"),
    "hmac.compare_digest": ("py:function", "library/hmac.html#$"),
    "io.BytesIO": ("py:class", "library/io.html#$"),
    "logging.Logger": ("py:class", "library/logging.html#$"),
    "logging.basicConfig": ("py:function", "library/logging.html#$"),
    "logging.getLogger": ("py:function", "library/logging.html#$"),
    "os.PathLike": ("py:class", "library/os.html#$"),
    "os.environ": ("py:data", "library/os.html#$"),
    "pathlib.Path": ("py:class", "library/pathlib.html#$"),
    "ssl.SSLContext": ("py:class", "library/ssl.html#$"),
    "zoneinfo.ZoneInfo": ("py:class", "library/zoneinfo.html#$"),
}

AIOHTTP: dict[str, tuple[str, str]] = {
    "aiohttp.ClientResponse": ("py:class", "client_reference.html#$"),
    "aiohttp.ClientSession": ("py:class", "client_reference.html#$"),
    "aiohttp.ClientTimeout": ("py:class", "client_reference.html#$"),
    "aiohttp.TCPConnector": ("py:class", "client_reference.html#$"),
    "aiohttp.web.Application": ("py:class", "web_reference.html#$"),
    "aiohttp.web.Request": ("py:class", "web_reference.html#$"),
    "aiohttp.web.Response": ("py:class", "web_reference.html#$"),
    "aiohttp.web.run_app": ("py:function", "web_reference.html#$"),
    # The defining modules that type hints name: the same pages as the public names.
    "aiohttp.client.ClientSession": ("py:class", "client_reference.html#aiohttp.ClientSession"),
    "aiohttp.web_app.Application": ("py:class", "web_reference.html#aiohttp.web.Application"),
    "aiohttp.web_request.Request": ("py:class", "web_reference.html#aiohttp.web.Request"),
    "aiohttp.web_response.Response": ("py:class", "web_reference.html#aiohttp.web.Response"),
}

ATTRS: dict[str, tuple[str, str]] = {
    "attrs.define": ("py:function", "api.html#$"),
    "attrs.evolve": ("py:function", "api.html#$"),
    "attrs.field": ("py:function", "api.html#$"),
    "attrs.frozen": ("py:function", "api.html#$"),
}

INVENTORIES = {
    "python.inv": ("Python", "3", PYTHON),
    "aiohttp.inv": ("aiohttp", "3", AIOHTTP),
    "attrs.inv": ("attrs", "stable", ATTRS),
}


def render(project: str, version: str, objects: dict[str, tuple[str, str]]) -> bytes:
    """An inventory in Sphinx's version 2 format: a plain header, then zlib-compressed lines."""
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {version}\n"
        "# The remainder of this file is compressed using zlib.\n"
    ).encode()
    lines = []
    for name in sorted(objects):
        role, uri = objects[name]
        priority = 0 if role == "py:module" else 1
        lines.append(f"{name} {role} {priority} {uri} -\n")
    return header + zlib.compress("".join(lines).encode(), 9)


def main() -> None:
    """Write the three inventories next to this script."""
    for filename, (project, version, objects) in INVENTORIES.items():
        path = HERE / filename
        path.write_bytes(render(project, version, objects))
        print(f"wrote {path.relative_to(HERE.parent.parent)} ({len(objects)} objects)")


if __name__ == "__main__":
    main()
