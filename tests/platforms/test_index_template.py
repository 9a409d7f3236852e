"""The Elasticsearch / OpenSearch index template (schema/oom-index-template.json) against the
schema it is generated from and against every event of every fixture log."""

import json
from collections import Counter

from conftest import REPO, leaves
from mapping import field_mapping, fits, load_generator

TEMPLATE = json.loads((REPO / "schema/oom-index-template.json").read_text())
MAPPINGS = TEMPLATE["template"]["mappings"]


def test_committed_template_is_the_generators_output():
    generator = load_generator()
    schema = json.loads((REPO / "schema/oom-event.schema.json").read_text())
    assert (REPO / "schema/oom-index-template.json").read_text() == generator.rendered(schema)


def test_root_is_strict_and_nothing_is_guessed():
    assert MAPPINGS["dynamic"] == "strict"
    assert MAPPINGS["date_detection"] is False
    assert MAPPINGS["numeric_detection"] is False

    # Every dynamic object has a dynamic template for exactly its fields.
    def dynamic_objects(node, path=""):
        for name, child in node.get("properties", {}).items():
            here = f"{path}.{name}" if path else name
            if child.get("dynamic") is True:
                yield here
            yield from dynamic_objects(child, here)

    dynamic = sorted(dynamic_objects(MAPPINGS))
    matched = sorted(
        template["path_match"].removesuffix(".*")
        for entry in MAPPINGS["dynamic_templates"]
        for template in entry.values()
    )
    assert dynamic == matched
    assert dynamic == ["oom.memcg.stats.values", "oom.memory.counters_pages"]


def test_every_leaf_of_every_event_is_mapped_with_a_type_its_value_fits(events):
    unmapped, misfits, checked = Counter(), Counter(), 0
    for event in events:
        for path, value in leaves(event):
            mapping = field_mapping(MAPPINGS, path)
            checked += 1
            if mapping is None:
                unmapped[path] += 1
            elif not fits(mapping, value):
                misfits[f"{path}: {mapping['type']} <- {value!r:.60}"] += 1
    assert not unmapped, f"fields a strict mapping refuses: {dict(unmapped)}"
    assert not misfits, f"values their field type does not take: {dict(misfits)}"
    assert checked > 5_000  # 6 814 leaves in 80 events when written


def test_the_questions_fields_have_filterable_types():
    expected = {
        "@timestamp": "date",
        "message": "text",
        "process.pid": "long",
        "host.name": "keyword",
        "container.id": "keyword",
        "kubernetes.pod.uid": "keyword",
        "oom.cause": "keyword",
        "oom.cgroup.limiting": "keyword",
        "oom.cgroup.task": "keyword",
        "oom.victim.anon_rss_bytes": "long",
        "oom.memcg.memory.limit_bytes": "long",
        "oom.memory.zones.node": "long",
        "oom.evidence": "text",
        "oom.memcg.stats.values.anon": "long",
    }
    got = {path: field_mapping(MAPPINGS, path)["type"] for path in expected}
    assert got == expected


def test_fit_rules_refuse_what_the_engine_would_coerce_or_refuse():
    assert not fits({"type": "long"}, 1.5)
    assert not fits({"type": "long"}, 2**63)
    assert not fits({"type": "long"}, True)
    assert not fits({"type": "integer"}, 2**31)
    assert not fits({"type": "keyword", "ignore_above": 3}, "abcd")
    assert not fits({"type": "date"}, "Sep 11 12:24:42")
    assert fits({"type": "date"}, "2021-09-11T12:24:42.5Z")
    assert field_mapping(MAPPINGS, "oom.not_in_the_schema") is None
    assert field_mapping(MAPPINGS, "oom.victim") is None  # an object, not a scalar
