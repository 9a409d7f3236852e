//! Where an event is rewritten in the OpenTelemetry log data model: one OTLP/JSON
//! `ExportLogsServiceRequest` (the body an OTLP/HTTP receiver takes at `/v1/logs`, and a
//! line of the Collector's `otlpjsonfile` receiver) holding one log record.
//!
//! The record carries the facts of the ECS event (see [`super::encode_event`]), renamed:
//! - `@timestamp` is `timeUnixNano`, `message` the `body`, `oom.kind` the `eventName`
//!   (`oomlens.oom_kill`, `oomlens.allocation_failure`) and the severity;
//! - the ECS fields with a semantic-convention counterpart take its name ([`RENAMED`]);
//!   `host.name` is the resource's attribute, the others the record's;
//! - every other field keeps its name under `oom.` (already there for `oom.*`), objects
//!   flattened into dotted names down to their scalars and arrays;
//! - ECS constants (`ecs.version`, `event.kind`, `event.category`, `event.type`,
//!   `event.dataset`, `event.module`) and copies (`event.action` of `oom.kind`, `event.reason`
//!   of `oom.cause`, `host.uptime` of `oom.uptime_seconds`) are left out.
//!
//! Integers are `intValue` strings (OTLP/JSON writes int64 as a string), as the protobuf
//! JSON mapping requires.

use serde_json::{json, Map, Value};

use super::time::unix_nanos_of_rfc3339_utc;

/// ECS name → semantic-convention name, for the fields that have one.
pub const RENAMED: [(&str, &str); 7] = [
    ("host.name", "host.name"),
    ("process.pid", "process.pid"),
    ("process.name", "process.executable.name"),
    ("process.user.id", "process.user.id"),
    ("container.id", "container.id"),
    ("container.runtime", "container.runtime.name"),
    ("kubernetes.pod.uid", "k8s.pod.uid"),
];

/// Of the renamed fields, those the semantic conventions type as integers (ECS: keyword).
const INTEGER_ATTRIBUTES: [&str; 1] = ["process.user.id"];

/// Attributes describing the resource that logged the event (the host), not the event.
const RESOURCE_ATTRIBUTES: [&str; 1] = ["host.name"];

/// ECS fields left out: constants of every event, or copies of another field.
pub const LEFT_OUT: [&str; 9] = [
    "ecs.version",
    "event.kind",
    "event.category",
    "event.type",
    "event.dataset",
    "event.module",
    "event.action",
    "event.reason",
    "host.uptime",
];

/// ECS `event.original` is the semantic conventions' `log.record.original`.
const ORIGINAL: (&str, &str) = ("event.original", "log.record.original");

/// The severity of the kernel's own lines: `__oom_kill_process` (mm/oom_kill.c) prints the
/// kill with `pr_err`; `warn_alloc` (mm/page_alloc.c) prints an allocation failure with
/// `pr_warn`. Numbers from the log data model: ERROR is 17, WARN 13.
fn severity(kind: Option<&str>) -> (u8, &'static str) {
    match kind {
        Some("allocation_failure") => (13, "WARN"),
        _ => (17, "ERROR"),
    }
}

/// The event `ecs_event` (as [`super::encode_event`] builds it) as an OTLP/JSON request.
pub fn otel_request(ecs_event: &Map<String, Value>) -> Value {
    let mut scalars = Vec::new();
    for (key, value) in ecs_event {
        flatten(key, value, &mut scalars);
    }
    let (mut resource, mut attributes) = (Vec::new(), Vec::new());
    let mut record = Map::new();
    for (name, value) in scalars {
        match name.as_str() {
            "@timestamp" => {
                if let Some(nanos) = value.as_str().and_then(unix_nanos_of_rfc3339_utc) {
                    record.insert("timeUnixNano".into(), nanos.to_string().into());
                }
            }
            "message" => {
                record.insert("body".into(), any_value(&value));
            }
            _ if LEFT_OUT.contains(&name.as_str()) => {}
            _ => {
                let otel_name = otel_name(&name);
                let value = if INTEGER_ATTRIBUTES.contains(&otel_name.as_str()) {
                    integer_of_text(&value)
                } else {
                    value
                };
                let attribute = json!({"key": otel_name, "value": any_value(&value)});
                if RESOURCE_ATTRIBUTES.contains(&otel_name.as_str()) {
                    resource.push(attribute);
                } else {
                    attributes.push(attribute);
                }
            }
        }
    }
    let kind = ecs_event
        .get("oom")
        .and_then(|oom| oom.get("kind"))
        .and_then(Value::as_str);
    let (severity_number, severity_text) = severity(kind);
    record.insert("severityNumber".into(), severity_number.into());
    record.insert("severityText".into(), severity_text.into());
    if let Some(kind) = kind {
        record.insert("eventName".into(), format!("oomlens.{kind}").into());
    }
    record.insert("attributes".into(), attributes.into());
    json!({
        "resourceLogs": [{
            "resource": {"attributes": resource},
            "scopeLogs": [{
                "scope": {"name": "oomlens", "version": env!("CARGO_PKG_VERSION")},
                "logRecords": [record],
            }],
        }],
    })
}

/// The OpenTelemetry name of the ECS field `name`.
pub fn otel_name(name: &str) -> String {
    if let Some((_, otel)) = RENAMED.iter().find(|(ecs, _)| *ecs == name) {
        return (*otel).to_owned();
    }
    if name == ORIGINAL.0 {
        return ORIGINAL.1.to_owned();
    }
    if name.starts_with("oom.") {
        name.to_owned()
    } else {
        format!("oom.{name}")
    }
}

/// (dotted name, value) for `value` at `name`, or for every scalar or array under it when it
/// is an object: objects are flattened, arrays kept whole.
fn flatten(name: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                flatten(&format!("{name}.{key}"), child, out);
            }
        }
        _ => out.push((name.to_owned(), value.clone())),
    }
}

/// `process.user.id`'s ECS keyword ("0") as the integer the semantic conventions say; text
/// that is not a number stays text.
fn integer_of_text(value: &Value) -> Value {
    match value.as_str().and_then(|text| text.parse::<i64>().ok()) {
        Some(number) => number.into(),
        None => value.clone(),
    }
}

/// A JSON value as an OTLP `AnyValue`.
fn any_value(value: &Value) -> Value {
    match value {
        Value::String(text) => json!({"stringValue": text}),
        Value::Bool(flag) => json!({"boolValue": flag}),
        Value::Number(number) if number.is_f64() => json!({"doubleValue": number}),
        Value::Number(number) => json!({"intValue": number.to_string()}),
        Value::Array(items) => {
            json!({"arrayValue": {"values": items.iter().map(any_value).collect::<Vec<_>>()}})
        }
        Value::Object(fields) => {
            let values: Vec<Value> = fields
                .iter()
                .map(|(key, child)| json!({"key": key, "value": any_value(child)}))
                .collect();
            json!({"kvlistValue": {"values": values}})
        }
        Value::Null => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Map<String, Value> {
        let value = json!({
            "@timestamp": "2024-07-20T17:51:03.968678Z",
            "message": "why",
            "ecs": {"version": "8.11.0"},
            "event": {"kind": "event", "action": "oom-kill", "reason": "host_oom"},
            "host": {"name": "node-1", "uptime": 12},
            "process": {"pid": 4321, "name": "java", "user": {"id": "1000"}},
            "kubernetes": {"pod": {"uid": "u-1", "qos_class": "burstable"}},
            "oom": {
                "cause": "host_oom",
                "kind": "oom_kill",
                "uptime_seconds": 12.5,
                "tasks": [{"pid": 1, "name": "init"}],
                "memcg": {"memory": {"limit_bytes": 9_223_372_036_854_775_807_u64}}
            }
        });
        match value {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    fn attribute<'a>(attributes: &'a Value, key: &str) -> Option<&'a Value> {
        attributes
            .as_array()?
            .iter()
            .find(|a| a["key"] == key)
            .map(|a| &a["value"])
    }

    #[test]
    fn record_has_time_body_severity_and_renamed_attributes() {
        let request = otel_request(&event());
        let resource = &request["resourceLogs"][0]["resource"]["attributes"];
        let record = &request["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
        assert_eq!(record["timeUnixNano"], "1721497863968678000");
        assert_eq!(record["body"], json!({"stringValue": "why"}));
        assert_eq!(record["severityNumber"], 17);
        assert_eq!(record["severityText"], "ERROR");
        assert_eq!(record["eventName"], "oomlens.oom_kill");
        assert_eq!(
            attribute(resource, "host.name"),
            Some(&json!({"stringValue": "node-1"}))
        );
        let attributes = &record["attributes"];
        for (key, value) in [
            ("process.pid", json!({"intValue": "4321"})),
            ("process.executable.name", json!({"stringValue": "java"})),
            ("process.user.id", json!({"intValue": "1000"})),
            ("k8s.pod.uid", json!({"stringValue": "u-1"})),
            (
                "oom.kubernetes.pod.qos_class",
                json!({"stringValue": "burstable"}),
            ),
            ("oom.uptime_seconds", json!({"doubleValue": 12.5})),
            (
                "oom.memcg.memory.limit_bytes",
                json!({"intValue": "9223372036854775807"}),
            ),
        ] {
            assert_eq!(attribute(attributes, key), Some(&value), "{key}");
        }
        let tasks = attribute(attributes, "oom.tasks").unwrap();
        let task = &tasks["arrayValue"]["values"][0]["kvlistValue"]["values"];
        assert_eq!(
            attribute(task, "name"),
            Some(&json!({"stringValue": "init"}))
        );
        for left_out in [
            "ecs.version",
            "oom.ecs.version",
            "oom.event.reason",
            "oom.host.uptime",
        ] {
            assert_eq!(attribute(attributes, left_out), None, "{left_out}");
        }
    }

    #[test]
    fn allocation_failure_is_a_warning_and_no_time_means_no_time_field() {
        let mut event = event();
        event.remove("@timestamp");
        event["oom"]["kind"] = json!("allocation_failure");
        let request = otel_request(&event);
        let record = &request["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
        assert_eq!(
            (
                record["severityNumber"].clone(),
                record["severityText"].clone()
            ),
            (json!(13), json!("WARN"))
        );
        assert_eq!(record.get("timeUnixNano"), None);
    }

    #[test]
    fn names_outside_oom_and_the_conventions_go_under_oom() {
        assert_eq!(otel_name("orchestrator.type"), "oom.orchestrator.type");
        assert_eq!(otel_name("oom.cause"), "oom.cause");
        assert_eq!(otel_name("event.original"), "log.record.original");
        assert_eq!(otel_name("kubernetes.pod.uid"), "k8s.pod.uid");
    }
}
