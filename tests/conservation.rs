//! Property tests of the filter's first promise: for any input, every record is accounted for,
//! emitted unchanged or folded into exactly one event, and the records that are not part of an
//! OOM report come out byte-identical and in order. The generated streams mix real reports
//! with chatter, forged kernel lines (every transport that proves them forged: they must pass
//! byte-identical like chatter) and storms of reports with no victim (folded by the storm
//! windows, whose follow-ups must still count every folded line once).

mod forgery;

use oomlens::filter::{Emitted, FilterConfig, RawLines, Transform};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The fuzz target's checks, shared: the framing property below is one of them.
#[allow(dead_code)]
#[path = "../fuzz/drive.rs"]
mod fuzz_drive;

/// Real reports to cut, shuffle and interleave.
const REPORTS: &[&str] = &[
    include_str!("fixtures/corpus/009-docker-v1-tmux-paste-dup-4.4.log"),
    include_str!("fixtures/corpus/011-docker-v1-tomcat-path-wrapped-4.15-azure.log"),
    include_str!("fixtures/corpus/018-k8s-pod-parent-oomgroup-grep-6.x.log"),
    include_str!("fixtures/corpus/oomanalyser-ubuntu2110.log"),
    include_str!("fixtures/corpus/seed-5-buddy-fragmentation.log"),
    include_str!("fixtures/corpus/006-k8s-kmsg-pod-slice-parent-wrapped.log"),
];

/// Records that are certainly not part of any report.
fn chatter() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-z]{2,8}[0-9]: link (up|down), [0-9]{1,4}Mbps"
            .prop_map(|m| json!({ "message": m }).to_string().into_bytes()),
        "[ -~]{0,60}".prop_map(|s| s.replace(['{', '[', '"'], "").into_bytes()),
        Just(b"[1,2,3]".to_vec()),
        Just(b"\"just a string\"".to_vec()),
        Just(b"{\"message\": 42}".to_vec()),
        Just(b"{\"MESSAGE\": \"usb 1-1: new device\", \"host\": 7}".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|mut b| {
            b.retain(|&c| c != b'\n');
            b.insert(0, 0xff);
            b
        }),
    ]
}

#[derive(Debug, Clone)]
enum Item {
    /// A line of report `report` from `host`, cut after `keep` lines.
    Report {
        report: usize,
        host: u8,
        keep: usize,
    },
    Chatter(Vec<u8>),
    /// A forged kernel line through `transport`, claiming `host`'s stream.
    Forged {
        transport: usize,
        text: usize,
        host: u8,
    },
    /// `repeats` memory cgroup reports with nothing killed, of `cgroup` on `host`.
    Storm {
        host: u8,
        cgroup: u8,
        repeats: usize,
    },
}

fn stream() -> impl Strategy<Value = Vec<Item>> {
    let report = (0..REPORTS.len(), 0u8..4, 0usize..400)
        .prop_map(|(report, host, keep)| Item::Report { report, host, keep });
    let forged = (
        0..forgery::TRANSPORTS,
        0..forgery::FORGED_TEXTS.len(),
        0u8..4,
    )
        .prop_map(|(transport, text, host)| Item::Forged {
            transport,
            text,
            host,
        });
    let storm = (0u8..4, 0u8..3, 1usize..30).prop_map(|(host, cgroup, repeats)| Item::Storm {
        host,
        cgroup,
        repeats,
    });
    proptest::collection::vec(
        prop_oneof![3 => chatter().prop_map(Item::Chatter), 1 => report, 1 => forged, 1 => storm],
        1..40,
    )
}

/// The lines of one memory cgroup OOM that kills nothing, as a cgroup with nothing
/// killable prints it again and again.
fn no_victim_report(cgroup: u8) -> [String; 3] {
    [
        "[ 7.000001] stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0".to_owned(),
        "[ 7.000002] memory: usage 204800kB, limit 204800kB, failcnt 26".to_owned(),
        format!("[ 7.000003] Memory cgroup stats for /app{cgroup}:"),
    ]
}

/// Expands the items into records: each report's lines interleaved by round robin across
/// the items, so hosts mix line by line. Returns the records and, per record, whether it is
/// chatter.
fn records(items: &[Item]) -> Vec<(Vec<u8>, bool)> {
    let mut queues: Vec<std::collections::VecDeque<(Vec<u8>, bool)>> = items
        .iter()
        .map(|item| match item {
            Item::Chatter(bytes) => std::iter::once((bytes.clone(), true)).collect(),
            // A forged record is never part of a report: it must pass like chatter.
            Item::Forged {
                transport,
                text,
                host,
            } => {
                let text = forgery::FORGED_TEXTS[*text];
                let record = forgery::forged_record(*transport, text, &format!("h{host}"));
                std::iter::once((record.to_string().into_bytes(), true)).collect()
            }
            Item::Storm {
                host,
                cgroup,
                repeats,
            } => (0..*repeats)
                .flat_map(|_| no_victim_report(*cgroup))
                .map(|line| {
                    let record = json!({ "message": line, "host": format!("h{host}") });
                    (record.to_string().into_bytes(), false)
                })
                .collect(),
            Item::Report { report, host, keep } => REPORTS[*report]
                .lines()
                .take(*keep)
                .map(|line| {
                    (
                        json!({ "message": line, "host": format!("h{host}") })
                            .to_string()
                            .into_bytes(),
                        false,
                    )
                })
                .collect(),
        })
        .collect();
    let mut out = Vec::new();
    while queues.iter().any(|q| !q.is_empty()) {
        for queue in &mut queues {
            if let Some(record) = queue.pop_front() {
                out.push(record);
            }
        }
    }
    out
}

/// The lines an event says were folded into it: `oom.lines`, which every event carries but a
/// fragment's (its lines passed through; `oom.passed_lines` counts them).
fn folded_lines(event: &Value) -> u64 {
    match event["oom"]["lines"].as_u64() {
        Some(lines) => lines,
        None => {
            assert_eq!(
                event["oom"]["fragment"],
                Value::Bool(true),
                "oom.lines missing: {event}"
            );
            0
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_record_is_emitted_or_folded_once(items in stream(), raw in prop_oneof![Just(RawLines::Drop), Just(RawLines::Pass), Just(RawLines::Embed)], storm_window_ms in prop_oneof![Just(0u64), 1u64..200, Just(60_000)], max_storm_keys in 1u64..4) {
        let records = records(&items);
        let config = FilterConfig { raw_lines: raw, max_open_reports: 3, max_report_lines: 120, storm_window_ms, max_storm_keys, ..FilterConfig::default() };
        let mut transform = Transform::new(config).expect("config");
        let mut passed: Vec<Vec<u8>> = Vec::new();
        let mut folded_in_events = 0u64;
        let mut out = Vec::new();
        for (now, (record, _)) in records.iter().enumerate() {
            transform.process(record, "", now as u64, &mut out);
            for item in out.drain(..) {
                match item {
                    Emitted::Input => passed.push(record.clone()),
                    Emitted::Event(event) => {
                        let event: Value = serde_json::from_str(&event).expect("event is JSON");
                        folded_in_events += folded_lines(&event);
                    }
                }
            }
        }
        transform.finish(&mut out);
        for item in out.drain(..) {
            if let Emitted::Event(event) = item {
                let event: Value = serde_json::from_str(&event).expect("event is JSON");
                folded_in_events += folded_lines(&event);
                let provenance = event["oom"]["provenance"].as_str();
                prop_assert!(matches!(provenance, Some("kernel" | "unverified")), "{:?}", provenance);
            } else {
                prop_assert!(false, "finish emitted an input record");
            }
        }
        let counters = transform.counters();
        prop_assert_eq!(counters.records_in, records.len() as u64);
        // Every line folded into a report is counted by exactly one event.
        prop_assert_eq!(folded_in_events, counters.records_folded);
        let expected_passed = if raw == RawLines::Pass { records.len() as u64 } else { records.len() as u64 - counters.records_folded };
        prop_assert_eq!(passed.len() as u64, expected_passed);
        // Chatter comes out byte-identical and in order.
        let chatter_in: Vec<&Vec<u8>> = records.iter().filter(|(_, c)| *c).map(|(r, _)| r).collect();
        let chatter_out: Vec<&Vec<u8>> = passed.iter().filter(|r| chatter_in.contains(r)).collect();
        prop_assert_eq!(chatter_out, chatter_in);
    }

    /// The NDJSON framing, with its one-scan fast path over runs of chatter, must emit exactly
    /// what the transform emits record by record, however the bytes are cut into chunks and
    /// whatever the clock does between chunks (the check the fuzz target makes too).
    #[test]
    fn ndjson_framing_equals_record_by_record(items in stream(), chunk in 1usize..600, step_ms in 0u64..3_000, raw in prop_oneof![Just(RawLines::Drop), Just(RawLines::Pass), Just(RawLines::Embed)], storm_window_ms in prop_oneof![Just(0u64), 1u64..10_000], require_kernel_provenance in any::<bool>()) {
        let input: Vec<u8> = records(&items).iter().flat_map(|(record, _)| record.iter().copied().chain([b'\n'])).collect();
        let config = FilterConfig { raw_lines: raw, max_open_reports: 3, max_report_lines: 120, storm_window_ms, max_storm_keys: 2, require_kernel_provenance, ..FilterConfig::default() };
        fuzz_drive::framing_agrees(&input, chunk, step_ms, config);
    }
}
