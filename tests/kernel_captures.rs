//! The reports real Debian kernels (6.1 and 6.12 on x86-64, 6.1 on arm64) printed under QEMU
//! (`tests/kernel/run.sh`, committed in `tests/kernel/captures`), in four capture formats:
//! every kill comes out once, with the cause that the scenario built, and so does every
//! report that killed nothing (no killable process, a panic_on_oom panic, a deadlock).

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
    let without_victim = sidecar["expected_reports_without_victim"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for want in &without_victim {
        let matching = events
            .iter()
            .filter(|e| e.get("process").is_none() && !is_allocation_failure(e))
            .filter(|e| triggered_by(e, want))
            .collect::<Vec<_>>();
        let count = want["count"].as_u64().unwrap_or(1) as usize;
        if matching.len() != count || matching.iter().any(|e| e["oom"]["cause"] != want["cause"]) {
            failures.push(format!(
                "{}: {} reports without victim (want {count}, cause {}): {:?}",
                want["scenario"],
                matching.len(),
                want["cause"],
                matching
                    .iter()
                    .map(|e| &e["oom"]["cause"])
                    .collect::<Vec<_>>()
            ));
        }
    }
    let allocation_failures = sidecar["expected_allocation_failures"]
        .as_array()
        .map_or(0, Vec::len);
    for event in &events {
        let pid = event["process"]["pid"].as_u64();
        let expected_kill =
            pid.is_some() && expected.iter().any(|w| w["victim"]["pid"].as_u64() == pid);
        let expected_without = pid.is_none()
            && (is_allocation_failure(event)
                || without_victim.iter().any(|want| triggered_by(event, want)));
        if !expected_kill && !expected_without {
            failures.push(format!(
                "unexpected event: {} {}",
                event["message"], event["oom"]["evidence"]
            ));
        }
    }
    let failures_seen = events.iter().filter(|e| is_allocation_failure(e)).count();
    if failures_seen < allocation_failures {
        failures.push(format!(
            "{failures_seen} allocation failures, want at least {allocation_failures}"
        ));
    }
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
}

fn is_allocation_failure(event: &Value) -> bool {
    event["oom"]["kind"] == "allocation_failure"
}

/// Whether a report without victim was triggered as `want` says: by its pid, or by a task
/// whose name starts with `trigger_comm` (a sysrq-f request runs in a kworker).
fn triggered_by(event: &Value, want: &Value) -> bool {
    let trigger = &event["oom"]["trigger"];
    match (want["trigger_pid"].as_u64(), want["trigger_comm"].as_str()) {
        (Some(pid), _) => trigger["pid"].as_u64() == Some(pid),
        (None, Some(prefix)) => trigger["comm"]
            .as_str()
            .is_some_and(|comm| comm.starts_with(prefix)),
        (None, None) => false,
    }
}

macro_rules! capture_case {
    ($test:ident, $name:literal) => {
        #[test]
        fn $test() {
            check($name);
        }
    };
}

capture_case!(
    k6_1_arm64_deadlock_console,
    "qemu-debian-6.1-arm64-deadlock.console"
);
capture_case!(
    k6_1_arm64_panic_console,
    "qemu-debian-6.1-arm64-panic.console"
);
capture_case!(
    k6_1_arm64_stress_console,
    "qemu-debian-6.1-arm64-stress.console"
);
capture_case!(
    k6_1_arm64_stress_dmesg,
    "qemu-debian-6.1-arm64-stress.dmesg"
);
capture_case!(
    k6_1_arm64_stress_dmesg_raw,
    "qemu-debian-6.1-arm64-stress.dmesg-r"
);
capture_case!(k6_1_arm64_stress_kmsg, "qemu-debian-6.1-arm64-stress.kmsg");
capture_case!(k6_1_arm64_v1_console, "qemu-debian-6.1-arm64-v1.console");
capture_case!(k6_1_arm64_v1_dmesg, "qemu-debian-6.1-arm64-v1.dmesg");
capture_case!(k6_1_arm64_v1_dmesg_raw, "qemu-debian-6.1-arm64-v1.dmesg-r");
capture_case!(k6_1_arm64_v1_kmsg, "qemu-debian-6.1-arm64-v1.kmsg");
capture_case!(k6_1_arm64_v2_console, "qemu-debian-6.1-arm64-v2.console");
capture_case!(k6_1_arm64_v2_dmesg, "qemu-debian-6.1-arm64-v2.dmesg");
capture_case!(k6_1_arm64_v2_dmesg_raw, "qemu-debian-6.1-arm64-v2.dmesg-r");
capture_case!(k6_1_arm64_v2_kmsg, "qemu-debian-6.1-arm64-v2.kmsg");
capture_case!(k6_1_deadlock_console, "qemu-debian-6.1-deadlock.console");
capture_case!(k6_1_panic_console, "qemu-debian-6.1-panic.console");
capture_case!(k6_1_stress_console, "qemu-debian-6.1-stress.console");
capture_case!(k6_1_stress_dmesg, "qemu-debian-6.1-stress.dmesg");
capture_case!(k6_1_stress_dmesg_raw, "qemu-debian-6.1-stress.dmesg-r");
capture_case!(k6_1_stress_kmsg, "qemu-debian-6.1-stress.kmsg");
capture_case!(k6_1_v1_console, "qemu-debian-6.1-v1.console");
capture_case!(k6_1_v1_dmesg, "qemu-debian-6.1-v1.dmesg");
capture_case!(k6_1_v1_dmesg_raw, "qemu-debian-6.1-v1.dmesg-r");
capture_case!(k6_1_v1_kmsg, "qemu-debian-6.1-v1.kmsg");
capture_case!(k6_1_v2_console, "qemu-debian-6.1-v2.console");
capture_case!(k6_1_v2_dmesg, "qemu-debian-6.1-v2.dmesg");
capture_case!(k6_1_v2_dmesg_raw, "qemu-debian-6.1-v2.dmesg-r");
capture_case!(k6_1_v2_kmsg, "qemu-debian-6.1-v2.kmsg");
capture_case!(k6_12_deadlock_console, "qemu-debian-6.12-deadlock.console");
capture_case!(k6_12_panic_console, "qemu-debian-6.12-panic.console");
capture_case!(k6_12_stress_console, "qemu-debian-6.12-stress.console");
capture_case!(k6_12_stress_dmesg, "qemu-debian-6.12-stress.dmesg");
capture_case!(k6_12_stress_dmesg_raw, "qemu-debian-6.12-stress.dmesg-r");
capture_case!(k6_12_stress_kmsg, "qemu-debian-6.12-stress.kmsg");
capture_case!(k6_12_v2_console, "qemu-debian-6.12-v2.console");
capture_case!(k6_12_v2_dmesg, "qemu-debian-6.12-v2.dmesg");
capture_case!(k6_12_v2_dmesg_raw, "qemu-debian-6.12-v2.dmesg-r");
capture_case!(k6_12_v2_kmsg, "qemu-debian-6.12-v2.kmsg");
