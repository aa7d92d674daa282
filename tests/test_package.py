"""The public surface: every exported name resolves, and importing the package stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import cartesia_calls


def test_every_public_name_resolves_and_is_documented() -> None:
    for name in cartesia_calls.__all__:
        value = getattr(cartesia_calls, name)
        if name not in {"__version__", "DEFAULT_BASE_URL", "DEFAULT_CARTESIA_VERSION"}:
            assert value.__doc__, f"{name} has no docstring"
    assert set(cartesia_calls.__all__) <= set(dir(cartesia_calls))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        cartesia_calls.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_importing_the_package_does_not_load_aiohttp() -> None:
    code = "import sys, cartesia_calls; print('aiohttp' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"
