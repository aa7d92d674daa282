"""Free-form values of any depth and width: decoded within a bound, written and shown without
recursion, and never a ``RecursionError``.

Free-form fields (``metadata``, tool ``arguments``, telephony ``parameters``/``headers``,
``dynamic_variables``, ``OutboundCallResult.error``, unknown keys kept in ``extra``) hold whatever
JSON a server sends. Whatever ``decode`` accepts must be writable by ``dumps`` (what ``export``
writes) and printable by ``repr``; whatever it refuses is a ``ResponseDecodeError`` with the path.
The worst cases here are 64 KiB bodies; each test runs in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given, strategies as st

from cartesia_calls import AsyncClient
from cartesia_calls._codec import decode, dumps
from cartesia_calls._converter import WIRE_NAME
from cartesia_calls._enums import CallStatus, OpenEnum
from cartesia_calls._freeform import MAX_DEPTH, safe_repr, too_deep
from cartesia_calls._model_base import Model
from cartesia_calls._models import (
    AgentCall,
    CallBatch,
    ItemT,
    OutboundCallResponse,
    OutboundCallResult,
    Page,
)
from cartesia_calls.errors import ResponseDecodeError
from cartesia_calls.testing import FakeCartesia

from .test_models_fuzz import FUZZ, json_values

# --- Building bodies ------------------------------------------------------------------------------


def nested_objects(levels: int, key: str = "k") -> Any:
    """``{"k": {"k": ... 1}}``, ``levels`` objects deep (0: the scalar)."""
    value: Any = 1
    for _ in range(levels):
        value = {key: value}
    return value


def nested_arrays(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


def fields(cls: Any) -> list[tuple[str, Any, bool]]:
    """(JSON key, type without ``| None``, required) of each field but ``extra``; type variables
    of ``Page[X]`` are bound."""
    bound: dict[Any, Any] = {}
    if cls is not Page and issubclass(cls, Page):  # Page[AgentCall]
        (item,) = typing.get_args(cls.__orig_bases__[0])
        bound = {ItemT: item}
    attrs.resolve_types(cls)
    out = []
    for a in attrs.fields(cls):
        if a.name == "extra":
            continue
        tp = a.type
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            (tp,) = (arg for arg in typing.get_args(tp) if arg is not type(None))
        if typing.get_origin(tp) is list:
            (item,) = typing.get_args(tp)
            tp = list[bound.get(item, item)]  # type: ignore[misc]
        out.append((a.metadata.get(WIRE_NAME, a.name), tp, a.default is attrs.NOTHING))
    return out


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model)


def sample(tp: Any) -> Any:
    """A valid value of ``tp`` for a required field."""
    if is_model(tp):
        return minimal(tp)
    if isinstance(tp, type) and issubclass(tp, OpenEnum):
        return next(iter(tp)).value
    simple = {str: "x", int: 1, float: 1.5, bool: True, dt.datetime: "2026-03-01T12:00:00Z"}
    return simple.get(tp, [] if typing.get_origin(tp) is list else {})


def minimal(cls: Any) -> dict[str, Any]:
    return {key: sample(tp) for key, tp, required in fields(cls) if required}


def places(cls: Any, value: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON path, body): a minimal body of ``cls`` with ``value`` in one free-form place (a
    free-form field or an unknown key, at any depth); every place once."""
    yield ".unknown_key", {**minimal(cls), "unknown_key": value}
    for key, tp, _ in fields(cls):
        if tp is Any or (typing.get_origin(tp) is dict):
            yield f".{key}", {**minimal(cls), key: value}
        elif is_model(tp):
            for path, inner in places(tp, value):
                yield f".{key}{path}", {**minimal(cls), key: inner}
        elif typing.get_origin(tp) is list and is_model(typing.get_args(tp)[0]):
            for path, inner in places(typing.get_args(tp)[0], value):
                yield f".{key}[0]{path}", {**minimal(cls), key: [inner]}


ROOTS: list[Any] = [Page[AgentCall], Page[CallBatch], OutboundCallResponse]
PLACES = [(root, path, body) for root in ROOTS for path, body in places(root, "placeholder")]


def with_value(body: Any, value: Any) -> Any:
    """``body`` with its ``"placeholder"`` replaced by ``value``."""
    if body == "placeholder":
        return value
    if isinstance(body, dict):
        return {k: with_value(v, value) for k, v in body.items()}
    if isinstance(body, list):
        return [with_value(v, value) for v in body]
    return body


def test_the_places_cover_every_kind_of_free_form_field() -> None:
    paths = {path for _, path, _ in PLACES}
    for expected in [
        "$.data[0].metadata",
        "$.data[0].dynamic_variables",
        "$.data[0].telephony_params.parameters",
        "$.data[0].telephony_params.headers",
        "$.data[0].transcript[0].tool_calls[0].arguments",
        "$.data[0].transcript[0].log_event.metadata",
        "$.data[0].transcript[0].text_chunks[0].unknown_key",
        "$.data[0].recipients[0].metadata",
        "$.calls[0].error",
    ]:
        assert expected.removeprefix("$") in paths, expected


# --- Within the bound: decoded, written, shown ----------------------------------------------------


@pytest.mark.parametrize(
    ("root", "path", "body"), PLACES, ids=[f"{r.__qualname__}{p}" for r, p, _ in PLACES]
)
def test_the_deepest_value_decode_accepts_can_be_written_and_shown(
    root: Any, path: str, body: dict[str, Any]
) -> None:
    deepest = nested_objects(MAX_DEPTH)
    model = decode(orjson.dumps(with_value(body, deepest)), root)

    written = dumps(model)  # what export writes: must not hit orjson's depth limit
    assert decode(written, root) == model
    assert orjson.loads(written) == orjson.loads(orjson.dumps(model.to_dict()))
    assert "{'k': " * MAX_DEPTH + "1" + "}" * MAX_DEPTH in repr(model)


@pytest.mark.parametrize(
    ("root", "path", "body"), PLACES, ids=[f"{r.__qualname__}{p}" for r, p, _ in PLACES]
)
def test_one_level_deeper_is_a_decode_error_with_the_path(
    root: Any, path: str, body: dict[str, Any]
) -> None:
    raw = orjson.dumps(with_value(body, nested_objects(MAX_DEPTH + 1)))
    with pytest.raises(ResponseDecodeError) as info:
        decode(raw, root, status_code=200)
    assert info.value.path == f"${path}"
    assert f"at most {MAX_DEPTH} levels of nesting" in str(info.value)
    assert info.value.status_code == 200
    with pytest.raises(ResponseDecodeError) as again:
        root.from_dict(orjson.loads(raw))
    assert again.value.path == f"${path}"


def test_a_bare_page_bounds_its_items_too() -> None:
    assert Page.from_dict({"data": [nested_arrays(MAX_DEPTH - 1)]}).data == [
        nested_arrays(MAX_DEPTH - 1)
    ]
    with pytest.raises(ResponseDecodeError) as info:
        Page.from_dict({"data": [nested_arrays(MAX_DEPTH)]})
    assert info.value.path == "$.data"


# --- 64 KiB worst cases ---------------------------------------------------------------------------

CALL = {"id": "ac_1", "agent_id": "agent_1", "status": "completed"}


def as_body(**fields: Any) -> bytes:
    return orjson.dumps({**CALL, **fields})


def deep_json(opening: bytes, closing: bytes, levels: int) -> bytes:
    # orjson cannot write these (254 levels at most): built as text.
    return opening * levels + b"1" + closing * levels


def test_64_kib_of_nested_objects_is_refused_quickly() -> None:
    key = b'{"' + b"k" * 64 + b'":'
    body = b'{"id":"ac_1","agent_id":"a","status":"completed","metadata":'
    body += deep_json(key, b"}", 1000) + b"}"  # within orjson's 1,024 levels
    assert len(body) > 64 * 1024
    with pytest.raises(ResponseDecodeError) as info:
        decode(body, AgentCall)
    assert info.value.path == "$.metadata"


@pytest.mark.parametrize(
    ("target", "prefix", "suffix", "path"),
    [
        (OutboundCallResponse, b'{"calls":[{"number":"1","error":', b"}]}", "$.calls[0].error"),
        (AgentCall, b'{"id":"a","agent_id":"b","status":"completed","zz":', b"}", "$.zz"),
        (Page, b'{"data":', b"}", "$.data"),
    ],
)
def test_deeply_nested_arrays_are_refused_with_their_path(
    target: Any, prefix: bytes, suffix: bytes, path: str
) -> None:
    with pytest.raises(ResponseDecodeError) as info:
        decode(prefix + deep_json(b"[", b"]", 1000) + suffix, target)
    assert info.value.path == path


def test_nesting_past_the_parser_limit_is_not_json() -> None:
    body = b'{"id":"a","agent_id":"b","status":"completed","metadata":'
    body += deep_json(b'{"a":', b"}", 64 * 1024 // 5) + b"}"
    with pytest.raises(ResponseDecodeError) as info:
        decode(body, AgentCall)
    assert info.value.path is None
    assert "not valid JSON" in str(info.value)


def test_very_wide_free_form_values_are_kept_whole() -> None:
    metadata = {f"key_{i:05d}": i for i in range(6_000)}  # about 64 KiB of keys
    arguments = list(range(12_000))
    wide_and_deep: Any = 1
    for _ in range(MAX_DEPTH - 2):  # arguments > tree > ... > the innermost "side" list: 100
        wide_and_deep = {"next": wide_and_deep, "side": list(range(5)), "s": "x"}
    transcript = [
        {
            "role": "assistant",
            "start_timestamp": 0,
            "end_timestamp": 1,
            "tool_calls": [{"id": "t", "arguments": {"values": arguments, "tree": wide_and_deep}}],
        }
    ]
    body = as_body(metadata=metadata, transcript=transcript)
    assert len(body) > 64 * 1024
    call = decode(body, AgentCall)

    assert call.metadata == metadata
    assert decode(dumps(call), AgentCall) == call
    assert repr(call).count("'key_") == 6_000
    assert call.to_dict()["metadata"] == metadata


# --- Values a caller builds -----------------------------------------------------------------------


def test_a_model_built_by_hand_with_any_depth_can_be_shown_and_turned_into_a_dict() -> None:
    deep = nested_objects(20_000)  # far beyond Python's recursion limit
    call = AgentCall(id="ac_1", agent_id="agent_1", status=CallStatus.COMPLETED, metadata=deep)
    result = OutboundCallResult(number="+1", error=nested_arrays(20_000))

    shown = repr(call)
    assert shown.startswith("AgentCall(id='ac_1', agent_id='agent_1', status=<CallStatus")
    assert shown.count("{'k': ") == 20_000
    assert repr(result).count("[") == 20_000
    assert call.to_dict()["metadata"] is not deep  # copied one level deep
    assert call.to_dict()["metadata"] == deep
    assert result.to_dict()["error"] == result.error  # (== would recurse if not shared)


def test_models_enums_and_datetimes_a_caller_puts_in_a_free_form_field_are_written_as_json() -> (
    None
):
    call = AgentCall(id="ac_1", agent_id="agent_1", status=CallStatus.COMPLETED)
    when = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    for error, written in [
        (call, {"id": "ac_1", "agent_id": "agent_1", "status": "completed"}),
        (CallStatus.FAILED, "failed"),
        (when, "2026-03-01T12:00:00Z"),
        ("busy", "busy"),
    ]:
        result = OutboundCallResult(number="+1", error=error)
        assert result.to_dict() == {"number": "+1", "error": written}
        assert orjson.loads(dumps(result)) == {"number": "+1", "error": written}


def test_writing_a_value_deeper_than_json_writers_go_is_a_type_error() -> None:
    call = AgentCall(
        id="ac_1", agent_id="agent_1", status=CallStatus.COMPLETED, metadata=nested_objects(2_000)
    )
    with pytest.raises(TypeError):
        dumps(call)
    with pytest.raises(ResponseDecodeError) as info:
        AgentCall.from_dict(call.to_dict())
    assert info.value.path == "$.metadata"
    assert info.value.body.startswith("{'id': 'ac_1'")  # shown without recursing either


def test_a_value_that_contains_itself_is_shown_like_repr_does_and_refused() -> None:
    metadata: dict[str, Any] = {"name": "loop"}
    metadata["self"] = metadata
    call = AgentCall(id="ac_1", agent_id="agent_1", status=CallStatus.COMPLETED, metadata=metadata)

    assert "metadata={'name': 'loop', 'self': {...}}" in repr(call)
    with pytest.raises(TypeError):
        dumps(call)
    with pytest.raises(ResponseDecodeError) as info:
        AgentCall.from_dict({**CALL, "metadata": metadata})
    assert info.value.path == "$.metadata"


def test_a_value_shared_many_times_is_checked_in_linear_time() -> None:
    shared: Any = [1]
    for _ in range(80):
        shared = [shared, shared]  # 2**80 paths through 81 lists
    call = AgentCall.from_dict({**CALL, "metadata": {"tree": shared}})
    assert call.metadata == {"tree": shared}
    assert too_deep([shared], 81)  # 82 levels: the last level is found though it is shared
    assert not too_deep([shared], 82)


# --- The helpers themselves -----------------------------------------------------------------------


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list | tuple):
        return 1 + max(map(depth, value), default=0)
    return 0


@FUZZ
@given(json_values, st.integers(0, 6))
def test_too_deep_agrees_with_the_depth(value: Any, limit: int) -> None:
    assert too_deep(value, limit) == (depth(value) > limit)


@FUZZ
@given(st.recursive(json_values, lambda inner: st.tuples(inner) | st.tuples(inner, inner)))
def test_safe_repr_is_repr(value: Any) -> None:
    assert safe_repr(value) == repr(value)


def test_safe_repr_marks_containers_inside_themselves_like_repr() -> None:
    items: list[Any] = [1]
    items.append(items)
    mapping: dict[str, Any] = {"items": items}
    mapping["me"] = mapping
    assert safe_repr(items) == repr(items) == "[1, [...]]"
    assert safe_repr(mapping) == repr(mapping)
    assert safe_repr((items,)) == repr((items,))


# --- Export writes whatever it decodes ------------------------------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeCartesia]:
    async with FakeCartesia() as server:
        yield server


async def test_export_writes_a_call_with_the_deepest_accepted_values(
    fake: FakeCartesia, tmp_path: Path
) -> None:
    deepest = nested_objects(MAX_DEPTH)
    turn = {"role": "assistant", "start_timestamp": 0.0, "end_timestamp": 1.0}
    tool = {"id": "t", "name": "lookup", "arguments": deepest}
    call = {**CALL, "metadata": deepest, "transcript": [{**turn, "tool_calls": [tool]}]}
    page = {"data": [call], "next_page": None}
    fake.add_fault(status=200, body=orjson.dumps(page), method="GET", path="/agents/calls")
    target = tmp_path / "calls.jsonl"
    client: AsyncClient
    async with fake.client(max_retries=0) as client:
        result = await client.calls.export(target, agent_id="agent_1")

    assert result.written == 1
    (line,) = target.read_bytes().splitlines()
    assert AgentCall.from_dict(orjson.loads(line)) == AgentCall.from_dict(call)
