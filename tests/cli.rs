//! The native command line as a user calls it: help, usage errors, and each filter option
//! that has a `--config` key doing what the key does.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `oomlens args` with `stdin` and returns what it did.
fn oomlens(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oomlens"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("oomlens starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("stdin written");
    child.wait_with_output().expect("oomlens ends")
}

/// The lines of fixture `name` as NDJSON records of host `web1`, `times` over.
fn records(name: &str, times: usize) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = String::from_utf8_lossy(&std::fs::read(&path).expect("fixture")).into_owned();
    let mut out = Vec::new();
    for _ in 0..times {
        for line in text.lines() {
            let record = serde_json::json!({"message": line, "host": "web1"});
            writeln!(out, "{record}").expect("written");
        }
    }
    out
}

fn events(output: &Output) -> usize {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| {
            serde_json::from_str::<serde_json::Value>(line).is_ok_and(|v| v.get("oom").is_some())
        })
        .count()
}

const STORM: &str = "extra/h32-memcg-no-killable-storm-journal-6.17.log";

#[test]
fn help_after_any_subcommand_prints_usage_and_exits_zero() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["analyze", "--help"],
        &["filter", "-h"],
    ] {
        let output = oomlens(args, b"");
        assert!(output.status.success(), "{args:?}: {:?}", output.status);
        assert!(
            String::from_utf8_lossy(&output.stdout).starts_with("usage: oomlens"),
            "{args:?}"
        );
    }
}

#[test]
fn unknown_option_is_a_usage_error_naming_it() {
    let output = oomlens(&["filter", "--storm-window"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown option --storm-window"));
}

#[test]
fn storm_window_zero_turns_folding_off() {
    let storm = records(STORM, 5);
    let folded = oomlens(&["filter"], &storm);
    let unfolded = oomlens(&["filter", "--storm-window-ms", "0"], &storm);
    assert!(folded.status.success() && unfolded.status.success());
    assert!(
        events(&folded) < events(&unfolded),
        "folded {} vs unfolded {}",
        events(&folded),
        events(&unfolded)
    );
}

#[test]
fn max_storm_keys_zero_is_rejected_like_the_config_key() {
    let output = oomlens(&["filter", "--max-storm-keys", "0"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("max_storm_keys"));
}

#[test]
fn require_kernel_provenance_passes_unverified_syslog_lines_unchanged() {
    // A `kernel:` tag in syslog text proves nothing (`logger -t kernel` writes it too).
    let input = records("corpus/015-host-oom-rsyslog-rfc3339-grep-pid.log", 1);
    let trusting = oomlens(&["filter"], &input);
    assert!(events(&trusting) > 0);
    let strict = oomlens(&["filter", "--require-kernel-provenance"], &input);
    assert!(strict.status.success());
    assert_eq!(events(&strict), 0);
    assert_eq!(strict.stdout, input, "every record passes byte for byte");
}
