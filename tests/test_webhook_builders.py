"""``make_webhook``: sample webhook requests for unit tests of a user's handler."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from cartesia_calls import TurnRole
from cartesia_calls.testing import WebhookRequest, make_call, make_webhook
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

SECRET = "whsec_unit-test"


@pytest.mark.parametrize(
    ("event_type", "cls", "status"),
    [
        ("call_started", CallStartedEvent, "started"),
        ("call_completed", CallCompletedEvent, "completed"),
        ("call_failed", CallFailedEvent, "failed"),
    ],
)
def test_a_call_event_from_just_an_id(event_type: str, cls: type[Any], status: str) -> None:
    hook = make_webhook(event_type, call_id="ac_1", secret=SECRET)
    event = hook.event
    assert isinstance(event, cls)
    assert (event.call_id, event.call.id, event.call.status) == ("ac_1", "ac_1", status)
    assert hook.headers == {"Content-Type": "application/json", "X-Webhook-Secret": SECRET}


def test_a_call_event_carries_the_whole_call() -> None:
    call = make_call("ac_big", turns=12)
    when = dt.datetime(2026, 8, 14, 9, 30, tzinfo=dt.UTC)
    hook = make_webhook(
        "call_completed",
        call=call,
        secret=SECRET,
        timestamp=when,
        request_id="req_1",
        webhook_id="wh_1",
    )
    event = parse_event(hook.body, headers=hook.headers, secret=SECRET)
    assert isinstance(event, CallCompletedEvent)
    assert event.call == call
    assert (event.agent_id, event.call_id) == (call.agent_id, "ac_big")
    assert (event.timestamp, event.request_id, event.webhook_id) == (when, "req_1", "wh_1")
    assert hook.json()["timestamp"] == "2026-08-14T09:30:00Z"


def test_turn_analysis_and_unknown_events() -> None:
    turn = make_webhook(
        "call_turn",
        turn=WebhookTurn(role=TurnRole.USER, text="Tuesday at nine is perfect."),
        call_id="ac_1",
        secret=SECRET,
    ).event
    assert isinstance(turn, CallTurnEvent)
    assert (turn.turn.role, turn.turn.text) == (TurnRole.USER, "Tuesday at nine is perfect.")
    assert turn.call_id == "ac_1"
    analysis = make_webhook(
        "post_call_analysis",
        summary="Moved the cleaning to Tuesday.",
        analysis={"sentiment": "positive"},
        call_id="ac_1",
        secret=SECRET,
    ).event
    assert isinstance(analysis, PostCallAnalysisEvent)
    assert analysis.summary == "Moved the cleaning to Tuesday."
    assert analysis.analysis == {
        "sentiment": "positive",
        "summary": "Moved the cleaning to Tuesday.",
    }
    unknown = make_webhook("call_transferred", call_id="ac_1", secret=SECRET).event
    assert isinstance(unknown, UnknownEvent)
    assert unknown.raw["type"] == "call_transferred"


@pytest.mark.parametrize(
    ("event_type", "options", "message"),
    [
        ("call_turn", {}, "needs turn="),
        ("post_call_analysis", {}, "needs summary= or analysis="),
        ("call_completed", {"turn": {"role": "user"}}, "does not carry turn"),
        ("call_turn", {"turn": {"role": "user"}, "summary": "x"}, "does not carry summary"),
        ("", {}, "event_type"),
        ("call_started", {"secret": ""}, "secret"),
    ],
)
def test_bad_arguments_are_named(event_type: str, options: dict[str, Any], message: str) -> None:
    arguments: dict[str, Any] = {"secret": SECRET, **options}
    with pytest.raises(ValueError, match=message):
        make_webhook(event_type, **arguments)


def test_a_secret_that_is_not_text_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="secret"):
        make_webhook("call_started", secret=b"s")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="model or a mapping"):
        make_webhook("call_started", call=["ac_1"], secret=SECRET)  # type: ignore[arg-type]


def test_the_repr_shows_the_type_not_the_secret() -> None:
    hook = make_webhook("call_started", call_id="ac_1", secret=SECRET)
    assert repr(hook).startswith("WebhookRequest(type='call_started', ")
    assert SECRET not in repr(hook)


# -- what a user's handler test looks like, with the builders alone ---------------------------


async def test_a_handler_unit_test_needs_nothing_but_the_builders() -> None:
    seen: list[WebhookEvent] = []
    good = make_webhook("call_failed", call=make_call("ac_1", turns=3), secret=SECRET)
    forged = make_webhook("call_failed", call_id="ac_2", secret="guess")
    async with TestClient(TestServer(webhook_app(SECRET, seen))) as http:
        ok = await http.post(PATH, data=good.body, headers=good.headers)
        rejected = await http.post(PATH, data=forged.body, headers=forged.headers)
    assert (ok.status, rejected.status) == (200, 401)
    assert seen == [good.event]
    assert isinstance(good, WebhookRequest)
