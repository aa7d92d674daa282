"""Property tests: whatever a server sends, decoding returns a model or raises one clear error;
and every valid body, extra keys and new enum values included, survives a round trip."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any

import attrs
import orjson
from hypothesis import HealthCheck, given, settings, strategies as st

from cartesia_calls._codec import decode, dumps
from cartesia_calls._converter import WIRE_NAME
from cartesia_calls._enums import OpenEnum
from cartesia_calls._model_base import Model
from cartesia_calls._models import AgentCall, CallBatch, Page
from cartesia_calls.errors import ResponseDecodeError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- Any JSON at all ---------------------------------------------------------------------------

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


def json_trees(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=12,
    )


#: Values JSON can carry (64-bit integers, finite floats).
json_values = json_trees(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
#: Anything a Python caller could hand to ``from_dict``: huge integers, infinities too.
noise = json_trees(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text)


def wire_fields(cls: type[Model]) -> list[tuple[str, Any, bool]]:
    """(JSON key, type, required) for every field of a model but ``extra``."""
    attrs.resolve_types(cls)
    return [
        (a.metadata.get(WIRE_NAME, a.name), a.type, a.default is attrs.NOTHING)
        for a in attrs.fields(cls)
        if a.name != "extra"
    ]


def non_none(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        (inner,) = (arg for arg in typing.get_args(tp) if arg is not type(None))
        return inner
    return tp


def model_of(tp: Any) -> type[Model] | None:
    return tp if isinstance(tp, type) and issubclass(tp, Model) else None


def list_item_model(tp: Any) -> type[Model] | None:
    args = typing.get_args(tp)
    return model_of(args[0]) if typing.get_origin(tp) is list and args else None


@st.composite
def loosely_shaped(draw: st.DrawFn, cls: type[Model], depth: int = 0) -> Any:
    """A dict with (some of) the model's keys, holding either arbitrary JSON or, for nested
    models, something loosely shaped like them: reaches the deep paths that pure noise misses."""
    body: dict[str, Any] = {}
    for key, tp, _required in wire_fields(cls):
        if not draw(st.booleans()):
            continue
        inner = non_none(tp)
        nested, item = model_of(inner), list_item_model(inner)
        if nested is not None and depth < 3 and draw(st.booleans()):
            body[key] = draw(loosely_shaped(nested, depth + 1))
        elif item is not None and depth < 3 and draw(st.booleans()):
            body[key] = draw(st.lists(loosely_shaped(item, depth + 1) | noise, max_size=3))
        else:
            body[key] = draw(noise)
    body.update(draw(st.dictionaries(text, noise, max_size=2)))
    return body


def model_or_decode_error(data: Any, target: Any) -> None:
    error: ResponseDecodeError | None = None
    try:
        result = target.from_dict(data)
    except ResponseDecodeError as exc:
        error = exc
    else:
        assert isinstance(result, typing.get_origin(target) or target)
    if error is not None:
        assert error.path is not None
        assert error.path.startswith("$")
        assert error.errors
        assert error.errors[0].endswith(f"@ {error.path}")
        assert isinstance(error.body, str)

    try:
        raw = orjson.dumps(data)
    except orjson.JSONEncodeError:  # integers beyond 64 bits: no server sends those
        return
    error = None
    try:
        decode(raw, target)
    except ResponseDecodeError as exc:
        error = exc
    assert error is None or error.path is not None


@FUZZ
@given(noise | loosely_shaped(AgentCall))
def test_any_json_becomes_a_call_or_a_decode_error(data: Any) -> None:
    model_or_decode_error(data, AgentCall)


@FUZZ
@given(noise | loosely_shaped(CallBatch))
def test_any_json_becomes_a_batch_or_a_decode_error(data: Any) -> None:
    model_or_decode_error(data, CallBatch)


@FUZZ
@given(
    noise
    | st.fixed_dictionaries(
        {"data": st.lists(loosely_shaped(AgentCall) | noise, max_size=3) | noise},
        optional={"next_page": noise, "has_more": noise},
    )
)
def test_any_json_becomes_a_page_or_a_decode_error(data: Any) -> None:
    model_or_decode_error(data, Page[AgentCall])


# --- Valid bodies ------------------------------------------------------------------------------

ZONES = [
    None,
    dt.UTC,
    dt.timezone(dt.timedelta(hours=5, minutes=30)),
    dt.timezone(dt.timedelta(hours=-8)),
]


@st.composite
def datetime_texts(draw: st.DrawFn) -> str:
    """ISO 8601 as servers write it: ``Z``, offsets, no zone, up to nanoseconds."""
    moment = draw(
        st.datetimes(
            min_value=dt.datetime(1971, 1, 1),
            max_value=dt.datetime(2100, 1, 1),
            timezones=st.sampled_from(ZONES),
        )
    )
    written = moment.isoformat(timespec=draw(st.sampled_from(["seconds", "microseconds"])))
    if draw(st.booleans()) and "." in written:
        head, dot, tail = written.partition(".")
        written = f"{head}{dot}{tail[:6]}{draw(st.integers(0, 999)):03d}{tail[6:]}"
    if written.endswith("+00:00") and draw(st.booleans()):
        written = written[: -len("+00:00")] + "Z"
    return written


def enum_values(cls: type[OpenEnum]) -> st.SearchStrategy[str]:
    return st.sampled_from([m.value for m in cls]) | text  # documented or brand new


def values_for(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    optional = tp is not non_none(tp)
    tp = non_none(tp)
    origin = typing.get_origin(tp)
    strategy: st.SearchStrategy[Any]
    if model_of(tp) is not None:
        strategy = valid_bodies(tp, depth + 1)
    elif origin is list:
        (item,) = typing.get_args(tp)
        strategy = st.lists(values_for(item, depth), max_size=3 if depth < 2 else 1)
    elif origin is dict:
        strategy = st.dictionaries(text, json_values, max_size=3)
    elif isinstance(tp, type) and issubclass(tp, OpenEnum):
        strategy = enum_values(tp)
    elif tp is str:
        strategy = text
    elif tp is bool:
        strategy = st.booleans()
    elif tp is int:
        ints = st.integers(-(2**63), 2**63 - 1)
        strategy = ints | st.integers(-(2**52), 2**52).map(float)  # integral floats count
    elif tp is float:
        strategy = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53)
    elif tp is dt.datetime:
        strategy = datetime_texts()
    elif tp is Any:
        strategy = json_values
    else:  # pragma: no cover - a new field type this test does not know yet
        raise AssertionError(f"no strategy for {tp!r}")
    return st.none() | strategy if optional else strategy


@st.composite
def valid_bodies(draw: st.DrawFn, cls: type[Model], depth: int = 0) -> dict[str, Any]:
    fields = wire_fields(cls)
    required = {key: values_for(tp, depth) for key, tp, req in fields if req}
    optional = {key: values_for(tp, depth) for key, tp, req in fields if not req}
    body = draw(st.fixed_dictionaries(required, optional=optional))
    known = {key for key, _, _ in fields}
    body.update(
        draw(st.dictionaries(text.filter(lambda k: k not in known), json_values, max_size=2))
    )
    return body


def round_trips(cls: Any, body: dict[str, Any]) -> Any:
    model = cls.from_dict(body)
    out = model.to_dict()

    assert cls.from_dict(out) == model
    assert decode(dumps(model), cls) == model
    assert orjson.loads(dumps(model)) == orjson.loads(orjson.dumps(out))
    known = {key for key, _, _ in wire_fields(typing.get_origin(cls) or cls)}
    assert model.extra == {k: v for k, v in body.items() if k not in known}
    return model


@FUZZ
@given(valid_bodies(AgentCall))
def test_valid_calls_decode_and_round_trip(body: dict[str, Any]) -> None:
    call = round_trips(AgentCall, body)
    assert call.status == body["status"]  # new statuses are kept as they came
    assert isinstance(call.status, OpenEnum)
    if call.start_time is not None:
        assert call.start_time.utcoffset() == dt.timedelta(0)


@FUZZ
@given(valid_bodies(CallBatch))
def test_valid_batches_decode_and_round_trip(body: dict[str, Any]) -> None:
    round_trips(CallBatch, body)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {"data": st.lists(valid_bodies(AgentCall), max_size=3)},
        optional={"next_page": st.none() | text, "has_more": st.none() | st.booleans()},
    )
)
def test_valid_pages_decode_and_round_trip(body: dict[str, Any]) -> None:
    page = round_trips(Page[AgentCall], body)
    assert all(isinstance(call, AgentCall) for call in page.data)
