"""The data layer as a user meets it: responses in, models out, and back to JSON."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from cartesia_calls._codec import decode, dumps, loads, unstructure
from cartesia_calls._enums import (
    BatchStatus,
    CallDirection,
    CallEndReason,
    CallStatus,
    ConnectionType,
    DeploymentRegion,
    RecipientStatus,
    Region,
    TurnEndReason,
    TurnRole,
)
from cartesia_calls._model_base import Model
from cartesia_calls._models import (
    AgentCall,
    BatchRecipient,
    CallBatch,
    CallCancellation,
    CallLogs,
    LogEvent,
    LogMetric,
    OutboundCall,
    OutboundCallResponse,
    OutboundCallResult,
    Page,
    TelephonyParams,
    TextChunk,
    ToolCall,
    TranscriptTurn,
)
from cartesia_calls.errors import ResponseDecodeError

DATA = Path(__file__).parent / "data"
UTC = dt.UTC

#: The Delete Call example of CALLS_API.md, section 5.
REDACTED_CALL = """
{"id": "ac_abc123", "agent_id": "agent_abc123", "agent_name": "Customer support",
 "zdr_enabled": false, "redacted_at": "2026-03-01T12:30:00Z",
 "start_time": "2026-03-01T12:00:00Z", "end_time": "2026-03-01T12:05:00Z",
 "telephony_params": {"call_sid": "sid_abc123", "connection_type": "websocket"},
 "status": "completed", "end_reason": "agent_hangup",
 "deployment_id": "ad_abc123", "deployment_version_id": "av_abc123", "deployment_region": "US"}
"""


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def full_call() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(read("agent_call_full.json"))
    return body


def minimal_call(**fields: Any) -> dict[str, Any]:
    return {"id": "ac_1", "agent_id": "agent_1", "status": "completed", **fields}


def turn(**fields: Any) -> dict[str, Any]:
    return {"role": "user", "start_timestamp": 1.0, "end_timestamp": 2.0, **fields}


def decode_error(data: Any, model: type[Model] = AgentCall) -> ResponseDecodeError:
    with pytest.raises(ResponseDecodeError) as info:
        model.from_dict(data)
    return info.value


# --- The public Get Call page and the full 2026-03-01 body -----------------------------------


def test_seed_example_body_decodes_with_its_placeholders() -> None:
    call = decode(read("seed_get_call.json"), AgentCall)

    assert call.id == "<string>"
    assert call.status is CallStatus.CREATED
    assert call.end_reason is CallEndReason.AGENT_HANGUP
    assert call.start_time == dt.datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)
    assert call.metadata == {}
    assert call.transcript is not None
    (only,) = call.transcript
    assert only.role == "<string>"  # a placeholder: kept as an unknown role, not an error
    assert not only.role.is_known
    assert only.start_timestamp == 123.0
    assert isinstance(only.start_timestamp, float)
    assert only.vad_buffer_ms == 123
    assert only.end_reason == "<string>"
    assert only.text_chunks == [TextChunk(text="<string>", start_timestamp=123.0)]
    assert only.tool_calls == [
        ToolCall(id="<string>", name="<string>", arguments={}, result="<string>")
    ]
    assert only.log_event == LogEvent(event="<string>", metadata={}, timestamp=123.0)
    assert only.log_metric == LogMetric(name="<string>", value=123.0, timestamp=123.0)
    assert call.telephony_params is not None
    assert call.telephony_params.from_ == "<string>"
    assert call.telephony_params.connection_type is ConnectionType.WEBSOCKET
    assert call.extra == {}
    assert call.deployment_region is None  # not in the seed: absent means None
    assert call.zdr_enabled is None


def test_every_field_of_a_full_call_is_read() -> None:
    call = AgentCall.from_dict(full_call())

    assert call.id == "ac_7Hk2mQ9x"
    assert call.agent_id == "agent_support_01"
    assert call.status is CallStatus.COMPLETED
    assert call.agent_name == "Customer support"
    assert call.start_time == dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert call.end_time == dt.datetime(2026, 3, 1, 12, 4, 30, 250000, tzinfo=UTC)
    assert call.summary is not None
    assert call.summary.startswith("The caller asked")
    assert call.error_message is None
    assert call.end_reason is CallEndReason.CLIENT_HANGUP
    assert call.deployment_id == "ad_abc123"
    assert call.deployment_version_id == "av_abc123"
    assert call.deployment_region is DeploymentRegion.US
    assert call.zdr_enabled is False
    assert call.redacted_at is None
    assert call.metadata == {"customer_id": "cus_42", "priority": 2, "tags": ["vip"]}
    assert call.extra == {}

    assert call.telephony_params == TelephonyParams(
        to="+14155550100",
        from_="+14155559876",
        call_sid="CA0123456789abcdef",
        direction=CallDirection.INBOUND,
        parameters={"region": "us-west"},
        headers={"X-Trace": "abc"},
        connection_type=ConnectionType.WEBSOCKET,
    )

    assert call.transcript is not None
    greeting, question, answer, event, metric = call.transcript
    assert greeting.role is TurnRole.ASSISTANT
    assert (greeting.start_timestamp, greeting.end_timestamp) == (0.42, 3.1)
    assert greeting.text == "Hi, thanks for calling. How can I help?"
    assert greeting.text_chunks == [
        TextChunk(text="Hi, thanks for calling.", start_timestamp=0.42),
        TextChunk(text="How can I help?", start_timestamp=1.9),
    ]
    assert greeting.end_reason is TurnEndReason.TTS_COMPLETED
    assert greeting.tts_ttfb == 0.184
    assert greeting.tool_calls is None

    assert question.role is TurnRole.USER
    assert question.vad_buffer_ms == 240
    assert question.stt_ttfb == 0.097
    assert question.end_reason is None

    assert answer.end_reason is TurnEndReason.INTERRUPTED
    assert answer.tool_calls == [
        ToolCall(
            id="call_01",
            name="lookup_order",
            arguments={"order_id": "A-1234", "include_tracking": True},
            result='{"status": "shipped", "eta": "2026-03-06"}',
        )
    ]

    assert event.role is TurnRole.SYSTEM
    assert event.log_event == LogEvent(
        event="order_looked_up", metadata={"order_id": "A-1234"}, timestamp=9.8
    )
    assert metric.log_metric == LogMetric(name="lookup_latency_ms", value=312.5, timestamp=10.0)

    assert call.duration == dt.timedelta(minutes=4, seconds=30, microseconds=250000)
    assert call.is_terminal
    assert not call.is_redacted


def test_full_call_round_trips_to_the_same_json() -> None:
    body = full_call()
    call = AgentCall.from_dict(body)
    out = call.to_dict()

    assert AgentCall.from_dict(out) == call
    assert out["telephony_params"]["from"] == "+14155559876"
    assert out["end_time"] == "2026-03-01T12:04:30.250000Z"
    assert "error_message" not in out  # null in, omitted out
    expected = {k: v for k, v in body.items() if v is not None}
    expected["end_time"] = "2026-03-01T12:04:30.250000Z"
    assert orjson.loads(dumps(call)) == orjson.loads(dumps(expected))


def test_redacted_call_example_decodes() -> None:
    call = decode(REDACTED_CALL.encode(), AgentCall)

    assert call.is_redacted
    assert call.redacted_at == dt.datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert call.transcript is None
    assert call.metadata is None
    assert call.summary is None
    assert call.telephony_params == TelephonyParams(
        call_sid="sid_abc123", connection_type=ConnectionType.WEBSOCKET
    )
    assert call.telephony_params.to is None
    assert call.zdr_enabled is False
    assert call.duration == dt.timedelta(minutes=5)


def test_only_id_agent_id_and_status_are_required() -> None:
    call = AgentCall.from_dict(minimal_call())

    assert call == AgentCall(id="ac_1", agent_id="agent_1", status=CallStatus.COMPLETED)
    assert call.transcript is None
    assert call.duration is None
    assert call.to_dict() == minimal_call()


def test_explicit_nulls_read_as_absent() -> None:
    call = AgentCall.from_dict(
        minimal_call(transcript=None, telephony_params=None, metadata=None, end_time=None)
    )
    assert call == AgentCall.from_dict(minimal_call())


# --- Unknown keys ------------------------------------------------------------------------------


def test_unknown_keys_are_kept_at_every_level_and_written_back() -> None:
    body = full_call()
    body["sentiment"] = {"score": 0.8}
    body["transcript"][1]["confidence"] = 0.93
    body["transcript"][0]["text_chunks"][1]["speaker_id"] = 7
    body["telephony_params"]["carrier"] = "acme"
    body["telephony_params"]["from_"] = "not the from field"

    call = AgentCall.from_dict(body)

    assert call.extra == {"sentiment": {"score": 0.8}}
    assert call.transcript is not None
    assert call.transcript[1].extra == {"confidence": 0.93}
    assert call.transcript[0].extra == {}
    assert call.transcript[0].text_chunks is not None
    assert call.transcript[0].text_chunks[1].extra == {"speaker_id": 7}
    assert call.telephony_params is not None
    assert call.telephony_params.extra == {"carrier": "acme", "from_": "not the from field"}
    assert call.telephony_params.from_ == "+14155559876"

    out = call.to_dict()
    assert out["sentiment"] == {"score": 0.8}
    assert out["transcript"][1]["confidence"] == 0.93
    assert out["transcript"][0]["text_chunks"][1]["speaker_id"] == 7
    assert out["telephony_params"]["carrier"] == "acme"
    assert AgentCall.from_dict(out) == call


def test_extra_takes_part_in_equality() -> None:
    plain = AgentCall.from_dict(minimal_call())
    with_extra = AgentCall.from_dict(minimal_call(new_field=1))
    assert plain != with_extra
    assert with_extra == AgentCall(
        id="ac_1", agent_id="agent_1", status=CallStatus.COMPLETED, extra={"new_field": 1}
    )


def test_extra_never_overrides_a_documented_field() -> None:
    call = AgentCall(
        id="ac_1",
        agent_id="agent_1",
        status=CallStatus.COMPLETED,
        extra={"id": "other", "summary": "sneaky", "fine": True},
    )
    assert call.to_dict() == {**minimal_call(), "fine": True}


def test_repr_shows_extra_only_when_there_is_some() -> None:
    assert "extra" not in repr(TextChunk(text="hi"))
    assert "extra={'x': 1}" in repr(TextChunk(text="hi", extra={"x": 1}))
    assert repr(TextChunk(text="hi")) == "TextChunk(text='hi', start_timestamp=None)"


# --- from / from_ -------------------------------------------------------------------------------


def test_from_on_the_wire_is_from_underscore_in_python() -> None:
    params = TelephonyParams.from_dict({"from": "+14155550000", "to": "+14155551111"})

    assert params.from_ == "+14155550000"
    assert params.extra == {}
    assert params.to_dict() == {"from": "+14155550000", "to": "+14155551111"}
    assert "from_" not in params.to_dict()


# --- Datetimes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T12:00:00Z", dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        ("2026-03-01T14:00:00+02:00", dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        ("2026-03-01T07:30:00-04:30", dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        (
            "2025-06-24T23:36:40.360473878Z",
            dt.datetime(2025, 6, 24, 23, 36, 40, 360473, tzinfo=UTC),
        ),
        ("2026-03-01T12:00:00.5Z", dt.datetime(2026, 3, 1, 12, 0, 0, 500000, tzinfo=UTC)),
        ("2026-03-01T12:00:00", dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)),
        ("2026-03-01T12:00:00.123456", dt.datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_datetimes_become_aware_utc(text: str, expected: dt.datetime) -> None:
    call = AgentCall.from_dict(minimal_call(start_time=text))

    assert call.start_time == expected
    assert call.start_time is not None
    assert call.start_time.tzinfo is UTC
    assert call.start_time.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC), "2026-03-01T12:00:00Z"),
        (dt.datetime(2026, 3, 1, 12, 0, 0, 42, tzinfo=UTC), "2026-03-01T12:00:00.000042Z"),
        (
            dt.datetime(2026, 3, 1, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2026-03-01T12:00:00Z",
        ),
        (dt.datetime(2026, 3, 1, 12, 0), "2026-03-01T12:00:00Z"),  # naive: taken as UTC
    ],
)
def test_datetimes_are_written_as_utc_with_z(value: dt.datetime, text: str) -> None:
    batch = CallBatch(id="acb_1", scheduled_at=value)

    assert batch.to_dict() == {"id": "acb_1", "scheduled_at": text}
    assert unstructure(value) == text
    assert dumps({"at": value}) == orjson.dumps({"at": text})


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", 1700000000, "", True])
def test_bad_datetimes_are_decode_errors(value: Any) -> None:
    assert decode_error(minimal_call(end_time=value)).path == "$.end_time"


# --- Round trips ----------------------------------------------------------------------------------

AT = dt.datetime(2026, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)

EXAMPLES: list[Model] = [
    AgentCall.from_dict(full_call()),
    AgentCall.from_dict(orjson.loads(read("seed_get_call.json"))),
    AgentCall.from_dict(orjson.loads(REDACTED_CALL)),
    TranscriptTurn(role=TurnRole.USER, start_timestamp=0.0, end_timestamp=1.5, text="hi"),
    TextChunk(text="hi", start_timestamp=0.25, extra={"lang": "en"}),
    ToolCall(id="t1", name="lookup", arguments={"a": [1, 2]}, result="ok"),
    LogEvent(event="e", metadata={"k": None}, timestamp=1.0),
    LogMetric(name="m", value=0.5, timestamp=2.0),
    TelephonyParams(to="+1", from_="+2", direction=CallDirection("sideways")),
    CallLogs(call_id="ac_1", logs=["started", "done"], updated_at=AT),
    CallLogs(call_id="ac_1", logs=[]),
    CallCancellation(cancelled=True),
    OutboundCall(to_number="+14155550100", metadata={"name": "Ada"}),
    OutboundCallResult(number="+14155550100", agent_call_id="ac_1"),
    OutboundCallResult(number="+14155550101", error={"code": "invalid_number"}),
    OutboundCallResponse(calls=[OutboundCallResult(number="+1", agent_call_id="ac_1")]),
    BatchRecipient(
        id="r1",
        to_number="+1",
        status=RecipientStatus.FAILED,
        created_at=AT,
        end_reason=CallEndReason.DIAL_BUSY,
    ),
    CallBatch(
        id="acb_1",
        name="March",
        agent_id="agent_1",
        from_number_id="pn_1",
        region=Region.EU,
        target_concurrency_limit=5,
        status=BatchStatus.IN_PROGRESS,
        total_calls_scheduled=10,
        total_calls_dispatched=4,
        total_calls_finished=3,
        retry_count=0,
        created_at=AT,
        last_updated_at=AT,
        scheduled_at=AT,
        admitted_at=AT,
        recipients=[BatchRecipient(id="r1", metadata={"x": 1}, extra={"attempts": 2})],
    ),
]


@pytest.mark.parametrize("model", EXAMPLES, ids=lambda m: type(m).__name__)
def test_from_dict_of_to_dict_is_the_same_model(model: Model) -> None:
    out = model.to_dict()

    assert type(model).from_dict(out) == model
    assert type(model).from_dict(orjson.loads(dumps(model))) == model
    assert orjson.loads(orjson.dumps(out)) == out  # plain JSON types only
    assert None not in out.values()


def test_pages_round_trip() -> None:
    calls = Page[AgentCall](data=[AgentCall.from_dict(full_call())], next_page="ac_7Hk2mQ9x")
    batches = Page[CallBatch](data=[CallBatch(id="acb_1")], has_more=False)

    assert Page[AgentCall].from_dict(calls.to_dict()) == calls
    assert Page[CallBatch].from_dict(batches.to_dict()) == batches
    assert decode(dumps(calls), Page[AgentCall]) == calls


# --- Pages -------------------------------------------------------------------------------------


def test_page_of_calls_without_has_more() -> None:
    body = {"data": [minimal_call(), minimal_call(id="ac_2")], "next_page": "ac_2"}
    page = decode(orjson.dumps(body), Page[AgentCall])

    assert [c.id for c in page.data] == ["ac_1", "ac_2"]
    assert all(isinstance(c, AgentCall) for c in page.data)
    assert page.next_page == "ac_2"
    assert page.has_more is None


def test_page_of_calls_with_has_more_and_unknown_keys() -> None:
    body: dict[str, Any] = {"data": [], "next_page": None, "has_more": False, "total": 0}
    page = Page[AgentCall].from_dict(body)

    assert page.data == []
    assert page.next_page is None
    assert page.has_more is False
    assert page.extra == {"total": 0}


def test_page_of_batches() -> None:
    body = {"data": [{"id": "acb_1", "status": "completed", "region": "EU"}], "has_more": True}
    page = decode(orjson.dumps(body), Page[CallBatch])

    (batch,) = page.data
    assert batch.status is BatchStatus.COMPLETED
    assert batch.is_terminal
    assert batch.region is DeploymentRegion.EU
    assert page.has_more is True


def test_page_items_are_validated_with_their_path() -> None:
    body = {"data": [minimal_call(), {"id": "ac_2"}]}
    with pytest.raises(ResponseDecodeError) as info:
        Page[AgentCall].from_dict(body)
    assert info.value.path == "$.data[1].agent_id"
    assert "Page[AgentCall]" in str(info.value)


def test_page_needs_data() -> None:
    with pytest.raises(ResponseDecodeError) as info:
        decode(b'{"next_page": null}', Page[AgentCall])
    assert info.value.path == "$.data"


def test_bare_page_leaves_items_as_json() -> None:
    page: Page[Any] = Page.from_dict({"data": [{"anything": 1}]})
    assert page.data == [{"anything": 1}]


# --- The smaller models -----------------------------------------------------------------------


def test_outbound_request_items() -> None:
    assert OutboundCall(to_number="+14155550100").to_dict() == {"to_number": "+14155550100"}
    body = {
        "agent_id": "agent_1",
        "outbound_calls": [
            OutboundCall("+14155550100"),
            OutboundCall("+14155550101", metadata={"k": 1}),
        ],
    }
    assert loads(dumps(body)) == {
        "agent_id": "agent_1",
        "outbound_calls": [
            {"to_number": "+14155550100"},
            {"to_number": "+14155550101", "metadata": {"k": 1}},
        ],
    }
    assert unstructure(body) == loads(dumps(body))


def test_outbound_response_keeps_the_order_and_the_failures() -> None:
    body = b"""{"calls": [
        {"number": "+14155559876", "agent_call_id": "ac_1"},
        {"number": "+14155550000", "error": {"message": "cannot call this number"}}]}"""
    response = decode(body, OutboundCallResponse)

    ok, failed = response.calls
    assert ok.ok
    assert ok.agent_call_id == "ac_1"
    assert not failed.ok
    assert failed.agent_call_id is None
    assert failed.error == {"message": "cannot call this number"}


def test_batch_with_recipients() -> None:
    body = {
        "id": "acb_1",
        "name": "March",
        "agent_id": "agent_1",
        "from_number_id": "pn_1",
        "region": "APAC",
        "target_concurrency_limit": 3,
        "status": "in_progress",
        "total_calls_scheduled": 2,
        "total_calls_dispatched": 2,
        "total_calls_finished": 1,
        "retry_count": 1,
        "created_at": "2026-03-01T12:00:00Z",
        "last_updated_at": "2026-03-01T12:10:00Z",
        "scheduled_at": "2026-03-01T13:00:00+01:00",
        "recipients": [
            {"id": "r1", "to_number": "+1", "status": "completed", "agent_call_id": "ac_1"},
            {"id": "r2", "to_number": "+2", "status": "voicemail", "error_message": "left"},
        ],
    }
    batch = CallBatch.from_dict(body)

    assert batch.region is DeploymentRegion.APAC
    assert batch.status is BatchStatus.IN_PROGRESS
    assert not batch.is_terminal
    assert batch.scheduled_at == dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert batch.admitted_at is None
    assert batch.recipients is not None
    first, second = batch.recipients
    assert first.status is RecipientStatus.COMPLETED
    assert second.status == "voicemail"
    assert second.error_message == "left"
    assert CallBatch.from_dict(batch.to_dict()) == batch
    assert decode_error({"name": "no id"}, CallBatch).path == "$.id"


def test_logs_and_cancellation() -> None:
    logs = decode(
        b'{"call_id": "ac_1", "logs": ["a", "b"], "updated_at": "2026-03-01T12:00:00Z"}',
        CallLogs,
    )
    assert logs.logs == ["a", "b"]
    assert logs.updated_at == dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert decode_error({"call_id": "ac_1", "logs": ["a", 2]}, CallLogs).path == "$.logs[1]"
    assert decode(b'{"cancelled": true}', CallCancellation) == CallCancellation(cancelled=True)


def test_models_are_frozen() -> None:
    call = AgentCall.from_dict(minimal_call())
    with pytest.raises(AttributeError):
        call.id = "other"  # type: ignore[misc]
