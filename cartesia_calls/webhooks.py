"""Receive Cartesia's call webhooks: check the shared secret, then parse the event into a model.

Cartesia POSTs a JSON event to your webhook URL for every call: when it starts, for each turn,
when it ends (completed or failed), and once its analysis (summary) is ready. Each request
carries the secret you chose when you registered the webhook, in ``X-Webhook-Secret``.
:func:`parse_event` checks that header (in constant time) *before* it looks at the body, then
returns one of:

==========================  =====================  ==========================================
``type``                    class                  typed content
==========================  =====================  ==========================================
``call_started``            CallStartedEvent       ``call``: :class:`~cartesia_calls.AgentCall`
``call_completed``          CallCompletedEvent     ``call`` (with ``end_reason``)
``call_failed``             CallFailedEvent        ``call`` (with ``end_reason``)
``call_turn``               CallTurnEvent          ``turn``: :class:`WebhookTurn`
``post_call_analysis``      PostCallAnalysisEvent  ``summary``, ``analysis`` (raw object)
anything else               UnknownEvent           only the envelope and ``raw``
==========================  =====================  ==========================================

Cartesia adds event types over time: a type this SDK does not know is an :class:`UnknownEvent`,
never an exception. Every event keeps the whole payload in ``raw`` and unknown keys in
``extra``.

A handler for ``aiohttp.web``::

    from aiohttp import web

    from cartesia_calls import ResponseDecodeError, WebhookVerificationError
    from cartesia_calls.webhooks import CallCompletedEvent, parse_event

    async def cartesia_webhook(request: web.Request) -> web.Response:
        try:
            event = parse_event(
                await request.read(), headers=request.headers, secret=WEBHOOK_SECRET
            )
        except WebhookVerificationError:
            return web.Response(status=401)
        except ResponseDecodeError:
            return web.Response(status=400)
        if isinstance(event, CallCompletedEvent):
            queue.put_nowait(event.call)  # do the slow work elsewhere; answer quickly
        return web.Response(status=200)

Where the data lives (our choices; the public material is thin):

* **Current envelope** ``{type, request_id?, agent_id?, webhook_id?, call_id?, timestamp?,
  call | turn | analysis}``: the typed object is read strictly. A ``call``, ``turn`` or
  ``analysis`` that is present but cannot be its model raises
  :class:`~cartesia_calls.errors.ResponseDecodeError` naming the JSON path (``$.call.status``)
  and carrying the body. A ``call`` lacking ``agent_id`` or ``status`` gets them from the
  envelope and the event type.
* **Older envelope** ``{type, request_id, agent_id, webhook_id, body, timestamp}``: the data is
  in ``body``. For call events a ``body`` object is read as the call, and a ``body`` list as the
  call's transcript, the call being named by ``call_id`` (else ``request_id``) and ``agent_id``
  of the envelope. For ``call_turn`` a ``body`` object (or turn fields at the top level) is the
  turn; for ``post_call_analysis`` a ``body`` object is the analysis, a ``body`` string the
  summary. That shape was never documented, so whatever the SDK cannot read there gives an
  :class:`UnknownEvent` (``type`` and ``raw`` intact) rather than an error.
* A known type that carries no object at all (no ``call``, no usable ``body``) is also an
  :class:`UnknownEvent`: the payload may be a shape Cartesia introduced since.
* **Envelope fields** (``request_id``, ``agent_id``, ``webhook_id``, ``call_id``, ``timestamp``)
  are best effort: a value of an unexpected type reads as ``None`` (it is still in ``raw``).
  ``timestamp`` may be an ISO 8601 string or Unix seconds (or milliseconds).

Errors: a body that is not JSON, not a JSON object, or has no string ``type`` raises
:class:`~cartesia_calls.errors.ResponseDecodeError` (``path`` is ``None``, ``"$"`` or
``"$.type"``); it is the SDK's "this is not the model it should be" error, carrying the body
text and the path. For what arrives over the network :func:`parse_event` raises nothing but that
and :class:`~cartesia_calls.errors.WebhookVerificationError`; an empty ``secret`` is a
:class:`ValueError`, a wrong argument type a :class:`TypeError`.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hmac
from collections.abc import Mapping
from typing import Any, ClassVar, Final, Self, TypeVar, cast

import attrs
import orjson

from ._codec import structure
from ._decode_errors import body_text, text_of
from ._enums import TurnRole
from ._model_base import Model
from ._models import AgentCall, ToolCall
from .errors import ResponseDecodeError, WebhookVerificationError

__all__ = [
    "SECRET_HEADER",
    "CallCompletedEvent",
    "CallFailedEvent",
    "CallStartedEvent",
    "CallTurnEvent",
    "PostCallAnalysisEvent",
    "UnknownEvent",
    "WebhookEvent",
    "WebhookTurn",
    "parse_event",
    "verify_secret",
]

#: The request header that carries the webhook's shared secret (matched case-insensitively).
SECRET_HEADER: Final = "X-Webhook-Secret"  # noqa: S105 - a header name, not a secret
_SECRET_HEADER_LOWER: Final = SECRET_HEADER.lower()
_ENVELOPE_STRINGS: Final = ("request_id", "agent_id", "webhook_id", "call_id")
_UTC: Final = _dt.UTC

E = TypeVar("E", bound="WebhookEvent")


@attrs.frozen(repr=False)
class WebhookTurn(Model):
    """One conversational turn, as a ``call_turn`` webhook carries it.

    Attributes:
        role: who spoke: ``user``, ``assistant`` or ``system`` (or a role added since).
        text: what was said.
        start_timestamp: when the turn started, in seconds from the start of the call.
        end_timestamp: when the turn ended, in seconds from the start of the call.
        was_interrupted: whether the user spoke over the agent during this turn.
        tool_calls: the tools the agent called during the turn.
    """

    role: TurnRole
    text: str | None = None
    start_timestamp: float | None = None
    end_timestamp: float | None = None
    was_interrupted: bool | None = None
    tool_calls: list[ToolCall] | None = None


@attrs.frozen(repr=False, kw_only=True)
class WebhookEvent(Model):
    """Base of every webhook event: the envelope fields and the raw payload.

    Build one with :func:`parse_event` (which checks the secret first). ``WebhookEvent.from_dict``
    on an already verified, parsed payload picks the right subclass by ``type`` the same way;
    ``CallCompletedEvent.from_dict`` and the like read the payload as that class.
    ``to_dict()`` gives the normalized event (typed objects in their current-envelope places,
    unknown keys merged back), not ``raw``.

    Attributes:
        type: the event type (``call_completed``...), also for types this SDK does not know.
        request_id: the request id Cartesia gave the event, if any.
        agent_id: the agent the event is about, if the envelope says.
        webhook_id: the webhook that sent it, if the envelope says.
        call_id: the call the event is about: the envelope's ``call_id``, or the id of the
            event's call object (``None`` when neither is there).
        timestamp: when the event happened (UTC), if the envelope says.
        raw: the whole payload exactly as received (parsed JSON). Not part of ``==``.
    """

    type: str
    request_id: str | None = None
    agent_id: str | None = None
    webhook_id: str | None = None
    call_id: str | None = None
    timestamp: _dt.datetime | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, eq=False)

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build the event from a parsed payload (no secret check: see :func:`parse_event`).

        On :class:`WebhookEvent` itself the class is chosen by ``type``: an unknown type, or an
        older-envelope payload whose data cannot be read, gives an :class:`UnknownEvent`. On a
        subclass the payload is read as that subclass, and anything missing is an error.

        Raises:
            ResponseDecodeError: ``data`` is not an object, has no string ``type``, or its typed
                object (``call``, ``turn``, ``analysis``) cannot be its model.
        """
        return _build(cls, data, None)

    #: The key of the typed object, for error messages.
    _object_name: ClassVar[str] = "event"

    @classmethod
    def _read_object(cls, payload: dict[str, Any], fields: dict[str, Any]) -> _Source:
        """Put the event's typed object into ``fields`` and say where it was found."""
        return _Source.CURRENT

    def to_dict(self) -> dict[str, Any]:
        """The normalized event as JSON-ready data (``raw`` is left out: it is the input)."""
        data = super().to_dict()
        data.pop("raw", None)
        return data

    def __repr__(self) -> str:
        parts = [
            f"{a.name}={getattr(self, a.name)!r}"
            for a in attrs.fields(type(self))
            if a.name not in {"extra", "raw"}
        ]
        if self.extra:
            parts.append(f"extra={self.extra!r}")
        return f"{type(self).__qualname__}({', '.join(parts)})"


class _Source(enum.Enum):
    """Where an event's typed object was found."""

    CURRENT = "current"  # the current envelope's key (call, turn, analysis): read strictly
    FALLBACK = "fallback"  # the older envelope's body, or top-level turn fields: read leniently
    MISSING = "missing"  # nowhere


class _CallEvent(WebhookEvent):
    """Shared reading of ``call_started``/``call_completed``/``call_failed``."""

    __slots__ = ()
    _status: ClassVar[str] = ""
    _object_name: ClassVar[str] = "call"

    @classmethod
    def _read_object(cls, payload: dict[str, Any], fields: dict[str, Any]) -> _Source:
        call = payload.get("call")
        body = payload.get("body")
        source = _Source.CURRENT
        if call is None:
            source = _Source.FALLBACK
            if isinstance(body, Mapping):
                call = body  # older envelope: the call in body
            elif isinstance(body, list):
                # Older envelope: body is the call's transcript; the envelope names the call.
                call_id = fields.get("call_id") or fields.get("request_id")
                if call_id is None or fields.get("agent_id") is None:
                    return _Source.MISSING
                call = {"id": call_id, "transcript": body}
            else:
                return _Source.MISSING
        if isinstance(call, Mapping):
            call = dict(call)
            if call.get("agent_id") is None and fields.get("agent_id") is not None:
                call["agent_id"] = fields["agent_id"]
            if call.get("status") is None:
                call["status"] = cls._status
            if fields.get("call_id") is None and isinstance(call.get("id"), str):
                fields["call_id"] = call["id"]
        fields["call"] = call
        return source


@attrs.frozen(repr=False, kw_only=True)
class CallStartedEvent(_CallEvent):
    """``call_started``: a call session began.

    Attributes:
        call: the call, as Get Call would return it now (status ``started``).
    """

    _status: ClassVar[str] = "started"
    call: AgentCall


@attrs.frozen(repr=False, kw_only=True)
class CallCompletedEvent(_CallEvent):
    """``call_completed``: a call ended normally.

    Attributes:
        call: the call, as Get Call returns it (with ``end_reason`` and, usually, the transcript).
    """

    _status: ClassVar[str] = "completed"
    call: AgentCall


@attrs.frozen(repr=False, kw_only=True)
class CallFailedEvent(_CallEvent):
    """``call_failed``: a call ended with an error.

    Attributes:
        call: the call, as Get Call returns it (with ``end_reason`` and ``error_message``).
    """

    _status: ClassVar[str] = "failed"
    call: AgentCall


@attrs.frozen(repr=False, kw_only=True)
class CallTurnEvent(WebhookEvent):
    """``call_turn``: one conversational turn, sent while the call goes on.

    Attributes:
        turn: the turn.
    """

    _object_name: ClassVar[str] = "turn"
    turn: WebhookTurn

    @classmethod
    def _read_object(cls, payload: dict[str, Any], fields: dict[str, Any]) -> _Source:
        turn = payload.get("turn")
        source = _Source.CURRENT
        if turn is None:
            source = _Source.FALLBACK
            body = payload.get("body")
            if isinstance(body, Mapping):
                turn = body
            elif "role" in payload:
                turn = {k: v for k, v in payload.items() if k in _TURN_KEYS}
            else:
                return _Source.MISSING
        _call_id_from(turn, fields)
        fields["turn"] = turn
        return source


@attrs.frozen(repr=False, kw_only=True)
class PostCallAnalysisEvent(WebhookEvent):
    """``post_call_analysis``: Cartesia's analysis of a call is ready.

    Attributes:
        summary: the summary of the call: ``analysis.summary`` when it is text, else a
            top-level ``summary``.
        analysis: the analysis object as sent (free-form JSON; ``None`` if there was none).
    """

    _object_name: ClassVar[str] = "analysis"
    summary: str | None = None
    analysis: dict[str, Any] | None = None

    @classmethod
    def _read_object(cls, payload: dict[str, Any], fields: dict[str, Any]) -> _Source:
        analysis = payload.get("analysis")
        source = _Source.CURRENT
        if analysis is None:
            body = payload.get("body")
            if isinstance(body, Mapping):
                analysis, source = body, _Source.FALLBACK
            elif isinstance(body, str) and payload.get("summary") is None:
                fields["summary"] = body
        if isinstance(analysis, Mapping):
            analysis = dict(analysis)
            if isinstance(analysis.get("summary"), str):
                fields["summary"] = analysis["summary"]
            _call_id_from(analysis, fields)
        if analysis is not None:
            fields["analysis"] = analysis
        return source


@attrs.frozen(repr=False, kw_only=True)
class UnknownEvent(WebhookEvent):
    """An event of a type this SDK does not know (Cartesia adds types), or an older-envelope
    event whose data could not be read. ``type`` says which; ``raw`` has the whole payload.
    """


_EVENT_CLASSES: Final[dict[str, type[WebhookEvent]]] = {
    "call_started": CallStartedEvent,
    "call_completed": CallCompletedEvent,
    "call_failed": CallFailedEvent,
    "call_turn": CallTurnEvent,
    "post_call_analysis": PostCallAnalysisEvent,
}
_TURN_KEYS: Final = frozenset(
    {"role", "text", "start_timestamp", "end_timestamp", "was_interrupted", "tool_calls"}
)


def parse_event(
    body: bytes | bytearray | memoryview | str | Mapping[str, Any],
    *,
    headers: Mapping[str, str],
    secret: str,
) -> WebhookEvent:
    """Verify a webhook request's secret, then parse its body into an event.

    The ``X-Webhook-Secret`` header (any letter case) must equal ``secret``; the comparison takes
    the same time wherever the two differ. The body is not read before the check passes.

    Args:
        body: the request body: raw bytes (best: exactly what arrived), text, or an already
            parsed JSON object.
        headers: the request headers, e.g. ``request.headers`` of aiohttp, Starlette, Flask.
        secret: the secret you gave Cartesia when registering the webhook.

    Returns:
        A :class:`WebhookEvent` subclass: :class:`CallStartedEvent`,
        :class:`CallCompletedEvent`, :class:`CallFailedEvent`, :class:`CallTurnEvent`,
        :class:`PostCallAnalysisEvent`, or :class:`UnknownEvent` for any other type.

    Raises:
        WebhookVerificationError: the header is missing or does not match (answer 401).
        ResponseDecodeError: the body is not a JSON object with a string ``type``, or a known
            event's object cannot be its model (``.path`` says where; answer 400).
        ValueError: ``secret`` is empty.
        TypeError: ``secret`` is not a string, or ``body`` not bytes, str or a mapping.
    """
    verify_secret(headers, secret)
    text: str | None = None
    if isinstance(body, Mapping):
        data: Any = body
    elif isinstance(body, bytes | bytearray | memoryview | str):
        text = text_of(body)
        try:
            data = orjson.loads(body)
        except (ValueError, TypeError) as exc:
            raise ResponseDecodeError(
                f"webhook body is not valid JSON ({exc})", body=text, path=None
            ) from exc
    else:
        raise TypeError(
            f"body must be bytes, str or a mapping (parsed JSON), got {type(body).__name__}"
        )
    return _build(WebhookEvent, data, text)


def _build(cls: type[E], data: Any, text: str | None) -> E:
    """``cls.from_dict(data)``; errors carry ``text`` (the body as received) when given."""
    if not isinstance(data, Mapping):
        raise _not_an_object(data, text)
    payload = dict(data)
    event_type = payload.get("type")
    if not isinstance(event_type, str):
        raise ResponseDecodeError(
            "webhook body has no event type: expected a string at $.type",
            body=text if text is not None else body_text(payload),
            path="$.type",
            errors=("expected a string @ $.type",),
        )
    dispatch = cls is WebhookEvent
    target: type[WebhookEvent] = _EVENT_CLASSES.get(event_type, UnknownEvent) if dispatch else cls
    fields = _envelope(payload)
    source = target._read_object(payload, fields)
    if source is _Source.MISSING:
        if not dispatch:
            raise ResponseDecodeError(
                f"webhook {event_type!r} event carries no {target._object_name} object",
                body=text if text is not None else body_text(payload),
                path=f"$.{target._object_name}",
                errors=(f"required field missing @ $.{target._object_name}",),
            )
        target, fields = UnknownEvent, _envelope(payload)
    try:
        event = structure(fields, target)
    except ResponseDecodeError as exc:
        if not (dispatch and source is _Source.FALLBACK):
            detail = exc.message.split(": ", 1)[-1]
            raise ResponseDecodeError(
                f"webhook {event_type!r} body is not a valid {target.__name__}: {detail}",
                body=text if text is not None else body_text(payload),
                path=exc.path,
                errors=exc.errors,
            ) from exc
        # An older or undocumented shape we cannot read: keep it, untyped.
        event = structure(_envelope(payload), UnknownEvent)
    object.__setattr__(event, "raw", payload)
    return cast(E, event)


def verify_secret(headers: Mapping[str, str], secret: str) -> None:
    """Check that ``headers`` carry ``X-Webhook-Secret: <secret>`` (constant-time comparison).

    Every ``X-Webhook-Secret`` header present (any letter case; a multi-dict may repeat it) must
    match, and at least one must be present.

    Raises:
        WebhookVerificationError: the header is missing or wrong. The message never shows
            either secret.
        ValueError: ``secret`` is empty.
        TypeError: ``secret`` is not a string.
    """
    if not isinstance(secret, str):
        raise TypeError(f"secret must be a string, got {type(secret).__name__}")
    if not secret.strip():
        raise ValueError(
            "secret must be the non-empty secret configured for the webhook; refusing to accept "
            "requests against an empty secret"
        )
    expected = secret.encode("utf-8", "surrogatepass")
    if not isinstance(headers, Mapping):
        raise TypeError(f"headers must be a mapping, got {type(headers).__name__}")
    found = 0
    ok = True
    for name, value in list(headers.items()):
        if not isinstance(name, str) or name.lower() != _SECRET_HEADER_LOWER:
            continue
        found += 1
        received = _as_bytes(value)
        # Every value is compared in full, in time independent of where it differs.
        matches = hmac.compare_digest(received, expected) if received is not None else False
        ok = ok and matches
    if found == 0:
        raise WebhookVerificationError(f"the request has no {SECRET_HEADER} header")
    if not ok:
        raise WebhookVerificationError(f"the request's {SECRET_HEADER} header does not match")


def _as_bytes(value: Any) -> bytes | None:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, bytes):
        return value
    return None


def _envelope(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload with the best-effort envelope fields normalized (bad values -> ``None``)."""
    fields = {k: v for k, v in payload.items() if k != "raw"}
    for key in _ENVELOPE_STRINGS:
        if key in fields and not isinstance(fields[key], str):
            fields[key] = None
    if "timestamp" in fields:
        fields["timestamp"] = _timestamp(fields["timestamp"])
    return fields


def _timestamp(value: Any) -> _dt.datetime | None:
    try:
        if isinstance(value, str):
            parsed = _dt.datetime.fromisoformat(value.strip())
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=_UTC)
            return parsed.astimezone(_UTC)
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / 1000 if abs(value) >= 1e11 else value
            return _dt.datetime.fromtimestamp(seconds, _UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _call_id_from(obj: Any, fields: dict[str, Any]) -> None:
    if fields.get("call_id") is None and isinstance(obj, Mapping):
        call_id = obj.get("call_id")
        if isinstance(call_id, str):
            fields["call_id"] = call_id


def _not_an_object(data: Any, text: str | None) -> ResponseDecodeError:
    kind = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(data), "a number" if isinstance(data, int | float) else type(data).__name__
    )
    return ResponseDecodeError(
        f"webhook body is not a JSON object (got {kind})",
        body=text if text is not None else body_text(data),
        path="$",
        errors=(f"expected an object, got {kind} @ $",),
    )
