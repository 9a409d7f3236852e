//! `filter` agrees with `analyze`: every fixture log, fed to the record-stream filter one
//! record per line (as Fluent Bit's `tail` input sends a file), gives the events that
//! `analyze` gives on the same text. Hard-wrapped and `pr_cont`-split lines arrive as records
//! of their own there, and must be joined as text mode joins them.

use std::path::{Path, PathBuf};

use oomlens::filter::{Emitted, FilterConfig, Transform};
use serde_json::{json, Value};

/// Every fixture log: the corpus, the extra logs and the kernel lab's captures.
fn fixture_logs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut logs: Vec<PathBuf> = ["fixtures/corpus", "fixtures/extra", "kernel/captures"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("fixture dir"))
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs
}

/// The lines a shipper would send as records: the text's physical lines, after what only a
/// paste does to text (a quoted-printable mail body, records glued into one line) is undone,
/// as `analyze` undoes it before it reads lines.
fn records_of(text: &str) -> Vec<String> {
    oomlens::prefix::undo_quoted_printable(text)
        .lines()
        .flat_map(oomlens::prefix::split_glued)
        .map(|line| json!({ "message": line }).to_string())
        .collect()
}

/// What both modes must agree on: the verdict, the victim, the trigger, the cgroups, the
/// figures' evidence. (Line counts and record metadata differ by nature: a wrapped line is
/// one line in text and several records in a stream.)
fn essence(event: &Value) -> Value {
    let oom = &event["oom"];
    json!({
        "cause": oom["cause"],
        "confidence": oom["confidence"],
        "evidence": oom["evidence"],
        "pid": event["process"]["pid"],
        "kind": oom["kind"],
        "trigger": oom["trigger"],
        "cgroup": oom["cgroup"],
        "end_note": oom["end_note"],
    })
}

fn filter_events(records: &[String]) -> Vec<Value> {
    // Storm folding is the filter's own (analyze reads a log once, it does not guard a log
    // platform): off, so every report comes out as analyze gives it.
    let config = FilterConfig {
        storm_window_ms: 0,
        ..FilterConfig::default()
    };
    let mut transform = Transform::new(config).expect("config");
    let mut out = Vec::new();
    for record in records {
        // One clock for the whole log: no report times out between its records.
        transform.process(record.as_bytes(), "", 0, &mut out);
    }
    transform.finish(&mut out);
    out.into_iter()
        .filter_map(|emitted| match emitted {
            Emitted::Event(text) => Some(serde_json::from_str(&text).expect("event JSON")),
            Emitted::Input => None,
        })
        .collect()
}

#[test]
fn filter_gives_the_events_analyze_gives_on_every_fixture() {
    let mut mismatches = Vec::new();
    let logs = fixture_logs();
    assert!(logs.len() > 60, "fixtures not found: {}", logs.len());
    for log in &logs {
        let text = String::from_utf8_lossy(&std::fs::read(log).expect("read")).into_owned();
        let analyzed: Vec<Value> = oomlens::analyze::analyze_text(&text)
            .iter()
            .map(|e| essence(&serde_json::from_str(e).expect("event JSON")))
            .collect();
        // A log exported newest first (a log UI's table) is read from its end by analyze: a
        // shipper sent its records oldest first.
        let mut records = records_of(&text);
        let lines: Vec<&str> = text.lines().collect();
        if oomlens::analyze::reads_newest_first(&lines) {
            records.reverse();
        }
        let filtered: Vec<Value> = filter_events(&records).iter().map(essence).collect();
        if analyzed != filtered {
            mismatches.push(format!(
                "{}:\n  analyze {analyzed:?}\n  filter  {filtered:?}",
                log.display()
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} fixtures differ:\n{}",
        mismatches.len(),
        logs.len(),
        mismatches.join("\n")
    );
}
