"""Validation of the API's output against the official FHIR R4 JSON schema (tests/fhir/schema/)."""

import functools
import gzip
import json
from pathlib import Path

import jsonschema

SCHEMA_FILE = Path(__file__).parent / "schema" / "fhir.schema.json.gz"


@functools.cache
def _root() -> dict:
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as handle:
        root = json.load(handle)
    # The file is the 4.0.0 schema; 4.0.1 (the technical correction) only added its own version code.
    for definition in root["definitions"].values():
        for prop in definition.get("properties", {}).values():
            if "4.0.0" in prop.get("enum", ()):
                prop["enum"].append("4.0.1")
    return root


@functools.cache
def validator(resource_type: str) -> jsonschema.protocols.Validator:
    """A validator for one resource type: the schema's definitions with that type as the root."""
    root = _root()
    schema = {key: value for key, value in root.items() if key not in ("oneOf", "discriminator")}
    schema["$ref"] = f"#/definitions/{resource_type}"
    return jsonschema.validators.validator_for(root)(schema)


def schema_errors(resource: dict) -> list[str]:
    resource_type = resource.get("resourceType")
    if resource_type not in _root()["definitions"]:
        return [f"unknown resourceType {resource_type!r}"]
    errors = validator(resource_type).iter_errors(resource)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in errors]


def assert_valid(resource: dict) -> dict:
    """Fail with every schema error of `resource` and, for a Bundle, of each entry's resource."""
    errors = schema_errors(resource)
    if resource.get("resourceType") == "Bundle":
        for index, entry in enumerate(resource.get("entry", [])):
            errors += [f"entry/{index}/resource/{error}" for error in schema_errors(entry["resource"])]
    assert not errors, "\n".join(errors[:20])
    return resource
