"""Error bodies of any shape, and any Retry-After value, become readable SDK errors."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cartesia_calls import APIStatusError, Backoff, RateLimitError
from cartesia_calls.errors import status_error_class

statuses = st.integers(min_value=400, max_value=599)
headers = st.dictionaries(
    st.sampled_from(["Retry-After", "retry-after-ms", "X-Request-Id", "X-Should-Retry", "X"]),
    st.text(max_size=40),
)


@settings(max_examples=300, deadline=None)
@given(status=statuses, body=st.binary(max_size=2000), extra=headers)
def test_any_error_body_builds_a_readable_error(
    status: int, body: bytes, extra: dict[str, str]
) -> None:
    text = body.decode("utf-8", "replace")
    error = status_error_class(status)(status_code=status, headers=extra, body=text)
    assert isinstance(error, APIStatusError)
    assert error.status_code == status
    line = str(error)
    assert line.startswith(str(status))
    assert isinstance(error.message, str)
    assert error.message
    assert len(line) < 2_000
    repr(error)


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=60))
def test_any_retry_after_is_a_wait_or_ignored(value: str) -> None:
    seconds = RateLimitError(status_code=429, headers={"Retry-After": value}, body="").retry_after
    assert seconds is None or seconds >= 0
    delay = Backoff().delay(0, seconds)
    assert delay is None or delay >= 0
