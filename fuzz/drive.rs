// Shared by the fuzz targets, `tests/fuzz_corpus.rs`, which replays the fuzz corpus on
// stable Rust, and `tests/conservation.rs`: the same entry points, one definition.

/// Feeds `data` to the record filter (as NDJSON records, with several configurations: storm
/// folding with short windows and few keys, `require_kernel_provenance`), to its NDJSON
/// framing and to the text analyser, and checks the filter's conservation invariant (every
/// record passed or folded, and every folded record counted by exactly one event's
/// `oom.lines`, storm follow-ups included) and that the framing emits what the transform
/// emits record by record.
pub fn drive(data: &[u8]) {
    use oomlens::filter::{Emitted, FilterConfig, RawLines, Transform};

    // The chunk size and the clock's step come from the data, so the fuzzer varies them too.
    let chunk = 1 + usize::from(data.first().copied().unwrap_or(0));
    let step_ms = 100 * u64::from(data.get(1).copied().unwrap_or(0));
    framing_agrees(
        data,
        chunk,
        step_ms,
        FilterConfig {
            max_open_reports: 4,
            max_report_lines: 64,
            storm_window_ms: 1_000,
            max_storm_keys: 2,
            ..FilterConfig::default()
        },
    );

    for raw_lines in [RawLines::Drop, RawLines::Pass, RawLines::Embed] {
        let config = FilterConfig {
            raw_lines,
            max_report_lines: 64,
            max_report_bytes: 4096,
            max_open_reports: 4,
            flush_timeout_ms: 50,
            require_kernel_provenance: raw_lines == RawLines::Pass,
            storm_window_ms: if raw_lines == RawLines::Embed { 0 } else { 200 },
            max_storm_keys: 2,
            ..FilterConfig::default()
        };
        let Ok(mut transform) = Transform::new(config) else {
            return;
        };
        let mut out = Vec::new();
        let mut inputs_out = 0u64;
        let mut records = 0u64;
        let mut lines_in_events = 0u64;
        let mut count = |out: &mut Vec<Emitted>, inputs_out: &mut u64| {
            for item in out.drain(..) {
                match item {
                    Emitted::Input => *inputs_out += 1,
                    Emitted::Event(event) => {
                        let parsed: serde_json::Value =
                            serde_json::from_str(&event).expect("an event is JSON");
                        assert!(parsed.is_object(), "an event is a JSON object");
                        let provenance = parsed["oom"]["provenance"].as_str();
                        assert!(matches!(provenance, Some("kernel" | "unverified")));
                        lines_in_events += parsed["oom"]["lines"].as_u64().unwrap_or(0);
                    }
                }
            }
        };
        for (now, record) in data.split(|&b| b == b'\n').enumerate() {
            records += 1;
            transform.process(record, "fuzz", now as u64 * 10, &mut out);
            count(&mut out, &mut inputs_out);
        }
        transform.finish(&mut out);
        count(&mut out, &mut inputs_out);
        let counters = transform.counters();
        assert_eq!(
            lines_in_events, counters.records_folded,
            "every folded record is counted by exactly one event"
        );
        assert_eq!(counters.records_in, records);
        let folded = if raw_lines == RawLines::Pass {
            0
        } else {
            counters.records_folded
        };
        assert_eq!(
            inputs_out + folded,
            records,
            "every record passes or is folded"
        );
    }
    let text = String::from_utf8_lossy(data);
    for event in oomlens::analyze::analyze_text(&text) {
        let parsed: serde_json::Value = serde_json::from_str(&event).expect("an event is JSON");
        assert!(parsed["oom"]["cause"].is_string());
    }
}

/// `data` through the NDJSON framing in chunks of `chunk` bytes (at least 1), the clock
/// advancing `step_ms` a chunk, and through the transform record by record, each record given
/// the reading of the chunk that brings its newline (as the framing gives it): asserts the same
/// output bytes and the same counters.
pub fn framing_agrees(
    data: &[u8],
    chunk: usize,
    step_ms: u64,
    config: oomlens::filter::FilterConfig,
) {
    use oomlens::filter::{Emitted, NdjsonFilter, Transform};

    let chunk = chunk.max(1);
    let (Ok(mut transform), Ok(framed_transform)) =
        (Transform::new(config.clone()), Transform::new(config))
    else {
        return;
    };
    let chunks = data.len().div_ceil(chunk) as u64;
    let mut expected = Vec::new();
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let end = data[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map(|at| start + at);
        let record = &data[start..end.unwrap_or(data.len())];
        // A last record without newline is processed when input ends.
        let now_ms = end.map_or(chunks, |newline| (newline / chunk) as u64) * step_ms;
        transform.process(record, "", now_ms, &mut out);
        for item in out.drain(..) {
            match item {
                Emitted::Input => expected.extend_from_slice(record),
                Emitted::Event(event) => expected.extend_from_slice(event.as_bytes()),
            }
            expected.push(b'\n');
        }
        start = end.map_or(data.len(), |newline| newline + 1);
    }
    transform.finish(&mut out);
    for item in out.drain(..) {
        if let Emitted::Event(event) = item {
            expected.extend_from_slice(event.as_bytes());
            expected.push(b'\n');
        }
    }
    let mut framed = NdjsonFilter::new(framed_transform);
    let mut actual = Vec::new();
    for (i, piece) in data.chunks(chunk).enumerate() {
        framed.push(piece, "", i as u64 * step_ms, &mut actual);
    }
    framed.finish("", chunks * step_ms, &mut actual);
    assert!(
        actual == expected,
        "the NDJSON framing differs from record by record"
    );
    assert_eq!(framed.counters(), transform.counters());
}
