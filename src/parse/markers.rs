//! The words that every report-opening line contains, for deciding from raw bytes, before any
//! parsing, that a line or record cannot open a report.

use aho_corasick::AhoCorasick;
use once_cell::sync::Lazy;

/// Every line for which [`super::opening_kind`] answers `Some` contains one of these.
/// They hold no character JSON escapes, so they can be searched in raw JSON text too.
pub const OPENING_MARKERS: &[&str] = &[
    "invoked oom-killer",
    "page allocation failure",
    "oom-kill:",
    "Kill process",
    "Killed process",
    "Memory cgroup out of memory",
    "Out of memory",
    "killed as a result of limit of",
    "Task in ",
    "Memory limit reached of cgroup",
    "memory: usage",
    "Memory cgroup stats for",
];

static SCANNER: Lazy<Option<AhoCorasick>> = Lazy::new(|| AhoCorasick::new(OPENING_MARKERS).ok());

/// Whether `bytes` (a line, or a whole JSON record) may hold a line that opens a report.
/// False means it certainly does not; true means it must be read.
pub fn may_open_report(bytes: &[u8]) -> bool {
    match SCANNER.as_ref() {
        Some(scanner) => scanner.is_match(bytes),
        // The automaton is built from constants; should it ever fail, read every line.
        None => true,
    }
}
