"""Every error body shape the API (or a gateway) can send becomes one typed, readable exception."""

from __future__ import annotations

import codecs
import json
from typing import Any

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
    ResponseDecodeError,
    UnprocessableEntityError,
    WaitTimeoutError,
)
from cartesia_calls.errors import MAX_ERROR_BODY_CHARS, decode_text, redact, status_error_class
from cartesia_calls.testing import FakeCartesia

from .helpers import error_texts

PATH = "/agents/calls/ac_1"

STRUCTURED = {
    "error_code": "concurrency_limited",
    "title": "Too many concurrent requests",
    "message": "You have exceeded your plan's concurrency limit.",
    "request_id": "550e8400-e29b-41d4-a716-446655440000",
    "doc_url": "https://docs.example/errors#concurrency",
}


pytestmark = pytest.mark.client(max_retries=0)


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


# -- hostile bodies: linear time, no untyped exception, secrets redacted --------------------------

N = MAX_ERROR_BODY_CHARS

#: 64 KiB bodies that made the old regular expressions quadratic (seconds each), or the standard
#: library's JSON parser raise RecursionError; each must parse in linear time (about 1-4 ms here).
WORST_CASES: dict[str, tuple[str, str]] = {
    "many < without >": ("<" * N, "<<<<"),
    "<a repeated": ("<a" * (N // 2), "<a<a"),
    "<title without >": ("<title" * (N // 6), "<title<title"),
    "<title> repeated, never closed": ("<title>" * (N // 7), "Internal Server Error"),
    "</titl repeated": ("<title>" + "</titl" * ((N - 7) // 6), "</titl</titl"),
    "<title> then a long text": ("<title>" + "a" * (N - 7), "aaaa"),
    "<title with no >": ("<title " + "x" * (N - 7), "<title x"),
    "one long line": ("x" * N, "xxxx"),
    "Title: repeated": ("Title: " * (N // 7), "Title: Title: "),
    "colons": (": " * (N // 2), ": : "),
    "deep JSON array, unclosed": ("[" * N, "[[[["),
    "deep JSON array, closed": ("[" * 2000 + "]" * 2000, "[[[["),
    "deep JSON object": ('{"a":' * 5000 + "1" + "}" * 5000, '{"a":{"a":'),
    "deep JSON under a message": ('{"message":' + "[" * 900 + "]" * 900 + "}", "{"),
    "whitespace": (" \t\n" * (N // 3), "Bad Gateway"),
}


@pytest.mark.parametrize("name", WORST_CASES)
def test_worst_case_bodies_parse_in_linear_time(name: str) -> None:
    body, start = WORST_CASES[name]
    error = status_error_class(502)(status_code=502, headers={}, body=body)
    assert isinstance(error, InternalServerError)
    assert error.message.startswith(start) or error.message == "Bad Gateway", error.message
    assert len(error.message) <= 500
    assert len(str(error)) < 1000
    repr(error)
    # What is kept is never nested deeper than repr() or json.dumps() can follow.
    json.dumps(error.json)


def test_a_shallow_json_value_under_a_field_is_not_a_message() -> None:
    body = '{"message": {"nested": [1, 2]}, "title": ["x"], "error_code": 42}'
    error = APIStatusError(status_code=400, headers={}, body=body)
    assert error.json == {"message": {"nested": [1, 2]}, "title": ["x"], "error_code": 42}
    assert (error.message, error.title, error.error_code) == ("Bad Request", None, "42")


def test_the_gateway_error_object_shape() -> None:
    body = '{"error": {"message": "upstream timed out", "type": "timeout"}}'
    assert APIStatusError(status_code=504, headers={}, body=body).message == "upstream timed out"


def test_only_the_kept_part_of_a_body_is_parsed() -> None:
    late_title = "x" * N + "<title>Too late</title>"
    assert "Too late" not in APIStatusError(status_code=500, headers={}, body=late_title).message
    unclosed = "<title>" + "a" * N + "</title>"
    error = APIStatusError(status_code=500, headers={}, body=unclosed)
    assert error.message.startswith("aaaa")
    assert len(error.body) == N


@pytest.mark.parametrize(
    ("charset", "raw", "text"),
    [
        (None, "café".encode(), "café"),
        ("utf-8", "café".encode(), "café"),
        ("ISO-8859-1", "café".encode("latin-1"), "café"),
        ('"utf-16"', "hé".encode("utf-16"), "hé"),
        (" UTF-8 ", b"ok", "ok"),
        ("no-such-charset", "café".encode(), "café"),
        ("zlib", "café".encode(), "café"),  # a bytes-to-bytes codec, not a charset
        ("base64", b"aGk=", "aGk="),
        ("rot13", b"uryyb", "uryyb"),
        ("punycode", "café".encode(), "café"),  # quadratic to decode
        ("idna", b"\xff", "\ufffd"),  # rejects the "replace" error handler
        ("undefined", b"ok", "ok"),
        ("x" * 500, b"ok", "ok"),
        ("\x00", b"ok", "ok"),
        ("utf-8\r\nX-Injected: 1", b"ok", "ok"),
        ("", b"\xff", "\ufffd"),
        ("ascii", b"caf\xc3\xa9", "caf\ufffd\ufffd"),
    ],
)
def test_decode_text_never_fails(charset: str | None, raw: bytes, text: str) -> None:
    assert decode_text(raw, charset) == text


def test_decode_text_survives_a_codec_that_raises() -> None:
    def broken(data: Any, errors: str = "strict", /) -> tuple[str, int]:
        raise RuntimeError("a third-party codec failed")

    def search(name: str) -> codecs.CodecInfo | None:
        if name != "hostile_broken":
            return None
        return codecs.CodecInfo(encode=codecs.utf_8_encode, decode=broken, name="hostile_broken")

    codecs.register(search)
    try:
        assert decode_text(b"ok", "hostile-broken") == "ok"
    finally:
        codecs.unregister(search)


SECRET = "sk_car_live_0123456789abcdefSECRET"


def assert_clean(error: APIStatusError) -> None:
    """The secret is in nothing the error holds or shows."""
    for text in error_texts(error):
        assert SECRET not in text
        assert SECRET[:12] not in text


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"title": f"Bad key {SECRET}", "message": f"Bearer {SECRET} is invalid"}),
        f"Unauthorized: the key {SECRET} was revoked",
        f"<html><title>401 {SECRET}</title></html>",
        json.dumps({"message": "invalid", "request_id": SECRET, "doc_url": SECRET}),
        # The key spelled with JSON escapes is still the key once parsed.
        json.dumps({"message": "invalid " + SECRET}).replace("_", "\\u005f"),
        json.dumps({"message": ["no", SECRET, 3, None], "n": 1.5}).replace("_", "\\u005f"),
        json.dumps({SECRET: "as a key", "message": [SECRET]}),
    ],
    ids=["json", "text", "html", "fields", "escaped", "escaped in a list", "as a key"],
)
def test_a_server_echoing_the_key_does_not_put_it_in_the_error(body: str) -> None:
    error = AuthenticationError(status_code=401, headers={}, body=body, secrets=[SECRET])
    assert_clean(error)
    assert "[redacted]" in error.body


def test_a_key_cut_by_the_body_limit_is_redacted_too() -> None:
    body = "x" * (N - 20) + SECRET
    error = APIStatusError(status_code=500, headers={}, body=body, secrets=[SECRET])
    assert_clean(error)
    assert error.body.endswith("[redacted]")


def test_headers_echoing_the_key_are_redacted_and_still_work() -> None:
    headers = {"X-Echo": f"Bearer {SECRET}", "Retry-After": "3", "X-Request-Id": "r1"}
    error = RateLimitError(status_code=429, headers=headers, body="", secrets=[SECRET])
    assert_clean(error)
    assert error.headers["x-echo"] == "Bearer [redacted]"
    assert error.retry_after == 3
    assert error.request_id == "r1"


def test_without_secrets_nothing_is_redacted() -> None:
    body = f"Unauthorized: {SECRET}"
    headers = {"X-Echo": SECRET}
    error = AuthenticationError(status_code=401, headers=headers, body=body)
    assert error.body == body
    assert error.headers is headers
    quiet = AuthenticationError(status_code=401, headers=headers, body="no", secrets=[""])
    assert quiet.body == "no"


def test_one_secret_may_be_given_as_a_string() -> None:
    error = APIStatusError(status_code=401, headers={}, body=f"no {SECRET}", secrets=SECRET)
    assert error.body == "no [redacted]"


def test_redact_replaces_the_longest_secret_first() -> None:
    assert redact("a SECRET-LONG b SECRET", ["SECRET", "SECRET-LONG"]) == (
        "a [redacted] b [redacted]"
    )
    assert redact("ends with sk_car_abcdef", ["sk_car_abcdefghij"]) == "ends with [redacted]"
    assert redact("ends with sk_car", ["sk_car_abcdefghij"]) == "ends with sk_car"


def test_a_decode_error_redacts_the_key_too() -> None:
    error = ResponseDecodeError(
        f"bad body {SECRET}",
        body=f'{{"echo": "{SECRET}"}}',
        errors=(f"expected int, got {SECRET!r} @ $.x",),
        path="$.x",
        secrets=(SECRET,),
    )
    for text in (str(error), error.body, error.message, *error.errors):
        assert SECRET not in text


async def test_a_deep_json_error_body_through_the_client(
    fake: FakeCartesia, client: AsyncClient
) -> None:
    body = b'{"message":' * 5000 + b"1" + b"}" * 5000
    fake.add_fault(status=400, body=body, path=PATH)
    with pytest.raises(BadRequestError) as info:
        await client.calls.get("ac_1")
    assert info.value.json is None
    assert info.value.message.startswith('{"message":{"message":')


@pytest.mark.parametrize("ids", [{}, {"call_id": "ac_1", "batch_id": "acb_1"}])
def test_a_wait_timeout_names_exactly_one_call_or_batch(ids: dict[str, str]) -> None:
    with pytest.raises(TypeError, match="exactly one of call_id and batch_id"):
        WaitTimeoutError("late", last_status=None, **ids)
