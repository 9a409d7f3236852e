//! The record-stream transform every face adapts: JSON log records in, the same records out,
//! except that the records of each OOM report are replaced by one event.

mod config;

pub use config::{ConfigError, FilterConfig, RawLines};

use serde::Serialize;

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
    pub records_out: u64,
    /// Records consumed into reports (not passed through, with `raw_lines: drop|embed`).
    pub records_folded: u64,
    pub reports: u64,
    pub events: u64,
    /// Records that could not be read (not JSON, not an object, no message): passed through.
    pub errors: u64,
}

/// The streaming transform. Invariant: every record given to [`Transform::process`] is
/// accounted for exactly once, as an [`Emitted::Input`] or as a line of one event.
pub struct Transform {
    config: FilterConfig,
    counters: Counters,
}

impl Transform {
    /// A transform with `config`, checked.
    pub fn new(config: FilterConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        Ok(Self {
            config,
            counters: Counters::default(),
        })
    }

    /// Processes one record (JSON text as received). `tag` names the input it came from
    /// (Fluent Bit's tag; empty elsewhere); `now_ms` is the host's clock, used for timeouts.
    /// Appends what to emit, in order, to `out`.
    pub fn process(&mut self, record: &[u8], tag: &str, now_ms: u64, out: &mut Vec<Emitted>) {
        let _ = (record, tag, now_ms, &self.config);
        out.push(Emitted::Input);
    }

    /// Emits the reports that received no line for `flush_timeout_ms`, as incomplete.
    pub fn flush(&mut self, now_ms: u64, out: &mut Vec<Emitted>) {
        let _ = (now_ms, out);
    }

    /// End of input: emits every open report.
    pub fn finish(&mut self, out: &mut Vec<Emitted>) {
        let _ = out;
    }

    /// Totals so far.
    pub fn counters(&self) -> Counters {
        self.counters
    }
}

/// Analyses a whole block of kernel log text (lines in any prefix format) and returns one
/// event per OOM kill or allocation failure, in order.
pub fn analyze_text(text: &str) -> Vec<String> {
    let _ = text;
    Vec::new()
}
