"""The fake server's call batches: storage, seeding, dialing and the ``/agents/calls/batches``
routes (8-12 of the contract)."""

from __future__ import annotations

import datetime as _dt
import itertools
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final, Protocol, cast

import orjson
from aiohttp import web

from ._fake_http import json_error, json_response, paginate

Route = tuple[str, str, Any]

_E164: Final = re.compile(r"^\+[1-9]\d{1,14}$")
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
    }
)
_RECIPIENT_KEYS: Final = frozenset({"to_number", "metadata"})
_INT_RANGES: Final[dict[str, tuple[int, int | None]]] = {
    "target_concurrency_limit": (1, None),
    "ringing_timeout_seconds": (5, 80),
    "max_call_duration_minutes": (1, 480),
}
#: The concurrency a batch gets when create does not say (our choice; not documented).
DEFAULT_TARGET_CONCURRENCY: Final = 1
#: The number ``dial_batch`` calls from when the batch's ``from_number_id`` is not among the
#: fake's ``phone_numbers``.
FAKE_FROM_NUMBER: Final = "+15555550100"
_NOT_DISPATCHED: Final = frozenset({"pending", "cancelled"})
_FINISHED: Final = frozenset({"completed", "failed", "no_answer", "busy"})
_RETRYABLE: Final = frozenset({"failed", "no_answer", "busy"})
#: dial_batch outcomes: recipient status -> (call status, call end_reason, recipient error).
_OUTCOMES: Final[dict[str, tuple[str, str, str | None]]] = {
    "completed": ("completed", "agent_hangup", None),
    "failed": ("failed", "dial_failed", "The call could not be placed."),
    "no_answer": ("failed", "dial_no_answer", "Nobody answered."),
    "busy": ("failed", "dial_busy", "The line was busy."),
}


class _CallStore(Protocol):
    def add_call(self, call: Any = None, /, **fields: Any) -> dict[str, Any]: ...


def _now() -> str:
    return _format(_dt.datetime.now(_dt.UTC))


def _format(value: _dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(_dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="milliseconds") + "Z"


def _parse_time(value: Any) -> _dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=_dt.UTC)


class _Invalid(Exception):
    """A create body the API would reject with 400; the message names the field."""


class BatchesMixin:
    """Call batches kept in memory in wire format, served like the real API.

    Seed them with :meth:`add_batch` (or create them through the API) and make their calls
    happen with :meth:`dial_batch`.
    """

    #: Stored batches in wire format (what Get Call Batch returns, recipients included), by id.
    batches: dict[str, dict[str, Any]]

    def _init_batches(self) -> None:
        self.batches = {}
        self._batch_seq: dict[str, int] = {}
        self._batch_counter = itertools.count()

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
        status ``pending`` and a ``created_at`` unless it has them.
        """
        if batch is None:
            data: dict[str, Any] = {}
        elif hasattr(batch, "to_dict"):
            data = batch.to_dict()
        elif isinstance(batch, Mapping):
            data = dict(batch)
        else:
            raise TypeError("batch must be a CallBatch or a mapping")
        data.update(fields)
        now = _now()
        data.setdefault("id", f"acb_{uuid.uuid4().hex[:16]}")
        data.setdefault("name", "Fake batch")
        data.setdefault("agent_id", "agent_fake")
        data.setdefault("from_number_id", "ap_fake_number")
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
        """Dial every pending recipient of a batch at once; returns the calls created.

        Each pending recipient gets a call in the calls store (outbound, from the batch's
        number, ``+15555550100`` by default, with the recipient's metadata and the batch id as
        the extra wire key ``batch_id``), its ``agent_call_id``, and a final status.
        ``outcomes`` maps a number to the status its recipient ends in: ``completed`` (the
        default), ``failed``, ``no_answer`` or ``busy``; the last three give a ``failed`` call
        with the matching ``dial_*`` end reason. Afterwards the counters are updated and the
        batch is ``completed``. A cancelled batch is left alone (nothing is dialed).

        Raises:
            KeyError: no batch has this id.
            ValueError: an outcome is not one of the four above.
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
        store = cast(_CallStore, self)
        numbers = getattr(self, "phone_numbers", None)
        from_number = FAKE_FROM_NUMBER
        if isinstance(numbers, Mapping):
            from_number = numbers.get(batch.get("from_number_id"), FAKE_FROM_NUMBER)
        now = _now()
        calls: list[dict[str, Any]] = []
        for recipient in batch.get("recipients") or []:
            if recipient.get("status") != "pending":
                continue
            number = recipient.get("to_number")
            status, end_reason, error = _OUTCOMES[outcomes.get(number, "completed")]
            fields: dict[str, Any] = {
                "id": f"ac_{uuid.uuid4().hex[:16]}",
                "agent_id": batch.get("agent_id", "agent_fake"),
                "status": status,
                "batch_id": batch_id,
                "telephony_params": {
                    "to": number,
                    "from": from_number,
                    "direction": "outbound",
                },
                "start_time": now,
                "end_time": now,
                "end_reason": end_reason,
            }
            if recipient.get("metadata") is not None:
                fields["metadata"] = recipient["metadata"]
            if error is not None:
                fields["error_message"] = error
            calls.append(store.add_call(**fields))
            recipient["agent_call_id"] = fields["id"]
            recipient["status"] = outcomes.get(number, "completed")
            if error is None:
                recipient.pop("error_message", None)
            else:
                recipient["error_message"] = error
        batch.setdefault("admitted_at", now)
        batch["status"] = "completed"
        batch["last_updated_at"] = now
        batch.update(_counters(batch.get("recipients") or []))
        return calls

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
            created = _parse_time(batch.get("created_at")) or oldest
            return created, self._batch_seq.get(batch["id"], 0)

        return sorted(self.batches.values(), key=key, reverse=True)

    # -- routes --------------------------------------------------------------------------

    async def _create_batch(self, request: web.Request) -> web.Response:
        try:
            body = orjson.loads(await request.read())
        except orjson.JSONDecodeError:
            return _bad_request("The request body is not valid JSON.")
        try:
            fields = _validate_create(body)
        except _Invalid as exc:
            return _bad_request(str(exc))
        numbers = getattr(self, "phone_numbers", None)
        if isinstance(numbers, Mapping) and fields["from_number_id"] not in numbers:
            return json_error(
                404,
                "phone_number_not_found",
                "Not found",
                f"Phone number {fields['from_number_id']!r} not found.",
            )
        now = _now()
        recipients = [
            {
                "id": f"acbr_{uuid.uuid4().hex[:16]}",
                "to_number": item["to_number"],
                "status": "pending",
                "created_at": now,
                **({"metadata": item["metadata"]} if item.get("metadata") is not None else {}),
            }
            for item in fields["recipients"]
        ]
        batch: dict[str, Any] = {
            "id": f"acb_{uuid.uuid4().hex[:16]}",
            "name": fields["name"],
            "agent_id": fields["agent_id"],
            "from_number_id": fields["from_number_id"],
            "region": "US",
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
        return json_response(_without_recipients(batch), status=201)

    async def _list_batches(self, request: web.Request) -> web.Response:
        items = self._ordered_batches()
        agent_id = request.query.get("agent_id")
        if agent_id is not None:
            items = [b for b in items if b.get("agent_id") == agent_id]
        page = paginate(items, request.query, "call batch")
        if isinstance(page, web.Response):
            return page
        page["data"] = [_without_recipients(b) for b in page["data"]]
        return json_response(page)

    async def _get_batch(self, request: web.Request) -> web.Response:
        batch = self._batch_or_404(request.match_info["batch_id"])
        if isinstance(batch, web.Response):
            return batch
        return json_response(batch)

    async def _cancel_batch(self, request: web.Request) -> web.Response:
        batch = self._batch_or_404(request.match_info["batch_id"])
        if isinstance(batch, web.Response):
            return batch
        # Idempotent: a cancelled batch stays cancelled; a finished one has nothing to stop.
        if batch.get("status") in {"pending", "in_progress"}:
            batch["status"] = "cancelled"
            for recipient in batch.get("recipients") or []:
                if recipient.get("status") == "pending":
                    recipient["status"] = "cancelled"
            batch["last_updated_at"] = _now()
            _recount(batch)
        return json_response(batch)

    async def _retry_batch(self, request: web.Request) -> web.Response:
        batch = self._batch_or_404(request.match_info["batch_id"])
        if isinstance(batch, web.Response):
            return batch
        if batch.get("status") == "cancelled":
            return json_error(
                400,
                "batch_cancelled",
                "Call batch cancelled",
                "A cancelled call batch cannot be retried.",
            )
        requeued = 0
        for recipient in batch.get("recipients") or []:
            if recipient.get("status") in _RETRYABLE:
                recipient["status"] = "pending"
                recipient.pop("error_message", None)
                requeued += 1
        if requeued:
            batch["retry_count"] = int(batch.get("retry_count") or 0) + 1
            batch["status"] = "pending"
            batch["last_updated_at"] = _now()
            _recount(batch)
        return json_response(batch)


def _bad_request(message: str) -> web.Response:
    return json_error(400, "invalid_request", "Invalid request", message)


def _without_recipients(batch: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if k != "recipients"}


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
        data: dict[str, Any] = {"to_number": recipient}
    elif hasattr(recipient, "to_dict"):
        data = recipient.to_dict()
    elif isinstance(recipient, Mapping):
        data = dict(recipient)
    else:
        raise TypeError("each recipient must be a number, a BatchRecipient or a mapping")
    data.setdefault("id", f"acbr_{uuid.uuid4().hex[:16]}")
    data.setdefault("status", "pending")
    data.setdefault("created_at", now)
    return data


def _validate_create(body: Any) -> dict[str, Any]:
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
    if not isinstance(recipients, list) or not 1 <= len(recipients) <= 1000:
        raise _Invalid("recipients must be a list of 1 to 1000 items.")
    for index, item in enumerate(recipients):
        where = f"recipients[{index}]"
        if not isinstance(item, dict):
            raise _Invalid(f"{where} must be an object.")
        extra = sorted(set(item) - _RECIPIENT_KEYS)
        if extra:
            raise _Invalid(f"Unknown field {where}.{extra[0]}.")
        number = item.get("to_number")
        if not isinstance(number, str) or not _E164.match(number):
            raise _Invalid(f"{where}.to_number must be an E.164 phone number, got {number!r}.")
        metadata = item.get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise _Invalid(f"{where}.metadata must be an object.")
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
        fields["scheduled_at"] = _check_scheduled_at(body["scheduled_at"])
    return fields


def _check_scheduled_at(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("scheduled_at must be an RFC 3339 string.")
    try:
        parsed = _dt.datetime.fromisoformat(value)
    except ValueError:
        raise _Invalid(f"scheduled_at is not an RFC 3339 date-time: {value!r}.") from None
    if parsed.tzinfo is None:
        raise _Invalid("scheduled_at must carry a UTC offset.")
    now = _dt.datetime.now(_dt.UTC)
    if parsed <= now:
        raise _Invalid("scheduled_at must be in the future.")
    if parsed > now + _dt.timedelta(days=30):
        raise _Invalid("scheduled_at must be at most 30 days ahead.")
    return _format(parsed)
