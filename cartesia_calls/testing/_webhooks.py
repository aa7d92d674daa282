"""Webhook requests as Cartesia sends them, built for tests of your webhook handler.

:func:`make_webhook` gives the body bytes and headers of one event in the current envelope
(``{type, request_id, agent_id, webhook_id, call_id, timestamp, call | turn | analysis}``), so a
test can post it to a handler, or take ``.event``, the typed event :func:`parse_event` reads
from it. :class:`~cartesia_calls.testing.FakeCartesia` builds the webhooks it delivers with the
same function.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any, Final

import attrs
import orjson

from .._converter import format_datetime
from .._models import AgentCall
from ..webhooks import SECRET_HEADER, WebhookEvent, WebhookTurn, parse_event

__all__ = ["WebhookRequest", "make_webhook"]

#: The events that carry a call, and the status a call made up for them has.
_CALL_EVENTS: Final = {
    "call_started": "started",
    "call_completed": "completed",
    "call_failed": "failed",
}
#: The arguments each known event type takes (unknown types take any).
_ARGUMENTS: Final = {
    **{name: frozenset({"call"}) for name in _CALL_EVENTS},
    "call_turn": frozenset({"turn"}),
    "post_call_analysis": frozenset({"summary", "analysis"}),
}


@attrs.frozen(repr=False)
class WebhookRequest:
    """One webhook request as Cartesia sends it: post ``body`` with ``headers`` to a handler.

    Attributes:
        body: the JSON body, as bytes.
        headers: ``Content-Type: application/json`` and ``X-Webhook-Secret``.
    """

    body: bytes
    headers: Mapping[str, str]

    @property
    def event(self) -> WebhookEvent:
        """The typed event :func:`~cartesia_calls.webhooks.parse_event` reads from this request
        (with the request's own secret): a ``CallCompletedEvent`` for a ``call_completed``..."""
        return parse_event(self.body, headers=self.headers, secret=self.headers[SECRET_HEADER])

    def json(self) -> dict[str, Any]:
        """The body parsed."""
        data: dict[str, Any] = orjson.loads(self.body)
        return data

    def __repr__(self) -> str:
        return f"WebhookRequest(type={self.json().get('type')!r}, {len(self.body)} bytes)"


def make_webhook(
    event_type: str,
    *,
    secret: str,
    call: AgentCall | Mapping[str, Any] | None = None,
    turn: WebhookTurn | Mapping[str, Any] | None = None,
    summary: str | None = None,
    analysis: Mapping[str, Any] | None = None,
    call_id: str | None = None,
    agent_id: str | None = None,
    timestamp: dt.datetime | str | None = None,
    request_id: str | None = None,
    webhook_id: str | None = None,
) -> WebhookRequest:
    """A webhook request for one event, as Cartesia would POST it to your server.

    ::

        hook = make_webhook("call_completed", call=make_call("ac_1", turns=4), secret=SECRET)
        response = await client.post("/cartesia/webhook", data=hook.body, headers=hook.headers)
        await handle(hook.event)  # or hand your code the typed event directly

    Args:
        event_type: ``call_started``, ``call_completed``, ``call_failed`` (they carry ``call``),
            ``call_turn`` (``turn``), ``post_call_analysis`` (``summary`` and/or ``analysis``),
            or any other type (it parses as an ``UnknownEvent``, to test that you ignore it).
        secret: the webhook's secret, sent in ``X-Webhook-Secret``.
        call: the call (an :class:`~cartesia_calls.AgentCall` or its wire form); by default
            one with only ``call_id``, ``agent_id`` and the event's status.
        turn: the turn of a ``call_turn`` (a :class:`~cartesia_calls.webhooks.WebhookTurn` or
            its wire form).
        summary: the summary of a ``post_call_analysis`` (put into ``analysis``).
        analysis: the analysis object of a ``post_call_analysis``.
        call_id: the envelope's ``call_id`` (by default the call's id).
        agent_id: the envelope's ``agent_id`` (by default the call's agent).
        timestamp: when the event happened (by default now).
        request_id: the event's request id (by default a new UUID).
        webhook_id: the envelope's ``webhook_id`` (left out by default).

    Raises:
        ValueError: an argument the event type does not carry, a ``call_turn`` without
            ``turn``, a ``post_call_analysis`` without ``summary`` or ``analysis``, an empty
            type or secret.
        TypeError: ``event_type`` or ``secret`` is not a string.
    """
    for name, value in (("event_type", event_type), ("secret", secret)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__}")
        if not value.strip():
            raise ValueError(f"{name} must not be empty")
    given = {
        name
        for name, value in (
            ("call", call),
            ("turn", turn),
            ("summary", summary),
            ("analysis", analysis),
        )
        if value is not None
    }
    allowed = _ARGUMENTS.get(event_type)
    if allowed is not None and given - allowed:
        extra = ", ".join(sorted(given - allowed))
        raise ValueError(f"a {event_type} webhook does not carry {extra}")
    payload: dict[str, Any] = {"type": event_type}
    if event_type in _CALL_EVENTS and call is None:
        call = {
            "id": call_id or "ac_sample",
            "agent_id": agent_id or "agent_sample",
            "status": _CALL_EVENTS[event_type],
        }
    if call is not None:
        payload["call"] = _wire(call)
    if turn is not None:
        payload["turn"] = _wire(turn)
    elif event_type == "call_turn":
        raise ValueError("a call_turn webhook needs turn=")
    if summary is not None or analysis is not None:
        payload["analysis"] = {
            **(analysis or {}),
            **({} if summary is None else {"summary": summary}),
        }
    elif event_type == "post_call_analysis":
        raise ValueError("a post_call_analysis webhook needs summary= or analysis=")
    inner = payload.get("call") or {}
    envelope = {
        "request_id": request_id or str(uuid.uuid4()),
        "agent_id": agent_id or inner.get("agent_id"),
        "webhook_id": webhook_id,
        "call_id": call_id or inner.get("id"),
        "timestamp": _timestamp(timestamp),
    }
    payload.update({k: v for k, v in envelope.items() if v is not None})
    headers = {"Content-Type": "application/json", SECRET_HEADER: secret}
    return WebhookRequest(body=orjson.dumps(payload), headers=headers)


def _wire(value: AgentCall | WebhookTurn | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(value, AgentCall | WebhookTurn):
        return value.to_dict()
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"expected a model or a mapping, got {type(value).__name__}")


def _timestamp(value: dt.datetime | str | None) -> str:
    if value is None:
        return format_datetime(dt.datetime.now(dt.UTC))
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    return value
