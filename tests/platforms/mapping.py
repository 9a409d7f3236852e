"""Reading an Elasticsearch / OpenSearch mapping the way the engine does: which mapping a
dotted field path gets, and whether a JSON value is one that field type accepts as it is."""

import importlib.util
import math
import re
from datetime import datetime
from fnmatch import fnmatchcase

from conftest import REPO


def load_generator():
    """schema/gen-index-template.py as a module (its name has dashes)."""
    path = REPO / "schema/gen-index-template.py"
    spec = importlib.util.spec_from_file_location("gen_index_template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def field_mapping(mappings, path):
    """The mapping the engine applies to the scalar at dotted `path`, or None when the
    document would be refused (a `strict` object) or the field left unmapped (`dynamic:
    false`). A field under a `dynamic: true` object gets the first dynamic template whose
    `path_match` matches; with none, the engine would guess, which is also None here."""
    node = mappings
    parts = path.split(".")
    for depth, part in enumerate(parts):
        children = node.get("properties", {})
        if part in children:
            node = children[part]
            continue
        if node.get("dynamic") is True or node.get("dynamic") == "true":
            for entry in mappings.get("dynamic_templates", []):
                (template,) = entry.values()
                if fnmatchcase(path, template["path_match"]):
                    return template["mapping"]
        return None
    # A scalar must land on a leaf, not on an object mapping.
    return node if "type" in node and node["type"] != "object" else None


INT_RANGES = {
    "long": (-(2**63), 2**63 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-(2**7), 2**7 - 1),
}

# Elasticsearch's default date format, strict_date_optional_time: RFC 3339 dates and times.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def fits(mapping, value):
    """Whether `value` is a JSON value the mapped field takes as it is: no coercion (a float
    into a `long` would be truncated), no overflow, no refusal."""
    kind = mapping["type"]
    if kind in INT_RANGES:
        low, high = INT_RANGES[kind]
        return type(value) is int and low <= value <= high
    if kind == "double":
        return type(value) in (int, float) and math.isfinite(value)
    if kind == "boolean":
        return type(value) is bool
    if kind in ("keyword", "text", "match_only_text"):
        if type(value) is not str:
            return False
        # ignore_above leaves a longer keyword unindexed: it would not be found by a filter.
        limit = mapping.get("ignore_above")
        return limit is None or len(value) <= limit
    if kind == "date":
        if type(value) is not str or not RFC3339.match(value):
            return False
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    raise AssertionError(f"no rule for mapping type {kind}")
