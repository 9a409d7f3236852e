"""The event's ECS fields against ECS itself.

ECS_8_11 is every ECS field the event writes, with the type ECS 8.11.0's field reference
gives it (generated/ecs/ecs_flat.yml at tag v8.11.0 of github.com/elastic/ecs; the event says
`ecs.version: 8.11.0`). `normalize: array` fields are arrays. Fields ECS does not define stay
under the namespaces in NON_ECS_NAMESPACES."""

import json
import subprocess
from datetime import datetime

import pytest

from conftest import REPO, leaves, oomlens_binary
from mapping import field_mapping, fits

# field: (ECS type, ECS normalize == array)
ECS_8_11 = {
    "@timestamp": ("date", False),
    "message": ("match_only_text", False),
    "ecs.version": ("keyword", False),
    "event.kind": ("keyword", False),
    "event.category": ("keyword", True),
    "event.type": ("keyword", True),
    "event.action": ("keyword", False),
    "event.dataset": ("keyword", False),
    "event.module": ("keyword", False),
    "event.reason": ("keyword", False),
    "event.original": ("keyword", False),
    "host.name": ("keyword", False),
    "host.uptime": ("long", False),
    "process.pid": ("long", False),
    "process.name": ("keyword", False),
    "process.user.id": ("keyword", False),
    "container.id": ("keyword", False),
    "container.runtime": ("keyword", False),
    "orchestrator.type": ("keyword", False),
}

# Not ECS: `oom.*` is oomlens's own; `kubernetes.*` is the namespace of Elastic's Kubernetes
# integration (add_kubernetes_metadata: kubernetes.pod.uid keyword), where Kubernetes
# dashboards look; `kubernetes.pod.qos_class` is oomlens's addition to it (README).
NON_ECS_NAMESPACES = ("oom.", "kubernetes.")

def ecs_value_fits(ecs_type, value):
    if ecs_type in ("keyword", "match_only_text"):
        return type(value) is str
    if ecs_type == "long":
        return type(value) is int and -(2**63) <= value < 2**63
    if ecs_type == "date":
        return fits({"type": "date"}, value)
    raise AssertionError(ecs_type)


def test_every_field_outside_the_documented_namespaces_is_ecs(events):
    written = {path for event in events for path, _ in leaves(event)}
    foreign = {p for p in written if not p.startswith(NON_ECS_NAMESPACES) and p not in ECS_8_11}
    assert not foreign, f"fields neither ECS nor under {NON_ECS_NAMESPACES}: {sorted(foreign)}"
    # The table is not larger than what is written (event.original needs raw_lines embed).
    assert set(ECS_8_11) - written == {"event.original"}


def test_every_ecs_field_in_every_event_has_ecs_type(events):
    bad = []
    for event in events:
        flat = {}
        for path, value in leaves(event):
            flat.setdefault(path, []).append(value)
        for path, (ecs_type, is_array) in ECS_8_11.items():
            node = event
            for part in path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            if node is None and path not in flat:
                continue
            if is_array != isinstance(node, list):
                bad.append(f"{path}: array={isinstance(node, list)}, ECS says {is_array}")
            for value in flat.get(path, []):
                if not ecs_value_fits(ecs_type, value):
                    bad.append(f"{path}: {value!r} is not an ECS {ecs_type}")
    assert not bad, bad


def test_embedded_original_is_an_ecs_keyword():
    # `analyze` never embeds: `filter --raw-lines embed` writes event.original.
    log = REPO / "tests/fixtures/corpus/006-k8s-kmsg-pod-slice-parent-wrapped.log"
    records = "".join(
        json.dumps({"message": line}) + "\n"
        for line in log.read_text(errors="replace").splitlines()
    )
    out = subprocess.run(
        [oomlens_binary(), "filter", "--raw-lines", "embed"],
        input=records.encode(),
        capture_output=True,
        check=True,
    ).stdout
    events = [e for e in map(json.loads, out.splitlines()) if "oom" in e]
    assert events
    assert all(ecs_value_fits("keyword", e["event"]["original"]) for e in events)


@pytest.mark.parametrize("path", sorted(ECS_8_11))
def test_the_index_template_maps_each_ecs_field_with_ecs_type(path):
    template = json.loads((REPO / "schema/oom-index-template.json").read_text())
    mapping = field_mapping(template["template"]["mappings"], path)
    ecs_type = ECS_8_11[path][0]
    # match_only_text is text without positions and scores, Elasticsearch-only: `text` is
    # what both Elasticsearch and OpenSearch take.
    expected = "text" if ecs_type == "match_only_text" else ecs_type
    assert mapping is not None and mapping["type"] == expected


def test_timestamps_are_utc_dates(events):
    stamps = [e["@timestamp"] for e in events if "@timestamp" in e]
    assert stamps
    for stamp in stamps:
        assert datetime.fromisoformat(stamp.replace("Z", "+00:00")).utcoffset().total_seconds() == 0
