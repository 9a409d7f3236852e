//! The oomlens filter as a WebAssembly component: adapts `oomlens::filter` to the
//! `oomlens:filter` WIT interface (`wit/oomlens.wit`), nothing more.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

wit_bindgen::generate!({
    world: "oomlens",
    path: "../../wit",
});

use std::cell::RefCell;

use exports::oomlens::filter::filter as wit;
use oomlens::encode::EventSchema;
use oomlens::filter::{self as core, Emitted, FilterConfig, RawLines};

/// The component: implements the exported interface.
struct Component;

export!(Component);

impl wit::Guest for Component {
    type Transform = Transform;
    type NdjsonFilter = NdjsonFilter;

    fn default_config() -> wit::Config {
        to_wit(FilterConfig::default())
    }

    fn config_from_json(text: String) -> Result<wit::Config, wit::ConfigError> {
        FilterConfig::from_json(&text)
            .map(to_wit)
            .map_err(config_error)
    }

    fn analyze(text: String) -> Vec<String> {
        oomlens::analyze::analyze_text(&text)
    }
}

/// One exported `transform` resource: the core transform behind a `RefCell`, because resource
/// methods get `&self` and the component model never calls into one instance concurrently.
struct Transform {
    inner: RefCell<core::Transform>,
    /// What the core emitted for the current record, kept between calls so that a
    /// pass-through record allocates nothing here.
    emitted: RefCell<Vec<Emitted>>,
}

impl Transform {
    fn with_config(config: FilterConfig) -> Result<wit::Transform, wit::ConfigError> {
        let inner = core::Transform::new(config).map_err(config_error)?;
        Ok(wit::Transform::new(Self {
            inner: RefCell::new(inner),
            emitted: RefCell::new(Vec::new()),
        }))
    }

    /// Processes one record, appending what to emit to `texts`: `Emitted::Input` is the
    /// record itself, moved (the core emits it at most once), so pass-through is
    /// byte-identical and copies nothing.
    fn process_into(&self, record: String, tag: &str, now_ms: u64, texts: &mut Vec<String>) {
        let mut emitted = self.emitted.borrow_mut();
        self.inner
            .borrow_mut()
            .process(record.as_bytes(), tag, now_ms, &mut emitted);
        let mut record = Some(record);
        for item in emitted.drain(..) {
            match item {
                Emitted::Input => texts.extend(record.take()),
                Emitted::Event(event) => texts.push(event),
            }
        }
    }
}

impl wit::GuestTransform for Transform {
    fn from_json(text: String) -> Result<wit::Transform, wit::ConfigError> {
        FilterConfig::from_json(&text)
            .map_err(config_error)
            .and_then(Self::with_config)
    }

    fn from_config(config: wit::Config) -> Result<wit::Transform, wit::ConfigError> {
        Self::with_config(from_wit(config))
    }

    fn process(&self, record: String, tag: String, now_ms: u64) -> Vec<String> {
        let mut texts = Vec::with_capacity(1);
        self.process_into(record, &tag, now_ms, &mut texts);
        texts
    }

    fn process_batch(&self, records: Vec<String>, tag: String, now_ms: u64) -> Vec<String> {
        let mut texts = Vec::with_capacity(records.len());
        for record in records {
            self.process_into(record, &tag, now_ms, &mut texts);
        }
        texts
    }

    fn flush(&self, now_ms: u64) -> Vec<String> {
        let mut emitted = Vec::new();
        self.inner.borrow_mut().flush(now_ms, &mut emitted);
        events_only(emitted)
    }

    fn next_flush_ms(&self) -> Option<u64> {
        self.inner.borrow().next_flush_ms()
    }

    fn finish(&self) -> Vec<String> {
        let mut emitted = Vec::new();
        self.inner.borrow_mut().finish(&mut emitted);
        events_only(emitted)
    }

    fn counters(&self) -> wit::Counters {
        to_wit_counters(self.inner.borrow().counters())
    }
}

/// One exported `ndjson-filter` resource: the core's NDJSON framing, behind a `RefCell` as
/// [`Transform`] is.
struct NdjsonFilter {
    inner: RefCell<core::NdjsonFilter>,
}

impl NdjsonFilter {
    fn with_config(config: FilterConfig) -> Result<wit::NdjsonFilter, wit::ConfigError> {
        let transform = core::Transform::new(config).map_err(config_error)?;
        Ok(wit::NdjsonFilter::new(Self {
            inner: RefCell::new(core::NdjsonFilter::new(transform)),
        }))
    }
}

impl wit::GuestNdjsonFilter for NdjsonFilter {
    fn from_json(text: String) -> Result<wit::NdjsonFilter, wit::ConfigError> {
        FilterConfig::from_json(&text)
            .map_err(config_error)
            .and_then(Self::with_config)
    }

    fn from_config(config: wit::Config) -> Result<wit::NdjsonFilter, wit::ConfigError> {
        Self::with_config(from_wit(config))
    }

    fn push(&self, chunk: Vec<u8>, tag: String, now_ms: u64) -> Vec<u8> {
        // Output is about the size of its input: mostly the same records.
        let mut out = Vec::with_capacity(chunk.len());
        self.inner.borrow_mut().push(&chunk, &tag, now_ms, &mut out);
        out
    }

    fn flush(&self, now_ms: u64) -> Vec<u8> {
        let mut out = Vec::new();
        self.inner.borrow_mut().flush(now_ms, &mut out);
        out
    }

    fn next_flush_ms(&self) -> Option<u64> {
        self.inner.borrow().next_flush_ms()
    }

    fn finish(&self, tag: String, now_ms: u64) -> Vec<u8> {
        let mut out = Vec::new();
        self.inner.borrow_mut().finish(&tag, now_ms, &mut out);
        out
    }

    fn counters(&self) -> wit::Counters {
        to_wit_counters(self.inner.borrow().counters())
    }
}

fn to_wit_counters(c: core::Counters) -> wit::Counters {
    wit::Counters {
        records_in: c.records_in,
        records_out: c.records_out,
        records_folded: c.records_folded,
        reports: c.reports,
        events: c.events,
        errors: c.errors,
        not_kernel: c.not_kernel,
        unverified: c.unverified,
        storm_folded: c.storm_folded,
    }
}

/// The events among `emitted`. `flush` and `finish` have no input record, so the core emits
/// only events there; an `Input` would have no text to stand for and is skipped.
fn events_only(emitted: Vec<Emitted>) -> Vec<String> {
    emitted
        .into_iter()
        .filter_map(|item| match item {
            Emitted::Event(event) => Some(event),
            Emitted::Input => None,
        })
        .collect()
}

fn config_error(error: core::ConfigError) -> wit::ConfigError {
    wit::ConfigError { message: error.0 }
}

fn to_wit(config: FilterConfig) -> wit::Config {
    wit::Config {
        message_fields: config.message_fields,
        stream_fields: config.stream_fields,
        raw_lines: match config.raw_lines {
            RawLines::Drop => wit::RawLines::Drop,
            RawLines::Pass => wit::RawLines::Pass,
            RawLines::Embed => wit::RawLines::Embed,
        },
        max_report_lines: config.max_report_lines,
        max_report_bytes: config.max_report_bytes,
        max_line_bytes: config.max_line_bytes,
        max_open_reports: config.max_open_reports,
        flush_timeout_ms: config.flush_timeout_ms,
        schema: match config.schema {
            EventSchema::Ecs => wit::EventSchema::Ecs,
            EventSchema::Otel => wit::EventSchema::Otel,
        },
        require_kernel_provenance: config.require_kernel_provenance,
        storm_window_ms: config.storm_window_ms,
        max_storm_keys: config.max_storm_keys,
    }
}

fn from_wit(config: wit::Config) -> FilterConfig {
    FilterConfig {
        message_fields: config.message_fields,
        stream_fields: config.stream_fields,
        raw_lines: match config.raw_lines {
            wit::RawLines::Drop => RawLines::Drop,
            wit::RawLines::Pass => RawLines::Pass,
            wit::RawLines::Embed => RawLines::Embed,
        },
        max_report_lines: config.max_report_lines,
        max_report_bytes: config.max_report_bytes,
        max_line_bytes: config.max_line_bytes,
        max_open_reports: config.max_open_reports,
        flush_timeout_ms: config.flush_timeout_ms,
        schema: match config.schema {
            wit::EventSchema::Ecs => EventSchema::Ecs,
            wit::EventSchema::Otel => EventSchema::Otel,
        },
        require_kernel_provenance: config.require_kernel_provenance,
        storm_window_ms: config.storm_window_ms,
        max_storm_keys: config.max_storm_keys,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_round_trips_through_wit_record() {
        let config = FilterConfig {
            raw_lines: RawLines::Embed,
            max_open_reports: 7,
            flush_timeout_ms: 0,
            require_kernel_provenance: true,
            storm_window_ms: 5,
            max_storm_keys: 3,
            message_fields: vec!["log".into()],
            ..FilterConfig::default()
        };
        assert_eq!(from_wit(to_wit(config.clone())), config);
    }

    #[test]
    fn every_raw_lines_value_maps_to_itself() {
        for raw_lines in [RawLines::Drop, RawLines::Pass, RawLines::Embed] {
            let config = FilterConfig {
                raw_lines,
                ..FilterConfig::default()
            };
            assert_eq!(from_wit(to_wit(config)).raw_lines, raw_lines);
        }
    }

    #[test]
    fn every_schema_value_maps_to_itself() {
        for schema in [EventSchema::Ecs, EventSchema::Otel] {
            let config = FilterConfig {
                schema,
                ..FilterConfig::default()
            };
            assert_eq!(from_wit(to_wit(config)).schema, schema);
        }
    }

    #[test]
    fn flush_and_finish_keep_events_and_skip_inputs() {
        let emitted = vec![
            Emitted::Event("{\"a\":1}".into()),
            Emitted::Input,
            Emitted::Event("{\"b\":2}".into()),
        ];
        assert_eq!(events_only(emitted), vec!["{\"a\":1}", "{\"b\":2}"]);
    }
}
