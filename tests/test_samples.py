"""The sample data set and ``make_call``: realistic, deterministic, served by the fake."""

from __future__ import annotations

from collections import Counter

import pytest

from cartesia_calls import AgentCall, NotFoundError
from cartesia_calls.testing import FakeCartesia, make_call, sample_calls, seed_samples
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
            assert await client.calls.get(SAMPLE_CALL_ID) == next(
                c for c in seeded if c.id == SAMPLE_CALL_ID
            )
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
                "busy",
                "completed",
                "completed",
                "no_answer",
            ]


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
