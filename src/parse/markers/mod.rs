//! The words that every report-opening line (and every line that follows a kill) contains,
//! for deciding from raw bytes, before any parsing, that a line or record cannot matter.

use aho_corasick::{AhoCorasick, MatchKind};
use once_cell::sync::Lazy;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;

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
/// Each starts with letters that are rare together in other log text ("already exiting", not
/// "is already exiting"): the packed scan looks for a marker's first three bytes.
pub const FOLLOW_UP_MARKERS: &[&str] = &[
    "Killed process",
    "memory.oom.group",
    "oom_reaper",
    "already exiting",
];

/// The markers, compiled. Leftmost-first matching gives the same yes/no as standard matching,
/// and only it lets the automaton use its SIMD prefilter: the scan is most of what a non-OOM
/// record costs. On wasm32 aho-corasick has no vectorised prefilter and its automaton costs
/// about 2 ns a byte, so with `simd128` the packed scan does the work, four to seven times
/// faster (bench/README.md).
enum Scanner {
    Automaton(AhoCorasick),
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Packed(simd128::PackedScan),
}

impl Scanner {
    fn new(markers: &[&'static str]) -> Option<Self> {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Some(packed) = simd128::PackedScan::new(markers) {
            return Some(Self::Packed(packed));
        }
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(markers)
            .ok()
            .map(Self::Automaton)
    }

    /// Where the first marker in `bytes` starts.
    fn find(&self, bytes: &[u8]) -> Option<usize> {
        match self {
            Self::Automaton(automaton) => automaton.find(bytes).map(|found| found.start()),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Self::Packed(packed) => packed.find(bytes),
        }
    }
}

static SCANNER: Lazy<Option<Scanner>> = Lazy::new(|| Scanner::new(OPENING_MARKERS));

static FOLLOW_UP_SCANNER: Lazy<Option<Scanner>> = Lazy::new(|| Scanner::new(FOLLOW_UP_MARKERS));

static ANY_SCANNER: Lazy<Option<Scanner>> = Lazy::new(|| {
    let mut markers: Vec<&'static str> = OPENING_MARKERS.to_vec();
    markers.extend(
        FOLLOW_UP_MARKERS
            .iter()
            .filter(|m| !OPENING_MARKERS.contains(m)),
    );
    Scanner::new(&markers)
});

/// Whether `bytes` (a line, or a whole JSON record) may hold a line that opens a report.
/// False means it certainly does not; true means it must be read.
pub fn may_open_report(bytes: &[u8]) -> bool {
    find(&SCANNER, bytes).is_some()
}

/// Where in `bytes` (a run of lines or records) the first marker of either kind starts: no
/// line before the one holding it opens a report or follows a kill. `Some(0)` if the scanner
/// could not be built.
pub fn find_any_marker(bytes: &[u8]) -> Option<usize> {
    find(&ANY_SCANNER, bytes)
}

/// Whether `bytes` may hold a line that follows a kill. False means it certainly does not.
pub fn may_follow_a_kill(bytes: &[u8]) -> bool {
    find(&FOLLOW_UP_SCANNER, bytes).is_some()
}

fn find(scanner: &Lazy<Option<Scanner>>, bytes: &[u8]) -> Option<usize> {
    match scanner.as_ref() {
        Some(scanner) => scanner.find(bytes),
        // The scanners are built from constants; should one ever fail, read every line.
        None => Some(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A journald record whose message is `text`.
    fn record(text: &str) -> Vec<u8> {
        format!(r#"{{"_TRANSPORT":"kernel","MESSAGE":"[ 12.5] {text}","_HOSTNAME":"n1"}}"#)
            .into_bytes()
    }

    #[test]
    fn may_open_report_finds_every_marker_in_a_record() {
        for marker in OPENING_MARKERS {
            assert!(may_open_report(&record(marker)), "{marker}");
        }
        assert!(may_open_report(b"Out of memory"));
    }

    #[test]
    fn may_open_report_passes_chatter() {
        for text in [
            "",
            "eth0: link up, 1000 Mbps, full duplex",
            "oom_score_adj 0 for kill-switch",
            "Memory: 16384k/32768k available",
            "task in queue",
        ] {
            assert!(!may_open_report(&record(text)), "{text}");
        }
    }

    #[test]
    fn find_any_marker_gives_the_first_marker_of_either_kind() {
        let opening = [
            record("eth0: up"),
            record("Out of memory: Killed process 7"),
        ];
        let run = opening.join(&b'\n');
        let at = find_any_marker(&run).unwrap();
        assert_eq!(&run[at..at + 13], b"Out of memory");
        let follow_up = [record("eth0: up"), record("oom_reaper: reaped process 7")];
        let run = follow_up.join(&b'\n');
        let at = find_any_marker(&run).unwrap();
        assert_eq!(&run[at..at + 10], b"oom_reaper");
        assert_eq!(find_any_marker(&record("eth0: up")), None);
        assert_eq!(find_any_marker(b""), None);
    }

    #[test]
    fn may_follow_a_kill_finds_every_follow_up() {
        for marker in FOLLOW_UP_MARKERS {
            assert!(may_follow_a_kill(&record(marker)), "{marker}");
        }
        assert!(!may_follow_a_kill(&record("Out of memory")));
    }
}
