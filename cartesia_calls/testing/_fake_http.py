"""Response helpers shared by the fake server's route modules."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from aiohttp import web

JSON = "application/json"


def error_body(
    error_code: str | None, title: str, message: str, *, doc_url: str | None = None
) -> dict[str, Any]:
    """Cartesia's structured error object (2026-03-01)."""
    body: dict[str, Any] = {
        "error_code": error_code,
        "title": title,
        "message": message,
        "request_id": str(uuid.uuid4()),
    }
    if doc_url is not None:
        body["doc_url"] = doc_url
    return body


def json_error(
    status: int, error_code: str | None, title: str, message: str, **headers: str
) -> web.Response:
    """A JSON error response in Cartesia's format."""
    return web.Response(
        status=status,
        body=orjson.dumps(error_body(error_code, title, message)),
        content_type=JSON,
        headers=headers or None,
    )


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON success response."""
    return web.Response(status=status, body=orjson.dumps(data), content_type=JSON)
