"""Error bodies of any shape, and any Retry-After value, become readable SDK errors."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from cartesia_calls import APIStatusError, Backoff, RateLimitError
from cartesia_calls.errors import decode_text, status_error_class

from .helpers import error_texts

statuses = st.integers(min_value=400, max_value=599)
headers = st.dictionaries(
    st.sampled_from(["Retry-After", "retry-after-ms", "X-Request-Id", "X-Should-Retry", "X"]),
    st.text(max_size=40),
)


def assert_readable(error: APIStatusError, status: int) -> None:
    """An error of ``status`` whose one line starts with the status, says something, and is
    short."""
    assert isinstance(error, APIStatusError)
    assert error.status_code == status
    line = str(error)
    assert line.startswith(str(status))
    assert isinstance(error.message, str)
    assert error.message
    assert len(line) < 2_000


@settings(max_examples=300, deadline=None)
@given(status=statuses, body=st.binary(max_size=2000), extra=headers)
def test_any_error_body_builds_a_readable_error(
    status: int, body: bytes, extra: dict[str, str]
) -> None:
    text = body.decode("utf-8", "replace")
    error = status_error_class(status)(status_code=status, headers=extra, body=text)
    assert_readable(error, status)
    repr(error)


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=60))
def test_any_retry_after_is_a_wait_or_ignored(value: str) -> None:
    seconds = RateLimitError(status_code=429, headers={"Retry-After": value}, body="").retry_after
    assert seconds is None or seconds >= 0
    delay = Backoff().delay(0, seconds)
    assert delay is None or delay >= 0


SECRET = "sk_car_fuzz_0123456789abcdefghij"
CHARSETS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "utf-8",
            "latin-1",
            "utf-16",
            "utf-32-be",
            "shift_jis",
            "cp1252",
            "utf-7",
            "zlib",
            "punycode",
            "idna",
            "undefined",
            "base64",
            "no-such",
            "",
            "utf-8; x",
            "\x00",
        ]
    ),
    st.text(max_size=20),
)
# Bodies that look like what servers send, so the JSON, HTML and "Title: message" paths are all
# taken, with the key echoed somewhere in some of them.
PIECES = st.sampled_from(
    [
        "{",
        "}",
        "[",
        "]",
        '"',
        ":",
        ",",
        "<",
        ">",
        "<title>",
        "</title>",
        "Title: ",
        "\n",
        '"message"',
        '"title"',
        '"error"',
        '"request_id"',
        "\\u005f",
        SECRET,
        SECRET[:20],
        "é",
    ]
)
BODIES = st.one_of(
    st.binary(max_size=3000),
    st.lists(st.one_of(PIECES, st.text(max_size=10)), max_size=80).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    ),
)


@settings(max_examples=400, deadline=None)
@given(
    status=st.integers(min_value=100, max_value=999), raw=BODIES, charset=CHARSETS, extra=headers
)
def test_any_bytes_in_any_charset_build_a_well_formed_error_without_the_key(
    status: int, raw: bytes, charset: str | None, extra: dict[str, str]
) -> None:
    text = decode_text(raw, charset)
    assert isinstance(text, str)
    error = status_error_class(status)(
        status_code=status, headers={**extra, "X-Echo": SECRET}, body=text, secrets=[SECRET]
    )
    assert_readable(error, status)
    for value in error_texts(error):
        assert SECRET not in value
