// Shared by the fuzz targets and `tests/fuzz_corpus.rs`, which replays the fuzz corpus on
// stable Rust: the same entry points, one definition.

/// Feeds `data` to the record filter (as NDJSON records, with several configurations) and to
/// the text analyser, and checks the filter's conservation invariant.
pub fn drive(data: &[u8]) {
    use oomlens::filter::{Emitted, FilterConfig, RawLines, Transform};

    for raw_lines in [RawLines::Drop, RawLines::Pass, RawLines::Embed] {
        let config = FilterConfig {
            raw_lines,
            max_report_lines: 64,
            max_report_bytes: 4096,
            max_open_reports: 4,
            flush_timeout_ms: 50,
            ..FilterConfig::default()
        };
        let Ok(mut transform) = Transform::new(config) else {
            return;
        };
        let mut out = Vec::new();
        let mut inputs_out = 0u64;
        let mut records = 0u64;
        for (now, record) in data.split(|&b| b == b'\n').enumerate() {
            records += 1;
            transform.process(record, "fuzz", now as u64 * 10, &mut out);
            for item in out.drain(..) {
                match item {
                    Emitted::Input => inputs_out += 1,
                    Emitted::Event(event) => {
                        let parsed: serde_json::Value =
                            serde_json::from_str(&event).expect("an event is JSON");
                        assert!(parsed.is_object(), "an event is a JSON object");
                    }
                }
            }
        }
        transform.finish(&mut out);
        let counters = transform.counters();
        assert_eq!(counters.records_in, records);
        let folded = if raw_lines == RawLines::Pass { 0 } else { counters.records_folded };
        assert_eq!(inputs_out + folded, records, "every record passes or is folded");
    }
    let text = String::from_utf8_lossy(data);
    for event in oomlens::analyze::analyze_text(&text) {
        let parsed: serde_json::Value = serde_json::from_str(&event).expect("an event is JSON");
        assert!(parsed["oom"]["cause"].is_string());
    }
}
