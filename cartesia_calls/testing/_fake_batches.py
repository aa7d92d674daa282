"""The fake server's call batches: storage, seeding, dispatching and the
``/agents/calls/batches`` routes.

Recipients move ``queued`` -> ``dispatched`` -> ``started`` -> ``completed`` (or ``failed``) on
the fake's clock: each :meth:`~cartesia_calls.testing.FakeCartesia.advance` dispatches queued
recipients (at most ``target_concurrency_limit`` calls of a batch at once), places their calls,
and copies each call's progress back to its recipient. :meth:`BatchesMixin.dial_batch` does
it all at once, with chosen outcomes. Every timestamp comes from the fake's clock.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import orjson
from aiohttp import web

from .._converter import format_datetime
from ._fake_calls import FAKE_PHONE_NUMBER_ID, CallsMixin
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
from ._fake_versions import is_legacy, render_batch, request_version

_CREATE_KEYS: Final = frozenset(
    {
        "name",
        "agent_id",
        "from_number_id",
        "recipients",
        "target_concurrency_limit",
        "ringing_timeout_seconds",
        "max_call_duration_minutes",
        "scheduled_at",
        "region",
    }
)
_REGIONS: Final = frozenset({"US", "EU", "APAC"})
_INT_RANGES: Final[dict[str, tuple[int, int | None]]] = {
    "target_concurrency_limit": (1, None),
    "ringing_timeout_seconds": (5, 80),
    "max_call_duration_minutes": (1, 480),
}
#: The most recipients one batch may have (the API's limit).
MAX_RECIPIENTS: Final = 5000
#: The concurrency a batch gets when create does not say (our choice; not documented).
DEFAULT_TARGET_CONCURRENCY: Final = 1
#: The number ``dial_batch`` calls from when the batch's ``from_number_id`` is not among the
#: fake's ``phone_numbers``.
FAKE_FROM_NUMBER: Final = "+15555550100"
_NOT_DISPATCHED: Final = frozenset({"queued", "cancelled"})
_IN_FLIGHT: Final = frozenset({"dispatched", "started"})
_FINISHED: Final = frozenset({"completed", "failed"})
_RETRYABLE: Final = frozenset({"failed"})
#: dial_batch outcomes: outcome -> (call status, call end_reason, pre-dial error). ``rejected``
#: fails before dialing: no call is created, the recipient gets an ``error_message``.
_OUTCOMES: Final[dict[str, tuple[str, str, str | None]]] = {
    "completed": ("completed", "agent_hangup", None),
    "failed": ("failed", "dial_failed", None),
    "no_answer": ("failed", "dial_no_answer", None),
    "busy": ("failed", "dial_busy", None),
    "rejected": ("failed", "dial_failed", "The call could not be placed."),
}
_USAGE_LIMIT_MESSAGE: Final = (
    "The organization has reached its agents usage limit. Upgrade the subscription or enable "
    "overages."
)


class _Invalid(Exception):
    """A create body the API would reject with 400; the message names the field."""


class BatchesMixin(CallsMixin):
    """Call batches kept in memory in wire format, served like the real API.

    Seed them with :meth:`add_batch` (or create them through the API); their recipients are
    dispatched as the fake's clock advances, or all at once with :meth:`dial_batch`.
    """

    #: Stored batches in wire format (what Get Call Batch returns, recipients included), by id.
    batches: dict[str, dict[str, Any]]
    #: The most recipients the organization may queue in batches, all batches together;
    #: a batch that would go over it gets the API's 402 (``None``: no limit).
    usage_limit: int | None
    #: Recipients queued in batches so far (counted against :attr:`usage_limit`).
    usage: int

    def _init_batches(self, usage_limit: int | None = None) -> None:
        self.batches = {}
        self.usage_limit = usage_limit
        self.usage = 0
        self._batch_seq: dict[str, int] = {}
        self._batch_counter = itertools.count()
        #: The Cartesia-Version each batch was created under (its calls' webhooks use it).
        self._batch_versions: dict[str, str] = {}

    def _batch_routes(self) -> list[Route]:
        return [
            ("POST", "/agents/calls/batches", self._create_batch),
            ("GET", "/agents/calls/batches", self._list_batches),
            ("GET", "/agents/calls/batches/{batch_id}", self._get_batch),
            ("POST", "/agents/calls/batches/{batch_id}/cancel", self._cancel_batch),
            ("POST", "/agents/calls/batches/{batch_id}/retry", self._retry_batch),
        ]

    # -- seeding and driving ------------------------------------------------------------

    def add_batch(self, batch: Any = None, /, **fields: Any) -> dict[str, Any]:
        """Store a call batch; returns its wire form (recipients included).

        ``batch`` may be a :class:`~cartesia_calls.CallBatch`, a wire-format mapping, or omitted;
        keyword ``fields`` override or add wire fields. Missing fields get defaults: an
        ``acb_...`` id, status ``pending``, region ``US``, timestamps of now, and counters
        computed from the recipients. ``recipients`` may hold numbers (``"+14155550123"``),
        wire mappings or :class:`~cartesia_calls.BatchRecipient` models; each gets an id,
        status ``queued`` and a ``created_at`` unless it has them. A recipient mapping may
        carry ``dynamic_variables`` for its call (never shown back, like the API).
        """
        data = wire_form(batch, "batch must be a CallBatch or a mapping")
        data.update(fields)
        now = self._stamp()
        data.setdefault("id", f"acb_{uuid.uuid4().hex[:16]}")
        data.setdefault("name", "Fake batch")
        data.setdefault("agent_id", "agent_fake")
        data.setdefault("from_number_id", FAKE_PHONE_NUMBER_ID)
        data.setdefault("region", "US")
        data.setdefault("target_concurrency_limit", DEFAULT_TARGET_CONCURRENCY)
        data.setdefault("status", "pending")
        data.setdefault("retry_count", 0)
        data.setdefault("created_at", now)
        data.setdefault("last_updated_at", data["created_at"])
        recipients = data.get("recipients")
        if recipients is not None:
            data["recipients"] = [_seed_recipient(r, now) for r in recipients]
            counters = _counters(data["recipients"])
            for key, value in counters.items():
                data.setdefault(key, value)
        else:
            data.setdefault("total_calls_scheduled", 0)
            data.setdefault("total_calls_dispatched", 0)
            data.setdefault("total_calls_finished", 0)
        self._store_batch(data)
        return data

    def dial_batch(
        self, batch_id: str, *, outcomes: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Dispatch every queued recipient of a batch and finish its call at once; returns the
        calls created.

        Each queued recipient gets a finished call in the calls store (outbound, from the
        batch's number, ``+15555550100`` by default, with the recipient's dynamic variables and
        metadata), its ``agent_call_id``, its final status and the call's ``end_reason``.
        ``outcomes`` maps a number to how its call goes: ``completed`` (the default);
        ``failed``, ``no_answer`` or ``busy`` (a ``failed`` call ending ``dial_failed``,
        ``dial_no_answer`` or ``dial_busy``); ``rejected`` (no call at all: the recipient
        ``failed`` before dialing, with an ``error_message``). Afterwards the counters are
        updated and the batch is ``completed`` (``failed`` if every recipient was rejected).
        A cancelled batch is left alone (nothing is dialed).

        Raises:
            KeyError: no batch has this id.
            ValueError: an outcome is not one of the five above.
        """
        batch = self.batches[batch_id]
        outcomes = dict(outcomes or {})
        for number, outcome in outcomes.items():
            if outcome not in _OUTCOMES:
                raise ValueError(
                    f"outcome for {number!r} must be one of {sorted(_OUTCOMES)}, got {outcome!r}"
                )
        if batch.get("status") == "cancelled":
            return []
        now = self._stamp()
        calls: list[dict[str, Any]] = []
        for recipient in batch.get("recipients") or []:
            if recipient.get("status") != "queued":
                continue
            number = recipient.get("to_number")
            status, end_reason, error = _OUTCOMES[outcomes.get(number, "completed")]
            if error is not None:
                _fail_before_dialing(recipient, error)
                continue
            fields: dict[str, Any] = {
                "id": f"ac_{uuid.uuid4().hex[:16]}",
                "agent_id": batch.get("agent_id", "agent_fake"),
                "status": status,
                "batch_id": batch_id,
                "telephony_params": {
                    "to": number,
                    "from": self._from_number(batch),
                    "direction": "outbound",
                },
                "telephony_account_type": "cartesia",
                "start_time": now,
                "end_time": now,
                "end_reason": end_reason,
                "dynamic_variables": dict(recipient.get("dynamic_variables") or {}),
                "metadata": dict(recipient.get("metadata") or {}),
            }
            version = self._batch_versions.get(batch_id)
            if version is not None:
                self._call_versions[fields["id"]] = version
            call = self.add_call(**fields)
            calls.append(call)
            if status == "completed":
                self._send_call_event("call_started", call, self.clock)
            self._send_end_events(call, self.clock)
            recipient["agent_call_id"] = fields["id"]
            recipient["status"] = status
            recipient["end_reason"] = end_reason
            recipient.pop("error_message", None)
        batch.setdefault("admitted_at", now)
        self._settle(batch)
        return calls

    def _from_number(self, batch: Mapping[str, Any]) -> str:
        return self.phone_numbers.get(str(batch.get("from_number_id")), FAKE_FROM_NUMBER)

    def _due_times(self) -> Iterator[float]:
        yield from super()._due_times()
        for batch in self.batches.values():
            scheduled = stored_time(batch.get("scheduled_at"))
            if scheduled is not None and batch.get("status") == "pending":
                yield (scheduled - self.clock_start).total_seconds()

    def _step(self) -> None:
        super()._step()
        self._tick_batches()

    def _tick_batches(self) -> None:
        """Move every batch along the fake's clock: copy each call's progress to its
        recipient, then dispatch queued recipients into the free concurrency slots."""
        for batch in self.batches.values():
            recipients = batch.get("recipients")
            if not recipients:
                continue
            changed = False
            for recipient in recipients:
                changed |= _follow_call(recipient, self.calls)
            scheduled = stored_time(batch.get("scheduled_at"))
            if batch.get("status") not in {"pending", "in_progress"} or (
                scheduled is not None and self.now() < scheduled
            ):
                if changed:
                    self._settle(batch)
                continue
            limit = int(batch.get("target_concurrency_limit") or DEFAULT_TARGET_CONCURRENCY)
            free = limit - sum(1 for r in recipients if r.get("status") in _IN_FLIGHT)
            for recipient in recipients:
                if free <= 0:
                    break
                if recipient.get("status") != "queued":
                    continue
                changed = True
                number = str(recipient.get("to_number"))
                unreachable = self.unreachable_numbers.get(number)
                if unreachable is not None:
                    message = unreachable.get("message") or "The call could not be placed."
                    _fail_before_dialing(recipient, str(message))
                    continue
                call = self.place_call(
                    agent_id=str(batch.get("agent_id", "agent_fake")),
                    from_number=self._from_number(batch),
                    to_number=number,
                    dynamic_variables=recipient.get("dynamic_variables"),
                    metadata=recipient.get("metadata"),
                    cartesia_version=self._batch_versions.get(batch["id"]),
                    batch_id=batch["id"],
                )
                recipient["agent_call_id"] = call["id"]
                recipient["status"] = "dispatched"
                recipient.pop("end_reason", None)
                free -= 1
            if changed:
                batch.setdefault("admitted_at", self._stamp())
                self._settle(batch)

    def _settle(self, batch: dict[str, Any]) -> None:
        """The batch's status and counters from its recipients, as the API derives them."""
        recipients = batch.get("recipients") or []
        statuses = [r.get("status") for r in recipients]
        if batch.get("status") != "cancelled":
            if statuses and all(
                s == "failed" and r.get("agent_call_id") is None
                for s, r in zip(statuses, recipients, strict=True)
            ):
                batch["status"] = "failed"
            elif "queued" not in statuses:
                batch["status"] = "completed"
            elif any(s not in _NOT_DISPATCHED for s in statuses):
                batch["status"] = "in_progress"
        batch["last_updated_at"] = self._stamp()
        batch.update(_counters(recipients))

    def _store_batch(self, data: dict[str, Any]) -> None:
        if data["id"] not in self._batch_seq:
            self._batch_seq[data["id"]] = next(self._batch_counter)
        self.batches[data["id"]] = data

    def _batch_or_404(self, batch_id: str) -> dict[str, Any] | web.Response:
        batch = self.batches.get(batch_id)
        if batch is None:
            return json_error(
                404, "batch_not_found", "Call batch not found", f"No call batch {batch_id!r}."
            )
        return batch

    def _ordered_batches(self) -> list[dict[str, Any]]:
        """Newest first: by ``created_at``, then by the order they were stored."""
        oldest = _dt.datetime.min.replace(tzinfo=_dt.UTC)

        def key(batch: dict[str, Any]) -> tuple[_dt.datetime, int]:
            created = stored_time(batch.get("created_at")) or oldest
            return created, self._batch_seq.get(batch["id"], 0)

        return sorted(self.batches.values(), key=key, reverse=True)

    # -- routes --------------------------------------------------------------------------

    async def _create_batch(self, request: web.Request) -> web.Response:
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return bad_request("The request body is not valid JSON.")
        try:
            fields = _validate_create(body, self.now())
        except _Invalid as exc:
            return bad_request(str(exc))
        if fields["from_number_id"] not in self.phone_numbers:
            return json_error(
                404,
                "phone_number_not_found",
                "Not found",
                f"Phone number {fields['from_number_id']!r} not found.",
            )
        count = len(fields["recipients"])
        if self.usage_limit is not None and self.usage + count > self.usage_limit:
            return json_error(
                402, "usage_limit_reached", "Usage limit reached", _USAGE_LIMIT_MESSAGE
            )
        self.usage += count
        now = self._stamp()
        recipients = [
            {
                "id": f"acbr_{uuid.uuid4().hex[:16]}",
                "to_number": item["to_number"],
                "status": "queued",
                "created_at": now,
                **{
                    k: item[k] for k in ("dynamic_variables", "metadata") if item.get(k) is not None
                },
            }
            for item in fields["recipients"]
        ]
        batch: dict[str, Any] = {
            "id": f"acb_{uuid.uuid4().hex[:16]}",
            "name": fields["name"],
            "agent_id": fields["agent_id"],
            "from_number_id": fields["from_number_id"],
            "region": fields.get("region", "US"),
            "target_concurrency_limit": fields.get(
                "target_concurrency_limit", DEFAULT_TARGET_CONCURRENCY
            ),
            "status": "pending",
            "retry_count": 0,
            "created_at": now,
            "last_updated_at": now,
            **_counters(recipients),
            "recipients": recipients,
        }
        if "scheduled_at" in fields:
            batch["scheduled_at"] = fields["scheduled_at"]
        self._store_batch(batch)
        self._batch_versions[batch["id"]] = request_version(request)
        return json_response(
            render_batch(batch, legacy=is_legacy(request), recipients=False), status=201
        )

    async def _list_batches(self, request: web.Request) -> web.Response:
        items = self._ordered_batches()
        agent_id = request.query.get("agent_id")
        if agent_id is not None:
            items = [b for b in items if b.get("agent_id") == agent_id]
        page = paginate(items, request.query, "call batch")
        if isinstance(page, web.Response):
            return page
        legacy = is_legacy(request)
        page["data"] = [render_batch(b, legacy=legacy, recipients=False) for b in page["data"]]
        return json_response(page)

    async def _get_batch(self, request: web.Request) -> web.Response:
        batch = self._batch_or_404(request.match_info["batch_id"])
        if isinstance(batch, web.Response):
            return batch
        return json_response(render_batch(batch, legacy=is_legacy(request)))

    async def _cancel_batch(self, request: web.Request) -> web.Response:
        batch = self._batch_or_404(request.match_info["batch_id"])
        if isinstance(batch, web.Response):
            return batch
        # Idempotent: a cancelled batch stays cancelled; a finished one has nothing to stop.
        if batch.get("status") in {"pending", "in_progress"}:
            batch["status"] = "cancelled"
            for recipient in batch.get("recipients") or []:
                if recipient.get("status") == "queued":
                    recipient["status"] = "cancelled"
            batch["last_updated_at"] = self._stamp()
            _recount(batch)
        return json_response(render_batch(batch, legacy=is_legacy(request)))

    async def _retry_batch(self, request: web.Request) -> web.Response:
        batch = self._batch_or_404(request.match_info["batch_id"])
        if isinstance(batch, web.Response):
            return batch
        if batch.get("status") == "cancelled":
            return json_error(
                400,
                "batch_cancelled",
                "Call batch cancelled",
                "Batch is cancelled and cannot be retried.",
            )
        requeued = 0
        for recipient in batch.get("recipients") or []:
            if recipient.get("status") in _RETRYABLE:
                recipient["status"] = "queued"
                recipient.pop("error_message", None)
                recipient.pop("end_reason", None)
                requeued += 1
        if requeued:
            batch["retry_count"] = int(batch.get("retry_count") or 0) + 1
            batch["status"] = "pending"
            batch["last_updated_at"] = self._stamp()
            _recount(batch)
        return json_response(render_batch(batch, legacy=is_legacy(request)))


def _fail_before_dialing(recipient: dict[str, Any], message: str) -> None:
    recipient["status"] = "failed"
    recipient["error_message"] = message
    recipient.pop("agent_call_id", None)
    recipient.pop("end_reason", None)


def _follow_call(recipient: dict[str, Any], calls: Mapping[str, Mapping[str, Any]]) -> bool:
    """Copy the state of a dispatched recipient's call to it; whether anything changed."""
    if recipient.get("status") not in _IN_FLIGHT:
        return False
    call = calls.get(str(recipient.get("agent_call_id")))
    if call is None:
        return False
    status = call.get("status")
    if status in {"completed", "failed"}:
        recipient["status"] = status
        if call.get("end_reason") is not None:
            recipient["end_reason"] = call["end_reason"]
        return True
    if status == "started" and recipient.get("status") != "started":
        recipient["status"] = "started"
        return True
    return False


def _counters(recipients: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    statuses = [r.get("status") for r in recipients]
    return {
        "total_calls_scheduled": len(statuses),
        "total_calls_dispatched": sum(1 for s in statuses if s not in _NOT_DISPATCHED),
        "total_calls_finished": sum(1 for s in statuses if s in _FINISHED),
    }


def _recount(batch: dict[str, Any]) -> None:
    if batch.get("recipients") is not None:
        batch.update(_counters(batch["recipients"]))


def _seed_recipient(recipient: Any, now: str) -> dict[str, Any]:
    if isinstance(recipient, str):
        recipient = {"to_number": recipient}
    data = wire_form(recipient, "each recipient must be a number, a BatchRecipient or a mapping")
    data.setdefault("id", f"acbr_{uuid.uuid4().hex[:16]}")
    data.setdefault("status", "queued")
    data.setdefault("created_at", now)
    return data


def _validate_create(body: Any, now: _dt.datetime) -> dict[str, Any]:
    """The create body as the API would accept it, or :class:`_Invalid` naming the field."""
    if not isinstance(body, dict):
        raise _Invalid("The request body must be a JSON object.")
    unknown = sorted(set(body) - _CREATE_KEYS)
    if unknown:
        raise _Invalid(f"Unknown field {unknown[0]!r}.")
    for key in ("name", "agent_id", "from_number_id"):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _Invalid(f"{key} is required and must be a non-empty string.")
    recipients = body.get("recipients")
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= MAX_RECIPIENTS:
        raise _Invalid(f"recipients must be a list of 1 to {MAX_RECIPIENTS} items.")
    for index, item in enumerate(recipients):
        problem = outbound_item_problem(item, f"recipients[{index}]")
        if problem is not None:
            raise _Invalid(problem)
    if "region" in body and body["region"] not in _REGIONS:
        raise _Invalid(f"region must be one of US, EU, APAC, got {body['region']!r}.")
    for key, (low, high) in _INT_RANGES.items():
        if key not in body:
            continue
        value = body[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(f"{key} must be an integer.")
        if value < low or (high is not None and value > high):
            upper = f" to {high}" if high is not None else " or more"
            raise _Invalid(f"{key} must be {low}{upper}, got {value}.")
    fields = dict(body)
    if "scheduled_at" in body:
        fields["scheduled_at"] = _check_scheduled_at(body["scheduled_at"], now)
    return fields


def _check_scheduled_at(value: Any, now: _dt.datetime) -> str:
    if not isinstance(value, str):
        raise _Invalid("scheduled_at must be an RFC 3339 string.")
    parsed = parse_time(value)
    if parsed is None:
        raise _Invalid(f"scheduled_at is not an RFC 3339 date-time: {value!r}.")
    if parsed.tzinfo is None:
        raise _Invalid("scheduled_at must carry a UTC offset.")
    if parsed <= now:
        raise _Invalid("scheduled_at must be in the future.")
    if parsed > now + _dt.timedelta(days=30):
        raise _Invalid("scheduled_at must be at most 30 days ahead.")
    return format_datetime(parsed)
