"""`--schema otel` against the ECS events: the same facts, under the names of the README's
table "ECS name → OpenTelemetry name" (read from README.md, so the table is what is tested)."""

import json
import re
from datetime import datetime, timezone

import pytest

from conftest import FIXTURE_LOGS, REPO, analyze

# ECS fields the OTel record leaves out, and where their fact is in it instead.
CONSTANTS = {
    "ecs.version": "8.11.0",
    "event.kind": "event",
    "event.category": ["host"],
    "event.type": ["info"],
    "event.dataset": "oomlens.oom",
    "event.module": "oomlens",
}
ACTION_OF_KIND = {"oom_kill": "oom-kill", "allocation_failure": "page-allocation-failure"}
SEVERITY_OF_KIND = {"oom_kill": (17, "ERROR"), "allocation_failure": (13, "WARN")}


def readme_table():
    """{ECS name: OTel name} from the README table between the otel-names markers."""
    text = (REPO / "README.md").read_text()
    table = text.split("<!-- otel-names -->")[1]
    names = {}
    for ecs, otel in re.findall(r"^\| `([^`]+)` \| `([^`]+)` \|", table, re.M):
        names[ecs] = otel
    # The rule for the rest, which otel_name applies: oom.* keeps its names.
    assert names.pop("oom.*", None) == "oom.*", "the table's oom.* row"
    assert names, "no rows in the README's ECS → OpenTelemetry table"
    return names


def otel_name(names, ecs):
    if ecs in names:
        return names[ecs]
    # The README's rule for everything else: oom.* as it is, any other name under oom.
    return ecs if ecs.startswith("oom.") else f"oom.{ecs}"


def flat(value, path=""):
    """{dotted name: value} down to scalars and arrays (objects flattened, arrays whole)."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            out.update(flat(child, f"{path}.{key}" if path else key))
        return out
    return {path: value}


def plain(any_value):
    """An OTLP/JSON AnyValue as the JSON value it carries."""
    ((kind, inner),) = any_value.items()
    if kind == "intValue":
        assert isinstance(inner, str), "OTLP/JSON writes int64 as a string"
        return int(inner)
    if kind == "arrayValue":
        return [plain(v) for v in inner.get("values", [])]
    if kind == "kvlistValue":
        return {kv["key"]: plain(kv["value"]) for kv in inner.get("values", [])}
    return inner


def attributes(kvs):
    out = {}
    for kv in kvs:
        assert kv["key"] not in out, f"attribute {kv['key']} twice"
        out[kv["key"]] = plain(kv["value"])
    return out


@pytest.fixture(scope="module")
def pairs(events_by_log):
    """(log name, ECS event, OTel request) for every event of every fixture log."""
    out = []
    for log in FIXTURE_LOGS:
        otel = analyze(log, "--schema", "otel")
        ecs = events_by_log[log.name]
        assert len(ecs) == len(otel), log.name
        out.extend((log.name, e, o) for e, o in zip(ecs, otel))
    assert len(out) >= 50
    return out


def test_the_otel_record_carries_the_facts_of_the_ecs_event(pairs):
    for name, ecs, request_ in pairs:
        check_same_facts(name, ecs, request_)


def check_same_facts(name, ecs, request_):
    names = readme_table()
    (resource_logs,) = request_["resourceLogs"]
    (scope_logs,) = resource_logs["scopeLogs"]
    assert scope_logs["scope"]["name"] == "oomlens"
    (record,) = scope_logs["logRecords"]
    resource = attributes(resource_logs["resource"]["attributes"])
    attrs = attributes(record["attributes"])
    assert not set(resource) & set(attrs)
    carried = {**resource, **attrs}

    facts = flat(ecs)
    kind = facts["oom.kind"]
    # Fields the record carries elsewhere, or leaves out as constants or copies.
    assert record["body"] == {"stringValue": facts.pop("message")}
    stamp = facts.pop("@timestamp", None)
    if stamp is None:
        assert "timeUnixNano" not in record
    else:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        seconds = int((moment - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds())
        fraction = stamp[19:-1].lstrip(".")
        assert int(record["timeUnixNano"]) == seconds * 10**9 + int(fraction.ljust(9, "0"))
    for field, value in CONSTANTS.items():
        assert facts.pop(field) == value
    assert facts.pop("event.action") == ACTION_OF_KIND[kind]
    assert facts.pop("event.reason") == facts["oom.cause"]
    if "host.uptime" in facts:
        assert facts.pop("host.uptime") == int(facts["oom.uptime_seconds"])
    assert (record["severityNumber"], record["severityText"]) == SEVERITY_OF_KIND[kind]
    assert record["eventName"] == f"oomlens.{kind}"

    expected = {}
    for field, value in facts.items():
        if field == "process.user.id":
            value = int(value)  # semantic conventions: an int
        expected[otel_name(names, field)] = value
    assert carried == expected, name
    assert "host.name" not in attrs  # the host is the resource


def test_the_readme_table_names_every_ecs_field_the_events_write_outside_oom(pairs):
    names = readme_table()
    written = {f for _, ecs, _ in pairs for f in flat(ecs)}
    outside = {f for f in written if not f.startswith("oom.")}
    left_out = set(CONSTANTS) | {"event.action", "event.reason", "host.uptime", "message", "@timestamp"}
    assert outside - left_out <= set(names)
    # Every row names a field the schema defines.
    schema = json.loads((REPO / "schema/oom-event.schema.json").read_text())
    for ecs in names:
        node = schema
        for part in ecs.split("."):
            node = node["properties"][part]


def test_every_request_is_an_otlp_export_logs_request_to_the_protobuf_parser(pairs):
    """OpenTelemetry's own protobuf definitions (opentelemetry-proto) read every request with
    the protobuf JSON mapping, refusing unknown fields: what an OTLP/HTTP receiver does."""
    json_format = pytest.importorskip("google.protobuf.json_format")
    logs_service = pytest.importorskip("opentelemetry.proto.collector.logs.v1.logs_service_pb2")
    for name, ecs, request_ in pairs:
        parsed = json_format.Parse(json.dumps(request_), logs_service.ExportLogsServiceRequest())
        (resource_logs,) = parsed.resource_logs
        (scope_logs,) = resource_logs.scope_logs
        (record,) = scope_logs.log_records
        kind = ecs["oom"]["kind"]
        assert (record.severity_number, record.severity_text) == SEVERITY_OF_KIND[kind], name
        assert record.event_name == f"oomlens.{kind}"
        assert record.body.string_value == ecs["message"]
        raw = request_["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
        assert record.time_unix_nano == int(raw.get("timeUnixNano", 0))
        assert len(record.attributes) == len(raw["attributes"])
    # The parser does refuse what OTLP does not define.
    bogus = json.loads(json.dumps(pairs[0][2]))
    bogus["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["severity"] = "ERROR"
    with pytest.raises(json_format.ParseError):
        json_format.Parse(json.dumps(bogus), logs_service.ExportLogsServiceRequest())
