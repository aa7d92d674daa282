"""The fake server's calls: storage, seeding, placing calls, and the ``/agents/calls`` routes.

How stored calls move on the fake's clock (and the webhooks they send) is
:mod:`._fake_lifecycle`'s.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from ._fake_audio import Recording
from ._fake_http import (
    Route,
    bad_request,
    json_error,
    json_response,
    outbound_item_problem,
    paginate,
    parse_time,
    stored_time,
    wire_form,
)
from ._fake_lifecycle import ClockMixin, Lifecycle, ToolStep
from ._fake_versions import is_legacy, render_call, request_version

# What a redaction keeps (everything else is deleted); telephony keeps two keys.
_KEPT_ON_REDACT = {
    "id",
    "agent_id",
    "agent_name",
    "status",
    "start_time",
    "end_time",
    "end_reason",
    "zdr_enabled",
    "deployment_id",
    "deployment_version_id",
    "deployment_region",
    "telephony_account_type",
    "batch_id",
}
#: The phone number id the fake places outbound calls from (``ap_fake_number``, the id the
#: fake used before phone number ids were known to look like ``pn_...``, works too).
FAKE_PHONE_NUMBER_ID = "pn_fake_number"


class CallsMixin(ClockMixin):
    """Calls kept in memory in wire format, served like the real API."""

    #: Stored calls in wire format (what Get Call returns), by id.
    calls: dict[str, dict[str, Any]]
    #: Runtime log lines per call id (Get Call Logs answers 404 for calls without an entry).
    logs: dict[str, list[str]]
    #: Recordings per call id (the audio endpoint answers 404 for calls without one).
    recordings: dict[str, Recording]
    #: Phone number ids the fake accepts as ``from_number_id``, with their numbers.
    phone_numbers: dict[str, str]
    #: Destination numbers that fail to dial, with the error object the API returns for them
    #: (batch recipients with such a number fail before dialing, with its ``message``).
    unreachable_numbers: dict[str, dict[str, Any]]
    #: Tool calls every call placed through the API (Create Outbound Call, batch dispatch)
    #: makes while it runs (see :class:`ToolStep`).
    outbound_tools: list[ToolStep]
    _active_faults: dict[int, Any]

    def _init_calls(self, clock_start: dt.datetime) -> None:
        self.calls = {}
        self.logs = {}
        self.recordings = {}
        self.phone_numbers = {
            FAKE_PHONE_NUMBER_ID: "+15555550100",
            "ap_fake_number": "+15555550100",
        }
        self.unreachable_numbers = {}
        self.outbound_tools = []
        self._init_clock(clock_start)

    def _call_routes(self) -> list[Route]:
        return [
            ("GET", "/agents/calls", self._list_calls),
            ("POST", "/agents/calls", self._create_calls),
            ("GET", "/agents/calls/{call_id}", self._get_call),
            ("DELETE", "/agents/calls/{call_id}", self._delete_call),
            ("POST", "/agents/calls/{call_id}/cancel", self._cancel_call),
            ("GET", "/agents/calls/{call_id}/logs", self._get_logs),
            ("GET", "/agents/calls/{call_id}/audio", self._get_audio),
        ]

    # -- seeding and the clock ---------------------------------------------------------------

    def add_call(
        self,
        call: Any = None,
        /,
        *,
        lifecycle: Lifecycle | None = None,
        logs: list[str] | None = None,
        recording: Recording | float | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Store a call; returns its wire form.

        ``call`` may be an :class:`~cartesia_calls.AgentCall`, a wire-format mapping, or omitted;
        keyword ``fields`` override or add wire fields. A call without an id gets one.

        Args:
            lifecycle: move the call through its states as the clock advances.
            logs: runtime log lines for Get Call Logs.
            recording: a :class:`Recording`, or its length in seconds, for the audio endpoint.
        """
        data = wire_form(call, "call must be an AgentCall or a mapping")
        data.update(fields)
        data.setdefault("id", f"ac_{uuid.uuid4().hex[:16]}")
        data.setdefault("agent_id", "agent_fake")
        data.setdefault("status", "completed" if lifecycle is None else "created")
        call_id = data["id"]
        self.calls[call_id] = data
        if logs is not None:
            self.logs[call_id] = list(logs)
        if recording is not None:
            self.recordings[call_id] = (
                recording if isinstance(recording, Recording) else Recording(float(recording))
            )
        if lifecycle is not None:
            self._lifecycles[call_id] = lifecycle
            self._apply_lifecycle(call_id)
        return data

    # -- handlers ------------------------------------------------------------------------------

    def _call_or_404(self, call_id: str) -> dict[str, Any] | web.Response:
        call = self.calls.get(call_id)
        if call is None:
            return json_error(404, "call_not_found", "Call not found", f"No call {call_id!r}.")
        return call

    async def _get_call(self, request: web.Request) -> web.Response:
        call = self._call_or_404(request.match_info["call_id"])
        if isinstance(call, web.Response):
            return call
        return json_response(render_call(call, legacy=is_legacy(request)))

    async def _list_calls(self, request: web.Request) -> web.Response:
        query = request.query
        agent_id, batch_id = query.get("agent_id"), query.get("batch_id")
        if not agent_id and not batch_id:
            return bad_request("One of agent_id or batch_id is required.")
        batches: Mapping[str, Any] = getattr(self, "batches", {})
        batch = batches.get(batch_id) if batch_id else None
        if (
            batch_id
            and batch is None
            and not any(c.get("batch_id") == batch_id for c in self.calls.values())
        ):
            return json_error(404, "batch_not_found", "Not found", f"No call batch {batch_id!r}.")
        if agent_id and batch is not None and batch.get("agent_id") != agent_id:
            return bad_request(
                f"agent_id {agent_id!r} does not match the agent of batch {batch_id!r}."
            )
        bounds = _time_bounds(query)
        if isinstance(bounds, web.Response):
            return bounds
        low, high = bounds
        items = [
            c
            for c in self.calls.values()
            if (agent_id is None or c.get("agent_id") == agent_id)
            and (batch_id is None or c.get("batch_id") == batch_id)
            and _started_within(c, low, high)
        ]
        # Newest first; calls that never started sort last, ties by id for a stable order.
        items.sort(key=lambda c: (c.get("start_time") or "", c["id"]), reverse=True)
        page = paginate(items, query, "call")
        if isinstance(page, web.Response):
            return page
        legacy = is_legacy(request)
        expand = query.get("expand") == "transcript"
        page["data"] = [
            render_call(
                c if expand else {k: v for k, v in c.items() if k != "transcript"}, legacy=legacy
            )
            for c in page["data"]
        ]
        return json_response(page)

    async def _create_calls(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return json_error(400, "invalid_json", "Bad request", "The body is not JSON.")
        problem = _outbound_problem(body)
        if problem is not None:
            return bad_request(problem)
        from_number = self.phone_numbers.get(body["from_number_id"])
        if from_number is None:
            return json_error(404, "phone_number_not_found", "Not found", "Phone number not found.")
        results = []
        for item in body["outbound_calls"]:
            number = item["to_number"]
            if number in self.unreachable_numbers:
                results.append({"number": number, "error": self.unreachable_numbers[number]})
                continue
            call = self.place_call(
                agent_id=body["agent_id"],
                from_number=from_number,
                to_number=number,
                dynamic_variables=item.get("dynamic_variables"),
                metadata=item.get("metadata"),
                cartesia_version=request_version(request),
            )
            results.append({"number": number, "agent_call_id": call["id"]})
        return json_response({"calls": results})

    def place_call(
        self,
        *,
        agent_id: str,
        from_number: str,
        to_number: str,
        dynamic_variables: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
        cartesia_version: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Store an outbound call placed now: ``created``, ``started`` 1 s later, ended 30 s
        later, running :attr:`outbound_tools` meanwhile; returns its wire form.

        Its webhooks take the shapes of ``cartesia_version`` (default: 2026-08-14).
        """
        call_id = f"ac_{uuid.uuid4().hex[:16]}"
        if cartesia_version is not None:
            self._call_versions[call_id] = cartesia_version
        return self.add_call(
            id=call_id,
            agent_id=agent_id,
            status="created",
            telephony_params={"to": to_number, "from": from_number, "direction": "outbound"},
            telephony_account_type="cartesia",
            dynamic_variables=dict(dynamic_variables or {}),
            metadata=dict(metadata or {}),
            lifecycle=Lifecycle(
                starts_at=self.clock + 1, ends_at=self.clock + 30, tools=tuple(self.outbound_tools)
            ),
            **fields,
        )

    async def _cancel_call(self, request: web.Request) -> web.Response:
        call = self._call_or_404(request.match_info["call_id"])
        if isinstance(call, web.Response):
            return call
        if call["status"] != "started":
            return json_error(
                400,
                "call_not_active",
                "Call not active",
                "The call is not currently active and cannot be cancelled.",
            )
        self._end_call(call, "completed", "api_cancelled", self.clock)
        return json_response({"cancelled": True})

    def _not_ended(self, request: web.Request) -> web.Response:
        # 2026-08-14 documents a 400; 2026-03-01 documented no status, and the fake answered
        # 409 there (our guess then), which it keeps for clients pinned to that version.
        status = 409 if is_legacy(request) else 400
        return json_error(
            status,
            "call_not_ended",
            "Call still in progress",
            "Call is not in a terminal state. Only completed or failed calls can be deleted; "
            "cancel an active call first.",
        )

    async def _delete_call(self, request: web.Request) -> web.Response:
        call = self._call_or_404(request.match_info["call_id"])
        if isinstance(call, web.Response):
            return call
        if call["status"] not in {"completed", "failed"}:
            return self._not_ended(request)
        redacted = {k: v for k, v in call.items() if k in _KEPT_ON_REDACT}
        telephony = call.get("telephony_params") or {}
        kept = {k: telephony[k] for k in ("call_sid", "connection_type") if k in telephony}
        if kept:
            redacted["telephony_params"] = kept
        redacted["redacted_at"] = call.get("redacted_at") or self._stamp()
        self.calls[call["id"]] = redacted
        self.logs.pop(call["id"], None)
        self.recordings.pop(call["id"], None)
        return json_response(render_call(redacted, legacy=is_legacy(request)))

    async def _get_logs(self, request: web.Request) -> web.Response:
        call_id = request.match_info["call_id"]
        lines = self.logs.get(call_id)
        if call_id not in self.calls or lines is None:
            message = "Call not found" if call_id not in self.calls else "Call logs not available"
            return web.json_response(
                {"message": message, "description": "Logs may be missing while the call runs."},
                status=404,
            )
        return json_response({"call_id": call_id, "logs": lines, "updated_at": self._stamp()})

    async def _get_audio(self, request: web.Request) -> web.StreamResponse:
        call_id = request.match_info["call_id"]
        recording = self.recordings.get(call_id)
        if call_id not in self.calls or recording is None:
            return json_error(404, "recording_not_found", "Not found", "No recording.")
        response = web.StreamResponse(headers={"Content-Type": "audio/wav"})
        response.content_length = recording.size
        await response.prepare(request)
        fault = self._active_faults.get(id(request))
        cut_at = recording.size // 2 if fault is not None and fault.action == "truncate" else None
        sent = 0
        pause = fault.body_delay if fault is not None else 0.0
        pause_at = recording.size // 2 if pause else None
        async for chunk in recording.chunks():
            if pause_at is not None and sent >= pause_at:
                await asyncio.sleep(pause)
                pause_at = None
            if cut_at is not None and sent + len(chunk) > cut_at:
                await response.write(chunk[: cut_at - sent])
                transport = request.transport
                if transport is not None:
                    transport.abort()
                return response
            await response.write(chunk)
            sent += len(chunk)
        await response.write_eof()
        return response


def _outbound_problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "The body must be a JSON object."
    for key in ("agent_id", "from_number_id"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"{key} is required."
    items = body.get("outbound_calls")
    if not isinstance(items, list) or not items:
        return "outbound_calls must be a non-empty list."
    for index, item in enumerate(items):
        problem = outbound_item_problem(item, f"outbound_calls[{index}]")
        if problem is not None:
            return problem
    ringing = body.get("ringing_timeout_seconds")
    if ringing is not None and not (isinstance(ringing, int) and 5 <= ringing <= 80):
        return "ringing_timeout_seconds must be 5 to 80."
    return None


def _time_bounds(
    query: Mapping[str, str],
) -> tuple[dt.datetime | None, dt.datetime | None] | web.Response:
    """``start_time_gte``/``start_time_lte`` as aware datetimes, or the API's 400."""
    bounds: list[dt.datetime | None] = []
    for name in ("start_time_gte", "start_time_lte"):
        raw = query.get(name)
        if raw is None:
            bounds.append(None)
            continue
        parsed = parse_time(raw)
        if parsed is None or parsed.tzinfo is None:
            return bad_request(f"{name} is not an RFC 3339 timestamp.")
        bounds.append(parsed)
    low, high = bounds
    if low is not None and high is not None and low > high:
        return bad_request("start_time_gte is after start_time_lte.")
    return low, high


def _started_within(
    call: Mapping[str, Any], low: dt.datetime | None, high: dt.datetime | None
) -> bool:
    if low is None and high is None:
        return True
    parsed = stored_time(call.get("start_time"))
    if parsed is None:
        return False  # a call that never started matches no start-time bound
    return (low is None or parsed >= low) and (high is None or parsed <= high)
