"""The public surface: every exported name resolves, and importing the package stays cheap."""

from __future__ import annotations

import ast
import importlib
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


PACKAGE = Path(cartesia_calls.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every module a source file imports (relative imports as ``.name``), at any depth."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
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


def test_only_the_transport_imports_aiohttp() -> None:
    users = {
        path.name
        for path in library_modules()
        if any(m == "aiohttp" or m.startswith("aiohttp.") for m in imported_modules(path))
    }
    assert users == {"_transport.py"}


def test_the_transport_knows_no_model() -> None:
    imports = imported_modules(PACKAGE / "_transport.py")
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
