"""The sample data set and ``make_call``: realistic, deterministic, served by the fake."""

from __future__ import annotations

from collections import Counter
from importlib import resources
from typing import Any

import attrs
import orjson
import pytest

from cartesia_calls import AgentCall, NotFoundError
from cartesia_calls.testing import FakeCartesia, _samples, make_call, sample_calls, seed_samples
from cartesia_calls.testing._samples import SAMPLE_AGENTS, SAMPLE_BATCH_ID, SAMPLE_CALL_ID


def test_samples_are_deterministic_and_round_trip() -> None:
    first, second = sample_calls(), sample_calls()
    assert first == second
    assert [c.to_dict() for c in first] == [c.to_dict() for c in second]
    for call in first:
        assert AgentCall.from_dict(call.to_dict()) == call


def test_samples_cover_what_a_demo_needs() -> None:
    calls = {call.id: call for call in sample_calls()}
    assert len(calls) == len(sample_calls())  # unique ids
    assert {call.agent_id for call in calls.values()} == set(SAMPLE_AGENTS)
    assert Counter(str(c.end_reason) for c in calls.values())["dial_no_answer"] == 1
    assert calls["ac_dental_redacted"].is_redacted
    assert calls["ac_dental_redacted"].transcript is None
    assert calls["ac_fiber_zdr"].zdr_enabled
    assert calls["ac_fiber_error"].status == "failed"
    assert calls["ac_fiber_error"].error_message
    rich = calls[SAMPLE_CALL_ID]
    turns = rich.transcript or []
    assert sum(len(t.tool_calls or []) for t in turns) == 3
    assert any(t.end_reason == "interrupted" for t in turns)
    assert any(t.log_event is not None for t in turns)
    assert any(t.log_metric is not None for t in turns)
    assert all(t.stt_ttfb is not None for t in turns if t.role == "user")
    assert all(t.tts_ttfb is not None and t.text_chunks for t in turns if t.role == "assistant")
    starts = [t.start_timestamp for t in turns]
    assert starts == sorted(starts)
    assert rich.duration is not None
    assert turns[-1].end_timestamp <= rich.duration.total_seconds()


async def test_seeded_fake_serves_calls_logs_audio_and_the_batch() -> None:
    async with FakeCartesia() as fake:
        seeded = seed_samples(fake)
        async with fake.client() as client:
            listed = await client.calls.list(agent_id="agent_dental_frontdesk").to_list()
            assert listed[0].id == SAMPLE_CALL_ID
            rich = next(c for c in seeded if c.id == SAMPLE_CALL_ID)
            async with fake.client(cartesia_version="2026-03-01") as old:
                legacy = await old.calls.get(SAMPLE_CALL_ID)  # 03-01: all but 08-14's fields
            assert legacy == attrs.evolve(rich, telephony_account_type=None, dynamic_variables=None)
            served = await client.calls.get(SAMPLE_CALL_ID)  # 08-14: its own shape
            assert served.metadata is None
            assert served.deployment_id is None
            assert served.zdr_enabled is None
            assert served.telephony_account_type == "cartesia"
            assert served.transcript is not None
            assert all(t.text_chunks is None and t.log_event is None for t in served.transcript)
            assert all(t.role != "system" for t in served.transcript)
            logs = await client.calls.logs(SAMPLE_CALL_ID)
            assert "lookup_patient" in "\n".join(logs.logs)
            async with client.calls.stream_audio(SAMPLE_CALL_ID) as stream:
                assert stream.content_length == 44 + int(74.5 * 8000) * 2
            for call_id in ("ac_dental_redacted", "ac_fiber_zdr", "ac_refill_marcus"):
                with pytest.raises(NotFoundError):
                    await client.calls.logs(call_id)
                with pytest.raises(NotFoundError):
                    async with client.calls.stream_audio(call_id):
                        pass
            batch_calls = await client.calls.list(batch_id=SAMPLE_BATCH_ID).to_list()
            assert len(batch_calls) == 4
            batch = await client.batches.get(SAMPLE_BATCH_ID)
            assert batch.recipients is not None
            assert sorted(str(r.status) for r in batch.recipients) == [
                "completed",
                "completed",
                "failed",
                "failed",
            ]
            assert sorted(str(r.end_reason) for r in batch.recipients) == [
                "agent_hangup",
                "agent_hangup",
                "dial_busy",
                "dial_no_answer",
            ]
            assert batch.all_calls_ended is True


async def test_a_sample_call_shows_dynamic_variables_or_metadata_by_version() -> None:
    async with FakeCartesia() as fake:
        seed_samples(fake)
        async with fake.client() as client, fake.client(cartesia_version="2026-03-01") as old:
            current = await client.calls.get("ac_refill_dana")
            legacy = await old.calls.get("ac_refill_dana")
    assert current.metadata is None
    assert current.dynamic_variables == {
        "patient_first_name": "Dana",
        "rx_number": "RX-448120",
        "pickup_date": "2026-03-02",
        "copay_usd": 5.0,
        "refill_confirmed": True,
    }
    updates = [
        u
        for t in current.transcript or []
        for tool in t.tool_calls or []
        for u in tool.dynamic_variable_updates or []
    ]
    assert [(u.variable_name, u.old_value, u.new_value) for u in updates] == [
        ("pickup_date", None, "2026-03-02"),
        ("copay_usd", None, 5.0),
        ("refill_confirmed", None, True),
    ]
    assert legacy.metadata == {"patient_first_name": "Dana", "rx_number": "RX-448120"}
    assert legacy.dynamic_variables is None
    assert legacy.deployment_id == "ad_pharmacy_01"


@pytest.mark.parametrize("turns", [0, 1, 50, 5_000])
def test_make_call_has_exactly_n_turns(turns: int) -> None:
    call = make_call("ac_bench", turns=turns)
    assert call.transcript is not None
    assert len(call.transcript) == turns
    starts = [t.start_timestamp for t in call.transcript]
    assert starts == sorted(starts)
    assert AgentCall.from_dict(call.to_dict()) == call


def test_make_call_is_deterministic_and_seedable() -> None:
    assert make_call("ac_1").to_dict() == make_call("ac_1").to_dict()
    assert make_call("ac_1", seed=1) != make_call("ac_1")
    assert make_call("ac_2").transcript != make_call("ac_1").transcript


def test_make_call_looks_like_get_call() -> None:
    call = make_call("ac_typical", turns=50, agent_id="agent_x", start_time="2026-03-02T10:00:00Z")
    turns = call.transcript or []
    roles = Counter(str(t.role) for t in turns)
    assert roles["system"] == 5
    assert roles["user"] > 10
    assert roles["assistant"] > 10
    assert any(t.tool_calls for t in turns)
    assert call.agent_id == "agent_x"
    assert call.start_time is not None
    assert call.start_time.isoformat() == "2026-03-02T10:00:00+00:00"


def test_make_call_rejects_bad_turns() -> None:
    with pytest.raises(ValueError, match="turns"):
        make_call("ac_1", turns=-1)


def test_the_dialogue_is_package_data_read_once_and_never_shared() -> None:
    data = resources.files("cartesia_calls.testing").joinpath("data", "samples.json")
    specs = orjson.loads(data.read_bytes())["calls"]
    assert [spec.get("id") or spec["record"]["id"] for spec in specs] == [
        call.id for call in sample_calls()
    ]
    _samples._raw.cache_clear()
    first = sample_calls()
    make_call("ac_1", turns=20)
    assert _samples._raw.cache_info().misses == 1  # one read for everything

    def first_tool_arguments(calls: list[AgentCall]) -> Any:
        rich = next(call for call in calls if call.id == SAMPLE_CALL_ID)
        return next(t for turn in rich.transcript or [] for t in turn.tool_calls or []).arguments

    first_tool_arguments(first)["phone"] = "changed by a test"
    assert first_tool_arguments(sample_calls()) == {"phone": "+14155550134"}
