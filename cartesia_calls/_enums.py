"""Open enums: the values the API documents, and room for the ones it adds later.

Cartesia adds enum values within one API version (a new call status, a new end reason). A closed
:class:`enum.Enum` would turn such a response into an exception; these enums instead return a
*pseudo-member* for any string they do not know::

    >>> CallStatus("completed") is CallStatus.COMPLETED
    True
    >>> status = CallStatus("transferring")        # not documented (yet)
    >>> status == "transferring", isinstance(status, CallStatus), status.is_known
    (True, True, False)
    >>> status
    CallStatus('transferring')

Every member, known or not, is a :class:`str` equal to its wire value, so comparisons with plain
strings, ``match`` statements on ``CallStatus.COMPLETED`` and JSON encoding all just work.
Values that are not strings (``CallStatus(3)``, ``CallStatus(None)``) still raise
:class:`ValueError`.

Pseudo-members are created on demand and never stored in the class, so a hostile server sending
millions of distinct values cannot grow memory: two lookups of the same unknown value give two
equal (``==``) but distinct objects; compare with ``==``, not ``is``.
"""

from __future__ import annotations

import enum
from typing import ClassVar, Self

__all__ = [
    "BatchStatus",
    "CallDirection",
    "CallEndReason",
    "CallStatus",
    "ConnectionType",
    "DeploymentRegion",
    "OpenEnum",
    "RecipientStatus",
    "Region",
    "TelephonyAccountType",
    "TurnEndReason",
    "TurnRole",
]


class OpenEnum(enum.StrEnum):
    """A string enum that accepts any string: unknown values become pseudo-members.

    A pseudo-member's ``value`` and ``name`` are the raw string; it is an instance of the enum
    class, equal to (and hashing like) its string, but it is not listed by iteration, ``len()``
    or ``__members__``. :attr:`is_known` tells the two kinds apart.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None  # Enum then raises ValueError("... is not a valid ...").
        raw = str.__str__(value)  # an exact str, even for str subclasses
        member = str.__new__(cls, raw)
        member._name_ = raw
        member._value_ = raw
        # Deliberately not cached in _value2member_map_: unknown values must not pile up.
        return member

    @property
    def is_known(self) -> bool:
        """``True`` for values this version of the SDK documents, ``False`` for pseudo-members."""
        return type(self)._value2member_map_.get(self._value_) is self

    def __repr__(self) -> str:
        if self.is_known:
            return enum.Enum.__repr__(self)
        return f"{type(self).__name__}({self._value_!r})"


class CallStatus(OpenEnum):
    """Where a call is in its life.

    Members:
        CREATED: the call exists but has not connected yet.
        STARTED: the call is connected and running.
        COMPLETED: the call ended normally (terminal).
        FAILED: the call ended with an error (terminal).
        ACTIVE: older API versions' name for a running call (not terminal).
        CANCELLED: older API versions' status of a call cancelled through the API (terminal).
    """

    CREATED = "created"
    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"
    ACTIVE = "active"
    CANCELLED = "cancelled"

    #: The statuses a call never leaves: ``completed``, ``failed`` and legacy ``cancelled``.
    TERMINAL: ClassVar[frozenset[CallStatus]]

    @property
    def is_terminal(self) -> bool:
        """``True`` once the call has ended; ``False`` for running and unknown statuses."""
        return self in CallStatus.TERMINAL


CallStatus.TERMINAL = frozenset({CallStatus.COMPLETED, CallStatus.FAILED, CallStatus.CANCELLED})


class CallEndReason(OpenEnum):
    """Why a call ended.

    Members:
        AGENT_HANGUP: the agent ended the call.
        CLIENT_HANGUP: the person on the other end hung up.
        API_CANCELLED: the call was cancelled through the API (Cancel Call).
        MAX_DURATION: the call reached its maximum duration.
        INACTIVITY: nobody spoke for too long.
        CLIENT_DISCONNECTED: the client's connection dropped.
        DIAL_BUSY: an outbound call found the line busy.
        DIAL_FAILED: an outbound call could not be placed.
        DIAL_NO_ANSWER: an outbound call was not answered.
        ERROR: the call ended because of an error (see ``AgentCall.error_message``).
    """

    AGENT_HANGUP = "agent_hangup"
    CLIENT_HANGUP = "client_hangup"
    API_CANCELLED = "api_cancelled"
    MAX_DURATION = "max_duration"
    INACTIVITY = "inactivity"
    CLIENT_DISCONNECTED = "client_disconnected"
    DIAL_BUSY = "dial_busy"
    DIAL_FAILED = "dial_failed"
    DIAL_NO_ANSWER = "dial_no_answer"
    ERROR = "error"


class TurnRole(OpenEnum):
    """Who spoke in a transcript turn.

    Members:
        USER: the person on the call.
        ASSISTANT: the agent.
        SYSTEM: not speech: an event or metric logged by the agent (``log_event``/``log_metric``).
    """

    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class TurnEndReason(OpenEnum):
    """Why an assistant turn ended.

    Members:
        CALL_ENDED: the call ended during the turn.
        INTERRUPTED: the user spoke over the agent (barge-in).
        TTS_COMPLETED: the agent finished speaking.
    """

    CALL_ENDED = "call_ended"
    INTERRUPTED = "interrupted"
    TTS_COMPLETED = "tts_completed"


class Region(OpenEnum):
    """Where a call batch's calls are placed from (and, in API version 2026-03-01, where an agent
    deployment runs).

    Members:
        US: United States.
        EU: European Union.
        APAC: Asia-Pacific.
    """

    US = "US"
    EU = "EU"
    APAC = "APAC"


#: The name :class:`Region` had when only deployments (API version 2026-03-01) carried it.
DeploymentRegion = Region


class ConnectionType(OpenEnum):
    """How the telephony provider is connected to the agent.

    Members:
        WEBSOCKET: a media stream over a WebSocket.
        PHONE: a phone call (API version 2026-08-14).
    """

    WEBSOCKET = "websocket"
    PHONE = "phone"


class TelephonyAccountType(OpenEnum):
    """The telephony account that carried a call (API version 2026-08-14).

    Members:
        CARTESIA: Cartesia's own telephony (the default).
        TWILIO: your own Twilio subaccount.
        SIP_TRUNK: a SIP trunk you connected.
    """

    CARTESIA = "cartesia"
    TWILIO = "twilio"
    SIP_TRUNK = "sip_trunk"


class CallDirection(OpenEnum):
    """Who dialled.

    Members:
        INBOUND: someone called the agent's number.
        OUTBOUND: the agent called out (Create Outbound Call, call batches).
    """

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class BatchStatus(OpenEnum):
    """Where a call batch's *dispatching* is: whether its recipients have been handed to the
    dialer. It says nothing about whether their calls have ended.

    Members:
        PENDING: no call dispatched yet (for example, waiting for ``scheduled_at``).
        IN_PROGRESS: some recipients dispatched, not all.
        COMPLETED: every recipient was dispatched; calls may still be ringing or running.
        FAILED: every recipient failed before a call could be dialed.
        CANCELLED: cancelled before every recipient was dispatched; placed calls go on.

    Whether the calls themselves are over is :attr:`CallBatch.all_calls_ended
    <cartesia_calls.CallBatch.all_calls_ended>`.
    """

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    #: The statuses after which nothing more is dispatched (unless the batch is retried):
    #: ``completed``, ``failed``, ``cancelled``. Calls already placed may still be running.
    TERMINAL: ClassVar[frozenset[BatchStatus]]

    @property
    def is_terminal(self) -> bool:
        """``True`` once dispatching is over (``completed``, ``failed``, ``cancelled``);
        ``False`` for ``pending``, ``in_progress`` and unknown statuses.

        This does **not** mean the batch's calls have ended: a ``completed`` batch may still have
        calls ringing or in progress. See :attr:`CallBatch.all_calls_ended
        <cartesia_calls.CallBatch.all_calls_ended>`.
        """
        return self in BatchStatus.TERMINAL


BatchStatus.TERMINAL = frozenset({BatchStatus.COMPLETED, BatchStatus.FAILED, BatchStatus.CANCELLED})


class RecipientStatus(OpenEnum):
    """Where one recipient of a call batch is: its place in the queue before dispatch, then the
    state of its latest call attempt.

    Members:
        QUEUED: waiting for the dispatcher.
        DISPATCHED: handed to the dialer; no call attempt has connected or finished yet.
        STARTED: the call connected and is in progress.
        COMPLETED: the call connected and ended normally (terminal).
        FAILED: not placed (``error_message``) or the latest attempt failed (``end_reason``).
        CANCELLED: the batch was cancelled before this recipient was dialed (terminal).

    ``failed`` is terminal until the batch is retried.

    Other values the API may send are kept as pseudo-members.
    """

    QUEUED = "queued"
    DISPATCHED = "dispatched"
    STARTED = "started"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    #: The statuses of a recipient whose call is over (or will never be placed).
    TERMINAL: ClassVar[frozenset[RecipientStatus]]

    @property
    def is_terminal(self) -> bool:
        """``True`` once this recipient's latest call has ended or will never be placed
        (``completed``, ``failed``, ``cancelled``); ``False`` for queued, dispatched, started and
        unknown statuses."""
        return self in RecipientStatus.TERMINAL


RecipientStatus.TERMINAL = frozenset(
    {RecipientStatus.COMPLETED, RecipientStatus.FAILED, RecipientStatus.CANCELLED}
)
