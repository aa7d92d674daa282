"""How the fake answers in each API version: one stored shape, rendered per request.

The fake keeps every call and batch in one superset of both versions' wire shapes (a call may
hold ``metadata`` *and* ``dynamic_variables``) and renders it for the request's
``Cartesia-Version``: 2026-08-14 shapes by default (any version from ``2026-08-14`` on, or one
it does not recognise as a date), 2026-03-01 shapes for ``2026-03-01`` and older versions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from aiohttp import web

__all__ = [
    "CURRENT",
    "LEGACY",
    "is_legacy",
    "is_legacy_version",
    "render_batch",
    "render_call",
    "render_turn",
    "request_version",
]

#: The version whose shapes the fake answers in by default.
CURRENT: Final = "2026-08-14"
#: The older version the fake also speaks.
LEGACY: Final = "2026-03-01"

_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
#: Keys the fake keeps for itself and never sends (which batch a call belongs to).
_INTERNAL_CALL_KEYS: Final = frozenset({"batch_id"})
#: Call fields of 2026-03-01 that 2026-08-14 dropped.
_LEGACY_CALL_KEYS: Final = frozenset(
    {"deployment_id", "deployment_version_id", "deployment_region", "zdr_enabled", "metadata"}
)
#: Call fields 2026-08-14 added.
_CURRENT_CALL_KEYS: Final = frozenset({"dynamic_variables", "telephony_account_type"})
#: Transcript-turn fields of 2026-03-01 that 2026-08-14 dropped.
_LEGACY_TURN_KEYS: Final = frozenset(
    {"text_chunks", "end_reason", "vad_buffer_ms", "log_event", "log_metric"}
)


def request_version(request: web.Request) -> str:
    """The ``Cartesia-Version`` a request asked for (2026-08-14 when it names none)."""
    return request.headers.get("Cartesia-Version", CURRENT).strip() or CURRENT


def is_legacy_version(version: str) -> bool:
    """Whether ``version`` gets 2026-03-01 shapes (a dated version before 2026-08-14)."""
    return bool(_DATE.fullmatch(version)) and version < CURRENT


def is_legacy(request: web.Request) -> bool:
    """Whether ``request`` asked for 2026-03-01 shapes (a dated version before 2026-08-14)."""
    return is_legacy_version(request_version(request))


def render_call(call: Mapping[str, Any], *, legacy: bool) -> dict[str, Any]:
    """A stored call in the wire shape of the request's version."""
    drop = _INTERNAL_CALL_KEYS | (_CURRENT_CALL_KEYS if legacy else _LEGACY_CALL_KEYS)
    out = {k: v for k, v in call.items() if k not in drop}
    transcript = out.get("transcript")
    if isinstance(transcript, list):
        out["transcript"] = [
            turn for turn in (render_turn(t, legacy=legacy) for t in transcript) if turn is not None
        ]
    return out


def render_turn(turn: Mapping[str, Any], *, legacy: bool) -> dict[str, Any] | None:
    """A stored transcript turn in the version's shape (``None``: the version has no such
    turn)."""
    if legacy:
        out = dict(turn)
        tools = out.get("tool_calls")
        if isinstance(tools, list):
            out["tool_calls"] = [
                {k: v for k, v in tool.items() if k != "dynamic_variable_updates"} for tool in tools
            ]
        return out
    if turn.get("role") == "system" and ("log_event" in turn or "log_metric" in turn):
        return None  # a 2026-03-01 event or metric turn: nothing of it is left in 2026-08-14
    return {k: v for k, v in turn.items() if k not in _LEGACY_TURN_KEYS}


def render_batch(
    batch: Mapping[str, Any], *, legacy: bool, recipients: bool = True
) -> dict[str, Any]:
    """A stored batch in the wire shape of the request's version (recipients only on Get)."""
    out = {k: v for k, v in batch.items() if k != "recipients"}
    if recipients and batch.get("recipients") is not None:
        out["recipients"] = [render_recipient(r, legacy=legacy) for r in batch["recipients"]]
    return out


def render_recipient(recipient: Mapping[str, Any], *, legacy: bool) -> dict[str, Any]:
    """A stored batch recipient in the request's version: ``metadata`` is 2026-03-01's,
    ``end_reason`` 2026-08-14's; the dynamic variables given at create are never echoed."""
    drop = {"dynamic_variables", "end_reason" if legacy else "metadata"}
    return {k: v for k, v in recipient.items() if k not in drop}
