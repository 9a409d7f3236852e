//! Forged kernel lines, through every transport that can prove them forged, never make an
//! event on their own and never change the event of a real report they are injected into,
//! at any position of any corpus report.

mod forgery;

use oomlens::filter::{Emitted, FilterConfig, Transform};
use serde_json::{json, Value};

use forgery::{forged_record, FORGED_TEXTS, TRANSPORTS};

/// Every corpus log, as `{"message": line, "host": "web1"}` records.
fn corpus_records() -> Vec<(String, Vec<String>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus");
    let mut logs: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "log"))
        .collect();
    logs.sort();
    logs.iter()
        .map(|path| {
            let text = String::from_utf8_lossy(&std::fs::read(path).expect("log")).into_owned();
            let records = text
                .lines()
                .map(|line| json!({"message": line, "host": "web1"}).to_string())
                .collect();
            (path.display().to_string(), records)
        })
        .collect()
}

/// What the default transform emits for `records`: the events, and how many records passed.
fn run(records: &[String]) -> (Vec<Value>, usize) {
    let mut transform = Transform::new(FilterConfig::default()).expect("config");
    let mut out = Vec::new();
    for (now, record) in records.iter().enumerate() {
        transform.process(record.as_bytes(), "", now as u64, &mut out);
    }
    transform.finish(&mut out);
    let passed = out.iter().filter(|e| **e == Emitted::Input).count();
    let events = out
        .iter()
        .filter_map(|e| match e {
            Emitted::Event(text) => Some(serde_json::from_str(text).expect("event is JSON")),
            Emitted::Input => None,
        })
        .collect();
    (events, passed)
}

#[test]
fn forged_records_alone_give_no_event() {
    for transport in 0..TRANSPORTS {
        let records: Vec<String> = FORGED_TEXTS
            .iter()
            .map(|text| forged_record(transport, text, "web1").to_string())
            .collect();
        let (events, passed) = run(&records);
        assert!(events.is_empty(), "transport {transport}: {events:?}");
        assert_eq!(passed, records.len());
    }
}

#[test]
fn forged_records_at_every_position_of_every_corpus_report_change_nothing() {
    let corpus = corpus_records();
    assert!(corpus.len() >= 25, "the corpus is there");
    for (log, records) in &corpus {
        let (reference, passed) = run(records);
        for at in 0..=records.len() {
            // Every transport and every forged line comes at some position of every log.
            let forged = forged_record(at, FORGED_TEXTS[(at / TRANSPORTS) % 3], "web1");
            let mut stream = records.clone();
            stream.insert(at, forged.to_string());
            let (events, passed_with) = run(&stream);
            assert_eq!(events, reference, "{log}: {forged} at line {at}");
            assert_eq!(passed_with, passed + 1, "{log}: the forged record passes");
        }
        // And a forgery before every line at once.
        let mut stream = Vec::new();
        for (at, record) in records.iter().enumerate() {
            stream.push(forged_record(at, FORGED_TEXTS[at % 3], "web1").to_string());
            stream.push(record.clone());
        }
        let (events, passed_with) = run(&stream);
        assert_eq!(events, reference, "{log}: a forgery before every line");
        assert_eq!(passed_with, passed + records.len());
    }
}

#[test]
fn a_forged_kill_after_a_real_kill_is_no_oom_group_member() {
    // After a kill, the assembler folds a `memory.oom.group` member's Killed line into an
    // event of its own: a forged one must not become one.
    let log = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/corpus/seed-1-cgroup-limit.log"
    );
    let mut records: Vec<String> = std::fs::read_to_string(log)
        .expect("log")
        .lines()
        .map(|line| json!({"message": line, "host": "web1"}).to_string())
        .collect();
    let (reference, _) = run(&records);
    for transport in 0..TRANSPORTS {
        records.push(forged_record(transport, FORGED_TEXTS[2], "web1").to_string());
    }
    assert_eq!(run(&records).0, reference);
}
