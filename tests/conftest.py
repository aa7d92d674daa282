"""Shared fixtures. Every ``async def`` test runs on asyncio (``anyio_mode = "auto"``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """aiohttp speaks asyncio only."""
    return "asyncio"
