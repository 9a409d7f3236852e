//! The words that every report-opening line (and every line that follows a kill) contains,
//! for deciding from raw bytes, before any parsing, that a line or record cannot matter.

use aho_corasick::{AhoCorasick, MatchKind};
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

/// Every line the kernel prints right after a kill (a `memory.oom.group` member's kill, the
/// victim's Killed line again, the reaper's result, a member already exiting) contains one.
pub const FOLLOW_UP_MARKERS: &[&str] = &[
    "Killed process",
    "memory.oom.group",
    "oom_reaper",
    "is already exiting",
];

/// Leftmost-first matching gives the same yes/no as standard matching, and only it lets the
/// automaton use its SIMD prefilter: the scan is most of what a non-OOM record costs.
static SCANNER: Lazy<Option<AhoCorasick>> = Lazy::new(|| scanner(OPENING_MARKERS));

static FOLLOW_UP_SCANNER: Lazy<Option<AhoCorasick>> = Lazy::new(|| scanner(FOLLOW_UP_MARKERS));

fn scanner(markers: &[&str]) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(markers)
        .ok()
}

/// Whether `bytes` (a line, or a whole JSON record) may hold a line that opens a report.
/// False means it certainly does not; true means it must be read.
pub fn may_open_report(bytes: &[u8]) -> bool {
    matches(&SCANNER, bytes)
}

/// Whether `bytes` may hold a line that follows a kill. False means it certainly does not.
pub fn may_follow_a_kill(bytes: &[u8]) -> bool {
    matches(&FOLLOW_UP_SCANNER, bytes)
}

fn matches(scanner: &Lazy<Option<AhoCorasick>>, bytes: &[u8]) -> bool {
    match scanner.as_ref() {
        Some(scanner) => scanner.is_match(bytes),
        // The automata are built from constants; should one ever fail, read every line.
        None => true,
    }
}
