//! The record-stream transform every face adapts: JSON log records in, the same records out,
//! except that the records of each OOM report are replaced by one event.

mod config;

pub use config::{ConfigError, FilterConfig, RawLines};

use serde::Serialize;
use serde_json::Value;

use crate::assemble::{Assembler, Completed, Disposition, Limits};
use crate::classify::diagnose;
use crate::encode::encode_event;
use crate::prefix::split_prefix;

/// What the transform emits for the records it is given, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emitted {
    /// The input record, unchanged (byte-identical: faces return the input as it was).
    Input,
    /// An event: a JSON object, serialised.
    Event(String),
}

/// Running totals since the transform was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    pub records_in: u64,
    /// Records emitted: passed through, and events.
    pub records_out: u64,
    /// Records folded into reports: the sum of the events' `oom.lines`. With `raw_lines: pass`
    /// they are also emitted; otherwise `records_in = records_folded + passed-through records`.
    pub records_folded: u64,
    /// Reports assembled (each emits an event; a `memory.oom.group` member's kill is an event
    /// of the report that chose it, not a report of its own).
    pub reports: u64,
    pub events: u64,
    /// Records that could not be read (not JSON, not an object, no message): passed through.
    pub errors: u64,
}

/// The streaming transform. Invariant: every record given to [`Transform::process`] is
/// accounted for exactly once, as an [`Emitted::Input`] or as a line of one event.
pub struct Transform {
    config: FilterConfig,
    assembler: Assembler,
    counters: Counters,
}

/// Records nested deeper than this are not parsed (they pass through): the Fluent Bit face
/// runs on a small wasm stack, and no kernel-log record is nested this deep.
const MAX_RECORD_DEPTH: usize = 64;

impl Transform {
    /// A transform with `config`, checked.
    pub fn new(config: FilterConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let assembler = Assembler::new(limits(&config));
        Ok(Self {
            config,
            assembler,
            counters: Counters::default(),
        })
    }

    /// Processes one record (JSON text as received). `tag` names the input it came from
    /// (Fluent Bit's tag; empty elsewhere); `now_ms` is the host's clock, used for timeouts.
    /// Appends what to emit, in order, to `out`.
    pub fn process(&mut self, record: &[u8], tag: &str, now_ms: u64, out: &mut Vec<Emitted>) {
        self.counters.records_in += 1;
        // The fast path: with no report open, a record can only matter if its raw bytes hold
        // a line that opens one. Most records leave here, unparsed and unallocated.
        if self.assembler.is_idle() && !crate::parse::may_open_report(record) {
            self.emit_input(out);
            return;
        }
        let mut done = Vec::new();
        self.assembler
            .flush(now_ms, self.config.flush_timeout_ms, &mut done);
        let disposition = match self.read_record(record, tag) {
            Some((stream, message)) => {
                let line = split_prefix(&message);
                let stream = match &line.host {
                    Some(host) => format!("{stream}\u{1f}{host}"),
                    None => stream,
                };
                self.assembler
                    .push(&stream, &line, &message, now_ms, &mut done)
            }
            None => Disposition::Foreign,
        };
        let completed_here = match disposition {
            Disposition::Completed => done.pop(),
            Disposition::Foreign | Disposition::Folded => None,
        };
        self.emit_events(done, out);
        if disposition != Disposition::Foreign {
            self.counters.records_folded += 1;
        }
        if disposition == Disposition::Foreign || self.config.raw_lines == RawLines::Pass {
            self.emit_input(out);
        }
        self.emit_events(completed_here, out);
    }

    /// Emits the reports that received no line for `flush_timeout_ms`, as incomplete.
    pub fn flush(&mut self, now_ms: u64, out: &mut Vec<Emitted>) {
        if self.assembler.is_idle() {
            return;
        }
        let mut done = Vec::new();
        self.assembler
            .flush(now_ms, self.config.flush_timeout_ms, &mut done);
        self.emit_events(done, out);
    }

    /// End of input: emits every open report.
    pub fn finish(&mut self, out: &mut Vec<Emitted>) {
        let mut done = Vec::new();
        self.assembler.finish(&mut done);
        self.emit_events(done, out);
    }

    /// Totals so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// The stream key and the kernel message of a record, or `None` when the record passes
    /// through unread (not a JSON object, no string message, too long).
    fn read_record(&mut self, record: &[u8], tag: &str) -> Option<(String, String)> {
        if record.len() as u64 > self.config.max_line_bytes {
            return None;
        }
        if nesting_depth(record) > MAX_RECORD_DEPTH {
            self.counters.errors += 1;
            return None;
        }
        let Ok(Value::Object(mut fields)) = serde_json::from_slice::<Value>(record) else {
            self.counters.errors += 1;
            return None;
        };
        let message =
            self.config
                .message_fields
                .iter()
                .find_map(|name| match fields.remove(name) {
                    Some(Value::String(text)) => Some(text),
                    _ => None,
                })?;
        if message.len() as u64 > self.config.max_line_bytes {
            return None;
        }
        let mut stream = tag.to_owned();
        for name in &self.config.stream_fields {
            match fields.get(name) {
                Some(Value::String(value)) => stream.push_str(value),
                Some(value @ Value::Number(_)) => stream.push_str(&value.to_string()),
                _ => {}
            }
            stream.push('\u{1f}');
        }
        Some((stream, message))
    }

    fn emit_input(&mut self, out: &mut Vec<Emitted>) {
        self.counters.records_out += 1;
        out.push(Emitted::Input);
    }

    fn emit_events(
        &mut self,
        completed: impl IntoIterator<Item = Completed>,
        out: &mut Vec<Emitted>,
    ) {
        for report in completed {
            if report.context.group_leader_pid.is_none() {
                self.counters.reports += 1;
            }
            self.counters.events += 1;
            self.counters.records_out += 1;
            out.push(Emitted::Event(render_event(&report)));
        }
    }
}

/// The assembler caps a configuration asks for.
pub(crate) fn limits(config: &FilterConfig) -> Limits {
    Limits {
        max_report_lines: config.max_report_lines,
        max_report_bytes: config.max_report_bytes,
        max_open_reports: config.max_open_reports,
        keep_raw_lines: config.raw_lines == RawLines::Embed,
    }
}

/// The event for a finished report, serialised.
pub(crate) fn render_event(completed: &Completed) -> String {
    let diagnosis = diagnose(&completed.report);
    let event = encode_event(&completed.context, &completed.report, &diagnosis);
    Value::Object(event).to_string()
}

/// The deepest nesting of arrays and objects in JSON text, read without parsing it (strings
/// are skipped, so brackets inside them do not count).
fn nesting_depth(json: &[u8]) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &byte in json {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}
