#!/usr/bin/env python3
"""Generates the Elasticsearch / OpenSearch composable index template from the event schema.

    schema/gen-index-template.py            # rewrites schema/oom-index-template.json
    schema/gen-index-template.py --check    # exits 1 when the committed file differs

Every field of `schema/oom-event.schema.json` gets an explicit mapping, and the root is
`dynamic: strict`: a document with a field the schema does not define is refused, never
guessed. The two free-form maps of the schema (memory.stat values, Mem-Info counters) are
the only dynamic objects, and a dynamic template names the one type their values take.

Types follow the schema, with ECS's choices where ECS defines the field (ECS 8.11):
- `integer` with a range inside [-2^31, 2^31) -> `integer`, any other `integer` -> `long`
  (pids and uids reach 2^32-1, byte figures i64::MAX), `number` -> `double`;
- `string` with `format: date-time` -> `date`; the few prose fields in TEXT_FIELDS -> `text`;
  every other string (paths, names, enums, ids, gfp flags, call-trace frames) -> `keyword`;
- `event.original` as ECS maps it (keyword, neither indexed nor in doc values);
- arrays map as their items (Elasticsearch has no array type); arrays of objects stay
  `object`, not `nested`: one event can list thousands of tasks, and a nested document each
  would hit `index.mapping.nested_objects.limit`.
`text` stands where ECS says `match_only_text`, which OpenSearch does not have.
"""

import json
import sys
from pathlib import Path

SCHEMA_PATH = Path(__file__).with_name("oom-event.schema.json")
TEMPLATE_PATH = Path(__file__).with_name("oom-index-template.json")

INDEX_PATTERNS = ["oomlens-*"]

# Longest keyword indexed (ECS's own ignore_above); longer values stay in _source only.
KEYWORD_IGNORE_ABOVE = 1024

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1

# Prose: searched by words, not filtered on. Dotted paths from the event's root.
TEXT_FIELDS = {
    "message",
    "oom.evidence",
    "oom.kill_message",
    "oom.remediation.action",
}

# Fields whose mapping ECS fixes beyond their type.
ECS_OVERRIDES = {
    "event.original": {"type": "keyword", "index": False, "doc_values": False},
    # ECS: keyword with a `text` multi-field (match_only_text in ECS).
    "process.name": {
        "type": "keyword",
        "ignore_above": KEYWORD_IGNORE_ABOVE,
        "fields": {"text": {"type": "text"}},
    },
}


def resolve(node, schema):
    """The node with its `$ref` (into `$defs`) followed."""
    while "$ref" in node:
        name = node["$ref"].removeprefix("#/$defs/")
        node = schema["$defs"][name]
    return node


def json_type(node):
    """The JSON type of a schema node, from `type`, or from the value of a `const`."""
    if "type" in node:
        return node["type"]
    if "const" in node:
        value = node["const"]
        if isinstance(value, bool):
            return "boolean"
        if isinstance(value, int):
            return "integer"
        if isinstance(value, float):
            return "number"
        return "string"
    if "oneOf" in node:
        kinds = {json_type(branch) for branch in node["oneOf"]}
        if len(kinds) == 1:
            return kinds.pop()
    raise ValueError(f"no single JSON type in schema node {node}")


def leaf_mapping(path, node):
    """The mapping of a scalar field (or of an array's scalar items)."""
    if path in ECS_OVERRIDES:
        return dict(ECS_OVERRIDES[path])
    kind = json_type(node)
    if kind == "string":
        if node.get("format") == "date-time":
            return {"type": "date"}
        if path in TEXT_FIELDS:
            return {"type": "text"}
        return {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE}
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        fits_int32 = (
            low is not None
            and high is not None
            and INT32_MIN <= low
            and high <= INT32_MAX
        )
        return {"type": "integer" if fits_int32 else "long"}
    if kind == "number":
        return {"type": "double"}
    if kind == "boolean":
        return {"type": "boolean"}
    raise ValueError(f"{path}: no mapping for JSON type {kind}")


def field_mapping(path, node, schema, dynamic_templates):
    """The mapping of the field at dotted `path`; maps add to `dynamic_templates`."""
    node = resolve(node, schema)
    if json_type(node) == "array":
        return field_mapping(path, node["items"], schema, dynamic_templates)
    if json_type(node) != "object":
        return leaf_mapping(path, node)
    if "properties" in node:
        return {
            "properties": {
                name: field_mapping(f"{path}.{name}", child, schema, dynamic_templates)
                for name, child in node["properties"].items()
            }
        }
    values = node.get("additionalProperties")
    if not isinstance(values, dict):
        raise ValueError(f"{path}: an object with neither properties nor a value schema")
    value_mapping = leaf_mapping(path + ".*", resolve(values, schema))
    dynamic_templates.append(
        {
            path.replace(".", "_"): {
                "path_match": f"{path}.*",
                "mapping": value_mapping,
            }
        }
    )
    return {"type": "object", "dynamic": True}


def index_template(schema):
    """The composable index template for the events the schema describes."""
    dynamic_templates = []
    properties = {
        name: field_mapping(name, node, schema, dynamic_templates)
        for name, node in schema["properties"].items()
    }
    return {
        "index_patterns": INDEX_PATTERNS,
        "priority": 200,
        "_meta": {
            "description": "oomlens OOM events, generated from schema/oom-event.schema.json "
            "by schema/gen-index-template.py: do not edit by hand.",
            "ecs_version": schema["properties"]["ecs"]["properties"]["version"]["const"],
        },
        "template": {
            "mappings": {
                "dynamic": "strict",
                "date_detection": False,
                "numeric_detection": False,
                "dynamic_templates": dynamic_templates,
                "properties": properties,
            }
        },
    }


def rendered(schema):
    """The template as the committed file holds it."""
    return json.dumps(index_template(schema), indent=2) + "\n"


def main(argv):
    schema = json.loads(SCHEMA_PATH.read_text())
    text = rendered(schema)
    if argv[1:] == ["--check"]:
        if TEMPLATE_PATH.read_text() != text:
            print(f"{TEMPLATE_PATH} is stale: run {argv[0]}", file=sys.stderr)
            return 1
        return 0
    if argv[1:]:
        print(f"usage: {argv[0]} [--check]", file=sys.stderr)
        return 2
    TEMPLATE_PATH.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
