"""A property the API always sends, ``null`` included, survives a round trip.

``to_dict()`` leaves out ``None`` fields (``None`` means "absent"), except the fields marked
``ALWAYS_EMIT``: those the spec lists as required *and* nullable, like
``DynamicVariableUpdate.old_value`` (``null`` when the variable had no value before). Decoding
such a body and writing it back (``to_dict``, ``dumps``, the plain functions an export uses)
gives the body back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import orjson

from cartesia_calls import AgentCall, DynamicVariableUpdate
from cartesia_calls._codec import decode, decode_plain, dumps
from cartesia_calls._converter import ALWAYS_EMIT, WIRE_NAME, model_origin
from cartesia_calls._fastpath import plain_hook
from cartesia_calls.testing import FakeCartesia

from .test_conformance import MODELS, SCHEMAS

UPDATE = {
    "variable_name": "plan",
    "old_value": None,
    "new_value": "gold",
    "updated_at": 3.5,
    "tool_id": "tool_1",
    "tool_call_id": "tc_1",
}
CALL = {
    "id": "ac_1",
    "agent_id": "agent_1",
    "status": "completed",
    "transcript": [
        {
            "role": "assistant",
            "start_timestamp": 1.0,
            "end_timestamp": 4.0,
            "text": "Upgraded.",
            "tool_calls": [
                {
                    "id": "tc_1",
                    "name": "upgrade",
                    "arguments": {},
                    "result": "ok",
                    "dynamic_variable_updates": [UPDATE, {**UPDATE, "old_value": "silver"}],
                }
            ],
        }
    ],
}


def nullable(schema: dict[str, Any]) -> bool:
    return bool(schema.get("nullable")) or any(nullable(s) for s in schema.get("anyOf", ()))


def required_nullable() -> Iterator[tuple[str, str]]:
    """(schema, property) for every property the spec requires and allows to be null."""
    for name, schema in SCHEMAS.items():
        for key in schema.get("required", ()):
            if nullable(schema.get("properties", {}).get(key, {})):
                yield name, key


def test_a_decoded_null_is_written_back() -> None:
    body = orjson.dumps(CALL)
    call = decode(body, AgentCall)
    update = call.transcript[0].tool_calls[0].dynamic_variable_updates[0]  # type: ignore[index]
    assert update.old_value is None
    assert call.to_dict() == CALL
    assert orjson.loads(dumps(call)) == CALL
    assert AgentCall.from_dict(call.to_dict()) == call


def test_the_plain_path_writes_it_as_the_model_does() -> None:
    # What an export writes, built without the models: the same dicts, the same bytes.
    body = orjson.dumps(CALL)
    plain = decode_plain(body, AgentCall)
    assert plain == CALL
    assert orjson.dumps(plain) == dumps(decode(body, AgentCall))


def test_an_update_without_old_value_is_written_with_null() -> None:
    # The API always sends it: a model that lacks it (built by hand, or from an older server's
    # body) is written the way the API writes it, in field order.
    sent = {k: v for k, v in UPDATE.items() if k != "old_value"}
    for written in (
        DynamicVariableUpdate.from_dict(sent).to_dict(),
        plain_hook(DynamicVariableUpdate)(sent),
        DynamicVariableUpdate(variable_name="plan", new_value="gold").to_dict(),
    ):
        assert written["old_value"] is None
        assert list(written)[:2] == ["variable_name", "old_value"]
    # The other fields still leave out None.
    assert DynamicVariableUpdate(variable_name="plan").to_dict() == {
        "variable_name": "plan",
        "old_value": None,
    }


def test_every_required_nullable_property_of_the_spec_is_always_written() -> None:
    found = sorted(required_nullable())
    assert ("DynamicVariableUpdate", "old_value") in found
    for schema, key in found:
        cls = model_origin(MODELS[schema])
        field = next(a for a in attrs.fields(cls) if a.metadata.get(WIRE_NAME, a.name) == key)
        assert field.metadata.get(ALWAYS_EMIT), (schema, key)
    # And no other field is: a None field the spec does not require stays out.
    marked = {
        (schema, a.metadata.get(WIRE_NAME, a.name))
        for schema, model in MODELS.items()
        for a in attrs.fields(model_origin(model))
        if a.metadata.get(ALWAYS_EMIT)
    }
    assert marked == set(found)


async def test_an_exported_line_is_the_call_the_api_sent(tmp_path: Path) -> None:
    async with FakeCartesia() as fake:
        fake.add_call(CALL)
        async with fake.client(max_retries=0) as client:
            await client.calls.export(tmp_path / "calls.jsonl", agent_id="agent_1")
    (line,) = (tmp_path / "calls.jsonl").read_text().splitlines()
    assert json.loads(line) == CALL
    assert AgentCall.from_dict(json.loads(line)).to_dict() == CALL
