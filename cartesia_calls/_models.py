"""The API's objects as frozen attrs classes.

Every property of API version ``2026-08-14`` (the default) is a field under its wire name, and
so is every property of ``2026-03-01`` that 2026-08-14 dropped (``metadata``, ``text_chunks``,
``log_event``, ``deployment_id``...; their docs say "2026-03-01"), so a body of either version
decodes with nothing left in ``extra``. See the "API versions" page of the docs.

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
from ._converter import ALWAYS_EMIT, LOOKED_FOR_LAST, WIRE_NAME
from ._enums import (
    BatchStatus,
    CallDirection,
    CallEndReason,
    CallStatus,
    ConnectionType,
    RecipientStatus,
    Region,
    TelephonyAccountType,
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
    "DynamicVariableUpdate",
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

#: For a field of 2026-03-01 that 2026-08-14 dropped: decoding looks for it last.
_LEGACY: Any = {LOOKED_FOR_LAST: True}


@attrs.frozen(repr=False)
class TextChunk(Model):
    """A piece of a turn's text, with when it was spoken (API version 2026-03-01).

    Attributes:
        text: the words of the chunk.
        start_timestamp: seconds from the start of the call.
    """

    text: str | None = None
    start_timestamp: float | None = None


@attrs.frozen(repr=False)
class DynamicVariableUpdate(Model):
    """A dynamic variable a tool assigned during a call (API version 2026-08-14).

    Values are what JSON carries for a dynamic variable: ``str``, ``int``, ``float`` or
    ``bool`` (``old_value`` may also be ``None``).

    Attributes:
        variable_name: the variable that changed.
        old_value: its value before, or ``None`` if it had none.
        new_value: the value the tool assigned.
        updated_at: when, in seconds from the start of the call.
        tool_id: the id of the configured tool that assigned it.
        tool_call_id: the tool call that assigned it (matches :attr:`ToolCall.id`).
    """

    variable_name: str
    # Required and nullable in the spec: `null` is sent, and written back by to_dict().
    old_value: Any = attrs.field(default=None, metadata={ALWAYS_EMIT: True})
    new_value: Any = None
    updated_at: float | None = None
    tool_id: str | None = None
    tool_call_id: str | None = None


@attrs.frozen(repr=False)
class ToolCall(Model):
    """A tool (function) the agent called during a turn.

    Attributes:
        id: the tool call's id.
        name: the tool's name.
        arguments: the arguments the agent passed (free-form JSON object). For webhook tools,
            values filled in from dynamic variables or constants are not included.
        result: what the tool returned, as text.
        dynamic_variable_updates: the dynamic variables this tool assigned (API version
            2026-08-14); ``None`` when it assigned none.
    """

    id: str | None = None
    name: str | None = None
    arguments: dict[str, Any] | None = None
    result: str | None = None
    dynamic_variable_updates: list[DynamicVariableUpdate] | None = None


@attrs.frozen(repr=False)
class LogEvent(Model):
    """An event the agent's code logged (carried by ``system`` turns; API version 2026-03-01).

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
    """A metric the agent's code logged (carried by ``system`` turns; API version 2026-03-01).

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
        role: who spoke: ``user``, ``assistant`` (the agent), or ``system``.
        start_timestamp: when the turn started, in seconds from the start of the call.
        end_timestamp: when the turn ended, in seconds from the start of the call.
        text: what was said.
        text_chunks: the text split into timed chunks (API version 2026-03-01).
        end_reason: why an assistant turn ended (``interrupted``, ``tts_completed``...; API
            version 2026-03-01).
        tool_calls: the tools the agent called during the turn.
        vad_buffer_ms: the voice-activity-detection buffer, in milliseconds (API version
            2026-03-01).
        stt_ttfb: speech-to-text time to first byte, in seconds.
        tts_ttfb: text-to-speech time to first byte, in seconds.
        log_event: the event of a ``system`` turn (API version 2026-03-01).
        log_metric: the metric of a ``system`` turn (API version 2026-03-01).
    """

    role: TurnRole
    start_timestamp: float
    end_timestamp: float
    text: str | None = None
    text_chunks: list[TextChunk] | None = attrs.field(default=None, metadata=_LEGACY)
    end_reason: TurnEndReason | None = attrs.field(default=None, metadata=_LEGACY)
    tool_calls: list[ToolCall] | None = None
    vad_buffer_ms: int | None = attrs.field(default=None, metadata=_LEGACY)
    stt_ttfb: float | None = None
    tts_ttfb: float | None = None
    log_event: LogEvent | None = attrs.field(default=None, metadata=_LEGACY)
    log_metric: LogMetric | None = attrs.field(default=None, metadata=_LEGACY)

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
        parameters: provider parameters (a JSON object; the API documents string values).
        headers: provider headers (a JSON object; the API documents string values).
        connection_type: how the call reached the agent (``websocket`` or ``phone``).
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
        telephony_account_type: the telephony account that carried the call (``cartesia``,
            ``twilio``, ``sip_trunk``; API version 2026-08-14).
        summary: Cartesia's summary of the call, generated after it ended.
        error_message: what went wrong, for failed calls.
        end_reason: why the call ended.
        dynamic_variables: the call's custom values (API version 2026-08-14), a JSON object
            whose values are ``str``, ``int``, ``float`` or ``bool``: the initial values while
            the call runs, the final ones (tool assignments included) after it ended. System
            variables are not included; absent for zero-data-retention and redacted calls.
        redacted_at: when the call's sensitive data was deleted (UTC).
        deployment_id: the agent deployment that took the call (API version 2026-03-01).
        deployment_version_id: the deployment version that took the call (API version
            2026-03-01).
        deployment_region: where that deployment runs (``US``, ``EU``, ``APAC``; API version
            2026-03-01).
        zdr_enabled: zero data retention: no transcript, audio or logs are kept (API version
            2026-03-01).
        metadata: the caller's free-form metadata (API version 2026-03-01; 2026-08-14 has
            ``dynamic_variables`` instead).
    """

    id: str
    agent_id: str
    status: CallStatus
    agent_name: str | None = None
    start_time: _dt.datetime | None = None
    end_time: _dt.datetime | None = None
    transcript: list[TranscriptTurn] | None = None
    telephony_params: TelephonyParams | None = None
    telephony_account_type: TelephonyAccountType | None = None
    summary: str | None = None
    error_message: str | None = None
    end_reason: CallEndReason | None = None
    dynamic_variables: dict[str, Any] | None = None
    redacted_at: _dt.datetime | None = None
    deployment_id: str | None = attrs.field(default=None, metadata=_LEGACY)
    deployment_version_id: str | None = attrs.field(default=None, metadata=_LEGACY)
    deployment_region: Region | None = attrs.field(default=None, metadata=_LEGACY)
    zdr_enabled: bool | None = attrs.field(default=None, metadata=_LEGACY)
    metadata: dict[str, Any] | None = attrs.field(default=None, metadata=_LEGACY)

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
    """The runtime logs of the agent's code for one call (documented for API version
    2026-03-01; API version 2026-08-14 does not document the logs endpoint).

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
    """One call to place: an item of Create Outbound Call or a recipient of Create Call Batch.

    Attributes:
        to_number: the number to call, in E.164 form (``+14155559876``).
        dynamic_variables: custom values for this call, for the agent's prompts and welcome
            message (API version 2026-08-14): at most 64 names of letters, digits and ``_``
            (starting with a letter or ``_``, up to 64 characters, not ``system__...`` or
            ``secret__...``), each a ``str``, ``int``, ``float`` or ``bool``, at most 16 KiB
            as JSON. Checked before sending; sent as given.
        metadata: free-form JSON handed to the agent's code (API version 2026-03-01).
    """

    to_number: str
    # Keyword-only: OutboundCall("+1...", {...}) once meant metadata; it must not silently
    # become dynamic_variables.
    dynamic_variables: dict[str, Any] | None = attrs.field(default=None, kw_only=True)
    metadata: dict[str, Any] | None = attrs.field(default=None, kw_only=True)


@attrs.frozen(repr=False)
class OutboundCallResult(Model):
    """What happened to one requested outbound call, in request order.

    Attributes:
        number: the number that was called.
        agent_call_id: the id of the call that was started; absent when it failed before
            Cartesia created the call.
        error: why the call could not be started (a JSON object whose shape is not documented).
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
        status: ``queued``, ``dispatched``, ``started``, ``completed``, ``failed`` or
            ``cancelled`` (see :class:`RecipientStatus`).
        created_at: when the recipient was queued (UTC).
        agent_call_id: the id of the latest call made to this number, once dispatched (list a
            batch's calls with ``client.calls.list(batch_id=...)``).
        end_reason: why the latest call ended (API version 2026-08-14).
        error_message: why the call could not be placed at all (then there is no
            ``agent_call_id``).
        metadata: the free-form metadata given for this recipient (API version 2026-03-01).
    """

    id: str
    to_number: str | None = None
    status: RecipientStatus | None = None
    created_at: _dt.datetime | None = None
    agent_call_id: str | None = None
    end_reason: CallEndReason | None = None
    error_message: str | None = None
    metadata: dict[str, Any] | None = None

    @property
    def call_ended(self) -> bool:
        """``True`` once this recipient's latest call has ended or will never be placed
        (status ``completed``, ``failed`` or ``cancelled``)."""
        return self.status is not None and self.status.is_terminal


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
        status: how far *dispatching* got: ``pending``, ``in_progress``, ``completed`` (every
            recipient dispatched; calls may still be running), ``failed`` (every recipient
            failed before dialing), ``cancelled``. See :class:`BatchStatus`.
        total_calls_scheduled: recipients queued in the batch.
        total_calls_dispatched: recipients handed to the dialer so far, including those that
            failed before a call could be placed.
        total_calls_finished: recipients whose latest call attempt ended (completed or failed),
            including pre-dial failures.
        retry_count: how many times the batch was retried.
        created_at: when the batch was created (UTC).
        last_updated_at: when it last changed (UTC).
        scheduled_at: when dispatching is (or was) scheduled to start (UTC).
        admitted_at: when dispatching actually started (UTC).
        recipients: the numbers of the batch (Get Call Batch only; ``None`` in lists).
    """

    id: str
    name: str | None = None
    agent_id: str | None = None
    from_number_id: str | None = None
    region: Region | None = None
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
        """``True`` once *dispatching* is over (status ``completed``, ``failed`` or
        ``cancelled``): no more calls will be placed unless the batch is retried.

        It does **not** mean the calls have ended: a ``completed`` batch may still have calls
        ringing or in progress. To wait for the calls themselves, poll
        ``client.batches.get(batch_id)`` until :attr:`all_calls_ended` is ``True``.
        """
        return self.status is not None and self.status.is_terminal

    @property
    def all_calls_ended(self) -> bool | None:
        """Whether every recipient's call is over: ended, or never to be placed.

        ``True`` when dispatching is over and every recipient is ``completed``, ``failed`` or
        ``cancelled``; ``False`` while any is still queued, dispatched or on a call. Read from
        :attr:`recipients`, so it needs a batch from ``client.batches.get``; on a batch without
        recipients (list items, create and retry answers) it is worked out from the counters
        when they allow it, and is ``None`` when they do not (a cancelled batch).
        """
        if self.recipients is not None:
            return self.is_terminal and all(r.call_ended for r in self.recipients)
        if not self.is_terminal:
            return False
        scheduled, finished = self.total_calls_scheduled, self.total_calls_finished
        if self.status != "cancelled" and scheduled is not None and finished is not None:
            # Not cancelled: every recipient was dispatched, and "finished" counts ended calls
            # and pre-dial failures alike.
            return finished >= scheduled
        return None


@attrs.frozen(repr=False)
class Page(Model, Generic[ItemT]):
    """One page of a list endpoint: decode it as ``Page[AgentCall]`` or ``Page[CallBatch]``.

    ``Page[AgentCall].from_dict(data)`` structures the items as ``AgentCall``; a bare
    ``Page.from_dict`` leaves them as parsed JSON.

    Attributes:
        data: the items of the page (may be empty).
        next_page: the cursor for the next page (an item id), ``None`` when there is none.
        has_more: whether more items follow; always sent by API version 2026-08-14, ``None``
            when not sent.
    """

    data: list[ItemT]
    next_page: str | None = None
    has_more: bool | None = None

    def __class_getitem__(cls, params: Any) -> Any:
        return parameterize(super().__class_getitem__(params))  # type: ignore[misc]
