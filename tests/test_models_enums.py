"""Open enums as a user meets them: known and unknown values, comparisons, pickling, and batch
statuses."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from cartesia_calls._enums import (
    BatchStatus,
    CallEndReason,
    CallStatus,
    ConnectionType,
    DeploymentRegion,
    RecipientStatus,
    Region,
    TelephonyAccountType,
)
from cartesia_calls._models import (
    AgentCall,
    BatchRecipient,
    CallBatch,
)

from .test_models import decode_error, minimal_call, turn

# --- Statuses and other open enums ------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "member", "terminal"),
    [
        ("created", CallStatus.CREATED, False),
        ("started", CallStatus.STARTED, False),
        ("completed", CallStatus.COMPLETED, True),
        ("failed", CallStatus.FAILED, True),
        ("active", CallStatus.ACTIVE, False),
        ("cancelled", CallStatus.CANCELLED, True),
    ],
)
def test_documented_and_legacy_statuses(status: str, member: CallStatus, terminal: bool) -> None:
    call = AgentCall.from_dict(minimal_call(status=status))

    assert call.status is member
    assert call.status == status
    assert call.is_terminal is terminal
    assert (member in CallStatus.TERMINAL) is terminal
    assert call.to_dict()["status"] == status


def test_unknown_status_is_kept_and_equals_its_string() -> None:
    call = AgentCall.from_dict(minimal_call(status="transferring"))

    assert call.status == "transferring"
    assert isinstance(call.status, CallStatus)
    assert call.status.value == "transferring"
    assert not call.status.is_known
    assert not call.is_terminal
    assert repr(call.status) == "CallStatus('transferring')"
    assert f"{call.status}" == "transferring"
    out = call.to_dict()
    assert out["status"] == "transferring"
    assert type(out["status"]) is str
    assert AgentCall.from_dict(out) == call


def test_unknown_values_of_every_enum_field_are_kept() -> None:
    body = minimal_call(
        end_reason="transferred",
        deployment_region="SA",
        telephony_params={"direction": "sideways", "connection_type": "sip"},
        transcript=[turn(role="tool", end_reason="muted")],
    )
    call = AgentCall.from_dict(body)

    assert call.end_reason == "transferred"
    assert isinstance(call.end_reason, CallEndReason)
    assert call.deployment_region == "SA"
    assert call.telephony_params is not None
    assert call.telephony_params.direction == "sideways"
    assert call.telephony_params.connection_type == "sip"
    assert call.transcript is not None
    assert call.transcript[0].role == "tool"
    assert call.transcript[0].end_reason == "muted"
    assert call.to_dict() == body


def test_known_values_compare_to_strings_and_members() -> None:
    member: CallStatus = CallStatus.COMPLETED
    assert member == "completed"
    assert "completed" == member  # noqa: SIM300 - both sides, on purpose
    assert CallStatus("completed") is CallStatus.COMPLETED
    assert {"completed": 1}[CallStatus.COMPLETED] == 1
    assert CallStatus("transferring") == CallStatus("transferring")
    assert CallStatus("transferring") != CallStatus.COMPLETED
    assert repr(CallStatus.COMPLETED) == "<CallStatus.COMPLETED: 'completed'>"
    assert DeploymentRegion("APAC") is DeploymentRegion.APAC
    assert Region("EU") is DeploymentRegion.EU  # the older name of the same enum
    assert RecipientStatus("dispatched") is RecipientStatus.DISPATCHED
    assert ConnectionType("phone") is ConnectionType.PHONE
    assert TelephonyAccountType("sip_trunk") is TelephonyAccountType.SIP_TRUNK
    # Statuses this SDK once invented are unknown now: the API never sent them.
    assert not RecipientStatus("no_answer").is_known
    assert not RecipientStatus("pending").is_known
    assert "transferring" not in [m.value for m in CallStatus]  # unknowns are never listed


def test_unknown_enum_values_do_not_accumulate() -> None:
    before = len(CallStatus._value2member_map_)
    for i in range(1000):
        assert CallStatus(f"new_status_{i}") == f"new_status_{i}"
    assert len(CallStatus._value2member_map_) == before


def test_unknown_member_survives_pickle() -> None:
    member = CallStatus("transferring")
    assert pickle.loads(pickle.dumps(member)) == member


@pytest.mark.parametrize("value", [3, None, 1.5, ["completed"], {"v": "completed"}, True])
def test_enums_reject_values_that_are_not_strings(value: Any) -> None:
    with pytest.raises(ValueError, match="is not a valid CallStatus"):
        CallStatus(value)


def test_non_string_status_is_a_decode_error() -> None:
    error = decode_error(minimal_call(status=5))
    assert error.path == "$.status"
    assert "expected a string, got integer" in str(error)


def test_batch_statuses() -> None:
    assert BatchStatus.CANCELLED.is_terminal
    assert not BatchStatus.IN_PROGRESS.is_terminal
    assert not BatchStatus("paused").is_terminal
    assert {"completed", "failed", "cancelled"} == BatchStatus.TERMINAL
    assert {"completed", "failed", "cancelled"} == RecipientStatus.TERMINAL
    assert not RecipientStatus.STARTED.is_terminal
    assert not RecipientStatus("ringing").is_terminal


def _batch(
    status: str, *statuses: str, scheduled: int | None = None, finished: int | None = None
) -> CallBatch:
    recipients = [
        BatchRecipient(id=f"r{i}", status=RecipientStatus(s)) for i, s in enumerate(statuses)
    ]
    return CallBatch(
        id="acb_1",
        status=BatchStatus(status),
        recipients=recipients or None,
        total_calls_scheduled=scheduled,
        total_calls_finished=finished,
    )


@pytest.mark.parametrize(
    ("batch", "ended"),
    [
        (_batch("completed", "completed", "started"), False),  # dispatched, a call still on
        (_batch("completed", "completed", "failed"), True),
        (_batch("in_progress", "completed", "queued"), False),
        (_batch("cancelled", "completed", "cancelled"), True),
        (_batch("cancelled", "dispatched", "cancelled"), False),
        (_batch("failed", "failed", "failed"), True),
        (_batch("completed", scheduled=3, finished=2), False),
        (_batch("completed", scheduled=3, finished=3), True),
        (_batch("in_progress", scheduled=3, finished=0), False),
        (_batch("cancelled", scheduled=3, finished=1), None),
        (_batch("completed"), None),  # neither recipients nor counters
    ],
)
def test_all_calls_ended_looks_at_the_calls_not_the_dispatching(
    batch: CallBatch, ended: bool | None
) -> None:
    assert batch.all_calls_ended is ended
