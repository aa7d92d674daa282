"""The API's objects as frozen attrs classes (API version ``2026-03-01``).

Every model is a :class:`~cartesia_calls._model_base.Model`: build one from parsed JSON with
``AgentCall.from_dict(data)``, turn it back with ``call.to_dict()``. Only the fields the API
always sends are required; every other field is ``None`` when the response did not carry it (or
carried ``null``); lists and objects too, so ``None`` always means "absent", and ``[]`` means "sent,
empty". Keys the SDK does not know yet are kept in each model's ``extra`` dict, and enum values it
does not know yet are kept as pseudo-members of the open enums.

Models do no I/O.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Generic, TypeVar

import attrs

from . import _display
from ._converter import WIRE_NAME
from ._enums import (
    BatchStatus,
    CallDirection,
    CallEndReason,
    CallStatus,
    ConnectionType,
    DeploymentRegion,
    RecipientStatus,
    TurnEndReason,
    TurnRole,
)
from ._model_base import Model, parameterize

__all__ = [
    "AgentCall",
    "BatchRecipient",
    "CallBatch",
    "CallCancellation",
    "CallLogs",
    "LogEvent",
    "LogMetric",
    "OutboundCall",
    "OutboundCallResponse",
    "OutboundCallResult",
    "Page",
    "TelephonyParams",
    "TextChunk",
    "ToolCall",
    "TranscriptTurn",
]

ItemT = TypeVar("ItemT", bound=Model)


@attrs.frozen(repr=False)
class TextChunk(Model):
    """A piece of a turn's text, with when it was spoken.

    Attributes:
        text: the words of the chunk.
        start_timestamp: seconds from the start of the call.
    """

    text: str | None = None
    start_timestamp: float | None = None


@attrs.frozen(repr=False)
class ToolCall(Model):
    """A tool (function) the agent called during a turn.

    Attributes:
        id: the tool call's id.
        name: the tool's name.
        arguments: the arguments the agent passed (free-form JSON object).
        result: what the tool returned, as text.
    """

    id: str | None = None
    name: str | None = None
    arguments: dict[str, Any] | None = None
    result: str | None = None


@attrs.frozen(repr=False)
class LogEvent(Model):
    """An event the agent's code logged (carried by ``system`` turns).

    Attributes:
        event: the event's name.
        metadata: free-form details of the event.
        timestamp: seconds from the start of the call.
    """

    event: str | None = None
    metadata: dict[str, Any] | None = None
    timestamp: float | None = None


@attrs.frozen(repr=False)
class LogMetric(Model):
    """A metric the agent's code logged (carried by ``system`` turns).

    Attributes:
        name: the metric's name.
        value: its value.
        timestamp: seconds from the start of the call.
    """

    name: str | None = None
    value: float | None = None
    timestamp: float | None = None


@attrs.frozen(repr=False)
class TranscriptTurn(Model):
    """One turn of a call's transcript (the API's ``AgentTranscript``).

    Attributes:
        role: who spoke: ``user``, ``assistant``, or ``system`` (an event or metric, not speech).
        start_timestamp: when the turn started, in seconds from the start of the call.
        end_timestamp: when the turn ended, in seconds from the start of the call.
        text: what was said.
        text_chunks: the text split into timed chunks.
        end_reason: why an assistant turn ended (``interrupted``, ``tts_completed``...).
        tool_calls: the tools the agent called during the turn.
        vad_buffer_ms: the voice-activity-detection buffer, in milliseconds.
        stt_ttfb: speech-to-text time to first byte, in seconds.
        tts_ttfb: text-to-speech time to first byte, in seconds.
        log_event: the event of a ``system`` turn.
        log_metric: the metric of a ``system`` turn.
    """

    role: TurnRole
    start_timestamp: float
    end_timestamp: float
    text: str | None = None
    text_chunks: list[TextChunk] | None = None
    end_reason: TurnEndReason | None = None
    tool_calls: list[ToolCall] | None = None
    vad_buffer_ms: int | None = None
    stt_ttfb: float | None = None
    tts_ttfb: float | None = None
    log_event: LogEvent | None = None
    log_metric: LogMetric | None = None

    def __str__(self) -> str:
        """One readable line: ``01:05 agent  Sure, let me check.  [tts 210 ms]``."""
        return _display.turn_text(self)

    def _repr_html_(self) -> str:
        return _display.turn_html(self)


@attrs.frozen(repr=False)
class TelephonyParams(Model):
    """How a phone call was connected. A redacted call keeps only ``call_sid`` and
    ``connection_type``.

    Attributes:
        to: the number that was called.
        from_: the number that called (``"from"`` in JSON).
        call_sid: the telephony provider's id for the call.
        direction: ``inbound`` or ``outbound``.
        parameters: provider parameters (free-form JSON object).
        headers: provider headers (free-form JSON object).
        connection_type: how the provider reached the agent (``websocket``).
    """

    to: str | None = None
    from_: str | None = attrs.field(default=None, metadata={WIRE_NAME: "from"})
    call_sid: str | None = None
    direction: CallDirection | None = None
    parameters: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None
    connection_type: ConnectionType | None = None


@attrs.frozen(repr=False)
class AgentCall(Model):
    """A call handled by a voice agent (Get Call, List Calls, Delete Call, webhooks).

    Attributes:
        id: the call's id.
        agent_id: the agent that handled the call.
        status: ``created``, ``started``, ``completed``, ``failed`` (older versions: ``active``,
            ``cancelled``), or a value added since.
        agent_name: the agent's name.
        start_time: when the call started (UTC).
        end_time: when the call ended (UTC).
        transcript: the turns of the call; ``None`` in lists unless the transcript was requested,
            and after a redaction.
        telephony_params: how the call was connected, when it went over the phone.
        summary: Cartesia's summary of the call, generated after it ended.
        error_message: what went wrong, for failed calls.
        end_reason: why the call ended.
        deployment_id: the agent deployment that took the call.
        deployment_version_id: the deployment version that took the call.
        deployment_region: where that deployment runs (``US``, ``EU``, ``APAC``).
        zdr_enabled: zero data retention: no transcript, audio or logs are kept.
        redacted_at: when the call's sensitive data was deleted (UTC).
        metadata: the caller's free-form metadata (API version 2026-03-01).
        dynamic_variables: the call's custom values (API version 2026-08-14): the initial values
            while the call runs, the final ones (tool assignments included) after it ended.
    """

    id: str
    agent_id: str
    status: CallStatus
    agent_name: str | None = None
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None
    transcript: list[TranscriptTurn] | None = None
    telephony_params: TelephonyParams | None = None
    summary: str | None = None
    error_message: str | None = None
    end_reason: CallEndReason | None = None
    deployment_id: str | None = None
    deployment_version_id: str | None = None
    deployment_region: DeploymentRegion | None = None
    zdr_enabled: bool | None = None
    redacted_at: _dt.datetime | None = None
    metadata: dict[str, Any] | None = None
    dynamic_variables: dict[str, Any] | None = None

    @property
    def duration(self) -> _dt.timedelta | None:
        """How long the call lasted, or ``None`` until both start and end times are known."""
        if self.start_time is None or self.end_time is None:
            return None
        return self.end_time - self.start_time

    @property
    def is_terminal(self) -> bool:
        """``True`` once the call has ended (``completed``, ``failed``, legacy ``cancelled``)."""
        return self.status.is_terminal

    @property
    def is_redacted(self) -> bool:
        """``True`` if the call's sensitive data was deleted."""
        return self.redacted_at is not None

    def __str__(self) -> str:
        """A short readable summary: the header facts and the first turns of the transcript
        (``print(call)``); ``repr(call)`` stays the full ``AgentCall(...)``."""
        return _display.call_text(self)

    def _repr_html_(self) -> str:
        return _display.call_html(self)


@attrs.frozen(repr=False)
class CallLogs(Model):
    """The runtime logs of the agent's code for one call.

    Attributes:
        call_id: the call.
        logs: the log lines, oldest first.
        updated_at: when the logs were last written (UTC).
    """

    call_id: str
    logs: list[str]
    updated_at: _dt.datetime | None = None


@attrs.frozen(repr=False)
class CallCancellation(Model):
    """The answer to Cancel Call.

    Attributes:
        cancelled: ``True`` when the call was cancelled.
    """

    cancelled: bool


@attrs.frozen(repr=False)
class OutboundCall(Model):
    """One call to place with Create Outbound Call (a request item).

    Attributes:
        to_number: the number to call, in E.164 form (``+14155559876``).
        metadata: free-form JSON handed to the agent's code for this call.
    """

    to_number: str
    metadata: dict[str, Any] | None = None


@attrs.frozen(repr=False)
class OutboundCallResult(Model):
    """What happened to one requested outbound call, in request order.

    Attributes:
        number: the number that was called.
        agent_call_id: the id of the call that was started; absent when it failed.
        error: why the call could not be started (its shape is not documented).
    """

    number: str | None = None
    agent_call_id: str | None = None
    error: Any = None

    @property
    def ok(self) -> bool:
        """``True`` when the call was started: no ``error`` and an ``agent_call_id``."""
        return self.error is None and self.agent_call_id is not None


@attrs.frozen(repr=False)
class OutboundCallResponse(Model):
    """The answer to Create Outbound Call.

    Attributes:
        calls: one result per requested call, in the same order.
    """

    calls: list[OutboundCallResult]


@attrs.frozen(repr=False)
class BatchRecipient(Model):
    """One number of a call batch (the API returns these on Get Call Batch only).

    Attributes:
        id: the recipient's id.
        to_number: the number to call.
        status: where this recipient is (``pending``, ``completed``, ``no_answer``...).
        created_at: when the recipient was added (UTC).
        agent_call_id: the id of the last call made to this number.
        error_message: what went wrong, if the call failed.
        metadata: the free-form metadata given for this recipient.
    """

    id: str
    to_number: str | None = None
    status: RecipientStatus | None = None
    created_at: _dt.datetime | None = None
    agent_call_id: str | None = None
    error_message: str | None = None
    metadata: dict[str, Any] | None = None


@attrs.frozen(repr=False)
class CallBatch(Model):
    """A batch of queued outbound calls (the API's ``AgentCallBatch``).

    Attributes:
        id: the batch's id (``acb_...``).
        name: the batch's name.
        agent_id: the agent that handles the calls.
        from_number_id: the phone number id the calls are made from.
        region: where the calls are placed from (``US``, ``EU``, ``APAC``).
        target_concurrency_limit: how many calls may run at once.
        status: ``pending``, ``in_progress``, ``completed``, ``failed``, ``cancelled``.
        total_calls_scheduled: calls queued so far.
        total_calls_dispatched: calls dialled so far.
        total_calls_finished: calls that have ended.
        retry_count: how many times the batch was retried.
        created_at: when the batch was created (UTC).
        last_updated_at: when it last changed (UTC).
        scheduled_at: when dialling is (or was) scheduled to start (UTC).
        admitted_at: when dialling actually started (UTC).
        recipients: the numbers of the batch (Get Call Batch only; ``None`` in lists).
    """

    id: str
    name: str | None = None
    agent_id: str | None = None
    from_number_id: str | None = None
    region: DeploymentRegion | None = None
    target_concurrency_limit: int | None = None
    status: BatchStatus | None = None
    total_calls_scheduled: int | None = None
    total_calls_dispatched: int | None = None
    total_calls_finished: int | None = None
    retry_count: int | None = None
    created_at: _dt.datetime | None = None
    last_updated_at: _dt.datetime | None = None
    scheduled_at: _dt.datetime | None = None
    admitted_at: _dt.datetime | None = None
    recipients: list[BatchRecipient] | None = None

    @property
    def is_terminal(self) -> bool:
        """``True`` once the batch is done (``completed``, ``failed``, ``cancelled``)."""
        return self.status is not None and self.status.is_terminal


@attrs.frozen(repr=False)
class Page(Model, Generic[ItemT]):
    """One page of a list endpoint: decode it as ``Page[AgentCall]`` or ``Page[CallBatch]``.

    ``Page[AgentCall].from_dict(data)`` structures the items as ``AgentCall``; a bare
    ``Page.from_dict`` leaves them as parsed JSON.

    Attributes:
        data: the items of the page (may be empty).
        next_page: the cursor for the next page (an item id), ``None`` when there is none.
        has_more: whether more items follow; newer endpoints only, ``None`` when not sent.
    """

    data: list[ItemT]
    next_page: str | None = None
    has_more: bool | None = None

    def __class_getitem__(cls, params: Any) -> Any:
        return parameterize(super().__class_getitem__(params))  # type: ignore[misc]
