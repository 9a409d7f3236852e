//! Newline-delimited JSON framing over the transform: chunks of bytes in, bytes out.

use super::{Counters, Emitted, Transform};
use crate::parse::quiet_run;

/// The transform over a byte stream of records each ended by `\n`, given in chunks cut
/// anywhere (as reads from a pipe or socket return them). Invariants: every record is
/// processed once, in order, when its newline arrives (or at [`NdjsonFilter::finish`]);
/// everything written to `out` is whole records, each ending in `\n`; a record passed through
/// is byte-identical (a `\r` before its newline is kept).
pub struct NdjsonFilter {
    transform: Transform,
    /// The start of a record whose newline has not arrived yet.
    partial: Vec<u8>,
    /// What the transform emitted for the current record, kept to reuse its allocation.
    emitted: Vec<Emitted>,
}

impl NdjsonFilter {
    /// Frames `transform`.
    pub fn new(transform: Transform) -> Self {
        Self {
            transform,
            partial: Vec::new(),
            emitted: Vec::new(),
        }
    }

    /// Filters the records that `chunk` completes, appending the output to `out`. `tag` and
    /// `now_ms` are as for [`Transform::process`], for every record completed here.
    pub fn push(&mut self, chunk: &[u8], tag: &str, now_ms: u64, out: &mut Vec<u8>) {
        let mut rest = chunk;
        if !self.partial.is_empty() {
            let Some(end) = memchr::memchr(b'\n', rest) else {
                self.partial.extend_from_slice(rest);
                return;
            };
            let (tail, after) = rest.split_at(end);
            let mut record = std::mem::take(&mut self.partial);
            record.extend_from_slice(tail);
            self.process(&record, tag, now_ms, out);
            // The allocation is kept for the next cut record.
            record.clear();
            self.partial = record;
            rest = after.get(1..).unwrap_or_default();
        }
        loop {
            if self.transform.no_report_open() {
                let run = quiet_run(rest);
                out.extend_from_slice(rest.get(..run.len).unwrap_or_default());
                self.transform.count_passed_run(run.records as u64);
                rest = rest.get(run.len..).unwrap_or_default();
            }
            let Some(end) = memchr::memchr(b'\n', rest) else {
                break;
            };
            let (record, after) = rest.split_at(end);
            self.process(record, tag, now_ms, out);
            rest = after.get(1..).unwrap_or_default();
        }
        self.partial.extend_from_slice(rest);
    }

    /// Emits the reports that received no line for `flush_timeout_ms`, as incomplete.
    pub fn flush(&mut self, now_ms: u64, out: &mut Vec<u8>) {
        self.transform.flush(now_ms, &mut self.emitted);
        self.write_emitted(b"", out);
    }

    /// When [`NdjsonFilter::flush`] may next emit a report: see [`Transform::next_flush_ms`].
    pub fn next_flush_ms(&self) -> Option<u64> {
        self.transform.next_flush_ms()
    }

    /// End of input: processes a last record that had no newline, then emits every open
    /// report.
    pub fn finish(&mut self, tag: &str, now_ms: u64, out: &mut Vec<u8>) {
        if !self.partial.is_empty() {
            let record = std::mem::take(&mut self.partial);
            self.process(&record, tag, now_ms, out);
        }
        self.transform.finish(&mut self.emitted);
        self.write_emitted(b"", out);
    }

    /// Totals so far.
    pub fn counters(&self) -> Counters {
        self.transform.counters()
    }

    fn process(&mut self, record: &[u8], tag: &str, now_ms: u64, out: &mut Vec<u8>) {
        self.transform
            .process(record, tag, now_ms, &mut self.emitted);
        self.write_emitted(record, out);
    }

    /// Writes and clears what was emitted; `record` stands for `Emitted::Input`.
    fn write_emitted(&mut self, record: &[u8], out: &mut Vec<u8>) {
        for item in self.emitted.drain(..) {
            match item {
                Emitted::Input => out.extend_from_slice(record),
                Emitted::Event(event) => out.extend_from_slice(event.as_bytes()),
            }
            out.push(b'\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::tests::REPORT;
    use crate::filter::FilterConfig;
    use serde_json::{json, Value};

    /// Chatter, the report, chatter; as NDJSON bytes.
    fn stream() -> Vec<u8> {
        let mut records = vec![json!({"message": "eth0: link up"}).to_string()];
        records.extend(REPORT.iter().map(|m| json!({ "message": m }).to_string()));
        records.push("not json\r".to_owned());
        records.push(String::new());
        records.push(json!({"message": "sda: attached"}).to_string());
        let mut bytes = records.join("\n").into_bytes();
        bytes.push(b'\n');
        bytes
    }

    fn filter() -> NdjsonFilter {
        NdjsonFilter::new(Transform::new(FilterConfig::default()).unwrap())
    }

    /// `input` pushed in chunks of `size` bytes, then finished: the output and the events.
    fn run(input: &[u8], size: usize) -> (Vec<u8>, u64) {
        let mut filter = filter();
        let mut out = Vec::new();
        for chunk in input.chunks(size) {
            filter.push(chunk, "", 0, &mut out);
        }
        filter.finish("", 0, &mut out);
        (out, filter.counters().events)
    }

    fn lines(out: &[u8]) -> Vec<&[u8]> {
        out.strip_suffix(b"\n")
            .unwrap()
            .split(|&b| b == b'\n')
            .collect()
    }

    #[test]
    fn ndjson_output_is_the_same_for_every_chunk_size() {
        let input = stream();
        let (whole, events) = run(&input, input.len());
        assert_eq!(events, 1);
        let out = lines(&whole);
        assert_eq!(out.len(), 5, "{}", String::from_utf8_lossy(&whole));
        assert_eq!(out[0], br#"{"message":"eth0: link up"}"#);
        let event: Value = serde_json::from_slice(out[1]).unwrap();
        assert_eq!(event["oom"]["cause"], "cgroup_limit");
        assert_eq!(out[2], b"not json\r", "the \\r before a newline is kept");
        assert_eq!(out[3], b"", "a blank line passes as a blank line");
        for size in [1, 2, 3, 7, 64, 100, 1000] {
            assert_eq!(run(&input, size), (whole.clone(), 1), "chunks of {size}");
        }
    }

    #[test]
    fn ndjson_last_record_without_newline_is_processed_at_finish() {
        let mut filter = filter();
        let mut out = Vec::new();
        filter.push(br#"{"message":"a"}"#, "", 0, &mut out);
        filter.push(b"\n{\"message\":\"b\"}", "", 0, &mut out);
        assert_eq!(out, b"{\"message\":\"a\"}\n");
        filter.finish("", 0, &mut out);
        assert_eq!(out, b"{\"message\":\"a\"}\n{\"message\":\"b\"}\n");
        assert_eq!(filter.counters().records_in, 2);
    }

    #[test]
    fn ndjson_counters_of_a_quiet_run_match_record_by_record() {
        let input = stream();
        let mut framed = filter();
        framed.push(&input, "", 0, &mut Vec::new());
        framed.finish("", 0, &mut Vec::new());
        let mut transform = Transform::new(FilterConfig::default()).unwrap();
        let mut emitted = Vec::new();
        for record in input.strip_suffix(b"\n").unwrap().split(|&b| b == b'\n') {
            transform.process(record, "", 0, &mut emitted);
        }
        transform.finish(&mut emitted);
        assert_eq!(framed.counters(), transform.counters());
    }

    #[test]
    fn ndjson_empty_input_writes_nothing() {
        assert_eq!(run(b"", 1), (Vec::new(), 0));
    }

    #[test]
    fn ndjson_open_report_is_emitted_by_flush_after_the_timeout() {
        let mut filter = filter();
        let mut out = Vec::new();
        let opening = json!({ "message": REPORT[0] }).to_string() + "\n";
        filter.push(opening.as_bytes(), "", 1_000, &mut out);
        filter.flush(2_000, &mut out);
        assert!(out.is_empty(), "not yet due");
        filter.flush(1_000_000, &mut out);
        let event: Value = serde_json::from_slice(&out[..out.len() - 1]).unwrap();
        assert_eq!(event["oom"]["complete"], false);
    }
}
