"""Webhooks: secret verification, event parsing (current and older envelopes), and fuzzing."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping
from typing import Any

import attrs
import orjson
import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings, strategies as st
from multidict import CIMultiDict

from cartesia_calls import (
    AgentCall,
    CallEndReason,
    CallStatus,
    CartesiaError,
    ResponseDecodeError,
    ToolCall,
    TurnRole,
    WebhookVerificationError,
)
from cartesia_calls.webhooks import (
    CallCompletedEvent,
    CallFailedEvent,
    CallStartedEvent,
    CallTurnEvent,
    PostCallAnalysisEvent,
    UnknownEvent,
    WebhookEvent,
    WebhookTurn,
    parse_event,
)

from .webhook_support import PATH, webhook_app

SECRET = "whsec_correct-horse-battery"
HEADERS = {"X-Webhook-Secret": SECRET, "Content-Type": "application/json"}

ENVELOPE: dict[str, Any] = {
    "request_id": "req_1",
    "agent_id": "agent_1",
    "webhook_id": "wh_1",
    "timestamp": "2026-03-01T12:05:00Z",
}


def _call(**fields: Any) -> dict[str, Any]:
    call: dict[str, Any] = {
        "id": "ac_1",
        "agent_id": "agent_1",
        "status": "completed",
        "start_time": "2026-03-01T12:00:00Z",
        "end_time": "2026-03-01T12:05:00Z",
        "end_reason": "client_hangup",
        "transcript": [{"role": "user", "start_timestamp": 0.5, "end_timestamp": 1.0}],
    }
    call.update(fields)
    return call


def _parse(payload: Any, **options: Any) -> WebhookEvent:
    body = payload if isinstance(payload, bytes | str) else orjson.dumps(payload)
    return parse_event(body, headers=options.get("headers", HEADERS), secret=SECRET)


# -- event types ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "cls", "status"),
    [
        ("call_started", CallStartedEvent, "started"),
        ("call_completed", CallCompletedEvent, "completed"),
        ("call_failed", CallFailedEvent, "failed"),
    ],
)
def test_call_events_carry_the_call(event_type: str, cls: type[Any], status: str) -> None:
    payload = {"type": event_type, **ENVELOPE, "call": _call(status=status)}
    event = _parse(payload)
    assert type(event) is cls
    assert isinstance(event, CallStartedEvent | CallCompletedEvent | CallFailedEvent)
    assert event.type == event_type
    assert isinstance(event.call, AgentCall)
    assert event.call.id == "ac_1"
    assert event.call.status == status
    assert event.call.end_reason == CallEndReason.CLIENT_HANGUP
    assert event.call.transcript is not None
    assert event.call.transcript[0].role == TurnRole.USER
    assert event.request_id == "req_1"
    assert event.agent_id == "agent_1"
    assert event.webhook_id == "wh_1"
    assert event.call_id == "ac_1"
    assert event.timestamp == dt.datetime(2026, 3, 1, 12, 5, tzinfo=dt.UTC)
    assert event.raw == payload


def test_a_completed_call_carries_its_final_dynamic_variables() -> None:
    update = {
        "variable_name": "slot",
        "old_value": None,
        "new_value": "Tue 10:00",
        "updated_at": 12.5,
        "tool_id": "tool_book",
        "tool_call_id": "tc_1",
    }
    turn = {
        "role": "assistant",
        "start_timestamp": 12.0,
        "end_timestamp": 13.0,
        "tool_calls": [
            {"id": "tc_1", "name": "book", "arguments": {}, "dynamic_variable_updates": [update]}
        ],
    }
    call = _call(
        dynamic_variables={"first_name": "Ada", "slot": "Tue 10:00"},
        telephony_account_type="twilio",
        transcript=[turn],
    )
    event = _parse({"type": "call_completed", **ENVELOPE, "call": call})
    assert isinstance(event, CallCompletedEvent)
    assert event.call.dynamic_variables == {"first_name": "Ada", "slot": "Tue 10:00"}
    assert event.call.telephony_account_type == "twilio"
    assert event.call.extra == {}
    assert event.call.transcript is not None
    (tool,) = event.call.transcript[0].tool_calls or []
    (decoded,) = tool.dynamic_variable_updates or []
    assert (decoded.old_value, decoded.new_value, decoded.tool_call_id) == (
        None,
        "Tue 10:00",
        "tc_1",
    )


def test_call_turn_event_carries_a_typed_turn() -> None:
    turn = {
        "role": "assistant",
        "text": "Let me check that.",
        "start_timestamp": 3.5,
        "end_timestamp": 5,
        "was_interrupted": True,
        "tool_calls": [{"id": "tc_1", "name": "lookup", "arguments": {"q": 1}, "result": "ok"}],
        "confidence": 0.9,
    }
    event = _parse({"type": "call_turn", **ENVELOPE, "call_id": "ac_7", "turn": turn})
    assert isinstance(event, CallTurnEvent)
    assert isinstance(event.turn, WebhookTurn)
    assert event.turn.role == TurnRole.ASSISTANT
    assert event.turn.text == "Let me check that."
    assert event.turn.start_timestamp == 3.5
    assert event.turn.end_timestamp == 5.0
    assert event.turn.was_interrupted is True
    assert event.turn.tool_calls == [
        ToolCall(id="tc_1", name="lookup", arguments={"q": 1}, result="ok")
    ]
    assert event.turn.extra == {"confidence": 0.9}
    assert event.call_id == "ac_7"


def test_post_call_analysis_event_carries_the_summary() -> None:
    analysis = {"summary": "The customer renewed.", "sentiment": "positive"}
    event = _parse({"type": "post_call_analysis", **ENVELOPE, "analysis": analysis})
    assert isinstance(event, PostCallAnalysisEvent)
    assert event.summary == "The customer renewed."
    assert event.analysis == analysis


def test_a_top_level_summary_is_read_too() -> None:
    event = _parse({"type": "post_call_analysis", "summary": "Short call."})
    assert isinstance(event, PostCallAnalysisEvent)
    assert event.summary == "Short call."
    assert event.analysis is None


def test_an_unknown_type_is_kept_not_raised() -> None:
    payload = {"type": "call_transferred", **ENVELOPE, "transfer": {"to": "+14155550100"}}
    event = _parse(payload)
    assert type(event) is UnknownEvent
    assert event.type == "call_transferred"
    assert event.raw == payload
    assert event.extra == {"transfer": {"to": "+14155550100"}}
    assert event.agent_id == "agent_1"


def test_a_known_type_without_its_object_is_an_unknown_event() -> None:
    event = _parse({"type": "call_completed", **ENVELOPE, "data": {"id": "ac_1"}})
    assert type(event) is UnknownEvent
    assert event.type == "call_completed"
    assert event.raw["data"] == {"id": "ac_1"}


def test_a_call_missing_agent_and_status_gets_them_from_the_envelope() -> None:
    event = _parse({"type": "call_failed", **ENVELOPE, "call": {"id": "ac_2"}})
    assert isinstance(event, CallFailedEvent)
    assert event.call.agent_id == "agent_1"
    assert event.call.status == CallStatus.FAILED


def test_match_statements_dispatch_on_the_classes() -> None:
    def handle(event: WebhookEvent) -> str:
        match event:
            case CallCompletedEvent(call=call):
                return f"completed {call.id}"
            case CallTurnEvent(turn=turn):
                return f"turn {turn.role}"
            case UnknownEvent(type=kind):
                return f"ignored {kind}"
            case _:
                return "other"

    assert handle(_parse({"type": "call_completed", "call": _call()})) == "completed ac_1"
    assert handle(_parse({"type": "call_turn", "turn": {"role": "user"}})) == "turn user"
    assert handle(_parse({"type": "brand_new"})) == "ignored brand_new"


# -- the older envelope --------------------------------------------------------------------


def test_older_envelope_with_a_transcript_body_builds_the_call() -> None:
    payload = {
        "type": "call_completed",
        **ENVELOPE,
        "body": [
            {"role": "assistant", "start_timestamp": 0, "end_timestamp": 1.5, "text": "Hello!"},
            {"role": "user", "start_timestamp": 2, "end_timestamp": 3, "text": "Hi."},
        ],
    }
    event = _parse(payload)
    assert isinstance(event, CallCompletedEvent)
    assert event.call.id == "req_1"  # the older envelope names the call by its request id
    assert event.call.agent_id == "agent_1"
    assert event.call.status == CallStatus.COMPLETED
    assert event.call.transcript is not None
    assert [t.text for t in event.call.transcript] == ["Hello!", "Hi."]
    assert event.raw == payload


def test_older_envelope_prefers_an_explicit_call_id() -> None:
    payload = {"type": "call_started", **ENVELOPE, "call_id": "ac_9", "body": []}
    event = _parse(payload)
    assert isinstance(event, CallStartedEvent)
    assert event.call.id == "ac_9"
    assert event.call.status == CallStatus.STARTED


def test_older_envelope_with_a_call_body() -> None:
    event = _parse({"type": "call_failed", **ENVELOPE, "body": _call(status="failed")})
    assert isinstance(event, CallFailedEvent)
    assert event.call.id == "ac_1"


def test_older_envelope_turn_and_analysis_bodies() -> None:
    turn = _parse({"type": "call_turn", **ENVELOPE, "body": {"role": "user", "text": "yes"}})
    assert isinstance(turn, CallTurnEvent)
    assert turn.turn.text == "yes"
    analysis = _parse({"type": "post_call_analysis", **ENVELOPE, "body": {"summary": "Done."}})
    assert isinstance(analysis, PostCallAnalysisEvent)
    assert analysis.summary == "Done."
    text = _parse({"type": "post_call_analysis", **ENVELOPE, "body": "Done as text."})
    assert isinstance(text, PostCallAnalysisEvent)
    assert text.summary == "Done as text."


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "call_completed", "body": [{"role": "user"}]},  # no ids to name the call
        {"type": "call_completed", **ENVELOPE, "body": [{"role": "user", "start_timestamp": "x"}]},
        {"type": "call_completed", **ENVELOPE, "body": {"not": "a call"}},
        {"type": "call_turn", **ENVELOPE, "body": {"role": 5}},
    ],
)
def test_unreadable_older_bodies_become_unknown_events(payload: dict[str, Any]) -> None:
    event = _parse(payload)
    assert type(event) is UnknownEvent
    assert event.type == payload["type"]
    assert event.raw == payload


def test_envelope_fields_are_best_effort() -> None:
    event = _parse({"type": "x", "request_id": 12, "agent_id": None, "timestamp": "yesterday"})
    assert event.request_id is None
    assert event.agent_id is None
    assert event.timestamp is None
    assert event.raw["request_id"] == 12
    seconds = _parse({"type": "x", "timestamp": 1772366400})
    millis = _parse({"type": "x", "timestamp": 1772366400000})
    assert seconds.timestamp == millis.timestamp == dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    assert _parse({"type": "x", "timestamp": 1e30}).timestamp is None
    assert (
        parse_event({"type": "x", "timestamp": 10**30}, headers=HEADERS, secret=SECRET).timestamp
        is None
    )


def test_a_summary_that_is_not_text_stays_in_the_analysis() -> None:
    event = _parse({"type": "post_call_analysis", "analysis": {"summary": ["a", "b"]}})
    assert isinstance(event, PostCallAnalysisEvent)
    assert event.summary is None
    assert event.analysis == {"summary": ["a", "b"]}


# -- bodies that are not events ------------------------------------------------------------


def test_a_broken_call_object_names_the_bad_field() -> None:
    body = orjson.dumps({"type": "call_completed", "call": _call(start_time=42)})
    with pytest.raises(ResponseDecodeError) as info:
        _parse(body)
    assert info.value.path == "$.call.start_time"
    assert info.value.body == body.decode()
    assert "call_completed" in str(info.value)


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"type": "call_turn", "turn": {"text": "no role"}}, "$.turn.role"),
        ({"type": "call_turn", "turn": "hello"}, "$.turn"),
        ({"type": "post_call_analysis", "analysis": ["a"]}, "$.analysis"),
        ({"type": "post_call_analysis", "summary": 3}, "$.summary"),
        ({"type": "call_started", "call": []}, "$.call"),
    ],
)
def test_a_known_object_that_cannot_be_its_model_is_a_decode_error(
    payload: dict[str, Any], path: str
) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        _parse(payload)
    assert info.value.path == path


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (b"{not json", None),
        (b"\xff\xfe", None),
        (b"", None),
        (b"[1, 2]", "$"),
        (b'"call_completed"', "$"),
        (b"{}", "$.type"),
        (b'{"type": 7}', "$.type"),
    ],
)
def test_a_body_that_is_not_an_event_is_a_decode_error(body: bytes, path: str | None) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        _parse(body)
    assert info.value.path == path
    assert info.value.body == body.decode("utf-8", "replace")


def test_text_bytes_and_parsed_bodies_are_all_accepted() -> None:
    payload = {"type": "call_completed", "call": _call()}
    raw = orjson.dumps(payload)
    for body in (raw, raw.decode(), bytearray(raw), memoryview(raw), payload):
        event = parse_event(body, headers=HEADERS, secret=SECRET)
        assert isinstance(event, CallCompletedEvent)
    with pytest.raises(TypeError, match="body"):
        parse_event(42, headers=HEADERS, secret=SECRET)  # type: ignore[arg-type]


# -- models --------------------------------------------------------------------------------


def test_events_round_trip_and_from_dict_dispatches() -> None:
    payload = {"type": "call_completed", **ENVELOPE, "call": _call(), "new_field": [1]}
    event = _parse(payload)
    again = WebhookEvent.from_dict(event.to_dict())
    assert type(again) is CallCompletedEvent
    assert again == event
    assert "raw" not in event.to_dict()
    assert event.to_dict()["new_field"] == [1]
    assert CallCompletedEvent.from_dict(payload) == event
    assert "raw=" not in repr(event)


def test_a_subclass_from_dict_is_strict() -> None:
    with pytest.raises(ResponseDecodeError) as info:
        CallCompletedEvent.from_dict({"type": "call_completed"})
    assert info.value.path == "$.call"


def test_events_are_frozen() -> None:
    event = _parse({"type": "call_completed", "call": _call()})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.type = "other"  # type: ignore[misc]


# -- the secret ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["X-Webhook-Secret", "x-webhook-secret", "X-WEBHOOK-SECRET"])
def test_the_header_name_is_case_insensitive(name: str) -> None:
    event = parse_event(b'{"type": "x"}', headers={name: SECRET}, secret=SECRET)
    assert event.type == "x"


def test_aiohttp_style_multidict_headers_work() -> None:
    headers = CIMultiDict({"x-webhook-secret": SECRET})
    assert parse_event(b'{"type": "x"}', headers=headers, secret=SECRET).type == "x"
    headers.add("X-Webhook-Secret", "x" * len(SECRET))
    with pytest.raises(WebhookVerificationError):
        parse_event(b'{"type": "x"}', headers=headers, secret=SECRET)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Webhook-Secret": SECRET[:-1] + "X"},  # same length, last byte differs
        {"X-Webhook-Secret": "X" + SECRET[1:]},  # same length, first byte differs
        {"X-Webhook-Secret": SECRET + " "},
        {"X-Webhook-Secret": ""},
        {"Content-Type": "application/json"},  # missing
        {"Authorization": f"Bearer {SECRET}"},
        {},
    ],
)
def test_a_missing_or_wrong_secret_is_rejected(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookVerificationError) as info:
        parse_event(b'{"type": "x"}', headers=headers, secret=SECRET)
    assert SECRET not in str(info.value)
    assert isinstance(info.value, CartesiaError)


def test_the_secret_is_checked_before_the_body_is_read() -> None:
    with pytest.raises(WebhookVerificationError):
        parse_event(b"{not json", headers={"X-Webhook-Secret": "wrong"}, secret=SECRET)


def test_the_comparison_is_constant_time_on_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    with pytest.raises(WebhookVerificationError):
        parse_event(b"{}", headers={"X-Webhook-Secret": "wrong"}, secret="sécret")
    assert seen == [(b"wrong", "sécret".encode())]


@pytest.mark.parametrize("secret", ["", "   "])
def test_an_empty_configured_secret_is_refused(secret: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        parse_event(b'{"type": "x"}', headers={"X-Webhook-Secret": secret}, secret=secret)


def test_a_secret_that_is_not_a_string_is_refused() -> None:
    with pytest.raises(TypeError, match="secret"):
        parse_event(b"{}", headers=HEADERS, secret=b"abc")  # type: ignore[arg-type]


# -- a real aiohttp handler, as in docs/webhooks.md ----------------------------------------


async def test_an_aiohttp_handler_answers_200_401_and_400() -> None:
    received: list[WebhookEvent] = []
    async with TestClient(TestServer(webhook_app(SECRET, received))) as http:
        body = orjson.dumps({"type": "call_completed", "call": _call()})
        ok = await http.post(PATH, data=body, headers={"x-webhook-secret": SECRET})
        assert ok.status == 200
        bad_secret = await http.post(PATH, data=body, headers={"x-webhook-secret": "no"})
        assert bad_secret.status == 401
        bad_body = await http.post(PATH, data=b"<html>", headers=HEADERS)
        assert bad_body.status == 400
    assert [type(e) for e in received] == [CallCompletedEvent]


# -- fuzzing -------------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
_json = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=15,
)
_types = st.sampled_from(
    ["call_started", "call_completed", "call_failed", "call_turn", "post_call_analysis"]
) | st.text(max_size=12)
_call_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.text(max_size=5) | _json,
        "agent_id": st.text(max_size=5) | _json,
        "status": st.sampled_from(["completed", "failed", "weird"]) | _json,
        "start_time": st.sampled_from(["2026-03-01T12:00:00Z", "0001-01-01T00:00:00+05:00"])
        | _json,
        "transcript": st.lists(
            st.fixed_dictionaries(
                {"role": st.text(max_size=5) | _json},
                optional={"start_timestamp": _json, "end_timestamp": _json, "tool_calls": _json},
            ),
            max_size=2,
        )
        | _json,
        "telephony_params": st.fixed_dictionaries({}, optional={"from": _json, "to": _json})
        | _json,
    },
)
_events = st.fixed_dictionaries(
    {"type": _types | _json},
    optional={
        "call": _call_like,
        "turn": st.fixed_dictionaries(
            {}, optional={"role": _json, "tool_calls": _json, "was_interrupted": _json}
        )
        | _json,
        "analysis": st.fixed_dictionaries({}, optional={"summary": _json}) | _json,
        "body": _json | st.lists(_call_like, max_size=2) | _call_like,
        "summary": _json,
        "role": _json,
        "request_id": _json,
        "agent_id": _json,
        "call_id": _json,
        "raw": _json,
        "timestamp": _json
        | st.sampled_from(["2026-03-01T12:00:00Z", "9999-12-31T23:59:59-05:00", "1e400"])
        | st.integers(min_value=-(2**63), max_value=2**63 - 1),
    },
)
_bodies = (
    _events.map(orjson.dumps)
    | _events
    | _json.map(orjson.dumps)
    | st.binary(max_size=40)
    | st.text(max_size=40)
)


def _with_secret(extra: Mapping[str, str], secret_name: str | None) -> dict[str, str]:
    headers = dict(extra)
    if secret_name is not None:
        headers[secret_name] = SECRET
    return headers


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=_bodies,
    extra_headers=st.dictionaries(st.text(max_size=20), st.text(max_size=30), max_size=4),
    secret_name=st.sampled_from([None, "X-Webhook-Secret", "x-webhook-secret", "X-webhook-SECRET"]),
)
def test_fuzz_only_events_or_sdk_errors(
    body: bytes | str | dict[str, Any], extra_headers: dict[str, str], secret_name: str | None
) -> None:
    headers = _with_secret(extra_headers, secret_name)
    try:
        event = parse_event(body, headers=headers, secret=SECRET)
    except CartesiaError:
        return
    assert isinstance(event, WebhookEvent)
    assert isinstance(event.type, str)
    assert isinstance(event.raw, dict)
    assert event.timestamp is None or event.timestamp.tzinfo is not None
    event.to_dict()
    repr(event)


@settings(max_examples=200, deadline=None)
@given(headers=st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=5))
def test_fuzz_headers_without_the_exact_secret_are_always_rejected(
    headers: dict[str, str],
) -> None:
    if any(k.lower() == "x-webhook-secret" and v == SECRET for k, v in headers.items()):
        return
    with pytest.raises(WebhookVerificationError):
        parse_event(b'{"type": "x"}', headers=headers, secret=SECRET)
