"""cartesia_calls: an async-first Python SDK for Cartesia voice-agent calls.

``AsyncClient`` is awaited inside async applications; everything it returns is a frozen attrs model;
everything it raises derives from :class:`CartesiaError` (see :mod:`cartesia_calls.errors`).
``cartesia_calls.testing.FakeCartesia`` is a fake API to test against.
"""

from ._batches import AsyncBatches
from ._calls import AsyncCalls
from ._client import DEFAULT_BASE_URL, DEFAULT_CARTESIA_VERSION, AsyncClient
from ._enums import (
    BatchStatus,
    CallDirection,
    CallEndReason,
    CallStatus,
    ConnectionType,
    DeploymentRegion,
    OpenEnum,
    RecipientStatus,
    TurnEndReason,
    TurnRole,
)
from ._export import ExportResult
from ._models import (
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
from ._pagination import AsyncPager
from ._retry import Backoff
from ._sync import Client
from ._sync_resources import Batches, Calls, Pager, SyncAudioStream
from ._transport import RawResponse, ResponseInfo, Timeout
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    CartesiaError,
    ClientClosedError,
    ConflictError,
    EventLoopMismatchError,
    InternalServerError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    UnprocessableEntityError,
    WaitTimeoutError,
    WebhookVerificationError,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CARTESIA_VERSION",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AgentCall",
    "AsyncBatches",
    "AsyncCalls",
    "AsyncClient",
    "AsyncPager",
    "AuthenticationError",
    "Backoff",
    "BadRequestError",
    "BatchRecipient",
    "BatchStatus",
    "Batches",
    "CallBatch",
    "CallCancellation",
    "CallDirection",
    "CallEndReason",
    "CallLogs",
    "CallStatus",
    "Calls",
    "CartesiaError",
    "Client",
    "ClientClosedError",
    "ConflictError",
    "ConnectionType",
    "DeploymentRegion",
    "EventLoopMismatchError",
    "ExportResult",
    "InternalServerError",
    "LogEvent",
    "LogMetric",
    "MissingAPIKeyError",
    "NotFoundError",
    "OpenEnum",
    "OutboundCall",
    "OutboundCallResponse",
    "OutboundCallResult",
    "Page",
    "Pager",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RecipientStatus",
    "ResponseDecodeError",
    "ResponseInfo",
    "SyncAudioStream",
    "TelephonyParams",
    "TextChunk",
    "Timeout",
    "ToolCall",
    "TranscriptTurn",
    "TurnEndReason",
    "TurnRole",
    "UnprocessableEntityError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "__version__",
]
