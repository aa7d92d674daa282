"""The plain functions write what the models would: ``dumps`` of the one is ``dumps`` of the other.

An export writes each call without building it (``_fastpath.plain_hook``): the parsed JSON goes
through generated code that checks it as the fast structure path does and returns what
``unstructure`` would make of the model. These tests hold the two to the same bytes, key order
included, and to the same acceptance, so the export file cannot change.
"""

from __future__ import annotations

import collections
import contextlib
from typing import Any

import orjson
import pytest
from hypothesis import given, strategies as st

from cartesia_calls import _models
from cartesia_calls._codec import decode, decode_plain, dumps, unstructure
from cartesia_calls._fastpath import fast_hook, plain_hook
from cartesia_calls.errors import ResponseDecodeError
from cartesia_calls.testing import make_call

from .test_convert_fast_path import EDGES, MODELS, SETTINGS, any_body
from .test_models_fuzz import valid_bodies


def same_output(data: Any, cl: Any) -> None:
    """The plain function gives up exactly when the fast structure function does, and otherwise
    returns what the model unstructures to: equal, in the same key order, written the same."""
    try:
        model = fast_hook(cl)(data)
    except Exception:
        with pytest.raises(Exception):  # noqa: B017 - whatever the fast path raised
            plain_hook(cl)(data)
        return
    plain = plain_hook(cl)(data)
    expected = unstructure(model)
    assert plain == expected
    assert orjson.dumps(plain) == orjson.dumps(expected)  # key order, number formats
    assert dumps(plain) == dumps(model)


@SETTINGS
@given(any_body())
def test_any_body_gets_the_same_output(case: tuple[Any, Any]) -> None:
    # orjson refuses integers beyond 64 bits (which no response holds) in both.
    with contextlib.suppress(orjson.JSONEncodeError):
        same_output(*case)


@SETTINGS
@given(st.sampled_from(MODELS).flatmap(lambda cl: st.tuples(valid_bodies(cl), st.just(cl))))
def test_valid_bodies_are_written_the_same(case: tuple[Any, Any]) -> None:
    same_output(*case)


def test_edge_cases_are_written_the_same() -> None:
    for data, cl in EDGES:
        same_output(data, cl)


def test_plain_output_of_a_realistic_page_is_what_dumps_writes() -> None:
    calls = [make_call(f"ac_{n}", turns=30, seed=n).to_dict() for n in range(5)]
    calls[1]["error_message"] = None  # a null: left out, as to_dict leaves it
    calls[2]["start_time"] = "2026-03-01T10:00:00.000+02:00"  # written in UTC
    calls[3]["transcript"][0]["stt_ttfb"] = 1  # an int in a float field: written 1.0
    calls[4]["brand_new"] = {"nested": [1, 2]}  # an unknown key: written last
    body = orjson.dumps({"data": calls, "has_more": False, "next_page": None})
    page = decode(body, _models.Page[_models.AgentCall])
    plain = decode_plain(body, _models.Page[_models.AgentCall])
    assert [dumps(item) for item in plain["data"]] == [dumps(call) for call in page.data]
    assert plain == page.to_dict()
    assert list(plain["data"][4])[-1] == "brand_new"


def test_a_body_the_plain_function_gives_up_on_is_decoded_instead() -> None:
    # A dict subclass the plain path does not take apart: the model path writes it the same.
    data = collections.OrderedDict(id="a", agent_id="b", status="completed", zzz=1)
    assert plain_hook(_models.AgentCall)(data) == {**data}
    body = orjson.dumps({"data": [{"id": "a", "agent_id": "b", "status": "x", "z": 1.5}]})
    assert decode_plain(body, _models.Page[_models.AgentCall]) == {
        "data": [{"id": "a", "agent_id": "b", "status": "x", "z": 1.5}]
    }


def test_errors_are_the_decode_errors() -> None:
    cl = _models.Page[_models.AgentCall]
    for body in (
        b'{"data": [{"id": "a", "agent_id": "b", "status": "x", "start_time": 5}]}',
        b'{"data": [{"id": "a", "agent_id": "b", "status": "x"}], "has_more": "yes"}',
        b'{"data": [{"id": "a"}]',
        # Free-form values nested past the 100-level bound: refused alike, with the path.
        b'{"data": [{"id": "a", "agent_id": "b", "status": "x", "metadata": '
        + b'{"a": ' * 150
        + b"1"
        + b"}" * 150
        + b"}]}",
    ):
        with pytest.raises(ResponseDecodeError) as expected:
            decode(body, cl, status_code=200, method="GET", url="https://x/agents/calls")
        with pytest.raises(ResponseDecodeError) as got:
            decode_plain(body, cl, status_code=200, method="GET", url="https://x/agents/calls")
        assert str(got.value) == str(expected.value)
        assert got.value.path == expected.value.path
        assert got.value.errors == expected.value.errors
        assert got.value.body == expected.value.body
        assert (got.value.status_code, got.value.method, got.value.url) == (
            200,
            "GET",
            "https://x/agents/calls",
        )
