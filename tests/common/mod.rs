//! What the fixture suites share: reading a fixture log and its sidecar, and checking the
//! events oomlens makes of the log against the sidecar's expectations.

use std::path::PathBuf;

use serde_json::Value;

/// The text of `tests/fixtures/<dir>/<name>.<extension>`.
pub fn fixture(dir: &str, name: &str, extension: &str) -> String {
    let path = fixtures(dir).join(format!("{name}.{extension}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn fixtures(dir: &str) -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", dir]
        .iter()
        .collect()
}

/// The events `analyze` makes of a fixture log, parsed.
pub fn events_of(dir: &str, name: &str) -> Vec<Value> {
    oomlens::analyze::analyze_text(&fixture(dir, name, "log"))
        .iter()
        .map(|e| {
            serde_json::from_str(e)
                .unwrap_or_else(|err| panic!("{name}: event is not JSON: {err}: {e}"))
        })
        .collect()
}

/// Checks the event the sidecar speaks of: the one whose victim is the expected victim, or,
/// where the sidecar expects no victim, the first event (which must then have none).
pub fn check(dir: &str, name: &str) {
    let sidecar: Value = serde_json::from_str(&fixture(dir, name, "json"))
        .unwrap_or_else(|e| panic!("{name}.json: {e}"));
    let events = events_of(dir, name);
    assert!(!events.is_empty(), "{name}: no event");
    let expected_cause = sidecar["expected_cause"]
        .as_str()
        .unwrap_or_else(|| panic!("{name}: no expected_cause"));
    let expected_pid = sidecar["expected_victim"]["pid"].as_u64();
    let event = match expected_pid {
        Some(pid) => events
            .iter()
            .find(|e| e["process"]["pid"].as_u64() == Some(pid))
            .unwrap_or_else(|| panic!("{name}: no event with victim pid {pid}: {events:#?}")),
        None => {
            let first = &events[0];
            assert!(
                first.get("process").is_none(),
                "{name}: expected no victim, got {}",
                first["process"]
            );
            first
        }
    };
    assert_eq!(
        event["oom"]["cause"], expected_cause,
        "{name}: evidence {}",
        event["oom"]["evidence"]
    );
    if let Some(comm) = sidecar["expected_victim"]["comm"].as_str() {
        assert_eq!(event["process"]["name"], comm, "{name}: victim name");
    }
    if sidecar["complete"] == Value::Bool(false) {
        assert_eq!(
            event["oom"]["complete"], false,
            "{name}: a cut report must say it is incomplete"
        );
    }
    for other in sidecar["other_victims"].as_array().into_iter().flatten() {
        let pid = other["pid"].as_u64();
        let found = events.iter().find(|e| e["process"]["pid"].as_u64() == pid);
        let found = found.unwrap_or_else(|| panic!("{name}: no event for other victim {other}"));
        assert_eq!(
            found["process"]["name"], other["comm"],
            "{name}: other victim name"
        );
        assert_eq!(
            found["oom"]["cause"], expected_cause,
            "{name}: other victim cause"
        );
    }
    for event in &events {
        assert!(
            event["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{name}: event without message"
        );
        assert!(
            event["oom"]["complete"].is_boolean(),
            "{name}: oom.complete missing"
        );
    }
}

/// Every `.log` in `tests/fixtures/<dir>` is named in `source` (the suite's own text), so a log
/// added to the folder cannot go untested.
pub fn assert_every_fixture_has_a_case(dir: &str, source: &str) {
    for entry in std::fs::read_dir(fixtures(dir)).expect("fixture dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "log") {
            let stem = path.file_stem().and_then(|s| s.to_str()).expect("name");
            assert!(
                source.contains(&format!("\"{stem}\"")),
                "{dir}: no case for {stem}"
            );
        }
    }
}
