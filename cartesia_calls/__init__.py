"""cartesia_calls: an async-first Python SDK for Cartesia voice-agent calls.

``AsyncClient`` is awaited inside async applications; everything it returns is a frozen attrs model;
everything it raises derives from :class:`CartesiaError` (see :mod:`cartesia_calls.errors`).
``cartesia_calls.testing.FakeCartesia`` is a fake API to test against.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

# Names are imported on first use (PEP 562): `import cartesia_calls` stays cheap, and the CLI's
# --help never loads aiohttp. Type checkers and IDEs read the imports below.
if TYPE_CHECKING:
    from ._batches import (
        AsyncBatches as AsyncBatches,
    )
    from ._calls import (
        AsyncCalls as AsyncCalls,
    )
    from ._client import (
        DEFAULT_BASE_URL as DEFAULT_BASE_URL,
    )
    from ._client import (
        DEFAULT_CARTESIA_VERSION as DEFAULT_CARTESIA_VERSION,
    )
    from ._client import (
        AsyncClient as AsyncClient,
    )
    from ._enums import (
        BatchStatus as BatchStatus,
    )
    from ._enums import (
        CallDirection as CallDirection,
    )
    from ._enums import (
        CallEndReason as CallEndReason,
    )
    from ._enums import (
        CallStatus as CallStatus,
    )
    from ._enums import (
        ConnectionType as ConnectionType,
    )
    from ._enums import (
        DeploymentRegion as DeploymentRegion,
    )
    from ._enums import (
        OpenEnum as OpenEnum,
    )
    from ._enums import (
        RecipientStatus as RecipientStatus,
    )
    from ._enums import (
        Region as Region,
    )
    from ._enums import (
        TelephonyAccountType as TelephonyAccountType,
    )
    from ._enums import (
        TurnEndReason as TurnEndReason,
    )
    from ._enums import (
        TurnRole as TurnRole,
    )
    from ._export import (
        ExportResult as ExportResult,
    )
    from ._models import (
        AgentCall as AgentCall,
    )
    from ._models import (
        BatchRecipient as BatchRecipient,
    )
    from ._models import (
        CallBatch as CallBatch,
    )
    from ._models import (
        CallCancellation as CallCancellation,
    )
    from ._models import (
        CallLogs as CallLogs,
    )
    from ._models import (
        DynamicVariableUpdate as DynamicVariableUpdate,
    )
    from ._models import (
        LogEvent as LogEvent,
    )
    from ._models import (
        LogMetric as LogMetric,
    )
    from ._models import (
        OutboundCall as OutboundCall,
    )
    from ._models import (
        OutboundCallResponse as OutboundCallResponse,
    )
    from ._models import (
        OutboundCallResult as OutboundCallResult,
    )
    from ._models import (
        Page as Page,
    )
    from ._models import (
        TelephonyParams as TelephonyParams,
    )
    from ._models import (
        TextChunk as TextChunk,
    )
    from ._models import (
        ToolCall as ToolCall,
    )
    from ._models import (
        TranscriptTurn as TranscriptTurn,
    )
    from ._pagination import (
        AsyncPager as AsyncPager,
    )
    from ._retry import (
        Backoff as Backoff,
    )
    from ._sync import (
        Client as Client,
    )
    from ._sync_resources import (
        Batches as Batches,
    )
    from ._sync_resources import (
        Calls as Calls,
    )
    from ._sync_resources import (
        Pager as Pager,
    )
    from ._sync_resources import (
        SyncAudioStream as SyncAudioStream,
    )
    from ._transport import (
        RawResponse as RawResponse,
    )
    from ._transport import (
        ResponseInfo as ResponseInfo,
    )
    from ._transport import (
        Timeout as Timeout,
    )
    from .errors import (
        APIConnectionError as APIConnectionError,
    )
    from .errors import (
        APIError as APIError,
    )
    from .errors import (
        APIStatusError as APIStatusError,
    )
    from .errors import (
        APITimeoutError as APITimeoutError,
    )
    from .errors import (
        AuthenticationError as AuthenticationError,
    )
    from .errors import (
        BadRequestError as BadRequestError,
    )
    from .errors import (
        CartesiaError as CartesiaError,
    )
    from .errors import (
        ClientClosedError as ClientClosedError,
    )
    from .errors import (
        ConflictError as ConflictError,
    )
    from .errors import (
        EventLoopMismatchError as EventLoopMismatchError,
    )
    from .errors import (
        InternalServerError as InternalServerError,
    )
    from .errors import (
        MissingAPIKeyError as MissingAPIKeyError,
    )
    from .errors import (
        NotFoundError as NotFoundError,
    )
    from .errors import (
        PermissionDeniedError as PermissionDeniedError,
    )
    from .errors import (
        RateLimitError as RateLimitError,
    )
    from .errors import (
        ResponseDecodeError as ResponseDecodeError,
    )
    from .errors import (
        UnprocessableEntityError as UnprocessableEntityError,
    )
    from .errors import (
        UsageLimitError as UsageLimitError,
    )
    from .errors import (
        WaitTimeoutError as WaitTimeoutError,
    )
    from .errors import (
        WebhookVerificationError as WebhookVerificationError,
    )

_LAZY: dict[str, str] = {
    "AsyncBatches": "_batches",
    "AsyncCalls": "_calls",
    "AsyncClient": "_client",
    "DEFAULT_BASE_URL": "_client",
    "DEFAULT_CARTESIA_VERSION": "_client",
    "BatchStatus": "_enums",
    "CallDirection": "_enums",
    "CallEndReason": "_enums",
    "CallStatus": "_enums",
    "ConnectionType": "_enums",
    "DeploymentRegion": "_enums",
    "OpenEnum": "_enums",
    "RecipientStatus": "_enums",
    "Region": "_enums",
    "TelephonyAccountType": "_enums",
    "TurnEndReason": "_enums",
    "TurnRole": "_enums",
    "ExportResult": "_export",
    "AgentCall": "_models",
    "BatchRecipient": "_models",
    "CallBatch": "_models",
    "CallCancellation": "_models",
    "CallLogs": "_models",
    "DynamicVariableUpdate": "_models",
    "LogEvent": "_models",
    "LogMetric": "_models",
    "OutboundCall": "_models",
    "OutboundCallResponse": "_models",
    "OutboundCallResult": "_models",
    "Page": "_models",
    "TelephonyParams": "_models",
    "TextChunk": "_models",
    "ToolCall": "_models",
    "TranscriptTurn": "_models",
    "AsyncPager": "_pagination",
    "Backoff": "_retry",
    "Client": "_sync",
    "Batches": "_sync_resources",
    "Calls": "_sync_resources",
    "Pager": "_sync_resources",
    "SyncAudioStream": "_sync_resources",
    "RawResponse": "_transport",
    "ResponseInfo": "_transport",
    "Timeout": "_transport",
    "APIConnectionError": "errors",
    "APIError": "errors",
    "APIStatusError": "errors",
    "APITimeoutError": "errors",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "CartesiaError": "errors",
    "ClientClosedError": "errors",
    "ConflictError": "errors",
    "EventLoopMismatchError": "errors",
    "InternalServerError": "errors",
    "MissingAPIKeyError": "errors",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "RateLimitError": "errors",
    "ResponseDecodeError": "errors",
    "UnprocessableEntityError": "errors",
    "UsageLimitError": "errors",
    "WaitTimeoutError": "errors",
    "WebhookVerificationError": "errors",
}

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
    "DynamicVariableUpdate",
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
    "Region",
    "ResponseDecodeError",
    "ResponseInfo",
    "SyncAudioStream",
    "TelephonyAccountType",
    "TelephonyParams",
    "TextChunk",
    "Timeout",
    "ToolCall",
    "TranscriptTurn",
    "TurnEndReason",
    "TurnRole",
    "UnprocessableEntityError",
    "UsageLimitError",
    "WaitTimeoutError",
    "WebhookVerificationError",
    "__version__",
]

# Hidden from type checkers, so that a misspelt name is still an error for them, not an Any.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module 'cartesia_calls' has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
