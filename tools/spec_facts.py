"""Write the facts of Cartesia's calls spec, without its prose, into the project.

    pip install pyyaml
    python tools/spec_facts.py [SPEC.yaml] [--output tests/data/spec-2026-08-14.json]

SPEC.yaml defaults to ``../shared/api/openapi-2026-08-14-calls.yaml`` (relative to the repository
root). The output is deterministic (sorted keys, fixed indentation), so regenerating it from
an unchanged spec changes nothing, and a diff of the file is a diff of the API.

What it keeps: every path and method with its operation id, parameters (name, where, required,
schema), request body schema and responses (status, content type, schema); and every component
schema and parameter, each reduced to what a machine can check: ``type``, ``format``,
``nullable``, ``enum``, ``required``, ``properties``, ``items``, ``additionalProperties``,
``anyOf``/``oneOf``/``allOf``, ``$ref``, ``default`` and the bounds (``minimum``, ``maxItems``,
``maxProperties``...). Descriptions, titles, summaries and examples are dropped. One thing is
read out of prose: a property whose schema has no ``enum`` but whose description tabulates its
values (``| `queued` | ... |``) gets them as ``x-documented-values``, because the spec documents
batch recipient statuses only that way. The conformance tests (``tests/test_conformance.py``)
read the output; they never read the spec itself.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "api" / "openapi-2026-08-14-calls.yaml"
DEFAULT_OUTPUT = ROOT / "tests" / "data" / "spec-2026-08-14.json"

#: Schema keywords kept as they are (everything else, prose above all, is dropped).
_KEPT = (
    "type",
    "format",
    "nullable",
    "enum",
    "required",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "$ref",
)
_NESTED_LISTS = ("anyOf", "oneOf", "allOf")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
# A Markdown table row whose first cell is one backticked value: | `queued` | Waiting ... |
_TABLE_VALUE = re.compile(r"^\|\s*`([^`|]+)`\s*\|", re.MULTILINE)


def schema_facts(schema: Any) -> Any:
    """A schema with its prose removed (recursively)."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {key: schema[key] for key in _KEPT if key in schema}
    if "properties" in schema:
        out["properties"] = {
            name: property_facts(value) for name, value in schema["properties"].items()
        }
    if "items" in schema:
        out["items"] = schema_facts(schema["items"])
    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        out["additionalProperties"] = extra if isinstance(extra, bool) else schema_facts(extra)
    for key in _NESTED_LISTS:
        if key in schema:
            out[key] = [schema_facts(part) for part in schema[key]]
    return out


def property_facts(schema: Any) -> Any:
    """A property's schema facts, plus values its description tabulates when it has no enum."""
    out = schema_facts(schema)
    description = schema.get("description") if isinstance(schema, dict) else None
    if isinstance(out, dict) and "enum" not in out and isinstance(description, str):
        values = _TABLE_VALUE.findall(description)
        if values:
            out["x-documented-values"] = values
    return out


def parameter_facts(parameter: dict[str, Any]) -> dict[str, Any]:
    """A parameter reduced to name, location, required and schema (or its ``$ref``)."""
    if "$ref" in parameter:
        return {"$ref": parameter["$ref"]}
    return {
        "name": parameter["name"],
        "in": parameter["in"],
        "required": bool(parameter.get("required", False)),
        "schema": schema_facts(parameter.get("schema", {})),
    }


def content_facts(content: dict[str, Any] | None) -> dict[str, Any]:
    """Content type -> schema facts."""
    return {
        media: schema_facts(body.get("schema", {}))
        for media, body in sorted((content or {}).items())
    }


def operation_facts(path: str, method: str, operation: dict[str, Any]) -> dict[str, Any]:
    """One path + method."""
    out: dict[str, Any] = {
        "path": path,
        "method": method.upper(),
        "operation_id": operation.get("operationId"),
        "parameters": [parameter_facts(p) for p in operation.get("parameters", [])],
        "responses": {
            str(status): {"content": content_facts(response.get("content"))}
            for status, response in sorted(operation.get("responses", {}).items())
        },
    }
    body = operation.get("requestBody")
    if body is not None:
        out["request_body"] = {
            "required": bool(body.get("required", False)),
            "content": content_facts(body.get("content")),
        }
    return out


def facts(spec: dict[str, Any], source: str) -> dict[str, Any]:
    """Everything the conformance tests need from the spec."""
    operations = [
        operation_facts(path, method, item[method])
        for path, item in spec.get("paths", {}).items()
        for method in _METHODS
        if method in item
    ]
    components = spec.get("components", {})
    header = components.get("parameters", {}).get("CartesiaVersionHeader", {})
    return {
        "source": source,
        "openapi": spec.get("openapi"),
        "cartesia_version": header.get("schema", {}).get("default"),
        "operations": operations,
        "components": {
            "parameters": {
                name: parameter_facts(value)
                for name, value in sorted(components.get("parameters", {}).items())
            },
            "schemas": {
                name: schema_facts(value)
                for name, value in sorted(components.get("schemas", {}).items())
            },
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Read the spec, write the facts; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("spec", nargs="?", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        import yaml  # noqa: PLC0415 - only this script needs PyYAML
    except ImportError:
        print("spec_facts.py needs PyYAML: pip install pyyaml", file=sys.stderr)
        return 2
    spec = yaml.safe_load(args.spec.read_text(encoding="utf-8"))
    result = facts(spec, source=args.spec.name)
    text = json.dumps(result, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(result['operations'])} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
