"""Deterministic, realistic calls for the benchmarks, in both API versions' shapes.

Nothing here is random between runs: the same arguments give the same call. Every call comes in
the shape of one API version (:data:`SHAPES`):

* ``2026-03-01``: user turns carry ``stt_ttfb`` and ``vad_buffer_ms``; assistant turns carry
  ``text_chunks`` (one per six words), ``tts_ttfb``, ``end_reason`` and, every sixth turn, a
  tool call with arguments and a result; every tenth turn is a ``system`` turn with a
  ``log_event`` or ``log_metric``. The call has ``metadata``, ``deployment_*`` and
  ``zdr_enabled``.
* ``2026-08-14``: the same conversation as that version sends it: no ``text_chunks``,
  ``end_reason``, ``vad_buffer_ms``, ``log_event`` or ``log_metric`` (so no event and metric
  turns: every turn is the user's or the agent's), tool calls that assign dynamic variables
  carry ``dynamic_variable_updates``, and the call has ``dynamic_variables`` and
  ``telephony_account_type`` instead of 2026-03-01's fields.

A call of ``n`` turns has ``n`` turns in either shape; a 2026-08-14 body is smaller (no text
chunks). The benchmark server answers each call in the shape it was made in.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Final

#: The API versions whose shapes the benchmarks use, oldest first.
SHAPES: Final = ("2026-03-01", "2026-08-14")
LEGACY, CURRENT = SHAPES

AGENT_ID = "agent_bench_support"
TYPICAL_TURNS = 50
LARGE_TURNS = 5_000

_TEXT = (
    "hello thanks for calling acme support my name is ava how can I help you today I would like "
    "to check the status of my order it was placed last week and has not arrived yet sure let me "
    "look that up for you could you give me the order number please of course it is four two "
    "seven one I see the package left our warehouse on monday and should be delivered tomorrow "
    "before noon is there anything else I can help you with no that is all thank you very much "
    "you are welcome have a great day appointment reschedule invoice refund account address "
    "email password billing payment card subscription plan upgrade cancel confirm verify"
)
_WORDS = _TEXT.split()

_TOOLS = (
    ("lookup_order", ("order_id", "customer_id")),
    ("schedule_callback", ("phone", "time_window")),
    ("update_address", ("street", "city", "postcode")),
    ("issue_refund", ("order_id", "amount", "reason")),
)

_EVENTS = ("sentiment_analyzed", "intent_detected", "handoff_considered", "crm_synced")
_METRICS = ("llm_latency_ms", "tokens_generated", "interruption_count", "asr_confidence")


def call_id(kind: str, shape: str) -> str:
    """The id of the benchmark's ``typical`` or ``large`` call in ``shape``."""
    return f"ac_bench_{kind}_{shape.replace('-', '')}"


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(low, high))]
    text = " ".join(words)
    return text[:1].upper() + text[1:] + rng.choice((".", ".", "?", "!"))


def _check_shape(shape: str) -> bool:
    """Whether ``shape`` is 2026-03-01's (else 2026-08-14's)."""
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {SHAPES}, got {shape!r}")
    return shape == LEGACY


def make_turns(count: int, seed: int = 0, shape: str = LEGACY) -> list[dict[str, Any]]:
    """``count`` transcript turns in ``shape``'s wire format, the same for the same arguments."""
    legacy = _check_shape(shape)
    rng = random.Random(seed)
    turns: list[dict[str, Any]] = []
    clock = 0.4
    tool_number = 0
    for index in range(count):
        if legacy and index % 10 == 9:
            at = round(clock, 3)
            turn: dict[str, Any] = {
                "role": "system",
                "start_timestamp": at,
                "end_timestamp": at,
            }
            if index % 20 == 19:
                turn["log_metric"] = {
                    "name": rng.choice(_METRICS),
                    "value": round(rng.uniform(0.1, 900.0), 3),
                    "timestamp": at,
                }
            else:
                turn["log_event"] = {
                    "event": rng.choice(_EVENTS),
                    "metadata": {
                        "label": rng.choice(("positive", "neutral", "negative")),
                        "score": round(rng.random(), 3),
                    },
                    "timestamp": at,
                }
            turns.append(turn)
            continue
        if index % 2 == 0:
            text = _sentence(rng, 6, 22)
            duration = 0.28 * len(text.split()) + rng.uniform(0.2, 0.9)
            turn = {
                "role": "user",
                "start_timestamp": round(clock, 3),
                "end_timestamp": round(clock + duration, 3),
                "text": text,
            }
            if legacy:
                turn["vad_buffer_ms"] = rng.choice((200, 300, 400))
            turn["stt_ttfb"] = round(rng.uniform(0.08, 0.35), 3)
            turns.append(turn)
        else:
            words = _sentence(rng, 10, 36).split()
            chunks = []
            at = round(clock, 3)
            for start in range(0, len(words), 6):
                chunks.append({"text": " ".join(words[start : start + 6]), "start_timestamp": at})
                at = round(at + 0.3 * len(words[start : start + 6]), 3)
            turn = {
                "role": "assistant",
                "start_timestamp": round(clock, 3),
                "end_timestamp": round(at + 0.2, 3),
                "text": " ".join(words),
            }
            if legacy:
                turn["text_chunks"] = chunks
                turn["end_reason"] = rng.choice(("tts_completed", "tts_completed", "interrupted"))
            turn["tts_ttfb"] = round(rng.uniform(0.09, 0.45), 3)
            if index % 6 == 1:
                name, params = _TOOLS[tool_number % len(_TOOLS)]
                tool_number += 1
                tool: dict[str, Any] = {
                    "id": f"call_{seed}_{tool_number:05d}",
                    "name": name,
                    "arguments": {p: f"{p}_{rng.randint(1000, 99999)}" for p in params},
                    "result": f'{{"ok": true, "reference": "R{rng.randint(10000, 99999)}"}}',
                }
                if not legacy and tool_number % 2 == 0:
                    tool["dynamic_variable_updates"] = [
                        {
                            "variable_name": f"{params[0]}_confirmed",
                            "old_value": None,
                            "new_value": tool["arguments"][params[0]],
                            "updated_at": round(at, 3),
                            "tool_id": f"tool_{name}",
                            "tool_call_id": tool["id"],
                        }
                    ]
                turn["tool_calls"] = [tool]
            duration = at - clock + 0.2
            turns.append(turn)
        clock += duration + rng.uniform(0.3, 1.5)
    return turns


def make_call(
    call_id: str,
    turns: int | list[dict[str, Any]],
    *,
    shape: str = LEGACY,
    agent_id: str = AGENT_ID,
    index: int = 0,
    seed: int = 0,
) -> dict[str, Any]:
    """A completed inbound call in ``shape``'s wire format, with a transcript of ``turns`` turns
    (a number, or turns from :func:`make_turns` in the same shape)."""
    legacy = _check_shape(shape)
    transcript = make_turns(turns, seed, shape) if isinstance(turns, int) else turns
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=7 * index)
    length = transcript[-1]["end_timestamp"] + 1.5 if transcript else 30.0
    end = start + dt.timedelta(seconds=length)
    call: dict[str, Any] = {
        "id": call_id,
        "agent_id": agent_id,
        "agent_name": "Acme customer support",
        "status": "completed",
        "start_time": start.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "end_time": end.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "transcript": transcript,
        "telephony_params": {
            "to": "+14155550123",
            "from": f"+1628555{index % 10_000:04d}",
            "call_sid": f"CA{index:032x}",
            "direction": "inbound",
            "parameters": {"account_sid": "AC0123456789abcdef", "region": "us1"},
            "headers": {"x-twilio-signature": "bench", "x-forwarded-for": "203.0.113.7"},
            "connection_type": "websocket" if legacy else "phone",
        },
        "summary": "The caller asked about a delayed order; the agent looked it up, confirmed "
        "delivery for tomorrow before noon and offered a callback, which was declined.",
        "error_message": None,
        "end_reason": "client_hangup",
        "redacted_at": None,
    }
    if legacy:
        call.update(
            deployment_id="ad_bench_0001",
            deployment_version_id="av_bench_0007",
            deployment_region="US",
            zdr_enabled=False,
            metadata={"customer_id": f"cus_{index:06d}", "campaign": "spring_followup"},
        )
    else:
        call.update(
            telephony_account_type="twilio",
            dynamic_variables={
                "customer_id": f"cus_{index:06d}",
                "campaign": "spring_followup",
                "order_confirmed": index % 3 == 0,
                "priority": index % 5,
            },
        )
    return call
