"""The JSON Schema of the spec, generated from the pydantic models (so it cannot drift from them)."""

from __future__ import annotations

import json
from typing import Annotated, Union

from pydantic import Field, create_model

from aipipe.kinds.registry import RESOURCE_TYPES
from aipipe.spec.document import SpecHeader
from aipipe.spec.values import RESOURCE_NAME, ResourceName

SCHEMA_ID = "https://aipipe.dev/schema/v1/aipipe.schema.json"


def spec_json_schema() -> dict:
    """A JSON Schema (draft 2020-12) that editors and independent validators can use for spec files."""
    resource = Annotated[Union[tuple(RESOURCE_TYPES.values())], Field(discriminator="type")]
    document = create_model(
        "AipipeSpec",
        __base__=SpecHeader,
        __doc__="An aipipe spec, version 1: resources composed into a cloud pipeline for AI training data.",
        resources=(dict[ResourceName, resource], Field(min_length=1)),  # type: ignore[valid-type]
    )
    schema = _close_pattern_objects(document.model_json_schema(mode="validation"))
    required = _required_on_clouds()
    if required:
        schema["allOf"] = required
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def _required_on_clouds() -> list[dict]:
    """For each field required on one cloud only (spec.model.cloud_required): if the spec is on that cloud,
    every resource of the field's type has it."""
    conditions = []
    for type_name, model in RESOURCE_TYPES.items():
        for name, info in model.model_fields.items():
            extra = info.json_schema_extra
            cloud = extra.get("x-required-on") if isinstance(extra, dict) else None
            if not cloud:
                continue
            each = {"if": {"properties": {"type": {"const": type_name}}}, "then": {"required": [name]}}
            resources = {"patternProperties": {RESOURCE_NAME: each}}
            conditions.append(
                {
                    "if": {"properties": {"cloud": {"const": cloud}}, "required": ["cloud"]},
                    "then": {"properties": {"resources": resources}},
                }
            )
    return conditions


def _close_pattern_objects(node):
    """Mappings with constrained keys (resource names, environment names) come out of pydantic as
    `patternProperties` alone, which lets any other key through; the models reject such keys, so say so."""
    if isinstance(node, dict):
        if "patternProperties" in node and "additionalProperties" not in node and "properties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_pattern_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_pattern_objects(value)
    return node


def spec_json_schema_text() -> str:
    """The schema as the committed specs/aipipe.schema.json holds it."""
    return json.dumps(spec_json_schema(), indent=2, sort_keys=True) + "\n"
