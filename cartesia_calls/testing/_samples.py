"""Realistic sample calls: for the demo, ``cartesia-calls serve-fake``, docs, tests and benchmarks.

::

    from cartesia_calls.testing import FakeCartesia, seed_samples

    async with FakeCartesia() as fake:
        seed_samples(fake)  # three agents, a dozen calls, logs, recordings, a call batch
        async with fake.client() as client:
            async for call in client.calls.list(agent_id="agent_dental_frontdesk"):
                print(call.id, call.status, call.summary)

Everything here is deterministic: the same call comes out of every run, byte for byte. Variation
(latencies, pauses) comes from a :class:`random.Random` seeded with the call's id, never from the
global random state. Phone numbers are from ranges reserved for fiction (``555-01xx``, Ofcom's
drama ranges).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeAlias

from .._models import AgentCall

if TYPE_CHECKING:
    from ._fake import FakeCartesia

__all__ = ["make_call", "sample_calls", "seed_samples"]

#: The sample agents: id -> name.
SAMPLE_AGENTS: Final[Mapping[str, str]] = {
    "agent_dental_frontdesk": "Bright Smile Dental front desk",
    "agent_fiber_support": "Acme Fiber tech support",
    "agent_pharmacy_refills": "Northside Pharmacy refill reminders",
}
#: The sample call batch (the pharmacy's outbound refill reminders).
SAMPLE_BATCH_ID: Final = "acb_refills_0301"
#: The sample call with the richest transcript (tool calls, an interruption, events, metrics).
SAMPLE_CALL_ID: Final = "ac_dental_reschedule"
#: The sample phone number id that places outbound calls (``from_number_id``).
SAMPLE_FROM_NUMBER_ID: Final = "pn_fake_number"

# The pharmacy's outbound calls, which form the sample batch.
_BATCH_CALL_PREFIX = "ac_refill_"
_DENTAL = "agent_dental_frontdesk"
_FIBER = "agent_fiber_support"
_PHARMACY = "agent_pharmacy_refills"
_DENTAL_NUMBER = "+14155550100"
_FIBER_NUMBER = "+442079460000"
_PHARMACY_NUMBER = "+13125550100"
_DEPLOYMENTS: Final[Mapping[str, tuple[str, str, str]]] = {
    _DENTAL: ("ad_dental_01", "av_dental_07", "US"),
    _FIBER: ("ad_fiber_02", "av_fiber_12", "EU"),
    _PHARMACY: ("ad_pharmacy_01", "av_pharmacy_03", "US"),
}


# -- a tiny script language --------------------------------------------------------------------


class _Tool(NamedTuple):
    name: str
    arguments: dict[str, Any]
    result: str
    seconds: float = 0.6  # how long the tool took (a pause before the agent speaks again)
    assigns: dict[str, Any] = {}  # noqa: RUF012 - dynamic variables it sets (never mutated)


class _Say(NamedTuple):
    role: str  # "user" or "assistant"
    text: str
    tools: tuple[_Tool, ...] = ()
    interrupted: bool = False


class _Event(NamedTuple):
    event: str
    metadata: dict[str, Any]


class _Metric(NamedTuple):
    name: str
    value: float


_Line: TypeAlias = _Say | _Event | _Metric


def _agent(text: str, *tools: _Tool, interrupted: bool = False) -> _Say:
    return _Say("assistant", text, tools, interrupted)


def _user(text: str) -> _Say:
    return _Say("user", text)


def _iso(moment: dt.datetime) -> str:
    text = moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z").replace(".000Z", "Z")


def _transcript(
    script: Sequence[_Line],
    rng: random.Random,
    *,
    prefix: str,
    variables: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Wire-format turns for a script, with plausible timing and latency figures. Tools that
    assign dynamic variables record the updates and change ``variables`` in place."""
    turns: list[dict[str, Any]] = []
    clock = round(rng.uniform(0.3, 0.8), 3)
    tool_number = 0
    for line in script:
        if isinstance(line, _Event | _Metric):
            at = round(clock, 3)
            turn: dict[str, Any] = {"role": "system", "start_timestamp": at, "end_timestamp": at}
            if isinstance(line, _Event):
                turn["log_event"] = {
                    "event": line.event,
                    "metadata": line.metadata,
                    "timestamp": at,
                }
            else:
                turn["log_metric"] = {"name": line.name, "value": line.value, "timestamp": at}
            turns.append(turn)
            continue
        words = line.text.split()
        start = round(clock, 3)
        if line.role == "user":
            duration = 0.34 * len(words) + rng.uniform(0.2, 0.6)
            turn = {
                "role": "user",
                "start_timestamp": start,
                "end_timestamp": round(start + duration, 3),
                "text": line.text,
                "vad_buffer_ms": rng.choice((200, 300, 300, 400)),
                "stt_ttfb": round(rng.uniform(0.09, 0.32), 3),
            }
        else:
            chunks = []
            at = start
            for first in range(0, len(words), 7):
                piece = words[first : first + 7]
                chunks.append({"text": " ".join(piece), "start_timestamp": round(at, 3)})
                at += 0.31 * len(piece)
            duration = at - start + 0.15
            if line.interrupted:
                duration *= 0.6
            turn = {
                "role": "assistant",
                "start_timestamp": start,
                "end_timestamp": round(start + duration, 3),
                "text": line.text,
                "text_chunks": chunks,
                "end_reason": "interrupted" if line.interrupted else "tts_completed",
                "tts_ttfb": round(rng.uniform(0.16, 0.42), 3),
            }
            if line.tools:
                calls = []
                for tool in line.tools:
                    tool_number += 1
                    tool_call: dict[str, Any] = {
                        "id": f"tool_{prefix}_{tool_number:03d}",
                        "name": tool.name,
                        "arguments": tool.arguments,
                        "result": tool.result,
                    }
                    if tool.assigns and variables is not None:
                        tool_call["dynamic_variable_updates"] = [
                            {
                                "variable_name": name,
                                "old_value": variables.get(name),
                                "new_value": value,
                                "updated_at": round(start + duration, 3),
                                "tool_id": f"tool_cfg_{tool.name}",
                                "tool_call_id": tool_call["id"],
                            }
                            for name, value in tool.assigns.items()
                        ]
                        variables.update(tool.assigns)
                    calls.append(tool_call)
                    duration += tool.seconds
                turn["tool_calls"] = calls
        turns.append(turn)
        clock = start + duration + rng.uniform(0.35, 1.1)
    return turns


def _call(
    call_id: str,
    agent_id: str,
    *,
    start: str,
    script: Sequence[_Line] = (),
    length: float | None = None,
    status: str = "completed",
    end_reason: str = "agent_hangup",
    direction: str = "inbound",
    caller: str | None = None,
    summary: str | None = None,
    error_message: str | None = None,
    metadata: dict[str, Any] | None = None,
    dynamic_variables: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A call in wire format (both versions' fields: each version's view shows its own);
    ``length`` (seconds) defaults to the end of the transcript. ``dynamic_variables`` are the
    initial values; tools that assign variables leave the final ones in the call."""
    rng = random.Random(call_id)  # noqa: S311 - reproducible sample data, not secrets
    variables = dict(dynamic_variables or {})
    transcript = _transcript(script, rng, prefix=call_id.removeprefix("ac_"), variables=variables)
    if length is None:
        length = (transcript[-1]["end_timestamp"] if transcript else 0.0) + rng.uniform(0.8, 2.0)
    started = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    deployment, version, region = _DEPLOYMENTS[agent_id]
    own = {_DENTAL: _DENTAL_NUMBER, _FIBER: _FIBER_NUMBER, _PHARMACY: _PHARMACY_NUMBER}[agent_id]
    other = caller or "+14155550134"
    data: dict[str, Any] = {
        "id": call_id,
        "agent_id": agent_id,
        "agent_name": SAMPLE_AGENTS[agent_id],
        "status": status,
        "start_time": _iso(started),
        "end_time": _iso(started + dt.timedelta(seconds=round(length, 3))),
        "transcript": transcript,
        "telephony_params": {
            "to": own if direction == "inbound" else other,
            "from": other if direction == "inbound" else own,
            "call_sid": "CA" + rng.randbytes(16).hex(),
            "direction": direction,
            "connection_type": "websocket",
        },
        "telephony_account_type": "cartesia",
        "summary": summary,
        "error_message": error_message,
        "end_reason": end_reason,
        "deployment_id": deployment,
        "deployment_version_id": version,
        "deployment_region": region,
        "zdr_enabled": False,
        "metadata": metadata or {},
        "dynamic_variables": variables,
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


# -- the data set -------------------------------------------------------------------------------

_GREETING = "Thanks for calling Bright Smile Dental, this is Maya. How can I help you today?"
_FIBER_GREETING = (
    "Hi, you've reached Acme Fiber support. I'm Sam, a virtual assistant. What can I help with?"
)


def _dental_calls() -> list[dict[str, Any]]:
    reschedule: list[_Line] = [
        _agent(_GREETING),
        _user("Hi Maya. I have a cleaning on Thursday and I need to move it; something came up."),
        _agent("No problem, I can help with that. Can I get the phone number on your account?"),
        _user(
            "Sure, the one I'm calling from. Four one five, five five five, zero one three four."
        ),
        _agent(
            "Thanks, one moment while I pull that up.",
            _Tool(
                "lookup_patient",
                {"phone": "+14155550134"},
                '{"patient_id": "pt_20931", "name": "Jordan Lee", "next_appointment": '
                '{"id": "appt_88412", "type": "cleaning", "provider": "Dr. Patel", '
                '"starts_at": "2026-03-05T15:30:00-08:00"}}',
                0.4,
            ),
        ),
        _agent(
            "I see you, Jordan. Your cleaning with Dr. Patel is this Thursday at three thirty. "
            "What day would work better?"
        ),
        _user("Do you have anything early next week? Monday or Tuesday morning?"),
        _agent(
            "Let me check Dr. Patel's calendar.",
            _Tool(
                "find_open_slots",
                {
                    "provider": "Dr. Patel",
                    "appointment_type": "cleaning",
                    "date_from": "2026-03-09",
                    "date_to": "2026-03-10",
                    "part_of_day": "morning",
                },
                '{"slots": ["2026-03-09T08:30:00-07:00", "2026-03-10T09:00:00-07:00", '
                '"2026-03-10T11:15:00-07:00"]}',
                0.9,
            ),
        ),
        _agent(
            "Dr. Patel has Monday at eight thirty, or Tuesday at nine or at eleven fifteen.",
            interrupted=True,
        ),
        _user("Tuesday at nine is perfect."),
        _agent(
            "Great, moving you to Tuesday, March tenth at nine a.m.",
            _Tool(
                "reschedule_appointment",
                {"appointment_id": "appt_88412", "starts_at": "2026-03-10T09:00:00-07:00"},
                '{"status": "confirmed", "confirmation_code": "BSD-4471"}',
                0.7,
            ),
        ),
        _Event(
            "appointment_rescheduled",
            {"appointment_id": "appt_88412", "from": "2026-03-05T15:30", "to": "2026-03-10T09:00"},
        ),
        _agent(
            "You're all set. Your confirmation code is B S D four four seven one, and you'll get "
            "a text reminder the day before. Is there anything else I can help with?"
        ),
        _user("No, that's it. Thanks so much!"),
        _agent("You're welcome, Jordan. Have a great day!"),
        _Metric("llm_ttft_ms", 312.0),
    ]
    insurance: list[_Line] = [
        _agent(_GREETING),
        _user("Hi, I just moved here and I'm looking for a dentist. Do you take Delta Dental PPO?"),
        _agent(
            "Let me check that for you.",
            _Tool(
                "check_insurance",
                {"carrier": "Delta Dental", "plan_type": "PPO"},
                '{"in_network": true, "notes": "Preventive care usually covered at 100%"}',
            ),
        ),
        _agent(
            "Good news: we're in network with Delta Dental PPO, and preventive visits like "
            "cleanings are usually covered in full. Would you like to book a new patient exam?"
        ),
        _user("Not yet, I need to check my schedule first. What are your hours?"),
        _agent(
            "We're open Monday through Friday from eight to six, and Saturdays from nine to two."
        ),
        _user("Okay, great. I'll call back. Bye!"),
    ]
    emergency: list[_Line] = [
        _agent(
            "Thanks for calling Bright Smile Dental. The office is closed right now, but I can "
            "still help. What's going on?"
        ),
        _user("I chipped a tooth at dinner and it really hurts. Like, a lot."),
        _agent("I'm sorry, that sounds painful. Is there any bleeding, or swelling in your jaw?"),
        _user("A little bleeding. No swelling."),
        _agent(
            "Thank you. I'm connecting you with our on-call dentist, Dr. Alvarez, right now. "
            "Please stay on the line.",
            _Tool(
                "page_on_call",
                {
                    "reason": "chipped tooth, pain 8/10, minor bleeding",
                    "callback_number": "+15105550187",
                },
                '{"paged": true, "provider": "Dr. Alvarez", "eta_seconds": 20}',
                1.2,
            ),
        ),
        _Event("transfer_to_human", {"target": "on_call", "provider": "Dr. Alvarez"}),
        _agent("Dr. Alvarez is joining the call now."),
    ]
    silence: list[_Line] = [
        _agent(_GREETING),
        _agent("Hello? Are you still there?"),
        _agent("I'm not hearing anything, so I'll end the call. Please call back any time."),
    ]
    return [
        _call(
            "ac_dental_reschedule",
            _DENTAL,
            start="2026-03-01T09:14:03Z",
            script=reschedule,
            summary="Jordan Lee moved a Thursday 3:30 pm cleaning with Dr. Patel to Tuesday, "
            "March 10 at 9:00 am (confirmation BSD-4471). A text reminder will be sent the day "
            "before.",
            metadata={"clinic": "mission-st"},
        ),
        _call(
            "ac_dental_insurance",
            _DENTAL,
            start="2026-03-01T08:47:22Z",
            script=insurance,
            end_reason="client_hangup",
            caller="+16505550172",
            summary="A prospective new patient asked whether Delta Dental PPO is accepted (it is "
            "in network) and asked for opening hours; no appointment was booked.",
            metadata={"clinic": "mission-st"},
        ),
        _call(
            "ac_dental_emergency",
            _DENTAL,
            start="2026-02-28T17:32:10Z",
            script=emergency,
            caller="+15105550187",
            summary="An after-hours caller with a painful chipped tooth and minor bleeding was "
            "triaged and transferred to the on-call dentist, Dr. Alvarez.",
            metadata={"clinic": "mission-st", "after_hours": True},
        ),
        {
            # Deleted through the API: only the record and a few routing fields are left.
            "id": "ac_dental_redacted",
            "agent_id": _DENTAL,
            "agent_name": SAMPLE_AGENTS[_DENTAL],
            "status": "completed",
            "start_time": "2026-02-28T11:05:44Z",
            "end_time": "2026-02-28T11:09:02Z",
            "end_reason": "client_hangup",
            "telephony_params": {
                "call_sid": "CA5d1e0c2b9a8f47e6b3c1d0a9f8e7d6c5",
                "connection_type": "websocket",
            },
            "telephony_account_type": "cartesia",
            "deployment_id": "ad_dental_01",
            "deployment_version_id": "av_dental_07",
            "deployment_region": "US",
            "zdr_enabled": False,
            "redacted_at": "2026-02-28T16:00:00Z",
        },
        _call(
            "ac_dental_silence",
            _DENTAL,
            start="2026-02-27T14:10:05Z",
            script=silence,
            length=24.0,
            end_reason="inactivity",
            caller="+14085550166",
            summary="No response from the caller; the agent ended the call after 20 seconds of "
            "silence.",
        ),
    ]


def _fiber_calls() -> list[dict[str, Any]]:
    outage: list[_Line] = [
        _agent(_FIBER_GREETING),
        _user("My internet's been down since this morning. The light on the box is blinking red."),
        _agent("Sorry about that. What's the address on the account?"),
        _user("It's twenty two Harbour Road, flat three."),
        _agent(
            "Thanks, checking your area now.",
            _Tool(
                "check_outage",
                {"address": "22 Harbour Road, Flat 3"},
                '{"outage": true, "area": "Harbour district", "cause": "fibre cut during '
                'roadworks", "eta": "2026-03-01T16:00:00Z"}',
                0.8,
            ),
        ),
        _agent(
            "There's a known outage in the Harbour district. A fibre cable was cut during "
            "roadworks, and engineers expect service back by four p.m. today."
        ),
        _user("Ugh. Okay. Can I get a credit for the downtime?"),
        _agent(
            "Yes. I've opened a ticket for a service credit; it will show on your next bill.",
            _Tool(
                "create_ticket",
                {
                    "account_id": "acct_55120",
                    "type": "service_credit",
                    "reason": "outage 2026-03-01",
                },
                '{"ticket_id": "TCK-190233", "credit_eur": 4.5}',
                0.6,
            ),
        ),
        _Metric("tool_latency_ms", 640.0),
        _user("Can you text me when it's fixed?"),
        _agent(
            "Done: you'll get a text as soon as the Harbour district is back online. "
            "Anything else?",
            _Tool(
                "subscribe_outage_updates",
                {"phone": "+447700900321", "outage_area": "Harbour district"},
                '{"subscribed": true}',
                0.3,
            ),
        ),
        _user("No, that's all. Thanks, Sam."),
    ]
    failing: list[_Line] = [
        _agent(_FIBER_GREETING),
        _user("I want to know why my bill went up this month."),
        _agent(
            "Let me look at your account.",
            _Tool("get_account", {"phone": "+447700900654"}, "error: timed out after 10.0s", 10.0),
        ),
        _Event("agent_error", {"exception": "TimeoutError", "tool": "get_account"}),
    ]
    zdr = _call(
        "ac_fiber_zdr",
        _FIBER,
        start="2026-03-01T07:58:12Z",
        length=187.4,
        caller="+447700900118",
        zdr_enabled=True,
    )
    # Zero data retention: nothing said on the call is kept, nor its dynamic variables.
    del zdr["transcript"], zdr["dynamic_variables"]
    return [
        _call(
            "ac_fiber_outage",
            _FIBER,
            start="2026-03-01T10:22:41Z",
            script=outage,
            end_reason="client_hangup",
            caller="+447700900321",
            summary="The caller's connection was down because of a fibre cut in the Harbour "
            "district (fix expected by 16:00). A service credit ticket (TCK-190233) was opened and "
            "the caller subscribed to outage text updates.",
            metadata={"account_id": "acct_55120", "plan": "fibre_500"},
        ),
        zdr,
        _call(
            "ac_fiber_error",
            _FIBER,
            start="2026-02-28T21:41:09Z",
            script=failing,
            status="failed",
            end_reason="error",
            caller="+447700900654",
            error_message="Agent code raised TimeoutError in tool 'get_account': the billing API "
            "did not answer within 10 s.",
            summary="The caller asked why their bill went up; the call failed when the billing "
            "lookup timed out.",
        ),
    ]


def _pharmacy_calls() -> list[dict[str, Any]]:
    refill: list[_Line] = [
        _agent(
            "Hi, this is the automated assistant from Northside Pharmacy, calling for Dana. "
            "Is this Dana?"
        ),
        _user("Yes, speaking."),
        _agent(
            "Great. Your refill of lisinopril, ten milligrams, is ready. Would you like to pick it "
            "up, or have it delivered?"
        ),
        _user("I'll pick it up. Tomorrow afternoon?"),
        _agent(
            "Perfect, I'll hold it at the counter for you.",
            _Tool(
                "confirm_refill",
                {"rx_number": "RX-448120", "fulfilment": "pickup", "pickup_date": "2026-03-02"},
                '{"held_until": "2026-03-09", "copay_usd": 5.0}',
                0.5,
                {"pickup_date": "2026-03-02", "copay_usd": 5.0, "refill_confirmed": True},
            ),
        ),
        _agent("It's on hold until March ninth, and your copay is five dollars. Anything else?"),
        _user("Nope, thank you."),
        _agent("Thanks, Dana. Goodbye!"),
    ]
    voicemail: list[_Line] = [
        _Event("voicemail_detected", {"confidence": 0.97}),
        _agent(
            "Hi, this is Northside Pharmacy calling for Tom with a message about a prescription. "
            "Please call us back at three one two, five five five, zero one hundred. Thank you."
        ),
    ]
    return [
        _call(
            "ac_refill_dana",
            _PHARMACY,
            start="2026-03-01T11:00:04Z",
            script=refill,
            direction="outbound",
            caller="+13125550144",
            summary="Dana confirmed pickup of her lisinopril 10 mg refill tomorrow afternoon; it "
            "is held until March 9 with a $5 copay.",
            metadata={"patient_first_name": "Dana", "rx_number": "RX-448120"},
            dynamic_variables={"patient_first_name": "Dana", "rx_number": "RX-448120"},
        ),
        _call(
            "ac_refill_marcus",
            _PHARMACY,
            start="2026-03-01T11:00:05Z",
            length=60.0,
            status="failed",
            end_reason="dial_no_answer",
            direction="outbound",
            caller="+13125550178",
            error_message="Nobody answered within the 60 s ringing timeout.",
            metadata={"patient_first_name": "Marcus", "rx_number": "RX-448377"},
            dynamic_variables={"patient_first_name": "Marcus", "rx_number": "RX-448377"},
        ),
        _call(
            "ac_refill_priya",
            _PHARMACY,
            start="2026-03-01T11:00:06Z",
            length=4.0,
            status="failed",
            end_reason="dial_busy",
            direction="outbound",
            caller="+13125550191",
            error_message="The line was busy.",
            metadata={"patient_first_name": "Priya", "rx_number": "RX-449002"},
            dynamic_variables={"patient_first_name": "Priya", "rx_number": "RX-449002"},
        ),
        _call(
            "ac_refill_tom",
            _PHARMACY,
            start="2026-03-01T11:00:07Z",
            script=voicemail,
            direction="outbound",
            caller="+13125550123",
            summary="Reached voicemail; left a message asking Tom to call the pharmacy back.",
            metadata={"patient_first_name": "Tom", "rx_number": "RX-447915"},
            dynamic_variables={"patient_first_name": "Tom", "rx_number": "RX-447915"},
        ),
    ]


def sample_calls() -> list[AgentCall]:
    """The sample data set: a dozen realistic calls of three agents, grouped by agent.

    - ``agent_dental_frontdesk`` (inbound): a reschedule with three tool calls, an
      interruption, an event and a metric (:data:`SAMPLE_CALL_ID`); an insurance question; an
      after-hours transfer to a human; a redacted call; a caller who never spoke.
    - ``agent_fiber_support`` (inbound, EU): an outage report with tool calls; a
      zero-data-retention call (no transcript); a call that ``failed`` with ``end_reason="error"``.
    - ``agent_pharmacy_refills`` (outbound, batch ``acb_refills_0301``): a confirmed refill, a
      ``dial_no_answer``, a ``dial_busy`` and a voicemail.

    Transcripts carry what the API sends: ``text_chunks``, ``stt_ttfb``/``vad_buffer_ms`` on user
    turns, ``tts_ttfb``/``end_reason`` on assistant turns, ``tool_calls`` with arguments and
    results, ``system`` turns with a ``log_event`` or ``log_metric``. Every call is built fresh
    (the models are frozen, but their dicts and lists are not shared between calls).
    """
    return [
        AgentCall.from_dict(data) for data in _dental_calls() + _fiber_calls() + _pharmacy_calls()
    ]


def sample_logs(call: AgentCall) -> list[str] | None:
    """Runtime log lines the agent's code would have printed during ``call`` (``None`` when the
    API keeps none: redacted, zero data retention, or never connected)."""
    if call.is_redacted or call.zdr_enabled or not call.transcript or call.start_time is None:
        return None
    start = call.start_time

    def at(seconds: float) -> str:
        return _iso(start + dt.timedelta(seconds=seconds))

    params = call.telephony_params
    route = f"{params.from_} -> {params.to}" if params is not None else "unknown route"
    direction = params.direction if params is not None and params.direction else "inbound"
    lines = [
        f"{at(0)} INFO  agent: {direction} call {call.id} connected ({route}), "
        f"deployment {call.deployment_version_id}"
    ]
    for turn in call.transcript:
        for tool in turn.tool_calls or ():
            lines.append(
                f"{at(turn.start_timestamp)} INFO  tools: {tool.name} {_json(tool.arguments)}"
            )
            level = "ERROR" if (tool.result or "").startswith("error") else "INFO "
            lines.append(f"{at(turn.end_timestamp)} {level} tools: {tool.name} -> {tool.result}")
        if turn.log_event is not None:
            event = turn.log_event
            lines.append(
                f"{at(turn.start_timestamp)} INFO  events: {event.event} {_json(event.metadata)}"
            )
        if turn.log_metric is not None:
            metric = turn.log_metric
            lines.append(
                f"{at(turn.start_timestamp)} INFO  metrics: {metric.name}={metric.value:g}"
            )
    end = call.duration.total_seconds() if call.duration is not None else 0.0
    if call.error_message:
        lines.append(f"{at(end)} ERROR agent: {call.error_message}")
    lines.append(f"{at(end)} INFO  agent: call ended ({call.end_reason}) after {end:.1f}s")
    return lines


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def sample_recording_seconds(call: AgentCall) -> float | None:
    """How long ``call``'s recording is (``None`` when the API keeps none)."""
    if call.is_redacted or call.zdr_enabled or not call.transcript or call.duration is None:
        return None
    return round(call.duration.total_seconds(), 1)


def seed_samples(fake: FakeCartesia) -> list[AgentCall]:
    """Load :func:`sample_calls` into a :class:`FakeCartesia`, with what goes with them.

    Each call comes with its runtime logs (Get Call Logs) and a recording as long as the call
    (Get Call Audio) unless the real API would have none for it (redacted, zero data retention,
    never answered). The pharmacy's calls also form the call batch ``acb_refills_0301``
    (``client.calls.list(batch_id="acb_refills_0301")``, ``client.batches.get(...)``).

    Returns:
        The calls that were added.
    """
    from ._fake_audio import Recording  # noqa: PLC0415 - aiohttp only when a fake is in use

    calls = sample_calls()
    recipients = []
    for call in calls:
        seconds = sample_recording_seconds(call)
        in_batch = call.id.startswith(_BATCH_CALL_PREFIX)
        stored = fake.add_call(
            call, logs=sample_logs(call), recording=None if seconds is None else Recording(seconds)
        )
        if in_batch:
            stored["batch_id"] = SAMPLE_BATCH_ID  # the fake's bookkeeping: never on the wire
        if not in_batch:
            continue
        recipient: dict[str, Any] = {
            "id": "acbr_" + call.id.removeprefix(_BATCH_CALL_PREFIX),
            "to_number": call.telephony_params.to if call.telephony_params else None,
            "status": str(call.status),
            "created_at": "2026-03-01T10:59:30Z",
            "agent_call_id": call.id,
            "end_reason": str(call.end_reason),
            "metadata": call.metadata,
        }
        recipients.append(recipient)
    fake.add_batch(
        id=SAMPLE_BATCH_ID,
        name="March refill reminders",
        agent_id=_PHARMACY,
        from_number_id=SAMPLE_FROM_NUMBER_ID,
        region="US",
        target_concurrency_limit=4,
        status="completed",
        retry_count=0,
        created_at="2026-03-01T10:59:30Z",
        last_updated_at="2026-03-01T11:02:10Z",
        admitted_at="2026-03-01T11:00:00Z",
        recipients=recipients,
    )
    return calls


# -- calls of any length, for benchmarks and stress tests --------------------------------------

_BENCH_SCRIPT: Final[tuple[tuple[str, str], ...]] = (
    ("assistant", "Thanks for calling Acme support, this is Ava. How can I help you today?"),
    ("user", "Hi, I'd like to check on an order I placed last week. It hasn't arrived yet."),
    ("assistant", "Of course. Could you give me the order number, please?"),
    ("user", "Sure, it's four two seven one, nine nine zero."),
    ("assistant", "Thanks. Let me look that up for you."),
    (
        "assistant",
        "Your package left our warehouse on Monday and should arrive tomorrow before noon.",
    ),
    ("user", "Oh good. Can you send me the tracking link by text?"),
    ("assistant", "Done. You should get it in the next minute or so."),
    ("user", "While I have you, I also want to update my delivery address for future orders."),
    ("assistant", "Sure. What's the new address?"),
    ("user", "It's eighteen Elm Street, apartment four B, Springfield, zero one one zero three."),
    ("assistant", "Got it, I've updated your address. Is there anything else I can help with?"),
    ("user", "Actually yes, I was charged twice for shipping on that order."),
    ("assistant", "I'm sorry about that. I can see the duplicate charge, and I've refunded it."),
    ("user", "Great, thank you so much."),
    ("assistant", "You're welcome! Have a great day."),
)
_BENCH_TOOLS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("lookup_order", ("order_id", "customer_id")),
    ("send_sms", ("phone", "template")),
    ("update_address", ("street", "city", "postcode")),
    ("issue_refund", ("order_id", "amount", "reason")),
)
_BENCH_EVENTS: Final = ("intent_detected", "sentiment_analyzed", "crm_synced", "handoff_considered")
_BENCH_METRICS: Final = ("llm_ttft_ms", "tokens_generated", "interruption_count", "asr_confidence")


def _bench_turns(count: int, rng: random.Random, prefix: str) -> list[dict[str, Any]]:
    turns: list[dict[str, Any]] = []
    clock = 0.4
    tools = 0
    for index in range(count):
        at = round(clock, 3)
        if index % 10 == 9:
            turn: dict[str, Any] = {"role": "system", "start_timestamp": at, "end_timestamp": at}
            if index % 20 == 19:
                name = _BENCH_METRICS[(index // 20) % len(_BENCH_METRICS)]
                turn["log_metric"] = {
                    "name": name,
                    "value": round(rng.uniform(0.5, 900.0), 3),
                    "timestamp": at,
                }
            else:
                event = _BENCH_EVENTS[(index // 10) % len(_BENCH_EVENTS)]
                score = round(rng.random(), 3)
                turn["log_event"] = {"event": event, "metadata": {"score": score}, "timestamp": at}
            turns.append(turn)
            clock += 0.05
            continue
        role, text = _BENCH_SCRIPT[index % len(_BENCH_SCRIPT)]
        words = text.split()
        if role == "user":
            duration = 0.34 * len(words) + rng.uniform(0.2, 0.6)
            turn = {
                "role": "user",
                "start_timestamp": at,
                "end_timestamp": round(at + duration, 3),
                "text": text,
                "vad_buffer_ms": rng.choice((200, 300, 400)),
                "stt_ttfb": round(rng.uniform(0.08, 0.35), 3),
            }
        else:
            chunks = [
                {"text": " ".join(words[i : i + 7]), "start_timestamp": round(at + 0.31 * i, 3)}
                for i in range(0, len(words), 7)
            ]
            duration = 0.31 * len(words) + 0.15
            interrupted = index % 13 == 5
            turn = {
                "role": "assistant",
                "start_timestamp": at,
                "end_timestamp": round(at + duration * (0.6 if interrupted else 1.0), 3),
                "text": text,
                "text_chunks": chunks,
                "end_reason": "interrupted" if interrupted else "tts_completed",
                "tts_ttfb": round(rng.uniform(0.09, 0.45), 3),
            }
            if index % 6 == 4:
                name, params = _BENCH_TOOLS[tools % len(_BENCH_TOOLS)]
                tools += 1
                turn["tool_calls"] = [
                    {
                        "id": f"tool_{prefix}_{tools:05d}",
                        "name": name,
                        "arguments": {p: f"{p}_{rng.randint(1000, 99999)}" for p in params},
                        "result": f'{{"ok": true, "reference": "R{rng.randint(10000, 99999)}"}}',
                    }
                ]
        turns.append(turn)
        clock += duration + rng.uniform(0.3, 1.2)
    return turns


def make_call(
    call_id: str,
    *,
    turns: int = 50,
    agent_id: str = "agent_bench_support",
    agent_name: str = "Acme customer support",
    start_time: dt.datetime | str = "2026-03-01T09:00:00Z",
    status: str = "completed",
    end_reason: str = "client_hangup",
    seed: int = 0,
) -> AgentCall:
    """A completed inbound call with a transcript of ``turns`` realistic turns.

    For benchmarks (a typical 50-turn call, a 5,000-turn stress case) and tests that need a call
    of a given size. The result is the same for the same arguments: latencies and pauses come
    from a :class:`random.Random` seeded with ``call_id`` and ``seed``, never the global one.

    The turns look like Get Call's: the conversation cycles through a support script; user turns
    carry ``stt_ttfb`` and ``vad_buffer_ms``; assistant turns carry ``text_chunks``,
    ``tts_ttfb``, ``end_reason`` (now and then ``interrupted``) and, every sixth turn, a tool
    call with arguments and a result; every tenth turn is a ``system`` turn with a ``log_event``
    or a ``log_metric``.

    Args:
        call_id: the call's id.
        turns: how many transcript turns (0 or more).
        agent_id: the agent that handled it.
        agent_name: the agent's name.
        start_time: when it started (a datetime, or an ISO 8601 string).
        status: its status.
        end_reason: why it ended.
        seed: vary the figures while keeping the same shape.

    Returns:
        The :class:`~cartesia_calls.AgentCall`; ``call.to_dict()`` is its wire form.
    """
    if isinstance(turns, bool) or not isinstance(turns, int) or turns < 0:
        raise ValueError(f"turns must be an int of 0 or more, got {turns!r}")
    rng = random.Random(f"{call_id}:{seed}")  # noqa: S311 - reproducible, not secrets
    transcript = _bench_turns(turns, rng, call_id.removeprefix("ac_"))
    if isinstance(start_time, str):
        start = dt.datetime.fromisoformat(start_time.replace("Z", "+00:00"))
    else:
        start = start_time
    length = (transcript[-1]["end_timestamp"] if transcript else 0.0) + 1.5
    return AgentCall.from_dict(
        {
            "id": call_id,
            "agent_id": agent_id,
            "agent_name": agent_name,
            "status": status,
            "start_time": _iso(start),
            "end_time": _iso(start + dt.timedelta(seconds=round(length, 3))),
            "transcript": transcript,
            "telephony_params": {
                "to": "+14155550100",
                "from": "+16285550" + f"{rng.randint(100, 199)}",
                "call_sid": "CA" + rng.randbytes(16).hex(),
                "direction": "inbound",
                "connection_type": "websocket",
            },
            "summary": "The caller checked on a delayed order (arriving tomorrow), asked for the "
            "tracking link by text, updated their delivery address and was refunded a duplicate "
            "shipping charge.",
            "end_reason": end_reason,
            "deployment_id": "ad_bench_0001",
            "deployment_version_id": "av_bench_0007",
            "deployment_region": "US",
            "zdr_enabled": False,
            "metadata": {"customer_id": "cus_" + call_id.removeprefix("ac_"), "channel": "phone"},
        }
    )
