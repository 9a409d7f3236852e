//! The filter's configuration: each field's doc comment is the user's documentation.

use serde::Deserialize;

use crate::encode::EventSchema;

/// What happens to the records that make up an OOM report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RawLines {
    /// The event replaces the report's records (default).
    #[default]
    Drop,
    /// The report's records pass through unchanged and the event is emitted after the kill line.
    Pass,
    /// The report's records are dropped and their text is kept in the event's `event.original`.
    Embed,
}

/// Configuration of the record-stream filter. Unknown keys are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilterConfig {
    /// Record fields that may hold the kernel message, tried in order; the first that is a
    /// string is used. Default: `message`, `MESSAGE`, `msg`, `log`.
    pub message_fields: Vec<String>,
    /// Record fields that, with the tag, name the stream a line comes from: the lines of one
    /// report are looked for in one stream, so interleaved hosts do not mix. Default: `host`,
    /// `hostname`, `_HOSTNAME`, `HOSTNAME`. Missing fields are skipped; the host named by a
    /// syslog prefix inside the message is always part of the key.
    pub stream_fields: Vec<String>,
    /// What happens to the records of a report: `drop` (default), `pass` or `embed`.
    pub raw_lines: RawLines,
    /// Most lines one report may take; on reaching it the event is emitted with
    /// `oom.complete: false` and `oom.truncated_by: "max_report_lines"`. Lines are parsed as
    /// they come, not kept, so this bounds time rather than memory. Default 200 000 (a task
    /// table has one line per process).
    pub max_report_lines: u64,
    /// Most bytes of raw lines one report may keep with `raw_lines: embed`; on reaching it the
    /// event is emitted with `oom.truncated_by: "max_report_bytes"`. Default 4 MiB.
    pub max_report_bytes: u64,
    /// Records (and messages) longer than this are never part of a report: they pass through
    /// unread, so a huge record costs a byte scan, never a parse. Default 64 KiB.
    pub max_line_bytes: u64,
    /// Most streams with a report open at once; opening one more emits the oldest as
    /// incomplete with `oom.truncated_by: "max_open_reports"`. Default 1 024.
    pub max_open_reports: u64,
    /// An open report that receives no line for this long is emitted as incomplete at the
    /// next flush. 0 disables the timeout. Default 5 000 ms.
    pub flush_timeout_ms: u64,
    /// The shape of the events: `ecs` (default), nested fields after Elastic Common Schema,
    /// or `otel`, one OTLP/JSON logs request per event (OpenTelemetry log data model, names
    /// of the semantic conventions). Records passed through are never changed.
    pub schema: EventSchema,
    // Trust and storms (issue 10): one block.
    /// Only lines whose transport proves the kernel wrote them (`oom.provenance: kernel`: a
    /// `/dev/kmsg` record or `dmesg -r` line of facility 0, a journald record with
    /// `_TRANSPORT=kernel` and no `_PID`/`_UID`) form events; unverified lines (a `kernel:`
    /// tag in a text file, which `logger -t kernel` writes too) pass through untouched and are
    /// counted. Lines proven not to be the kernel's always pass through. Default `false`.
    pub require_kernel_provenance: bool,
    /// A report with no victim that repeats one emitted (same host, kind, cause, limiting
    /// cgroup or failed allocation, trigger) within this many ms is folded into one follow-up
    /// event per window, with `oom.repeats`; a report with a victim never is. 0 disables
    /// folding. Default 60 000 ms.
    pub storm_window_ms: u64,
    /// Most report identities remembered for storm folding; one more forgets the oldest
    /// (emitting its follow-up). Default 1 024.
    pub max_storm_keys: u64,
}

impl Default for FilterConfig {
    fn default() -> Self {
        Self {
            message_fields: ["message", "MESSAGE", "msg", "log"]
                .map(String::from)
                .to_vec(),
            stream_fields: ["host", "hostname", "_HOSTNAME", "HOSTNAME"]
                .map(String::from)
                .to_vec(),
            raw_lines: RawLines::Drop,
            max_report_lines: 200_000,
            max_report_bytes: 4 << 20,
            max_line_bytes: 64 << 10,
            max_open_reports: 1024,
            flush_timeout_ms: 5_000,
            schema: EventSchema::Ecs,
            require_kernel_provenance: false,
            storm_window_ms: 60_000,
            max_storm_keys: 1024,
        }
    }
}

/// Why a configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid oomlens configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

impl FilterConfig {
    /// Reads a configuration from JSON text; keys left out take their defaults.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| ConfigError(e.to_string()))?;
        // serde would also read the struct from an array, by position: only an object will do.
        if !value.is_object() {
            return Err(ConfigError(
                "the configuration must be a JSON object".into(),
            ));
        }
        let config: Self = serde_json::from_value(value).map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the invariants the filter relies on: at least one message field, every cap > 0.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.message_fields.is_empty() {
            return Err(ConfigError(
                "message_fields must name at least one field".into(),
            ));
        }
        let caps = [
            ("max_report_lines", self.max_report_lines),
            ("max_report_bytes", self.max_report_bytes),
            ("max_line_bytes", self.max_line_bytes),
            ("max_open_reports", self.max_open_reports),
            ("max_storm_keys", self.max_storm_keys),
        ];
        match caps.iter().find(|(_, v)| *v == 0) {
            Some((name, _)) => Err(ConfigError(format!("{name} must be greater than 0"))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_json_empty_object_is_the_defaults() {
        assert_eq!(
            FilterConfig::from_json("{}").unwrap(),
            FilterConfig::default()
        );
    }

    #[test]
    fn from_json_rejects_an_array() {
        assert!(FilterConfig::from_json("[]").is_err());
    }

    #[test]
    fn from_json_rejects_unknown_keys() {
        let error = FilterConfig::from_json(r#"{"message_field": "msg"}"#).unwrap_err();
        assert!(error.0.contains("unknown field"), "{error}");
    }

    #[test]
    fn from_json_rejects_a_zero_cap() {
        let error = FilterConfig::from_json(r#"{"max_open_reports": 0}"#).unwrap_err();
        assert!(error.0.contains("max_open_reports"), "{error}");
    }

    #[test]
    fn from_json_reads_raw_lines_modes() {
        let config = FilterConfig::from_json(r#"{"raw_lines": "embed"}"#).unwrap();
        assert_eq!(config.raw_lines, RawLines::Embed);
        assert!(FilterConfig::from_json(r#"{"raw_lines": "keep"}"#).is_err());
    }

    #[test]
    fn from_json_reads_the_schema() {
        let config = FilterConfig::from_json(r#"{"schema": "otel"}"#).unwrap();
        assert_eq!(config.schema, EventSchema::Otel);
        assert!(FilterConfig::from_json(r#"{"schema": "OTLP"}"#).is_err());
    }

    #[test]
    fn from_json_reads_the_trust_and_storm_keys() {
        let text =
            r#"{"require_kernel_provenance": true, "storm_window_ms": 0, "max_storm_keys": 9}"#;
        let config = FilterConfig::from_json(text).unwrap();
        assert!(config.require_kernel_provenance);
        assert_eq!((config.storm_window_ms, config.max_storm_keys), (0, 9));
        let error = FilterConfig::from_json(r#"{"max_storm_keys": 0}"#).unwrap_err();
        assert!(error.0.contains("max_storm_keys"), "{error}");
    }

    #[test]
    fn validate_rejects_no_message_field() {
        let config = FilterConfig {
            message_fields: Vec::new(),
            ..FilterConfig::default()
        };
        assert!(config.validate().is_err());
    }
}
