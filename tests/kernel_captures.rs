//! The reports a real Debian 6.1 kernel printed under QEMU (`tests/kernel/run.sh`, committed
//! in `tests/kernel/captures`), in four capture formats: every kill comes out once, with the
//! cause that the scenario built.

use std::path::PathBuf;

use serde_json::Value;

fn capture(name: &str, extension: &str) -> String {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "kernel",
        "captures",
        &format!("{name}.{extension}"),
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn check(name: &str) {
    let sidecar: Value = serde_json::from_str(&capture(name, "json")).expect("sidecar");
    let events: Vec<Value> = oomlens::analyze::analyze_text(&capture(name, "log"))
        .iter()
        .map(|e| serde_json::from_str(e).expect("event JSON"))
        .collect();
    let expected = sidecar["expected_events"]
        .as_array()
        .expect("expected_events");
    let mut failures = Vec::new();
    for want in expected {
        let pid = want["victim"]["pid"].as_u64();
        let found: Vec<&Value> = events
            .iter()
            .filter(|e| e["process"]["pid"].as_u64() == pid)
            .collect();
        match found.as_slice() {
            [event]
                if event["oom"]["cause"] == want["cause"]
                    && event["process"]["name"] == want["victim"]["comm"] => {}
            [event] => failures.push(format!(
                "{}: victim {} got cause {} name {} (evidence {})",
                want["scenario"],
                want["victim"],
                event["oom"]["cause"],
                event["process"]["name"],
                event["oom"]["evidence"]
            )),
            other => failures.push(format!(
                "{}: {} events for victim {}",
                want["scenario"],
                other.len(),
                want["victim"]
            )),
        }
    }
    for event in &events {
        let pid = event["process"]["pid"].as_u64();
        if !expected.iter().any(|w| w["victim"]["pid"].as_u64() == pid) {
            failures.push(format!(
                "unexpected event: {} {}",
                event["message"], event["oom"]["evidence"]
            ));
        }
    }
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

macro_rules! capture_case {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            check($name);
        }
    };
}

capture_case!(v2_dmesg, "qemu-debian-6.1-v2.dmesg");
capture_case!(v2_dmesg_raw, "qemu-debian-6.1-v2.dmesg-r");
capture_case!(v2_kmsg, "qemu-debian-6.1-v2.kmsg");
capture_case!(v2_console, "qemu-debian-6.1-v2.console");
capture_case!(v1_dmesg, "qemu-debian-6.1-v1.dmesg");
capture_case!(v1_dmesg_raw, "qemu-debian-6.1-v1.dmesg-r");
capture_case!(v1_kmsg, "qemu-debian-6.1-v1.kmsg");
capture_case!(v1_console, "qemu-debian-6.1-v1.console");
