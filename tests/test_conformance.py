"""The SDK against Cartesia's published 2026-08-14 spec, read from its facts file.

``tests/data/spec-2026-08-14.json`` is written by ``tools/spec_facts.py`` from the spec (it is
never read here; regenerate the facts when the spec changes, see docs/api-versions.md). From the
facts these tests check that:

* a body of every response schema with every property filled decodes with nothing in ``extra``
  at any level, and ``to_dict()`` gives it back;
* every enum value the spec names is a known member of the SDK's open enum;
* every path and method has an async and a sync method, and docs/api-versions.md lists them;
* every query parameter and request-body property is sent by its method;
* every answer the fake sends in 2026-08-14 mode validates against the spec's schema, checked by
  ``openapi-schema-validator`` (which reads OpenAPI 3.0's ``nullable``).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

import attrs
import pytest
from openapi_schema_validator import OAS30Validator

from cartesia_calls import (
    DEFAULT_CARTESIA_VERSION,
    AgentCall,
    APIStatusError,
    AsyncClient,
    BatchRecipient,
    CallBatch,
    CallCancellation,
    Client,
    DynamicVariableUpdate,
    OpenEnum,
    OutboundCall,
    OutboundCallResponse,
    OutboundCallResult,
    Page,
    Region,
    TelephonyParams,
    ToolCall,
    TranscriptTurn,
)
from cartesia_calls._converter import WIRE_NAME
from cartesia_calls._model_base import Model
from cartesia_calls.testing import FakeCartesia, ToolStep, seed_samples

ROOT = Path(__file__).resolve().parent.parent
FACTS: dict[str, Any] = json.loads(
    (Path(__file__).parent / "data" / "spec-2026-08-14.json").read_text(encoding="utf-8")
)
SCHEMAS: dict[str, Any] = FACTS["components"]["schemas"]
OPERATIONS: list[dict[str, Any]] = FACTS["operations"]

#: The model of every object schema the API answers with (or takes as an item).
MODELS: dict[str, Any] = {
    "AgentCall": AgentCall,
    "AgentTranscript": TranscriptTurn,
    "TelephonyParams": TelephonyParams,
    "ToolCall": ToolCall,
    "DynamicVariableUpdate": DynamicVariableUpdate,
    "GetCallsResponse": Page[AgentCall],
    "AgentOutboundCallResponse": OutboundCallResponse,
    "AgentOutboundCallItemResponse": OutboundCallResult,
    "AgentOutboundCallItem": OutboundCall,
    "AgentCallBatch": CallBatch,
    "AgentCallBatchRecipient": BatchRecipient,
    "ListAgentCallBatchesResponse": Page[CallBatch],
}
#: Schemas that are not a model, and what stands for them in the SDK.
NOT_MODELS = {
    "AgentOutboundCallRequest": "the arguments of calls.create",
    "AgentCallBatchRequest": "the arguments of batches.create",
    "AgentDynamicVariableInputs": "a dict, checked by the outbound validators",
    "AgentCallStatus": "CallStatus",
    "EndReason": "CallEndReason",
    "AgentCallBatchStatus": "BatchStatus",
    "AgentCallBatchRecipientStatus": "RecipientStatus",
    "PublicErrorResponse": "APIStatusError's attributes",
}

#: Every path and method, and the methods that call it (async and sync share the names).
METHODS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/agents/calls"): ("calls.list",),
    ("POST", "/agents/calls"): ("calls.create",),
    ("GET", "/agents/calls/{call_id}"): ("calls.get",),
    ("DELETE", "/agents/calls/{call_id}"): ("calls.delete",),
    ("POST", "/agents/calls/{call_id}/cancel"): ("calls.cancel",),
    ("GET", "/agents/calls/{call_id}/audio"): ("calls.download_audio", "calls.stream_audio"),
    ("POST", "/agents/calls/batches"): ("batches.create",),
    ("GET", "/agents/calls/batches"): ("batches.list",),
    ("GET", "/agents/calls/batches/{batch_id}"): ("batches.get",),
    ("POST", "/agents/calls/batches/{batch_id}/cancel"): ("batches.cancel",),
    ("POST", "/agents/calls/batches/{batch_id}/retry"): ("batches.retry",),
}


# -- reading the facts --------------------------------------------------------------------------


def resolve(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """A schema with its ``$ref`` followed (siblings of a ``$ref`` are dropped, as OpenAPI 3.0
    does)."""
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def enum_values(schema: Mapping[str, Any]) -> list[str]:
    """The values a property's schema names: its enum, its ``$ref``'s enum, or the values its
    description tabulates (``x-documented-values``)."""
    if "x-documented-values" in schema:
        return list(schema["x-documented-values"])
    return list(resolve(schema).get("enum", []))


def sample(schema: Mapping[str, Any], name: str = "") -> Any:
    """A valid value of ``schema`` with every property filled, nested objects too."""
    values = enum_values(schema)
    if values:
        return values[0]
    schema = resolve(schema)
    for key in ("anyOf", "oneOf"):
        # A value of one of the alternatives; an object's anyOf only lists required sets.
        if key in schema and "properties" not in schema:
            return sample(schema[key][0], name)
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties")
        if properties is not None:
            return {prop: sample(sub, prop) for prop, sub in properties.items()}
        extra = schema.get("additionalProperties", True)
        if extra is True:
            return {"detail": "free-form", "count": 2}
        options = extra.get("anyOf", [extra])
        return {f"var_{i}": sample(option) for i, option in enumerate(options)}
    if kind == "array":
        return [sample(schema["items"], name) for _ in range(max(1, schema.get("minItems", 1)))]
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2026-08-14T12:30:00Z"
        return f"{name or 'text'}_value"
    if kind == "integer":
        low, high = schema.get("minimum", 3), schema.get("maximum")
        return low if high is None else min(low, high)
    if kind == "number":
        return 1.5
    assert kind == "boolean", schema
    return True


def field_types(model: Any) -> dict[str, Any]:
    """Wire name -> the attrs field's type, for a model (``Page[X]`` included)."""
    origin = get_origin(model) or model
    hints = get_type_hints(origin)
    out = {}
    for field in attrs.fields(origin):
        if field.name != "extra":
            out[field.metadata.get(WIRE_NAME, field.name)] = hints[field.name]
    return out


def non_optional(t: Any) -> Any:
    if get_origin(t) in (Union, UnionType):
        (inner,) = (arg for arg in get_args(t) if arg is not NoneType)
        return inner
    return t


def extras(value: Any, path: str = "$") -> Iterator[str]:
    """The paths of every non-empty ``extra`` in a decoded model, at any depth."""
    if isinstance(value, Model):
        if value.extra:
            yield f"{path}: {sorted(value.extra)}"
        for field in attrs.fields(type(value)):
            if field.name != "extra":
                yield from extras(getattr(value, field.name), f"{path}.{field.name}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from extras(item, f"{path}[{index}]")


def response_schema(operation: Mapping[str, Any], status: str) -> Mapping[str, Any] | None:
    content = operation["responses"].get(status, {}).get("content", {})
    schema: Mapping[str, Any] | None = content.get("application/json")
    return schema


def operation(method: str, path: str) -> dict[str, Any]:
    return next(op for op in OPERATIONS if (op["method"], op["path"]) == (method, path))


# -- the facts file itself ----------------------------------------------------------------------


def test_the_facts_are_of_the_version_the_sdk_speaks() -> None:
    assert FACTS["cartesia_version"] == DEFAULT_CARTESIA_VERSION
    header = FACTS["components"]["parameters"]["CartesiaVersionHeader"]
    assert header["schema"]["enum"] == [DEFAULT_CARTESIA_VERSION]
    assert "description" not in json.dumps(FACTS)  # prose-free


def test_every_schema_has_a_home_in_the_sdk() -> None:
    assert set(SCHEMAS) == set(MODELS) | set(NOT_MODELS)


# -- 1. spec-complete bodies decode with nothing left over, and round-trip ------------------


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_spec_complete_body_decodes_with_nothing_in_extra(name: str) -> None:
    model = MODELS[name]
    body = sample(schema_of(name))
    decoded = model.from_dict(body)
    assert list(extras(decoded)) == []
    assert decoded.to_dict() == body
    assert model.from_dict(decoded.to_dict()) == decoded
    # Every property is a field under its wire name.
    assert set(schema_of(name)["properties"]) <= set(field_types(model))


def schema_of(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = SCHEMAS[name]
    return schema


def test_the_cancel_answer_is_a_call_cancellation() -> None:
    schema = response_schema(operation("POST", "/agents/calls/{call_id}/cancel"), "200")
    assert schema is not None
    body = sample(schema)
    decoded = CallCancellation.from_dict(body)
    assert decoded.extra == {}
    assert decoded.to_dict() == body


def test_a_spec_complete_agent_call_and_batch_decode_fully() -> None:
    call = AgentCall.from_dict(sample(SCHEMAS["AgentCall"]))
    assert call.dynamic_variables == {"var_0": "text_value", "var_1": 1.5, "var_2": True}
    assert call.telephony_account_type is not None
    assert call.telephony_account_type.is_known
    assert call.transcript is not None
    tool_calls = call.transcript[0].tool_calls or []
    updates = tool_calls[0].dynamic_variable_updates or []
    assert updates[0].updated_at == 1.5
    batch = CallBatch.from_dict(sample(SCHEMAS["AgentCallBatch"]))
    assert batch.region is Region.US
    assert batch.recipients is not None
    assert batch.recipients[0].end_reason == "agent_hangup"
    assert batch.recipients[0].status is not None
    assert batch.recipients[0].status.is_known


def test_a_spec_complete_error_body_fills_the_error() -> None:
    body = sample(SCHEMAS["PublicErrorResponse"])
    error = APIStatusError(status_code=400, headers={}, body=json.dumps(body))
    assert (error.error_code, error.title, error.message, error.request_id, error.doc_url) == (
        body["error_code"],
        body["title"],
        body["message"],
        body["request_id"],
        body["doc_url"],
    )


# -- 2. every enum value is known -----------------------------------------------------------


def _enum_cases() -> Iterator[tuple[str, str, type[OpenEnum], list[str]]]:
    for name, model in MODELS.items():
        types = field_types(model)
        for prop, schema in SCHEMAS[name].get("properties", {}).items():
            values = enum_values(schema)
            if values:
                cls = non_optional(types[prop])
                assert isinstance(cls, type), f"{name}.{prop} is not an open enum"
                assert issubclass(cls, OpenEnum), f"{name}.{prop} is not an open enum"
                yield name, prop, cls, values
    request_region = SCHEMAS["AgentCallBatchRequest"]["properties"]["region"]
    yield "AgentCallBatchRequest", "region", Region, enum_values(request_region)


ENUM_CASES = list(_enum_cases())


@pytest.mark.parametrize(
    ("schema", "prop", "enum", "values"), ENUM_CASES, ids=[f"{c[0]}.{c[1]}" for c in ENUM_CASES]
)
def test_every_enum_value_of_the_spec_is_known(
    schema: str, prop: str, enum: type[OpenEnum], values: list[str]
) -> None:
    unknown = [value for value in values if not enum(value).is_known]
    assert unknown == [], f"{schema}.{prop}: {enum.__name__} does not know {unknown}"


def test_the_enum_cases_cover_what_the_spec_enumerates() -> None:
    covered = {(schema, prop) for schema, prop, _, _ in ENUM_CASES}
    assert {
        ("AgentCall", "status"),
        ("AgentCall", "end_reason"),
        ("AgentCall", "telephony_account_type"),
        ("TelephonyParams", "connection_type"),
        ("AgentCallBatch", "status"),
        ("AgentCallBatch", "region"),
        ("AgentCallBatchRecipient", "status"),
        ("AgentCallBatchRecipient", "end_reason"),
    } <= covered


# -- 3. every path and method has a method, and the docs list them -------------------------


def _method(root: object, dotted: str) -> Callable[..., Any]:
    resource, name = dotted.split(".")
    method: Callable[..., Any] = getattr(getattr(root, resource), name)
    return method


def test_every_path_and_method_has_an_async_and_a_sync_method() -> None:
    assert {(op["method"], op["path"]) for op in OPERATIONS} == set(METHODS)
    async_client = AsyncClient(api_key="sk_car_x")
    with Client(api_key="sk_car_x") as sync_client:
        for names in METHODS.values():
            for name in names:
                assert callable(_method(async_client, name))
                assert callable(_method(sync_client, name))


def test_the_docs_table_lists_every_endpoint_and_its_methods() -> None:
    page = (ROOT / "docs" / "api-versions.md").read_text(encoding="utf-8")
    row = re.compile(r"^\| `(/agents[^`]*)` \| (\w+) \| (.+?) \| (.+?) \|$", re.MULTILINE)
    table = {}
    for path, method, async_names, sync_names in row.findall(page):
        names = tuple(re.findall(r"`([\w.]+)`", async_names))
        assert tuple(re.findall(r"`([\w.]+)`", sync_names)) == names
        table[(method, path)] = names
    assert table == METHODS


# -- 4. every query parameter and body property is sent ------------------------------------


@pytest.fixture
def fake(fake: FakeCartesia) -> FakeCartesia:
    fake.add_batch(id="acb_1", agent_id="agent_1")
    for index in range(3):
        fake.add_call(
            id=f"ac_{index}",
            agent_id="agent_1",
            batch_id="acb_1",
            start_time=f"2026-08-14T1{index}:00:00Z",
        )
    return fake


#: For each list endpoint and query parameter: the arguments that send it, and what is sent.
QUERY_ARGS: dict[tuple[str, str], dict[str, tuple[dict[str, Any], str]]] = {
    ("GET", "/agents/calls"): {
        "agent_id": ({"agent_id": "agent_1"}, "agent_1"),
        "batch_id": ({"batch_id": "acb_1"}, "acb_1"),
        "start_time_gte": (
            {"agent_id": "agent_1", "start_time_gte": dt.datetime(2026, 8, 14, 10, tzinfo=dt.UTC)},
            "2026-08-14T10:00:00Z",
        ),
        "start_time_lte": (
            {"agent_id": "agent_1", "start_time_lte": "2026-08-14T11:00:00+00:00"},
            "2026-08-14T11:00:00+00:00",
        ),
        "expand": ({"agent_id": "agent_1", "expand_transcript": True}, "transcript"),
        "starting_after": ({"agent_id": "agent_1", "starting_after": "ac_2"}, "ac_2"),
        "ending_before": ({"agent_id": "agent_1", "ending_before": "ac_0"}, "ac_0"),
        "limit": ({"agent_id": "agent_1", "limit": 2}, "2"),
    },
    ("GET", "/agents/calls/batches"): {
        "agent_id": ({"agent_id": "agent_1"}, "agent_1"),
        "starting_after": ({"starting_after": "acb_1"}, "acb_1"),
        "ending_before": ({"ending_before": "acb_1"}, "acb_1"),
        "limit": ({"limit": 7}, "7"),
    },
}


def _query_cases() -> Iterator[tuple[str, str, str]]:
    for op in OPERATIONS:
        for parameter in op["parameters"]:
            if parameter.get("in") == "query":
                yield op["method"], op["path"], parameter["name"]


@pytest.mark.parametrize(("method", "path", "name"), list(_query_cases()))
async def test_every_query_parameter_is_sent_by_its_method(
    fake: FakeCartesia, client: AsyncClient, method: str, path: str, name: str
) -> None:
    kwargs, expected = QUERY_ARGS[(method, path)][name]
    (sdk_method,) = METHODS[(method, path)]
    pager = _method(client, sdk_method)(**kwargs)
    await pager.first_page()
    request = fake.requests[-1]
    assert (request.method, request.path) == (method, path)
    assert request.query[name] == expected


#: Body values the fake needs real ones for (its phone number, a time in the future, E.164).
def _body_overrides() -> dict[str, Any]:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    return {
        "from_number_id": "pn_fake_number",
        "to_number": "+14155550100",
        "scheduled_at": soon.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _with_overrides(value: Any, overrides: Mapping[str, Any]) -> Any:
    if isinstance(value, dict):
        return {
            k: overrides[k] if k in overrides else _with_overrides(v, overrides)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_with_overrides(v, overrides) for v in value]
    return value


def _body_cases() -> Iterator[tuple[str, str]]:
    for op in OPERATIONS:
        if "request_body" in op:
            yield op["method"], op["path"]


@pytest.mark.parametrize(("method", "path"), list(_body_cases()))
async def test_every_body_property_is_sent_verbatim_by_its_method(
    fake: FakeCartesia, client: AsyncClient, method: str, path: str
) -> None:
    schema = operation(method, path)["request_body"]["content"]["application/json"]
    body = _with_overrides(sample(schema), _body_overrides())
    assert set(body) == set(resolve(schema)["properties"])  # every property, filled
    (sdk_method,) = METHODS[(method, path)]
    bound = _method(client, sdk_method)
    assert set(body) <= set(inspect.signature(bound).parameters)
    await bound(**body)
    request = fake.requests[-1]
    assert (request.method, request.path) == (method, path)
    assert request.json() == body
    assert request.headers["Cartesia-Version"] == DEFAULT_CARTESIA_VERSION


# -- 5. every answer of the fake validates against the spec -------------------------------


def _validator(schema: Mapping[str, Any]) -> OAS30Validator:
    document = {**schema, "components": FACTS["components"]}
    return OAS30Validator(document, format_checker=OAS30Validator.FORMAT_CHECKER)


class Checker:
    """Sends requests through a client and validates each answer against its operation."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.seen: set[tuple[str, str]] = set()
        self.validated = 0

    async def __call__(
        self, method: str, template: str, path: str, *, json_body: Any = None, **params: str
    ) -> Any:
        op = operation(method, template)
        try:
            raw = await self.client.request(method, path, params=params or None, json=json_body)
        except APIStatusError as error:
            # Error answers carry the spec's shared error body.
            _validator({"$ref": "#/components/schemas/PublicErrorResponse"}).validate(error.json)
            self.validated += 1
            return error
        status = str(raw.status_code)
        assert status in op["responses"], f"{method} {template} answered {status}"
        self.seen.add((method, template))
        if raw.headers.get("Content-Type", "").startswith("audio/wav"):
            assert "audio/wav" in op["responses"][status]["content"]
            return raw
        schema = response_schema(op, status)
        assert schema is not None, f"{method} {template} {status} has no JSON schema"
        data = raw.json()
        _validator(schema).validate(data)
        self.validated += 1
        return data


async def test_every_answer_of_the_fake_validates_against_the_spec() -> None:
    async with FakeCartesia(usage_limit=10) as fake, fake.client() as client:
        calls = seed_samples(fake)
        fake.outbound_tools.append(ToolStep(at=2, name="lookup", assigns={"tier": "gold"}))
        fake.unreachable_numbers["+14155550199"] = {"code": "invalid_number", "message": "No."}
        check = Checker(client)

        for call in calls:
            await check("GET", "/agents/calls/{call_id}", f"/agents/calls/{call.id}")
        for agent in {call.agent_id for call in calls}:
            await check("GET", "/agents/calls", "/agents/calls", agent_id=agent)
            await check(
                "GET", "/agents/calls", "/agents/calls", agent_id=agent, expand="transcript"
            )
        await check(
            "GET",
            "/agents/calls",
            "/agents/calls",
            batch_id="acb_refills_0301",
            start_time_gte="2026-03-01T00:00:00Z",
            limit="2",
        )
        await check("GET", "/agents/calls/{call_id}/audio", f"/agents/calls/{calls[0].id}/audio")

        created = await check(
            "POST",
            "/agents/calls",
            "/agents/calls",
            json_body={
                "agent_id": "agent_1",
                "from_number_id": "pn_fake_number",
                "outbound_calls": [
                    {"to_number": "+14155550100", "dynamic_variables": {"tier": "silver"}},
                    {"to_number": "+14155550199"},
                ],
            },
        )
        live = created["calls"][0]["agent_call_id"]
        fake.advance(3)  # started, and its tool ran
        await check("GET", "/agents/calls/{call_id}", f"/agents/calls/{live}")
        await check("DELETE", "/agents/calls/{call_id}", f"/agents/calls/{live}")  # 400
        await check("POST", "/agents/calls/{call_id}/cancel", f"/agents/calls/{live}/cancel")
        await check("GET", "/agents/calls/{call_id}", f"/agents/calls/{live}")
        await check("DELETE", "/agents/calls/{call_id}", f"/agents/calls/{live}")
        await check("GET", "/agents/calls/{call_id}", f"/agents/calls/{live}")

        batch_body = {
            "name": "Conformance",
            "agent_id": "agent_1",
            "from_number_id": "pn_fake_number",
            "recipients": [
                {"to_number": f"+1415555010{i}", "dynamic_variables": {"n": i}} for i in range(4)
            ]
            + [{"to_number": "+14155550199"}],
            "target_concurrency_limit": 2,
            "region": "EU",
        }
        batch = await check(
            "POST", "/agents/calls/batches", "/agents/calls/batches", json_body=batch_body
        )
        one = f"/agents/calls/batches/{batch['id']}"
        for step in (0, 1, 29, 0, 1):  # queued, dispatched, started, completed...
            fake.advance(step)
            await check("GET", "/agents/calls/batches/{batch_id}", one)
        await check("POST", "/agents/calls/batches/{batch_id}/cancel", one + "/cancel")
        await check("POST", "/agents/calls/batches/{batch_id}/retry", one + "/retry")  # 400
        other = await check(
            "POST",
            "/agents/calls/batches",
            "/agents/calls/batches",
            json_body={**batch_body, "region": "APAC"},
        )
        fake.dial_batch(other["id"], outcomes={"+14155550101": "no_answer"})
        await check(
            "GET", "/agents/calls/batches/{batch_id}", f"/agents/calls/batches/{other['id']}"
        )
        await check(
            "POST",
            "/agents/calls/batches/{batch_id}/retry",
            f"/agents/calls/batches/{other['id']}/retry",
        )
        await check("GET", "/agents/calls/batches", "/agents/calls/batches")
        await check(
            "GET", "/agents/calls/batches", "/agents/calls/batches", agent_id="agent_1", limit="1"
        )
        await check(
            "GET", "/agents/calls/batches/{batch_id}", "/agents/calls/batches/acb_refills_0301"
        )
        over = await check(
            "POST", "/agents/calls/batches", "/agents/calls/batches", json_body=batch_body
        )
        assert isinstance(over, APIStatusError)
        assert over.status_code == 402

    assert check.seen == set(METHODS)  # every endpoint answered at least once
    assert check.validated > 40
