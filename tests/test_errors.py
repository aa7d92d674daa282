"""Every error body shape the API (or a gateway) can send becomes one typed, readable exception."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from cartesia_calls import (
    APIStatusError,
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    CartesiaError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from cartesia_calls.testing import FakeCartesia

PATH = "/agents/calls/ac_1"

STRUCTURED = {
    "error_code": "concurrency_limited",
    "title": "Too many concurrent requests",
    "message": "You have exceeded your plan's concurrency limit.",
    "request_id": "550e8400-e29b-41d4-a716-446655440000",
    "doc_url": "https://docs.example/errors#concurrency",
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeCartesia]:
    async with FakeCartesia() as server:
        yield server


@pytest.fixture
async def client(fake: FakeCartesia) -> AsyncIterator[AsyncClient]:
    async with fake.client(max_retries=0) as c:
        yield c


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (503, InternalServerError),
        (418, APIStatusError),
    ],
)
async def test_each_status_has_its_class(
    fake: FakeCartesia, client: AsyncClient, status: int, cls: type[APIStatusError]
) -> None:
    fake.add_fault(status=status, body=STRUCTURED, path=PATH)
    with pytest.raises(cls) as info:
        await client.calls.get("ac_1")
    assert type(info.value) is cls
    assert isinstance(info.value, CartesiaError)
    assert info.value.status_code == status


async def test_structured_error_fields_and_str(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(status=429, body=STRUCTURED, headers={"Retry-After": "1"}, path=PATH)
    with pytest.raises(RateLimitError) as info:
        await client.calls.get("ac_1")
    error = info.value
    assert error.error_code == "concurrency_limited"
    assert error.title == "Too many concurrent requests"
    assert error.message == "You have exceeded your plan's concurrency limit."
    assert error.request_id == STRUCTURED["request_id"]
    assert error.doc_url == STRUCTURED["doc_url"]
    assert error.json == STRUCTURED
    assert error.retry_after == 1
    text = str(error)
    for part in ("429", "concurrency_limited", "concurrency limit", STRUCTURED["request_id"]):
        assert part in text


async def test_null_error_code_and_missing_doc_url(fake: FakeCartesia, client: AsyncClient) -> None:
    body = {"error_code": None, "title": "Bad", "message": "Nope.", "request_id": "r1"}
    fake.add_fault(status=400, body=body, path=PATH)
    with pytest.raises(BadRequestError) as info:
        await client.calls.get("ac_1")
    assert info.value.error_code is None
    assert info.value.doc_url is None
    assert str(info.value) == "400 Bad: Nope. (request_id: r1)"


async def test_logs_404_shape(fake: FakeCartesia, client: AsyncClient) -> None:
    body = {"message": "Call logs not available", "description": "Logs expired."}
    fake.add_fault(status=404, body=body, path=PATH)
    with pytest.raises(NotFoundError) as info:
        await client.calls.get("ac_1")
    assert info.value.title == "Call logs not available"
    assert info.value.message == "Logs expired."


async def test_plain_text_title_and_message(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(
        status=400, body="Invalid limit: must be at most 100", content_type="text/plain", path=PATH
    )
    with pytest.raises(BadRequestError) as info:
        await client.calls.get("ac_1")
    assert info.value.title == "Invalid limit"
    assert info.value.message == "must be at most 100"
    assert info.value.body == "Invalid limit: must be at most 100"


async def test_html_gateway_page(fake: FakeCartesia, client: AsyncClient) -> None:
    html = "<html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>"
    fake.add_fault(status=502, body=html, content_type="text/html", path=PATH)
    with pytest.raises(InternalServerError) as info:
        await client.calls.get("ac_1")
    assert info.value.message == "502 Bad Gateway"
    assert info.value.json is None
    assert "<h1>nginx</h1>" in info.value.body


async def test_empty_body_still_says_what_happened(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(status=503, body=b"", content_type="text/plain", path=PATH)
    with pytest.raises(InternalServerError) as info:
        await client.calls.get("ac_1")
    assert str(info.value) == "503 Service Unavailable"


async def test_enormous_error_body_is_cut(fake: FakeCartesia, client: AsyncClient) -> None:
    fake.add_fault(status=500, body="x" * 5_000_000, content_type="text/plain", path=PATH)
    with pytest.raises(InternalServerError) as info:
        await client.calls.get("ac_1")
    assert len(info.value.body) == 64 * 1024
    assert len(str(info.value)) < 1000


async def test_request_id_header_is_used_when_the_body_has_none(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    fake.add_fault(status=500, body=b"oops", headers={"X-Request-Id": "hdr-1"}, path=PATH)
    with pytest.raises(InternalServerError) as info:
        await client.calls.get("ac_1")
    assert info.value.request_id == "hdr-1"
