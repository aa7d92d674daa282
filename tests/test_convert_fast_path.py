"""The generated fast decoding path agrees with cattrs' detailed path on every input.

Responses are decoded by a generated function per model, falling back to the detailed cattrs
path whenever it meets something unusual. These tests hold the two to the same answers: the same
acceptance, equal models (extra keys, open enums, reprs, ``to_dict()``), so the speed-up can never
change what a user gets back.
"""

from __future__ import annotations

import collections
import traceback
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cartesia_calls import _models
from cartesia_calls._codec import detailed_hook
from cartesia_calls._enums import TurnRole
from cartesia_calls._fastpath import fast_hook
from cartesia_calls._freeform import MAX_DEPTH

from .test_models_fuzz import loosely_shaped, noise, valid_bodies

MODELS: list[Any] = [getattr(_models, name) for name in _models.__all__ if name != "Page"]
PAGES: list[Any] = [_models.Page[_models.AgentCall], _models.Page[_models.CallBatch], _models.Page]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


def compare(data: Any, cl: Any) -> None:
    fast_error: Exception | None = None
    detailed_error: Exception | None = None
    fast = detailed = None
    try:
        fast = fast_hook(cl)(data)
    except Exception as error:
        fast_error = error
    try:
        detailed = detailed_hook(cl)(data, cl)
    except Exception as error:
        detailed_error = error
    assert (fast_error is None) == (detailed_error is None), (fast_error, detailed_error, data)
    if fast_error is None:
        assert type(fast) is type(detailed)
        assert fast == detailed
        assert fast.extra == detailed.extra  # type: ignore[union-attr]
        assert fast.to_dict() == detailed.to_dict()  # type: ignore[union-attr]
        assert repr(fast) == repr(detailed)


@st.composite
def any_body(draw: st.DrawFn) -> tuple[Any, Any]:
    cl = draw(st.sampled_from(MODELS + PAGES))
    if (typing.get_origin(cl) or cl) is _models.Page:
        items = st.lists(loosely_shaped(_models.AgentCall) | noise, max_size=3) | noise
        page = st.fixed_dictionaries(
            {"data": items}, optional={"next_page": noise, "has_more": noise}
        )
        return draw(noise | page), cl
    return draw(noise | loosely_shaped(cl)), cl


@SETTINGS
@given(any_body())
def test_any_body_gets_the_same_answer(case: tuple[Any, Any]) -> None:
    compare(*case)


@SETTINGS
@given(st.sampled_from(MODELS).flatmap(lambda cl: st.tuples(valid_bodies(cl), st.just(cl))))
def test_valid_bodies_build_equal_models(case: tuple[Any, Any]) -> None:
    compare(*case)


class Str(str):
    __slots__ = ()


def nested(levels: int) -> Any:
    value: Any = "leaf"
    for _ in range(levels):
        value = {"k": value}
    return value


TURN = {"role": "user", "start_timestamp": 1.0, "end_timestamp": 2.5}
CALL = {"id": "a", "agent_id": "b", "status": "completed"}

EDGES: list[tuple[Any, Any]] = [
    ({**TURN, "start_timestamp": 1, "vad_buffer_ms": 200.0}, _models.TranscriptTurn),
    ({**TURN, "role": Str("user"), "text": Str("hi")}, _models.TranscriptTurn),
    ({**TURN, "role": TurnRole.USER}, _models.TranscriptTurn),
    ({**TURN, "role": "brand_new", "zzz": [1]}, _models.TranscriptTurn),
    ({**TURN, "role": ["x"]}, _models.TranscriptTurn),
    ({**TURN, "start_timestamp": True}, _models.TranscriptTurn),
    ({**TURN, "vad_buffer_ms": True}, _models.TranscriptTurn),
    ({**TURN, "vad_buffer_ms": 2.5}, _models.TranscriptTurn),
    ({**TURN, "text_chunks": ({"text": "a"},)}, _models.TranscriptTurn),
    ({**TURN, "text_chunks": "abc"}, _models.TranscriptTurn),
    # Fields 2026-08-14 dropped are looked for last: skipped when every key was found, looked
    # for when a key is left (theirs, or an unknown one).
    ({**TURN, "text": "a", "stt_ttfb": 0.1}, _models.TranscriptTurn),
    ({**TURN, "text": "a", "stt_ttfb": 0.1, "zzz": 1}, _models.TranscriptTurn),
    ({**TURN, "log_event": {"event": "x"}, "tts_ttfb": 0.2}, _models.TranscriptTurn),
    ({**TURN, "log_metric": None, "end_reason": "new_reason"}, _models.TranscriptTurn),
    # A small model with as many keys as fields is first read as having them all; an unknown
    # key in place of a field, or a bad value, and it is read the general way.
    ({**TURN, "text_chunks": [{"text": "a", "start_timestamp": 1}]}, _models.TranscriptTurn),
    ({**TURN, "text_chunks": [{"text": "a", "zzz": 1.0}]}, _models.TranscriptTurn),
    ({**TURN, "text_chunks": [{"text": "a", "start_timestamp": "x"}]}, _models.TranscriptTurn),
    ({**TURN, "text_chunks": [{"text": None, "start_timestamp": None}]}, _models.TranscriptTurn),
    (
        {"id": "t", "name": "n", "arguments": {}, "result": "r", "dynamic_variable_updates": []},
        _models.ToolCall,
    ),
    ({"id": "t", "name": "n", "arguments": {}, "result": "r", "z": []}, _models.ToolCall),
    (
        {"id": "t", "name": "n", "arguments": {}, "result": "r", "dynamic_variable_updates": [{}]},
        _models.ToolCall,
    ),
    ({**TURN, "text_chunks": collections.UserList([{"text": "a"}])}, _models.TranscriptTurn),
    (collections.OrderedDict(CALL, extra_key=1), _models.AgentCall),
    ({**CALL, "start_time": "2026-03-01T12:00:00+05:30"}, _models.AgentCall),
    ({**CALL, "start_time": 5}, _models.AgentCall),
    ({**CALL, "status": None}, _models.AgentCall),
    ({"id": "a", "agent_id": "b"}, _models.AgentCall),
    ({**CALL, "metadata": {"a": [1, {"b": 2}]}}, _models.AgentCall),
    ({**CALL, "metadata": {1: 2}}, _models.AgentCall),
    ({**CALL, "telephony_params": {"from": "+1", "from_": "y"}}, _models.AgentCall),
    ({"data": [CALL], "has_more": 1}, _models.Page[_models.AgentCall]),
    ({"data": [{"id": "a"}]}, _models.Page),
    ({"data": ({"id": "a"},)}, _models.Page),
    ({"calls": [{"number": "1", "error": {"x": 1}}]}, _models.OutboundCallResponse),
    ({"call_id": "c", "logs": ["a", Str("b")]}, _models.CallLogs),
    ({"call_id": "c", "logs": ["a", 1]}, _models.CallLogs),
    ({"cancelled": 1}, _models.CallCancellation),
    # Free-form values at the depth bound and one level past it, in a field and in `extra`.
    ({**CALL, "metadata": nested(MAX_DEPTH)}, _models.AgentCall),
    ({**CALL, "metadata": nested(MAX_DEPTH + 1)}, _models.AgentCall),
    ({**CALL, "zzz": nested(MAX_DEPTH)}, _models.AgentCall),
    ({**CALL, "zzz": nested(MAX_DEPTH + 1)}, _models.AgentCall),
    ({"calls": [{"number": "1", "error": [nested(MAX_DEPTH - 1)]}]}, _models.OutboundCallResponse),
    ({"calls": [{"number": "1", "error": [nested(MAX_DEPTH)]}]}, _models.OutboundCallResponse),
    ({"data": [[nested(MAX_DEPTH - 2)]]}, _models.Page),
    ({"data": [[nested(MAX_DEPTH - 1)]]}, _models.Page),
]


def test_edge_cases_get_the_same_answer() -> None:
    for data, cl in EDGES:
        compare(data, cl)


def test_a_traceback_through_generated_code_shows_its_source_line() -> None:
    # The generated function raises (a required key is missing) before the detailed path runs:
    # a maintainer reading the traceback sees the generated line, as with cattrs' own code.
    fast = fast_hook(_models.TranscriptTurn)
    with pytest.raises(KeyError) as info:
        fast({"role": "user", "start_timestamp": 1.0})
    text = "".join(traceback.format_exception(info.value))
    assert '<cartesia_calls fast structure TranscriptTurn>", line ' in text
    assert "v = o['end_timestamp']" in text
