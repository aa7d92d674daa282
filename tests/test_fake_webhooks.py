"""The fake delivers Cartesia's webhooks to a user's aiohttp app, as Cartesia does.

The receiver in these tests is what a user writes (docs/webhooks.md): an ``aiohttp.web`` handler
that calls ``parse_event`` with the secret and answers 401, 400 or 200. Retries wait on the fake's
clock, so no test waits for one on the wall clock.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
from collections.abc import AsyncIterator
from typing import Any

import attrs
import orjson
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from cartesia_calls.testing import FakeCartesia, Lifecycle, ToolStep, WebhookDelivery
from cartesia_calls.webhooks import (
    CallCompletedEvent,
    CallFailedEvent,
    CallStartedEvent,
    CallTurnEvent,
    PostCallAnalysisEvent,
    WebhookEvent,
)

from .webhook_support import PATH, answer

SECRET = "whsec_fake-test-secret"
START = dt.datetime(2026, 8, 14, 9, 0, tzinfo=dt.UTC)
PLACE: dict[str, Any] = {
    "agent_id": "agent_1",
    "from_number_id": "pn_fake_number",
    "outbound_calls": [{"to_number": "+14155550123", "dynamic_variables": {"order": 7}}],
}


@attrs.define
class Receiver:
    """A user's webhook endpoint: parses every request; answers from ``script`` first."""

    url: str = ""
    events: list[WebhookEvent] = attrs.Factory(list)
    answers: list[int] = attrs.Factory(list)
    script: list[int] = attrs.Factory(list)  # statuses to answer before answering normally
    script_call: str | None = None  # ...to the events of this call only (None: any)
    hold: asyncio.Event | None = None  # while set to an unset Event, requests hang

    async def handle(self, request: web.Request) -> web.Response:
        if self.hold is not None:
            await self.hold.wait()
        body = await request.read()
        scripted = self.script and self.script_call in {None, orjson.loads(body).get("call_id")}
        status = (
            self.script.pop(0) if scripted else answer(body, request.headers, SECRET, self.events)
        )
        self.answers.append(status)
        return web.Response(status=status)

    def types(self, call_id: str | None = None) -> list[str]:
        return [e.type for e in self.events if call_id is None or e.call_id == call_id]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    hook = Receiver()
    app = web.Application()
    app.router.add_post(PATH, hook.handle)
    async with TestServer(app) as server:
        hook.url = str(server.make_url(PATH))
        yield hook


@pytest.fixture
def fake_options(receiver: Receiver) -> dict[str, Any]:
    """The fakes (``fake``, ``threaded_fake``) send their webhooks to ``receiver``."""
    return {"clock_start": START, "webhook_url": receiver.url, "webhook_secret": SECRET}


def outcomes(fake: FakeCartesia) -> list[tuple[str, str, int]]:
    return [(d.event_type, d.outcome, d.attempts) for d in fake.webhooks.deliveries]


async def test_a_placed_call_sends_started_turns_and_completed_to_the_users_app(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    fake.outbound_tools.append(ToolStep(at=5, name="lookup_order", assigns={"status": "shipped"}))
    async with fake.client() as client:
        (placed,) = await client.calls.create(**PLACE)
    fake.advance(60)
    await fake.webhooks.wait()

    call_id = placed.agent_call_id
    assert receiver.types() == ["call_started", "call_turn", "call_completed"]
    started, turn, completed = receiver.events
    assert isinstance(started, CallStartedEvent)
    assert isinstance(turn, CallTurnEvent)
    assert isinstance(completed, CallCompletedEvent)
    assert {e.call_id for e in receiver.events} == {call_id}
    assert {e.agent_id for e in receiver.events} == {"agent_1"}
    assert {e.webhook_id for e in receiver.events} == {"wh_fake"}
    assert started.call.status == "started"
    assert turn.turn.tool_calls is not None
    assert turn.turn.tool_calls[0].name == "lookup_order"
    call = completed.call
    assert (call.status, call.end_reason) == ("completed", "agent_hangup")
    assert call.dynamic_variables == {"order": 7, "status": "shipped"}
    assert call.metadata is None  # 2026-08-14 shapes: the version the call was placed under
    # The events carry the times the fake's clock gave them, not the wall clock's.
    assert [e.timestamp for e in receiver.events] == [
        START + dt.timedelta(seconds=s) for s in (1, 6, 30)
    ]
    assert call.start_time == START + dt.timedelta(seconds=1)
    assert outcomes(fake) == [
        ("call_started", "delivered", 1),
        ("call_turn", "delivered", 1),
        ("call_completed", "delivered", 1),
    ]
    assert all(d.status == 200 and d.error is None for d in fake.webhooks.deliveries)
    assert fake.webhooks.deliveries[0].json()["call"]["id"] == call_id


async def test_events_take_the_shape_of_the_version_the_call_was_placed_under(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    async with fake.client(cartesia_version="2026-03-01") as old:
        await old.calls.create(**{**PLACE, "outbound_calls": [{"to_number": "+14155550123"}]})
    async with fake.client() as new:
        await new.calls.create(**PLACE)
    fake.advance(30)
    await fake.webhooks.wait()
    legacy, current = (e.call for e in receiver.events if isinstance(e, CallCompletedEvent))
    assert (legacy.metadata, legacy.dynamic_variables) == ({}, None)
    assert legacy.telephony_account_type is None
    assert (current.metadata, current.dynamic_variables) == (None, {"order": 7})
    assert current.telephony_account_type == "cartesia"


async def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    receiver.script, receiver.script_call = [500, 503], "ac_1"
    fake.add_call(id="ac_1", agent_id="agent_1", lifecycle=Lifecycle(starts_at=0, ends_at=10))
    fake.add_call(id="ac_2", agent_id="agent_1", lifecycle=Lifecycle(starts_at=0, ends_at=10))
    await fake.webhooks.wait()
    first = fake.webhooks.deliveries[0]
    assert (first.call_id, first.outcome, first.attempts) == ("ac_1", "pending", 1)
    assert (first.status, first.error, first.next_attempt_at) == (500, "HTTP 500", 1.0)
    # The other call's events are not held up by ac_1's failing one.
    assert receiver.types("ac_2") == ["call_started"]

    fake.advance(1)  # the retry comes due on the fake's clock
    await fake.webhooks.wait()
    assert (first.outcome, first.attempts, first.status) == ("pending", 2, 503)
    assert first.next_attempt_at == 3.0  # the second retry waits longer

    fake.advance(10)  # the retry, then the call ends
    await fake.webhooks.wait()
    assert (first.outcome, first.attempts, first.status, first.error) == (
        "delivered",
        3,
        200,
        None,
    )
    assert receiver.answers.count(500) == receiver.answers.count(503) == 1
    # ac_1's events arrive in order: its call_completed waited for its call_started.
    assert receiver.types("ac_1") == ["call_started", "call_completed"]
    assert receiver.types("ac_2") == ["call_started", "call_completed"]


async def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_retry(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    fake.webhooks.retry_delays = (1.0, 2.0)
    receiver.script = [502] * 10
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=None, ends_at=0, outcome="failed"))
    for _ in range(3):
        await fake.webhooks.wait()
        fake.advance(5)
    (delivery,) = fake.webhooks.deliveries
    assert (delivery.event_type, delivery.outcome, delivery.attempts) == (
        "call_failed",
        "failed",
        3,
    )
    assert (delivery.status, delivery.error) == (502, "HTTP 502")
    assert receiver.answers == [502, 502, 502]


async def test_a_4xx_answer_is_final_and_a_wrong_secret_is_rejected_by_the_receiver(
    receiver: Receiver,
) -> None:
    async with FakeCartesia(webhook_url=receiver.url, webhook_secret="not-the-one") as fake:
        fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=60))
        await fake.webhooks.wait()
        (delivery,) = fake.webhooks.deliveries
    assert (delivery.outcome, delivery.attempts, delivery.status) == ("failed", 1, 401)
    assert receiver.events == []


async def test_connection_refused_is_retried_on_the_fake_clock() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/hook"
    async with FakeCartesia(webhook_url=url, webhook_secret=SECRET) as fake:
        fake.webhooks.retry_delays = (1.0,)
        fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=60))
        await fake.webhooks.wait()
        (delivery,) = fake.webhooks.deliveries
        assert (delivery.outcome, delivery.attempts, delivery.status) == ("pending", 1, None)
        assert delivery.error is not None
        assert "Connect" in delivery.error
        fake.advance(1)
        await fake.webhooks.wait()
    assert (delivery.outcome, delivery.attempts) == ("failed", 2)


async def test_a_receiver_that_does_not_answer_times_out(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    receiver.hold = asyncio.Event()  # never set: every request hangs
    fake.webhooks.timeout = 0.05
    fake.webhooks.retry_delays = ()
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=60))
    await fake.webhooks.wait()
    (delivery,) = fake.webhooks.deliveries
    assert (delivery.outcome, delivery.attempts, delivery.status) == ("failed", 1, None)
    assert delivery.error == "no answer within 0.05 s"


async def test_a_slow_receiver_does_not_hold_up_the_fakes_answers(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    receiver.hold = asyncio.Event()
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=60))
    async with fake.client() as client:
        call = await client.calls.get("ac_1")  # answered while the webhook hangs
        assert call.status == "started"
        assert fake.webhooks.deliveries[0].outcome == "pending"
        receiver.hold.set()
        await fake.webhooks.wait()
    assert outcomes(fake) == [("call_started", "delivered", 1)]


async def test_a_batch_sends_the_events_of_its_calls(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    async with fake.client() as client:
        batch = await client.batches.create(
            name="Reminders",
            agent_id="agent_1",
            from_number_id="pn_fake_number",
            recipients=[{"to_number": "+14155550123"}, {"to_number": "+14155550124"}],
            target_concurrency_limit=1,
        )
        fake.advance(120)  # one call after the other
        await fake.webhooks.wait()
        calls = await client.calls.list(batch_id=batch.id).to_list()
    assert len(calls) == 2
    for call in calls:
        assert receiver.types(call.id) == ["call_started", "call_completed"]
    second = max(calls, key=lambda c: c.start_time or START)
    assert second.start_time == START + dt.timedelta(seconds=31)  # when the first one ended


async def test_dial_batch_sends_started_and_ended_events(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    batch = fake.add_batch(recipients=["+14155550123", "+14155550124", "+14155550125"])
    answered, no_answer = fake.dial_batch(
        batch["id"], outcomes={"+14155550124": "no_answer", "+14155550125": "rejected"}
    )
    await fake.webhooks.wait()
    assert receiver.types(answered["id"]) == ["call_started", "call_completed"]
    assert receiver.types(no_answer["id"]) == ["call_failed"]  # never connected
    (failed,) = (e for e in receiver.events if e.call_id == no_answer["id"])
    assert isinstance(failed, CallFailedEvent)
    assert failed.call.end_reason == "dial_no_answer"
    assert len(receiver.events) == 3  # the rejected number made no call at all


async def test_a_summary_is_sent_as_post_call_analysis_after_the_end(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    fake.add_call(
        id="ac_1",
        agent_id="agent_1",
        lifecycle=Lifecycle(starts_at=1, ends_at=30, summary="Booked a table for two."),
    )
    fake.advance(30)
    await fake.webhooks.wait()
    assert receiver.types() == ["call_started", "call_completed", "post_call_analysis"]
    analysis = receiver.events[-1]
    assert isinstance(analysis, PostCallAnalysisEvent)
    assert (analysis.call_id, analysis.summary) == ("ac_1", "Booked a table for two.")
    completed = receiver.events[1]
    assert isinstance(completed, CallCompletedEvent)
    assert completed.call.summary == "Booked a table for two."


async def test_cancelling_a_call_sends_call_completed(
    fake: FakeCartesia, receiver: Receiver
) -> None:
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=300))
    async with fake.client() as client:
        await client.calls.cancel("ac_1")
    await fake.webhooks.wait()
    completed = receiver.events[-1]
    assert isinstance(completed, CallCompletedEvent)
    assert completed.call.end_reason == "api_cancelled"


async def test_events_that_happen_before_the_fake_starts_are_sent_once_it_runs(
    receiver: Receiver,
) -> None:
    fake = FakeCartesia(webhook_url=receiver.url, webhook_secret=SECRET)
    fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=0))
    assert outcomes(fake) == [("call_started", "pending", 0), ("call_completed", "pending", 0)]
    async with fake:
        await fake.webhooks.wait()
    assert receiver.types() == ["call_started", "call_completed"]


async def test_waiting_works_from_another_loop_than_the_fakes(
    threaded_fake: FakeCartesia, receiver: Receiver
) -> None:
    """The pytest plugin's fake runs on its own thread; the test waits from its own loop."""
    threaded_fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=5))
    threaded_fake.advance(5)  # from this thread, while the fake's loop runs in its own
    await threaded_fake.webhooks.wait()
    assert receiver.types() == ["call_started", "call_completed"]


async def test_without_a_webhook_url_nothing_is_sent_or_recorded() -> None:
    async with FakeCartesia() as fake:
        fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=5, summary="Hi."))
        fake.advance(10)
        await fake.webhooks.wait()
        assert fake.webhooks.deliveries == []


async def test_waiting_on_a_fake_that_is_not_running_is_an_error() -> None:
    with pytest.raises(RuntimeError, match="not running"):
        await FakeCartesia().webhooks.wait()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"webhook_url": "http://127.0.0.1:9/hook"}, "webhook_secret is required"),
        ({"webhook_url": "http://127.0.0.1:9/hook", "webhook_secret": " "}, "webhook_secret"),
        ({"webhook_url": "ftp://example.com/hook", "webhook_secret": "s"}, "http"),
        ({"webhook_url": "127.0.0.1:9/hook", "webhook_secret": "s"}, "http"),
    ],
)
def test_a_bad_webhook_configuration_is_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FakeCartesia(**options)


def test_a_delivery_record_does_not_show_the_body_or_the_secret() -> None:
    delivery = WebhookDelivery(event_type="call_started", call_id="ac_1", body=b'{"x": 1}')
    text = repr(delivery)
    assert "call_started" in text
    assert "body" not in text
    assert delivery.json() == {"x": 1}


async def test_a_running_fake_can_be_given_a_webhook_url(receiver: Receiver) -> None:
    """As a test does with the pytest plugin's ``cartesia_fake``."""
    with FakeCartesia().run_in_thread() as fake:
        fake.webhooks.url = receiver.url
        fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=5))  # no secret yet
        (unsent,) = fake.webhooks.deliveries
        assert (unsent.outcome, unsent.attempts) == ("failed", 0)
        assert unsent.error == "no webhook secret: set fake.webhooks.secret"
        fake.webhooks.secret = SECRET
        fake.advance(5)
        await fake.webhooks.wait()
    assert receiver.types() == ["call_completed"]
    with pytest.raises(ValueError, match="http"):
        fake.webhooks.url = "not a url"
    with pytest.raises(ValueError, match="non-empty"):
        fake.webhooks.secret = ""


async def test_the_fake_mounted_in_another_server_sends_its_webhooks(receiver: Receiver) -> None:
    fake = FakeCartesia(webhook_url=receiver.url, webhook_secret=SECRET)
    async with TestServer(fake.make_app()):
        fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=5))
        fake.advance(5)
        await fake.webhooks.wait()
    assert receiver.types() == ["call_started", "call_completed"]
    with pytest.raises(RuntimeError, match="not running"):
        await fake.webhooks.wait()  # stopped with the server


async def test_a_fake_that_cannot_listen_leaves_nothing_running(receiver: Receiver) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        fake = FakeCartesia(
            port=taken.getsockname()[1], webhook_url=receiver.url, webhook_secret=SECRET
        )
        with pytest.raises(OSError):
            await fake.start()
    with pytest.raises(RuntimeError, match="not running"):
        await fake.webhooks.wait()  # the sender stopped with the failed start
    fake.port = 0
    async with fake:  # and the fake can still be started
        fake.add_call(id="ac_1", lifecycle=Lifecycle(starts_at=0, ends_at=9))
        await fake.webhooks.wait()
    assert receiver.types() == ["call_started"]
