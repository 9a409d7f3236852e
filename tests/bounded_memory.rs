//! Memory held by the filter stays within its caps whatever the input: an endless report, a
//! 10 MB line, 100 000 interleaved hosts, 100 000 task-table rows. Measured with a counting
//! allocator: the most heap the transform holds between records.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use oomlens::filter::{Emitted, FilterConfig, Transform};
use serde_json::json;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The scenarios share the allocator's counters: run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Feeds `records` to a transform (records are made on the fly, so the input itself is not
/// held) and returns the most heap the transform held between records, above where it
/// started, and the events emitted (each reduced to its cause and cap).
fn stream(config: FilterConfig, records: impl Iterator<Item = String>) -> (usize, Vec<String>) {
    let mut out = Vec::new();
    // One-time statics (the marker automaton, compiled regexes) are built before measuring:
    // they are the same size whatever the input.
    let mut warm_up = Transform::new(FilterConfig::default()).expect("config");
    for line in [HEADER, TABLE, &task_row(1), KILLED] {
        warm_up.process(record(0, line).as_bytes(), "", 0, &mut out);
    }
    drop(warm_up);
    out.clear();
    let mut transform = Transform::new(config).expect("config");
    let mut events = Vec::new();
    let baseline = LIVE.load(Ordering::Relaxed);
    let mut held = 0;
    for (i, record) in records.enumerate() {
        transform.process(record.as_bytes(), "", i as u64, &mut out);
        drop(record);
        for item in out.drain(..) {
            if let Emitted::Event(event) = item {
                // Keep only the cause and the cap: the events are the output, not state.
                let event: serde_json::Value = serde_json::from_str(&event).expect("event");
                events.push(format!(
                    "{} {}",
                    event["oom"]["cause"], event["oom"]["truncated_by"]
                ));
            }
        }
        // What the test itself keeps (the reduced events, the output buffer) is not the transform's.
        let kept = events.iter().map(String::capacity).sum::<usize>()
            + events.capacity() * std::mem::size_of::<String>()
            + out.capacity() * std::mem::size_of::<Emitted>();
        held = held.max(LIVE.load(Ordering::Relaxed).saturating_sub(baseline + kept));
    }
    (held, events)
}

fn record(host: usize, message: &str) -> String {
    json!({ "message": message, "host": format!("h{host}") }).to_string()
}

const HEADER: &str =
    "[ 100.000001] stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0";
const TABLE: &str = "[ 100.000002] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name";
const KILLED: &str = "[ 100.000009] Out of memory: Killed process 99 (stress) total-vm:9000kB, anon-rss:8000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0";

fn task_row(i: usize) -> String {
    format!("[ 100.000003] [{i:>7}]     0 {i:>5}    10000    {:>5}    65536        0             0 worker-{i}", i % 9973)
}

#[test]
fn endless_report_without_kill_is_capped_by_lines() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let config = FilterConfig {
        max_report_lines: 5_000,
        ..FilterConfig::default()
    };
    let records = std::iter::once(record(0, HEADER))
        .chain(std::iter::once(record(0, TABLE)))
        .chain((0..200_000).map(|i| record(0, &task_row(i))));
    let (growth, events) = stream(config, records);
    assert!(growth < 256 << 10, "heap grew by {growth} bytes");
    assert_eq!(
        events.first().map(String::as_str),
        Some("\"unknown\" \"max_report_lines\""),
        "{events:?}"
    );
}

#[test]
fn ten_megabyte_line_passes_unread() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let huge = format!("invoked oom-killer: {}", "x".repeat(10 << 20));
    let (growth, events) = stream(FilterConfig::default(), std::iter::once(record(0, &huge)));
    // The record itself is built by the caller; the transform adds nothing near its size.
    assert!(growth < 64 << 10, "heap grew by {growth} bytes");
    assert!(events.is_empty());
}

#[test]
fn hundred_thousand_interleaved_hosts_are_capped_by_open_reports() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let config = FilterConfig {
        max_open_reports: 1_000,
        ..FilterConfig::default()
    };
    let records = (0..100_000).map(|host| record(host, HEADER));
    let (growth, events) = stream(config, records);
    assert!(
        growth < 16 << 20,
        "heap grew by {growth} bytes for 1 000 open reports"
    );
    assert_eq!(events.len(), 99_000, "each report evicted is emitted");
    assert!(events.iter().all(|e| e.ends_with("\"max_open_reports\"")));
}

#[test]
fn hundred_thousand_task_rows_keep_the_largest_only() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let records = std::iter::once(record(0, HEADER))
        .chain(std::iter::once(record(0, TABLE)))
        .chain((0..100_000).map(|i| record(0, &task_row(i))))
        .chain(std::iter::once(record(0, KILLED)));
    let (growth, events) = stream(FilterConfig::default(), records);
    assert!(growth < 256 << 10, "heap grew by {growth} bytes");
    assert_eq!(
        events,
        ["\"host_oom\" null"],
        "one complete event, no cap hit"
    );
}

#[test]
fn embedded_raw_lines_are_capped_by_bytes() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let config = FilterConfig {
        raw_lines: oomlens::filter::RawLines::Embed,
        max_report_bytes: 1 << 20,
        ..FilterConfig::default()
    };
    let records = std::iter::once(record(0, HEADER))
        .chain(std::iter::once(record(0, TABLE)))
        .chain((0..100_000).map(|i| record(0, &task_row(i))));
    let (growth, events) = stream(config, records);
    assert!(
        growth < 3 << 20,
        "heap grew by {growth} bytes with a 1 MiB cap on kept lines"
    );
    assert_eq!(
        events.first().map(String::as_str),
        Some("\"unknown\" \"max_report_bytes\""),
        "{events:?}"
    );
}
