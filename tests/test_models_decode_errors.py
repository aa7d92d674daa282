"""Bodies that are not a model: decode errors with their JSON path, and strict primitives."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from cartesia_calls._codec import decode
from cartesia_calls._models import (
    AgentCall,
    CallCancellation,
    CallLogs,
    OutboundCall,
    OutboundCallResult,
)
from cartesia_calls.errors import MAX_ERROR_BODY_CHARS, APIError, ResponseDecodeError

from .test_models import decode_error, full_call, minimal_call, turn

# --- Decode errors ------------------------------------------------------------------------------


def test_wrong_type_deep_in_the_transcript_names_its_path() -> None:
    body = full_call()
    body["transcript"].insert(3, turn(start_timestamp="1.5"))
    raw = orjson.dumps(body)

    with pytest.raises(ResponseDecodeError) as info:
        decode(raw, AgentCall, status_code=200, method="GET", url="https://api/agents/calls/x")

    error = info.value
    assert isinstance(error, APIError)
    assert error.path == "$.transcript[3].start_timestamp"
    assert error.errors == ("expected a number, got string @ $.transcript[3].start_timestamp",)
    assert "AgentCall" in str(error)
    assert "$.transcript[3].start_timestamp" in str(error)
    assert error.body == raw.decode()
    assert (error.status_code, error.method, error.url) == (
        200,
        "GET",
        "https://api/agents/calls/x",
    )


def test_missing_id() -> None:
    body = minimal_call()
    del body["id"]
    error = decode_error(body)

    assert error.path == "$.id"
    assert error.errors == ("required field missing @ $.id",)
    assert json.loads(error.body) == body


def test_transcript_that_is_a_string() -> None:
    error = decode_error(minimal_call(transcript="hello"))
    assert error.path == "$.transcript"
    assert "expected an array, got string" in error.errors[0]


def test_every_problem_is_listed_and_the_first_is_the_path() -> None:
    body = {"agent_id": 7, "status": "completed", "transcript": [turn(), turn(role=None), "x"]}
    error = decode_error(body)

    assert error.path == "$.id"
    assert error.errors == (
        "required field missing @ $.id",
        "expected a string, got integer @ $.agent_id",
        "expected a string, got null @ $.transcript[1].role",
        "expected an object, got string @ $.transcript[2]",
    )
    assert "and 3 more problems" in str(error)


def test_renamed_field_paths_use_the_wire_name() -> None:
    error = decode_error(minimal_call(telephony_params={"from": ["+1"]}))
    assert error.path == "$.telephony_params.from"


@pytest.mark.parametrize("data", [[], "call", 3, None, True, [minimal_call()]])
def test_a_body_that_is_not_an_object(data: Any) -> None:
    error = decode_error(data)
    assert error.path == "$"
    assert "expected an object" in error.errors[0]


def test_deeply_nested_garbage_is_still_a_decode_error() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    error = decode_error(minimal_call(transcript=[deep]))
    assert error.path == "$.transcript[0]"
    assert error.body  # too deep to print as JSON, but described


@pytest.mark.parametrize(
    "body", [b"", b"{", b"not json", b'{"id": "ac_1",}', b"\xff\xfe", b"<html>502</html>"]
)
def test_invalid_json_is_a_decode_error_without_path(body: bytes) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        decode(body, AgentCall, status_code=200, method="GET", url="https://x")
    error = info.value
    assert error.path is None
    assert error.body == body.decode("utf-8", errors="replace")
    assert error.status_code == 200
    assert "not valid JSON" in str(error)


def test_huge_bodies_are_cut_in_the_error() -> None:
    body = b'{"id": "' + b"x" * (MAX_ERROR_BODY_CHARS * 2) + b'"'
    with pytest.raises(ResponseDecodeError) as info:
        decode(body, AgentCall)
    assert len(info.value.body) == MAX_ERROR_BODY_CHARS

    big = orjson.dumps(minimal_call(summary="y" * MAX_ERROR_BODY_CHARS * 2, status=None))
    with pytest.raises(ResponseDecodeError) as info:
        decode(big, AgentCall)
    assert info.value.path == "$.status"
    assert len(info.value.body) == MAX_ERROR_BODY_CHARS


# --- Strict primitives ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [{"a": 1}, ["a"], 1, 1.5, True])
def test_string_fields_take_only_strings(value: Any) -> None:
    assert decode_error(minimal_call(summary=value)).path == "$.summary"


@pytest.mark.parametrize("value", ["abc", "", {"0": {}}, 5])
def test_list_fields_take_only_arrays(value: Any) -> None:
    assert decode_error(minimal_call(transcript=value)).path == "$.transcript"
    assert decode_error({"call_id": "ac_1", "logs": value}, CallLogs).path == "$.logs"


@pytest.mark.parametrize("value", ["12", True, 1.5, float("inf"), [1]])
def test_int_fields_reject_non_integers(value: Any) -> None:
    error = decode_error(minimal_call(transcript=[turn(vad_buffer_ms=value)]))
    assert error.path == "$.transcript[0].vad_buffer_ms"


def test_int_fields_accept_integral_floats_and_float_fields_accept_ints() -> None:
    (only,) = (
        AgentCall.from_dict(
            minimal_call(transcript=[turn(vad_buffer_ms=240.0, start_timestamp=3)])
        ).transcript
        or []
    )
    assert only.vad_buffer_ms == 240
    assert type(only.vad_buffer_ms) is int
    assert only.start_timestamp == 3.0
    assert type(only.start_timestamp) is float


@pytest.mark.parametrize("value", ["1.5", True, None, [1.0]])
def test_float_fields_reject_non_numbers(value: Any) -> None:
    error = decode_error(minimal_call(transcript=[turn(end_timestamp=value)]))
    assert error.path == "$.transcript[0].end_timestamp"


@pytest.mark.parametrize("value", ["true", 1, 0, "false"])
def test_bool_fields_take_only_booleans(value: Any) -> None:
    assert decode_error(minimal_call(zdr_enabled=value)).path == "$.zdr_enabled"
    assert decode_error({"cancelled": value}, CallCancellation).path == "$.cancelled"


@pytest.mark.parametrize("value", [[], "{}", 1, [["a", 1]]])
def test_object_fields_take_only_objects(value: Any) -> None:
    assert decode_error(minimal_call(metadata=value)).path == "$.metadata"
    error = decode_error(minimal_call(telephony_params=value))
    assert error.path == "$.telephony_params"


def test_any_json_is_kept_in_free_form_fields() -> None:
    metadata = {"n": 1, "f": 1.5, "s": "x", "b": False, "z": None, "l": [1, {"a": []}]}
    result = OutboundCallResult.from_dict({"number": "+1", "error": ["odd", 1]})
    call = AgentCall.from_dict(minimal_call(metadata=metadata))

    assert call.metadata == metadata
    assert result.error == ["odd", 1]
    assert not result.ok


def test_outbound_call_options_are_keyword_only() -> None:
    # OutboundCall("+1", {...}) once meant metadata: it must not silently mean anything else.
    with pytest.raises(TypeError):
        OutboundCall("+14155550100", {"k": 1})  # type: ignore[call-arg]
    item = OutboundCall("+14155550100", dynamic_variables={"k": 1})
    assert OutboundCall.from_dict(item.to_dict()) == item


def test_decoded_objects_do_not_share_the_input_dict() -> None:
    metadata = {"a": 1}
    call = AgentCall.from_dict(minimal_call(metadata=metadata))
    metadata["a"] = 2
    assert call.metadata == {"a": 1}
