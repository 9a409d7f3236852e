//! Proves that the verdict does not depend on how a log was shipped: every corpus log,
//! re-rendered in each transport format, yields the verdicts of the original.
//!
//! The reference is `analyze_text` on the log as published. Its kernel records (the logical
//! lines `LineJoiner` rebuilds, minus what is not kernel text) are then printed again the way
//! each transport prints them, and analysed again: the list of (cause, victim pid, victim comm,
//! complete, kind) must not change, and neither may the rest of each event but the fields the
//! transport itself supplies ([`TRANSPORT_FIELDS`]) and the length of whitespace runs inside
//! its strings (mail and HTML re-wrap and collapse them; they are padding, not meaning). Every
//! test collects all mismatches over all logs before it fails, and writes each failing
//! rendering under `CARGO_TARGET_TMPDIR` to be replayed with `oomlens analyze`.

use std::fmt::{self, Display, Write as _};
use std::path::{Path, PathBuf};

use oomlens::analyze::analyze_text;
use oomlens::analyze::reads_newest_first;
use oomlens::filter::{Emitted, FilterConfig, Transform};
use oomlens::prefix::{KernelLine, LineJoiner};
use serde_json::{json, Value};

/// Corpus logs that cannot be rendered faithfully in a format, with the reason. `*` is every
/// format. Kept as short as possible: an entry hides a log from a check.
const EXCLUDED: &[(&str, &str, &str)] = &[];

/// Logical lines of a corpus log that are not kernel text and so are not re-rendered, with
/// why. A log not listed has none; the count is checked, so no line goes silently.
const NOT_KERNEL_TEXT: &[(&str, usize, &str)] = &[
    (
        "008-host-oom-numa2-pagecache-4.9-email-wrapped",
        6,
        "the reviewer's reply (quote depth 1) between the quoted kernel lines",
    ),
    (
        "017-aks-k8s-pod-parent-cgroupv2-syslog-5.15",
        3,
        "syslog lines of systemd, containerd and node-problem-detector",
    ),
];

/// One kill (or allocation failure) as the analyser judged it.
#[derive(Debug, Clone, PartialEq)]
struct Verdict {
    cause: Option<String>,
    pid: Option<u64>,
    comm: Option<String>,
    complete: Option<bool>,
    kind: Option<String>,
}

impl Verdict {
    fn of(event: &Value) -> Self {
        let text = |v: &Value| v.as_str().map(str::to_owned);
        Self {
            cause: text(&event["oom"]["cause"]),
            pid: event["process"]["pid"].as_u64(),
            comm: text(&event["process"]["name"]),
            complete: event["oom"]["complete"].as_bool(),
            kind: text(&event["oom"]["kind"]),
        }
    }
}

impl Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "({} pid={} comm={} complete={} kind={})",
            self.cause.as_deref().unwrap_or("-"),
            self.pid.map_or("-".to_owned(), |pid| pid.to_string()),
            self.comm.as_deref().unwrap_or("-"),
            self.complete.map_or("-".to_owned(), |c| c.to_string()),
            self.kind.as_deref().unwrap_or("-"),
        )
    }
}

/// Event fields that say what the transport said (wall time, host, uptime, how many physical
/// lines the report took, whether the transport proves the kernel), by JSON pointer: the only
/// fields a rendering may change.
const TRANSPORT_FIELDS: [&str; 5] = [
    "/@timestamp",
    "/host",
    "/oom/lines",
    "/oom/uptime_seconds",
    "/oom/provenance",
];

/// What the analyser made of one rendering: the verdicts, and the [`invariant_part`] of every
/// event.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    verdicts: Vec<Verdict>,
    events: Vec<Value>,
}

impl Outcome {
    fn of(events: &[Value]) -> Self {
        Self {
            verdicts: events.iter().map(Verdict::of).collect(),
            events: events.iter().map(invariant_part).collect(),
        }
    }

    /// Every other event, from the `first`.
    fn every_other(&self, first: usize) -> Self {
        Self {
            verdicts: self
                .verdicts
                .iter()
                .skip(first)
                .step_by(2)
                .cloned()
                .collect(),
            events: self.events.iter().skip(first).step_by(2).cloned().collect(),
        }
    }

    /// How `self` (a rendering) differs from `reference`, or `None` when it does not.
    fn difference(&self, reference: &Outcome) -> Option<String> {
        if self.verdicts != reference.verdicts {
            return Some(format!(
                "reference {}\n  rendered  {}",
                show(&reference.verdicts),
                show(&self.verdicts)
            ));
        }
        let mut paths = Vec::new();
        for (index, (rendered, original)) in self.events.iter().zip(&reference.events).enumerate() {
            differing_paths(&format!("event {index}"), original, rendered, &mut paths);
        }
        (!paths.is_empty()).then(|| {
            paths.truncate(8);
            format!(
                "same verdicts {}, other fields differ:\n    {}",
                show(&self.verdicts),
                paths.join("\n    ")
            )
        })
    }
}

/// An event without its [`TRANSPORT_FIELDS`], every run of whitespace in its strings one space
/// (the Tainted flags' padding `G        W` is what mail and HTML rewrap or collapse).
fn invariant_part(event: &Value) -> Value {
    let mut event = event.clone();
    for pointer in TRANSPORT_FIELDS {
        let Some((parent, key)) = pointer.rsplit_once('/') else {
            continue;
        };
        if let Some(Value::Object(fields)) = event.pointer_mut(parent) {
            fields.remove(key);
        }
    }
    let mut pending = vec![&mut event];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(text) => *text = text.split_whitespace().collect::<Vec<_>>().join(" "),
            Value::Array(items) => pending.extend(items.iter_mut()),
            Value::Object(fields) => pending.extend(fields.values_mut()),
            _ => {}
        }
    }
    event
}

/// The paths (and values) where `original` and `rendered` differ.
fn differing_paths(path: &str, original: &Value, rendered: &Value, out: &mut Vec<String>) {
    match (original, rendered) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                differing_paths(&format!("{path}.{key}"), x, y, out);
            }
        }
        _ if original != rendered => {
            let clip = |v: &Value| v.to_string().chars().take(160).collect::<String>();
            out.push(format!("{path}: {} => {}", clip(original), clip(rendered)));
        }
        _ => {}
    }
}

fn parse_events(events: &[String]) -> Vec<Value> {
    events
        .iter()
        .map(|e| serde_json::from_str(e).unwrap_or_else(|err| panic!("not JSON: {err}: {e}")))
        .collect()
}

fn outcome_of_text(text: &str) -> Outcome {
    Outcome::of(&parse_events(&analyze_text(text)))
}

fn show(verdicts: &[Verdict]) -> String {
    let shown: Vec<String> = verdicts.iter().map(Verdict::to_string).collect();
    format!("[{}]", shown.join(", "))
}

/// A corpus log: its name (file stem), its text, and what the analyser makes of it as
/// published.
struct CorpusLog {
    name: String,
    text: String,
    reference: Outcome,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

fn corpus() -> Vec<CorpusLog> {
    let mut logs: Vec<CorpusLog> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().and_then(|e| e.to_str()) == Some("log"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("corpus log");
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("file name")
                .to_owned();
            let reference = outcome_of_text(&text);
            CorpusLog {
                name,
                text,
                reference,
            }
        })
        .collect();
    logs.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(logs.len() >= 25, "only {} corpus logs", logs.len());
    logs
}

fn excluded(log: &str, format: &str) -> bool {
    EXCLUDED
        .iter()
        .any(|&(name, fmt, _)| name == log && (fmt == "*" || fmt == format))
}

/// One kernel record to print again: its text (may hold `\n`) and an uptime in microseconds.
#[derive(Debug, Clone)]
struct Record {
    text: String,
    uptime_us: u64,
}

impl Record {
    /// The lines the kernel printed in this record.
    fn parts(&self) -> impl Iterator<Item = &str> {
        self.text.split('\n')
    }
}

/// The logical lines of a log, as `analyze_text` joins them, in the order the kernel printed
/// them: a log exported newest first (corpus 027) is read from its end, as `analyze_text`
/// reads it.
fn logical_lines(log: &str) -> Vec<KernelLine> {
    let mut joiner = LineJoiner::new(FilterConfig::default().max_line_bytes as usize);
    let mut raw: Vec<&str> = log.lines().collect();
    if reads_newest_first(&raw) {
        raw.reverse();
    }
    let mut lines: Vec<KernelLine> = raw.into_iter().filter_map(|raw| joiner.push(raw)).collect();
    lines.extend(joiner.finish());
    lines
}

/// Whether a logical line is kernel text. A syslog line of another program is not; in a log
/// whose lines carry prefixes, neither is an unprefixed logical line (the joiner would have
/// joined it to a record: it is prose after a blank line or at another quote depth).
fn is_kernel_text(line: &KernelLine, log_is_prefixed: bool) -> bool {
    let kernel_program = line.program.as_deref().is_none_or(|p| p == "kernel");
    kernel_program && (line.prefixed || !log_is_prefixed)
}

/// The kernel records of a log, with their uptime (the original's where it gave one, kept
/// increasing; made up where not). A kernel record that imklog split into syslog lines
/// repeating one uptime (memory.stat before 6.5, corpus 017) is one record again, its lines
/// joined with `\n` as the kernel printed them.
fn kernel_records(log: &str) -> (Vec<Record>, usize) {
    let lines = logical_lines(log);
    let log_is_prefixed = lines.iter().any(|l| l.prefixed);
    let mut records: Vec<Record> = Vec::new();
    let mut previous: Option<(Option<String>, Option<u64>)> = None;
    let mut dropped = 0;
    let mut clock_us: u64 = 12_345_678;
    for line in &lines {
        if !is_kernel_text(line, log_is_prefixed) {
            dropped += 1;
            continue;
        }
        let original_us = line.uptime_s.map(|s| (s * 1e6).round() as u64);
        let key = (line.host.clone(), original_us);
        let split_by_imklog = line.host.is_some()
            && original_us.is_some()
            && previous.as_ref() == Some(&key)
            && !records.is_empty();
        previous = Some(key);
        if split_by_imklog {
            if let Some(last) = records.last_mut() {
                last.text.push('\n');
                last.text.push_str(&line.text);
            }
            continue;
        }
        clock_us = match original_us {
            Some(us) if us > clock_us => us,
            _ => clock_us + 123,
        };
        records.push(Record {
            text: line.text.clone(),
            uptime_us: clock_us,
        });
    }
    (records, dropped)
}

/// `[%5lu.%06lu]`, the kernel's uptime stamp.
fn uptime_stamp(us: u64) -> String {
    format!("[{:5}.{:06}]", us / 1_000_000, us % 1_000_000)
}

/// The time of day `seconds` after 12:24:42.
fn clock(seconds: u64) -> String {
    let of_day = (12 * 3600 + 24 * 60 + 42 + seconds) % 86_400;
    format!(
        "{:02}:{:02}:{:02}",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// The console level the kernel gives a line: err for the kill, info for the task table
/// and summary, warn for the rest (header, Mem-Info), as `dmesg -x` shows them.
fn level(text: &str) -> (u8, &'static str) {
    let head = text.trim_start();
    if head.contains("Killed process") || head.contains("Kill process") {
        (3, "err")
    } else if head.starts_with('[') || head.starts_with("oom-kill:") || head.starts_with("Tasks ") {
        (6, "info")
    } else {
        (4, "warn")
    }
}

/// Prints records one physical line per line the kernel printed: `head(index, record)` before
/// a record's first line, `continuation(record, head)` before each later line of a multi-line
/// record.
fn print_records(
    records: &[Record],
    head: impl Fn(usize, &Record) -> String,
    continuation: impl Fn(&Record, &str) -> String,
) -> String {
    let mut out = String::new();
    for (index, record) in records.iter().enumerate() {
        let prefix = head(index, record);
        for (n, part) in record.parts().enumerate() {
            let line_prefix = if n == 0 {
                prefix.clone()
            } else {
                continuation(record, &prefix)
            };
            let _ = writeln!(out, "{line_prefix}{part}");
        }
    }
    out
}

/// Continuation lines carry the record's prefix again (the kernel's syslog(2) interface,
/// rsyslog's imklog).
fn repeat_prefix(_: &Record, prefix: &str) -> String {
    prefix.to_owned()
}

/// Continuation lines are indented to the message column (util-linux dmesg, journalctl).
fn indent_to_column(_: &Record, prefix: &str) -> String {
    " ".repeat(prefix.chars().count())
}

/// The checks of one test: renders every log with each variant and collects mismatches.
struct Check {
    format: &'static str,
    logs: Vec<CorpusLog>,
    mismatches: Vec<String>,
}

impl Check {
    fn new(format: &'static str) -> Self {
        Self {
            format,
            logs: corpus(),
            mismatches: Vec::new(),
        }
    }

    /// Renders every log's kernel records with `render` and compares what it is made of.
    fn text_variant(&mut self, variant: &str, render: impl Fn(&[Record]) -> String) {
        self.outcome_variant(variant, |records| {
            let rendered = render(records);
            let outcome = outcome_of_text(&rendered);
            (rendered, vec![(String::new(), outcome)])
        });
    }

    /// Compares outcomes computed some other way: `outcomes` gives, for a log's records, the
    /// input it built and one or more labelled outcomes, each of which must equal the
    /// reference.
    fn outcome_variant(
        &mut self,
        variant: &str,
        outcomes: impl Fn(&[Record]) -> (String, Vec<(String, Outcome)>),
    ) {
        for log in &self.logs {
            if excluded(&log.name, self.format) {
                continue;
            }
            let (records, _) = kernel_records(&log.text);
            let (rendered, results) = outcomes(&records);
            for (label, outcome) in results {
                if let Some(difference) = outcome.difference(&log.reference) {
                    let path = save(self.format, variant, &log.name, &rendered);
                    self.mismatches.push(format!(
                        "{} [{variant}]{label}\n  {difference}\n  input     {}",
                        log.name,
                        path.display()
                    ));
                }
            }
        }
    }

    fn assert_clean(self) {
        assert!(
            self.mismatches.is_empty(),
            "{}: {} mismatch(es):\n{}",
            self.format,
            self.mismatches.len(),
            self.mismatches.join("\n")
        );
    }
}

/// Writes a failing rendering where it can be replayed; returns its path.
fn save(format: &str, variant: &str, log: &str, rendered: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("format_invariance")
        .join(format);
    let _ = std::fs::create_dir_all(&dir);
    let slug: String = variant
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let path = dir.join(format!("{log}.{slug}.log"));
    let _ = std::fs::write(&path, rendered);
    path
}

#[test]
fn kernel_records_drop_only_what_is_not_kernel_text() {
    let mut wrong = Vec::new();
    for log in corpus() {
        let (records, dropped) = kernel_records(&log.text);
        let expected = NOT_KERNEL_TEXT
            .iter()
            .find(|(name, _, _)| *name == log.name)
            .map_or(0, |&(_, count, _)| count);
        if dropped != expected {
            wrong.push(format!(
                "{}: {dropped} dropped, {expected} listed",
                log.name
            ));
        }
        if records.is_empty() {
            wrong.push(format!("{}: no kernel record", log.name));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_log_has_a_reference_verdict() {
    let silent: Vec<String> = corpus()
        .into_iter()
        .filter(|log| log.reference.verdicts.is_empty())
        .map(|log| log.name)
        .collect();
    assert!(silent.is_empty(), "no event for {silent:?}");
}

#[test]
fn dmesg_uptime() {
    let mut check = Check::new("dmesg");
    let stamp = |_: usize, r: &Record| format!("{} ", uptime_stamp(r.uptime_us));
    check.text_variant("continuation indented", |records| {
        print_records(records, stamp, indent_to_column)
    });
    check.text_variant("stamp repeated", |records| {
        print_records(records, stamp, repeat_prefix)
    });
    check.assert_clean();
}

/// A prefix made from the seconds since the first record.
type StampOfSeconds = fn(u64) -> String;

#[test]
fn dmesg_human_time() {
    let mut check = Check::new("dmesg -T");
    let styles: [(&str, StampOfSeconds); 3] = [
        ("english", |s| format!("[Sat Sep 11 {} 2021] ", clock(s))),
        ("german", |s| format!("[Di Aug 12 {} 2025] ", clock(s))),
        ("day padded", |s| format!("[Thu Dec  7 {} 2017] ", clock(s))),
    ];
    for (variant, stamp) in styles {
        check.text_variant(variant, |records| {
            let first = records.first().map_or(0, |r| r.uptime_us / 1_000_000);
            let head =
                |_: usize, r: &Record| stamp((r.uptime_us / 1_000_000).saturating_sub(first));
            print_records(records, head, indent_to_column)
        });
    }
    check.assert_clean();
}

#[test]
fn dmesg_decoded_facility_and_level() {
    let mut check = Check::new("dmesg -x");
    check.text_variant("uptime", |records| {
        let head = |_: usize, r: &Record| {
            let (_, name) = level(&r.text);
            format!("kern  :{name:<6}: {} ", uptime_stamp(r.uptime_us))
        };
        print_records(records, head, indent_to_column)
    });
    check.text_variant("human time", |records| {
        let head = |_: usize, r: &Record| {
            let (_, name) = level(&r.text);
            let time = clock(r.uptime_us / 1_000_000);
            format!("kern  :{name:<6}: [Wed Jun 28 {time} 2023] ")
        };
        print_records(records, head, indent_to_column)
    });
    check.assert_clean();
}

#[test]
fn dmesg_raw_console_level() {
    let mut check = Check::new("dmesg -r");
    check.text_variant("level", |records| {
        let head = |_: usize, r: &Record| {
            let (number, _) = level(&r.text);
            format!("<{number}>{} ", uptime_stamp(r.uptime_us))
        };
        print_records(records, head, repeat_prefix)
    });
    // `/proc/kmsg`, or `dmesg -r` with printk.time=0: the level alone.
    check.text_variant("level without time", |records| {
        let head = |_: usize, r: &Record| format!("<{}>", level(&r.text).0);
        print_records(records, head, repeat_prefix)
    });
    check.assert_clean();
}

/// `dmesg -e` / `-H`: `[Sep11 12:24] ` when the minute changes, else the time since the
/// previous record, `[  %+8.06f] ` (`[ %+9.06f] ` from ten seconds).
fn relative_stamp(records: &[Record], index: usize, month_day: &str) -> String {
    let Some(record) = records.get(index) else {
        return String::new();
    };
    let minute = |r: &Record| clock(r.uptime_us / 1_000_000).get(..5).map(str::to_owned);
    let previous = index.checked_sub(1).and_then(|i| records.get(i));
    match previous {
        Some(previous) if minute(previous) == minute(record) => {
            let delta = (record.uptime_us - previous.uptime_us) as f64 / 1e6;
            if delta < 10.0 {
                format!("[  {delta:+8.6}] ")
            } else {
                format!("[ {delta:+9.6}] ")
            }
        }
        _ => format!("[{month_day} {}] ", minute(record).unwrap_or_default()),
    }
}

#[test]
fn dmesg_relative_time() {
    let mut check = Check::new("dmesg -e");
    for month_day in ["Sep11", "Sep 7", "9月11"] {
        check.text_variant(month_day, |records| {
            let head = |index: usize, _: &Record| relative_stamp(records, index, month_day);
            print_records(records, head, indent_to_column)
        });
    }
    // `--force-prefix`: every line of a record gets a prefix, later ones `[  +0.000000]`.
    check.text_variant("force prefix, decoded", |records| {
        let head = |index: usize, r: &Record| {
            let (_, name) = level(&r.text);
            format!(
                "kern  :{name:<6}: {}",
                relative_stamp(records, index, "Sep11")
            )
        };
        let continuation = |r: &Record, _: &str| {
            let (_, name) = level(&r.text);
            format!("kern  :{name:<6}: [  +0.000000] ")
        };
        print_records(records, head, continuation)
    });
    check.assert_clean();
}

/// `dmesg -d`'s `<%12.06f>`: the time since the previous record.
fn delta_since_previous(records: &[Record], index: usize) -> String {
    let previous = index.checked_sub(1).and_then(|i| records.get(i));
    let delta = match (previous, records.get(index)) {
        (Some(previous), Some(record)) => (record.uptime_us - previous.uptime_us) as f64 / 1e6,
        _ => 0.0,
    };
    format!("<{delta:12.6}>")
}

#[test]
fn dmesg_show_delta() {
    let mut check = Check::new("dmesg -d");
    check.text_variant("uptime", |records| {
        let head = |index: usize, r: &Record| {
            let stamp = uptime_stamp(r.uptime_us);
            let stamp = stamp.trim_end_matches(']');
            format!("{stamp} {}] ", delta_since_previous(records, index))
        };
        print_records(records, head, indent_to_column)
    });
    check.text_variant("ctime", |records| {
        let head = |index: usize, r: &Record| {
            let time = clock(r.uptime_us / 1_000_000);
            let delta = delta_since_previous(records, index);
            format!("[Sat Sep 11 {time} 2021 {delta}] ")
        };
        print_records(records, head, indent_to_column)
    });
    check.text_variant("delta only", |records| {
        let head =
            |index: usize, _: &Record| format!("[{}] ", delta_since_previous(records, index));
        print_records(records, head, indent_to_column)
    });
    check.assert_clean();
}

#[test]
fn dmesg_iso_time() {
    let mut check = Check::new("dmesg --time-format=iso");
    check.text_variant("iso", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "2021-09-11T{},{:06}+02:00 ",
                clock(r.uptime_us / 1_000_000),
                r.uptime_us % 1_000_000
            )
        };
        print_records(records, head, indent_to_column)
    });
    check.assert_clean();
}

#[test]
fn embedded_syslog_daemons() {
    let mut check = Check::new("busybox and OpenWrt");
    // busybox klogd reads syslog(2), which prefixes every line of a record.
    check.text_variant("busybox syslogd", |records| {
        let head = |_: usize, r: &Record| {
            let (_, name) = level(&r.text);
            format!(
                "{} router kern.{name} kernel: {} ",
                syslog_date(r.uptime_us / 1_000_000),
                uptime_stamp(r.uptime_us)
            )
        };
        print_records(records, head, repeat_prefix)
    });
    check.text_variant("OpenWrt logread", |records| {
        let head = |_: usize, r: &Record| {
            let (_, name) = level(&r.text);
            format!(
                "Thu Dec  7 {} 2017 kern.{name} kernel: {} ",
                clock(r.uptime_us / 1_000_000),
                uptime_stamp(r.uptime_us)
            )
        };
        print_records(records, head, repeat_prefix)
    });
    check.assert_clean();
}

/// `text` as a terminal shows it colored: `dmesg --color=always` colors the stamp green and
/// an error red and bold.
fn colored(stamp: &str, text: &str) -> String {
    let (number, _) = level(text);
    let body = if number <= 3 {
        format!("\u{1b}[1;31m{text}\u{1b}[0m")
    } else {
        text.to_owned()
    };
    format!("\u{1b}[32m{}\u{1b}[0m {body}", stamp.trim_end())
}

#[test]
fn terminal_colors() {
    let mut check = Check::new("colors");
    check.text_variant("dmesg --color=always", |records| {
        let mut out = String::new();
        for record in records {
            let stamp = uptime_stamp(record.uptime_us);
            for part in record.parts() {
                let _ = writeln!(out, "{}", colored(&stamp, part));
            }
        }
        out
    });
    check.assert_clean();
}

/// /dev/kmsg escaping: bytes below 0x20, from 0x7f, and `\` as `\xNN`.
fn kmsg_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if !(0x20..0x7f).contains(&byte) || byte == b'\\' {
            let _ = write!(out, "\\x{byte:02x}");
        } else {
            out.push(char::from(byte));
        }
    }
    out
}

#[test]
fn kmsg_records() {
    let mut check = Check::new("kmsg");
    check.text_variant("one record a logical line", |records| {
        let mut out = String::new();
        for (seq, record) in records.iter().enumerate() {
            let (number, _) = level(&record.text);
            let _ = writeln!(
                out,
                "{number},{},{},-;{}",
                seq + 4242,
                record.uptime_us,
                kmsg_escape(&record.text)
            );
        }
        out
    });
    check.assert_clean();
}

fn syslog_date(seconds: u64) -> String {
    format!("Oct 12 {}", clock(seconds))
}

#[test]
fn syslog_rfc3164() {
    let mut check = Check::new("syslog RFC 3164");
    let with_uptime = |_: usize, r: &Record| {
        format!(
            "{} host kernel: {} ",
            syslog_date(r.uptime_us / 1_000_000),
            uptime_stamp(r.uptime_us)
        )
    };
    check.text_variant("imklog: lines of a record repeat its uptime", |records| {
        print_records(records, with_uptime, repeat_prefix)
    });
    check.text_variant("without uptime", |records| {
        let head = |_: usize, r: &Record| {
            format!("{} host kernel: ", syslog_date(r.uptime_us / 1_000_000))
        };
        print_records(records, head, repeat_prefix)
    });
    check.text_variant("padded day, empty hostname", |records| {
        let head =
            |_: usize, r: &Record| format!("Jan  5 {}   kernel: ", clock(r.uptime_us / 1_000_000));
        print_records(records, head, repeat_prefix)
    });
    // What a bare receiver (`nc -lu 514 > file`) writes: the record as sent, `<PRI>` first.
    check.text_variant("as received from the wire", |records| {
        let head = |_: usize, r: &Record| format!("<{}>{}", level(&r.text).0, with_uptime(0, r));
        print_records(records, head, repeat_prefix)
    });
    check.text_variant("rsyslog escapes newlines as #012", |records| {
        let mut out = String::new();
        for record in records {
            let _ = writeln!(
                out,
                "{}{}",
                with_uptime(0, record),
                record.text.replace('\n', "#012")
            );
        }
        out
    });
    check.assert_clean();
}

#[test]
fn syslog_rfc3339() {
    let mut check = Check::new("syslog RFC 3339");
    let date = |r: &Record| {
        format!(
            "2024-07-20T{}.{:06}+02:00",
            clock(r.uptime_us / 1_000_000),
            r.uptime_us % 1_000_000
        )
    };
    check.text_variant("high precision", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "{} sibirocobombus kernel: {} ",
                date(r),
                uptime_stamp(r.uptime_us)
            )
        };
        print_records(records, head, repeat_prefix)
    });
    check.text_variant("RFC 5424", |records| {
        let head = |index: usize, r: &Record| {
            let data = if index.is_multiple_of(2) {
                "-".to_owned()
            } else {
                format!("[meta sequenceId=\"{index}\"][origin software=\"rsyslogd\"]")
            };
            let (number, _) = level(&r.text);
            format!(
                "<{number}>1 {} sibirocobombus kernel - - {data} {} ",
                date(r),
                uptime_stamp(r.uptime_us)
            )
        };
        print_records(records, head, repeat_prefix)
    });
    check.assert_clean();
}

#[test]
fn timestamping_tools() {
    let mut check = Check::new("timestamping tools");
    check.text_variant("dmesg -w | ts", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "{} {} ",
                syslog_date(r.uptime_us / 1_000_000),
                uptime_stamp(r.uptime_us)
            )
        };
        print_records(records, head, repeat_prefix)
    });
    check.text_variant("dmesg -T | ts", |records| {
        let head = |_: usize, r: &Record| {
            let time = clock(r.uptime_us / 1_000_000);
            format!("Oct 12 {time} [Sat Sep 11 {time} 2021] ")
        };
        print_records(records, head, repeat_prefix)
    });
    check.text_variant("docker logs -t", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "2023-10-12T{}.{:06}123Z {} ",
                clock(r.uptime_us / 1_000_000),
                r.uptime_us % 1_000_000,
                uptime_stamp(r.uptime_us)
            )
        };
        print_records(records, head, repeat_prefix)
    });
    check.assert_clean();
}

#[test]
fn journalctl_outputs() {
    let mut check = Check::new("journalctl");
    let short =
        |_: usize, r: &Record| format!("{} host kernel: ", syslog_date(r.uptime_us / 1_000_000));
    check.text_variant("short, multi-line entries indented", |records| {
        print_records(records, short, indent_to_column)
    });
    check.text_variant("short-precise", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "{}.{:06} host kernel: ",
                syslog_date(r.uptime_us / 1_000_000),
                r.uptime_us % 1_000_000
            )
        };
        print_records(records, head, indent_to_column)
    });
    check.text_variant("short-monotonic", |records| {
        let head = |_: usize, r: &Record| format!("{} host kernel: ", uptime_stamp(r.uptime_us));
        print_records(records, head, indent_to_column)
    });
    check.text_variant("short-full", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "Sat 2021-09-11 {} CEST host kernel: ",
                clock(r.uptime_us / 1_000_000)
            )
        };
        print_records(records, head, indent_to_column)
    });
    for (locale, month) in [("Chinese", "9月"), ("Japanese", " 9月")] {
        check.text_variant(locale, |records| {
            let head = |_: usize, r: &Record| {
                format!(
                    "{month} 11 {} localhost kernel: ",
                    clock(r.uptime_us / 1_000_000)
                )
            };
            print_records(records, head, indent_to_column)
        });
    }
    check.text_variant("short-iso", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "2024-07-20T{}+0200 host kernel: ",
                clock(r.uptime_us / 1_000_000)
            )
        };
        print_records(records, head, indent_to_column)
    });
    check.assert_clean();
}

#[test]
fn printk_caller_id() {
    let mut check = Check::new("PRINTK_CALLER");
    check.text_variant("task and cpu callers", |records| {
        let head = |index: usize, r: &Record| {
            let caller = if index % 5 == 4 {
                "   C3".to_owned()
            } else {
                format!("{:>5}", format!("T{}", 460 + index % 3))
            };
            format!("{}[{caller}] ", uptime_stamp(r.uptime_us))
        };
        print_records(records, head, repeat_prefix)
    });
    check.assert_clean();
}

#[test]
fn bare_text() {
    let mut check = Check::new("bare");
    // A bare log cannot be re-joined: each line the kernel printed is a line of its own.
    check.text_variant("no prefix", |records| {
        print_records(records, |_, _| String::new(), |_, _| String::new())
    });
    check.assert_clean();
}

/// The records as NDJSON, and what `Transform` makes of them.
fn transform_outcome(records: &[Value]) -> (String, Vec<(String, Outcome)>) {
    let mut transform = Transform::new(FilterConfig::default()).expect("default config");
    let mut out = Vec::new();
    let mut ndjson = String::new();
    for record in records {
        let text = record.to_string();
        let _ = writeln!(ndjson, "{text}");
        transform.process(text.as_bytes(), "", 0, &mut out);
    }
    transform.finish(&mut out);
    let events: Vec<String> = out
        .into_iter()
        .filter_map(|emitted| match emitted {
            Emitted::Event(event) => Some(event),
            Emitted::Input => None,
        })
        .collect();
    (
        ndjson,
        vec![(String::new(), Outcome::of(&parse_events(&events)))],
    )
}

/// A JSON log record made from a record and its sequence number.
type RecordShape = fn(usize, &Record) -> Value;

#[test]
fn ndjson_records() {
    let mut check = Check::new("NDJSON");
    let shapes: [(&str, RecordShape); 5] = [
        (
            "journald message",
            |_, r| json!({"message": r.text, "host": "h"}),
        ),
        ("journald export MESSAGE", |_, r| {
            json!({
                "MESSAGE": r.text,
                "_HOSTNAME": "h",
                "PRIORITY": level(&r.text).0.to_string(),
                "SYSLOG_IDENTIFIER": "kernel",
                "_SOURCE_MONOTONIC_TIMESTAMP": r.uptime_us.to_string(),
            })
        }),
        ("kmsg msg", |seq, r| {
            json!({
                "priority": level(&r.text).0,
                "sequence": seq,
                "sec": r.uptime_us / 1_000_000,
                "usec": r.uptime_us % 1_000_000,
                "msg": r.text,
            })
        }),
        ("container log with dmesg line", |_, r| {
            let line = format!("{} {}\n", uptime_stamp(r.uptime_us), r.text);
            json!({"log": line, "stream": "stdout"})
        }),
        ("Filebeat: a kern.log line, host as an object", |_, r| {
            let line = format!(
                "{} h kernel: {} {}",
                syslog_date(r.uptime_us / 1_000_000),
                uptime_stamp(r.uptime_us),
                r.text
            );
            let file = json!({"path": "/var/log/kern.log"});
            json!({"message": line, "host": {"name": "h"}, "log": {"file": file}})
        }),
    ];
    for (variant, shape) in shapes {
        check.outcome_variant(variant, |records| {
            let values: Vec<Value> = records
                .iter()
                .enumerate()
                .map(|(seq, r)| shape(seq, r))
                .collect();
            transform_outcome(&values)
        });
    }
    check.assert_clean();
}

#[test]
fn two_syslog_hosts_interleaved() {
    let mut check = Check::new("two hosts");
    check.outcome_variant("h1 and h2 line by line", |records| {
        let render = |host: &str, with_uptime: bool| -> Vec<String> {
            let head = |_: usize, r: &Record| {
                let date = syslog_date(r.uptime_us / 1_000_000);
                if with_uptime {
                    format!("{date} {host} kernel: {} ", uptime_stamp(r.uptime_us))
                } else {
                    format!("{date} {host} kernel: ")
                }
            };
            print_records(records, head, repeat_prefix)
                .lines()
                .map(str::to_owned)
                .collect()
        };
        let (first, second) = (render("h1", true), render("h2", false));
        let mut text = String::new();
        for n in 0..first.len().max(second.len()) {
            for line in [first.get(n), second.get(n)].into_iter().flatten() {
                let _ = writeln!(text, "{line}");
            }
        }
        let events = parse_events(&analyze_text(&text));
        let of_host = |host: Option<&str>| -> Outcome {
            let picked: Vec<Value> = events
                .iter()
                .filter(|e| e["host"]["name"].as_str() == host)
                .cloned()
                .collect();
            Outcome::of(&picked)
        };
        let mut results = vec![
            (" host h1".to_owned(), of_host(Some("h1"))),
            (" host h2".to_owned(), of_host(Some("h2"))),
        ];
        let hostless = of_host(None);
        if !hostless.verdicts.is_empty() {
            results.push((" events without a host".to_owned(), hostless));
        }
        (text, results)
    });
    check.assert_clean();
}

#[test]
fn two_hosts_interleaved_in_ndjson() {
    let mut check = Check::new("two hosts, NDJSON");
    check.outcome_variant("journald records of h1 and h2, one by one", |records| {
        let values: Vec<Value> = records
            .iter()
            .flat_map(|r| ["h1", "h2"].map(|host| json!({"MESSAGE": r.text, "_HOSTNAME": host})))
            .collect();
        let (ndjson, mut results) = transform_outcome(&values);
        // The events name no host (the records' host field only keys the stream), but the two
        // streams are the same log, so each event comes twice in a row: h1's, then h2's.
        let both = results
            .pop()
            .map(|(_, outcome)| outcome)
            .expect("one outcome");
        let results = vec![
            (" h1".to_owned(), both.every_other(0)),
            (" h2".to_owned(), both.every_other(1)),
        ];
        (ndjson, results)
    });
    check.assert_clean();
}

#[test]
fn foreign_lines_between_report_lines() {
    let mut check = Check::new("foreign lines");
    let foreign = [
        "Oct 12 19:00:20 host systemd[1]: Started foo.service",
        "[ 12.3] eth0: link up",
    ];
    let interleave = |rendered: String| -> String {
        let mut out = String::new();
        for line in rendered.lines() {
            let _ = writeln!(out, "{line}");
            for other in foreign {
                let _ = writeln!(out, "{other}");
            }
        }
        out
    };
    check.text_variant("between dmesg records", |records| {
        let stamp = |_: usize, r: &Record| format!("{} ", uptime_stamp(r.uptime_us));
        interleave(print_records(records, stamp, repeat_prefix))
    });
    check.text_variant("between syslog records", |records| {
        let head = |_: usize, r: &Record| {
            format!(
                "{} host kernel: {} ",
                syslog_date(r.uptime_us / 1_000_000),
                uptime_stamp(r.uptime_us)
            )
        };
        interleave(print_records(records, head, repeat_prefix))
    });
    check.assert_clean();
}

/// The records as `dmesg` prints them, one physical line a kernel line.
fn dmesg_lines(records: &[Record]) -> Vec<String> {
    let stamp = |_: usize, r: &Record| format!("{} ", uptime_stamp(r.uptime_us));
    print_records(records, stamp, repeat_prefix)
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `line` hard-wrapped at `width` columns the way plain-text mail and bug trackers do it: at
/// the last space that fits (which the wrap takes), never inside the stamp, never inside a
/// word longer than the line.
fn wrap(line: &str, width: usize) -> Vec<String> {
    let stamp_end = line.find("] ").map_or(0, |at| at + 2);
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.chars().count() > width {
        let window_end = rest
            .char_indices()
            .nth(width)
            .map_or(rest.len(), |(at, _)| at);
        let floor = if pieces.is_empty() { stamp_end } else { 0 };
        let Some(space) = rest
            .get(..=window_end)
            .and_then(|window| window.rfind(' '))
            .filter(|&at| at > floor)
        else {
            break;
        };
        pieces.push(rest.get(..space).unwrap_or_default().to_owned());
        rest = rest.get(space + 1..).unwrap_or_default();
    }
    pieces.push(rest.to_owned());
    pieces
}

fn joined(lines: impl IntoIterator<Item = String>) -> String {
    lines.into_iter().map(|line| line + "\n").collect()
}

#[test]
fn human_copies() {
    let mut check = Check::new("human copies");
    check.text_variant("CRLF line ends", |records| {
        joined(dmesg_lines(records).into_iter().map(|l| l + "\r"))
    });
    check.text_variant("cat -n line numbers", |records| {
        let numbered = dmesg_lines(records).into_iter().enumerate();
        joined(numbered.map(|(n, l)| format!("{:6}\t{l}", n + 1)))
    });
    check.text_variant("e-mail quoted", |records| {
        joined(dmesg_lines(records).into_iter().map(|l| format!("> {l}")))
    });
    check.text_variant("wrapped at 72 columns", |records| {
        joined(dmesg_lines(records).iter().flat_map(|l| wrap(l, 72)))
    });
    check.text_variant(
        "quoted and wrapped (bugzilla in a mail thread)",
        |records| {
            let wrapped = dmesg_lines(records)
                .iter()
                .flat_map(|l| wrap(l, 72))
                .collect::<Vec<_>>();
            joined(wrapped.into_iter().map(|l| format!(">>> {l}")))
        },
    );
    check.text_variant("whitespace collapsed (HTML)", |records| {
        let collapse = |l: String| l.split_whitespace().collect::<Vec<_>>().join(" ");
        joined(dmesg_lines(records).into_iter().map(collapse))
    });
    check.assert_clean();
}
