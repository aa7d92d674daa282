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

What is said lives in package data, ``data/samples.json``, read the first time it is needed: a
script per sample call (lines of ``{"assistant": text, "tools": [...]}``, ``{"user": text}``,
``{"event": name, "metadata": {...}}`` or ``{"metric": name, "value": number}``, plus the
call's fields), and the support conversation :func:`make_call` cycles through. This module turns
them into calls.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import orjson

from .._converter import format_datetime
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
#: Each agent's own number (it answers there, or calls from there).
_NUMBERS: Final[Mapping[str, str]] = {
    _DENTAL: "+14155550100",
    _FIBER: "+442079460000",
    _PHARMACY: "+13125550100",
}
_DEPLOYMENTS: Final[Mapping[str, tuple[str, str, str]]] = {
    _DENTAL: ("ad_dental_01", "av_dental_07", "US"),
    _FIBER: ("ad_fiber_02", "av_fiber_12", "EU"),
    _PHARMACY: ("ad_pharmacy_01", "av_pharmacy_03", "US"),
}


# -- the data ------------------------------------------------------------------------------------


@functools.cache
def _raw() -> bytes:
    """``data/samples.json``, read once."""
    return resources.files(__package__).joinpath("data", "samples.json").read_bytes()


def _data() -> dict[str, Any]:
    """The sample data, parsed anew: nothing handed out is shared between callers."""
    data: dict[str, Any] = orjson.loads(_raw())
    return data


class _Bench(NamedTuple):
    """What :func:`make_call`'s calls are made of."""

    script: tuple[tuple[str, str], ...]  # (role, text), cycled through
    tools: tuple[tuple[str, tuple[str, ...]], ...]  # (tool name, its parameters)
    events: tuple[str, ...]
    metrics: tuple[str, ...]


@functools.cache
def _bench() -> _Bench:
    bench = _data()["bench"]
    return _Bench(
        script=tuple((role, text) for role, text in bench["script"]),
        tools=tuple((name, tuple(params)) for name, params in bench["tools"]),
        events=tuple(bench["events"]),
        metrics=tuple(bench["metrics"]),
    )


def _log_time(moment: dt.datetime) -> str:
    """A log line's time: RFC 3339 to the millisecond (``...T09:14:03.512Z``)."""
    return format_datetime(moment).replace("000Z", "Z")


def _user_turn(
    text: str,
    start: float,
    rng: random.Random,
    *,
    vad: tuple[int, ...],
    stt: tuple[float, float],
) -> tuple[dict[str, Any], float]:
    """A user turn starting at ``start`` and how long it lasts: ``vad`` are the
    ``vad_buffer_ms`` to pick from, ``stt`` the range of ``stt_ttfb``."""
    duration = 0.34 * len(text.split()) + rng.uniform(0.2, 0.6)
    turn = {
        "role": "user",
        "start_timestamp": start,
        "end_timestamp": round(start + duration, 3),
        "text": text,
        "vad_buffer_ms": rng.choice(vad),
        "stt_ttfb": round(rng.uniform(*stt), 3),
    }
    return turn, duration


# -- scripts to calls -----------------------------------------------------------------------------


def _transcript(
    script: Sequence[Mapping[str, Any]],
    rng: random.Random,
    *,
    prefix: str,
    variables: dict[str, Any],
) -> list[dict[str, Any]]:
    """Wire-format turns for a script, with plausible timing and latency figures. Tools that
    assign dynamic variables record the updates and change ``variables`` in place."""
    turns: list[dict[str, Any]] = []
    clock = round(rng.uniform(0.3, 0.8), 3)
    tool_number = 0
    for line in script:
        if "event" in line or "metric" in line:
            at = round(clock, 3)
            turn: dict[str, Any] = {"role": "system", "start_timestamp": at, "end_timestamp": at}
            if "event" in line:
                turn["log_event"] = {
                    "event": line["event"],
                    "metadata": line["metadata"],
                    "timestamp": at,
                }
            else:
                turn["log_metric"] = {
                    "name": line["metric"],
                    "value": line["value"],
                    "timestamp": at,
                }
            turns.append(turn)
            continue
        role = "user" if "user" in line else "assistant"
        text: str = line[role]
        words = text.split()
        start = round(clock, 3)
        if role == "user":
            turn, duration = _user_turn(
                text, start, rng, vad=(200, 300, 300, 400), stt=(0.09, 0.32)
            )
        else:
            chunks = []
            at = start
            for first in range(0, len(words), 7):
                piece = words[first : first + 7]
                chunks.append({"text": " ".join(piece), "start_timestamp": round(at, 3)})
                at += 0.31 * len(piece)
            duration = at - start + 0.15
            interrupted = bool(line.get("interrupted"))
            if interrupted:
                duration *= 0.6
            turn = {
                "role": "assistant",
                "start_timestamp": start,
                "end_timestamp": round(start + duration, 3),
                "text": text,
                "text_chunks": chunks,
                "end_reason": "interrupted" if interrupted else "tts_completed",
                "tts_ttfb": round(rng.uniform(0.16, 0.42), 3),
            }
            if line.get("tools"):
                calls = []
                for tool in line["tools"]:
                    tool_number += 1
                    tool_call: dict[str, Any] = {
                        "id": f"tool_{prefix}_{tool_number:03d}",
                        "name": tool["name"],
                        "arguments": tool["arguments"],
                        "result": tool["result"],
                    }
                    assigns: dict[str, Any] = tool.get("assigns") or {}
                    if assigns:
                        tool_call["dynamic_variable_updates"] = [
                            {
                                "variable_name": name,
                                "old_value": variables.get(name),
                                "new_value": value,
                                "updated_at": round(start + duration, 3),
                                "tool_id": f"tool_cfg_{tool['name']}",
                                "tool_call_id": tool_call["id"],
                            }
                            for name, value in assigns.items()
                        ]
                        variables.update(assigns)
                    calls.append(tool_call)
                    # how long the tool took: a pause before the agent speaks again
                    duration += tool.get("seconds", 0.6)
                turn["tool_calls"] = calls
        turns.append(turn)
        clock = start + duration + rng.uniform(0.35, 1.1)
    return turns


def _call(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A sample call in wire format (both versions' fields: each version's view shows its own).

    ``spec`` holds the call's script and fields (``length``, seconds, defaults to the end of
    the transcript; ``dynamic_variables`` are the initial values, tools that assign variables
    leave the final ones in the call), or, as ``record``, the wire form itself.
    """
    if "record" in spec:
        return dict(spec["record"])
    call_id: str = spec["id"]
    agent_id: str = spec["agent_id"]
    rng = random.Random(call_id)  # noqa: S311 - reproducible sample data, not secrets
    variables = dict(spec.get("dynamic_variables") or {})
    transcript = _transcript(
        spec.get("script", ()), rng, prefix=call_id.removeprefix("ac_"), variables=variables
    )
    length = spec.get("length")
    if length is None:
        length = (transcript[-1]["end_timestamp"] if transcript else 0.0) + rng.uniform(0.8, 2.0)
    started = dt.datetime.fromisoformat(spec["start"])
    deployment, version, region = _DEPLOYMENTS[agent_id]
    own, other = _NUMBERS[agent_id], spec.get("caller") or "+14155550134"
    direction = spec.get("direction", "inbound")
    data: dict[str, Any] = {
        "id": call_id,
        "agent_id": agent_id,
        "agent_name": SAMPLE_AGENTS[agent_id],
        "status": spec.get("status", "completed"),
        "start_time": format_datetime(started),
        "end_time": format_datetime(started + dt.timedelta(seconds=round(length, 3))),
        "transcript": transcript,
        "telephony_params": {
            "to": own if direction == "inbound" else other,
            "from": other if direction == "inbound" else own,
            "call_sid": "CA" + rng.randbytes(16).hex(),
            "direction": direction,
            "connection_type": "websocket",
        },
        "telephony_account_type": "cartesia",
        "summary": spec.get("summary"),
        "error_message": spec.get("error_message"),
        "end_reason": spec.get("end_reason", "agent_hangup"),
        "deployment_id": deployment,
        "deployment_version_id": version,
        "deployment_region": region,
        "zdr_enabled": bool(spec.get("zdr_enabled")),
        "metadata": spec.get("metadata") or {},
        "dynamic_variables": variables,
    }
    if data["zdr_enabled"]:
        # Zero data retention: nothing said on the call is kept, nor its dynamic variables.
        del data["transcript"], data["dynamic_variables"]
    return {k: v for k, v in data.items() if v is not None}


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
    return [AgentCall.from_dict(_call(spec)) for spec in _data()["calls"]]


def sample_logs(call: AgentCall) -> list[str] | None:
    """Runtime log lines the agent's code would have printed during ``call`` (``None`` when the
    API keeps none: redacted, zero data retention, or never connected)."""
    if call.is_redacted or call.zdr_enabled or not call.transcript or call.start_time is None:
        return None
    start = call.start_time

    def at(seconds: float) -> str:
        return _log_time(start + dt.timedelta(seconds=seconds))

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


def _bench_turns(count: int, rng: random.Random, prefix: str) -> list[dict[str, Any]]:
    script, tool_specs, events, metrics = _bench()
    turns: list[dict[str, Any]] = []
    clock = 0.4
    tools = 0
    for index in range(count):
        at = round(clock, 3)
        if index % 10 == 9:
            turn: dict[str, Any] = {"role": "system", "start_timestamp": at, "end_timestamp": at}
            if index % 20 == 19:
                name = metrics[(index // 20) % len(metrics)]
                turn["log_metric"] = {
                    "name": name,
                    "value": round(rng.uniform(0.5, 900.0), 3),
                    "timestamp": at,
                }
            else:
                event = events[(index // 10) % len(events)]
                score = round(rng.random(), 3)
                turn["log_event"] = {"event": event, "metadata": {"score": score}, "timestamp": at}
            turns.append(turn)
            clock += 0.05
            continue
        role, text = script[index % len(script)]
        words = text.split()
        if role == "user":
            turn, duration = _user_turn(text, at, rng, vad=(200, 300, 400), stt=(0.08, 0.35))
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
                name, params = tool_specs[tools % len(tool_specs)]
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
            "start_time": format_datetime(start),
            "end_time": format_datetime(start + dt.timedelta(seconds=round(length, 3))),
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
