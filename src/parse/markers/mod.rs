//! The words that every report-opening line (and every line that follows a kill) contains,
//! for deciding from raw bytes, before any parsing, that a line or record cannot matter.

use aho_corasick::{AhoCorasick, MatchKind};
use once_cell::sync::Lazy;

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd128;
#[cfg(any(test, all(target_arch = "wasm32", not(target_feature = "simd128"))))]
mod skip;

/// Every line for which [`super::opening_kind`] answers `Some`, or [`super::opens_fragment`]
/// true, contains one of these.
/// They hold no character JSON escapes, so they can be searched in raw JSON text too.
pub const OPENING_MARKERS: &[&str] = &[
    "invoked oom-killer",
    "oom-killer: gfp_mask",
    "page allocation failure",
    "vmalloc: allocation failure",
    "vmalloc error: size",
    "vmemmap alloc failure",
    "oom-kill:",
    "Kill process",
    "Killed process",
    "OOM killed process",
    "Memory cgroup out of memory",
    "Out of memory",
    "killed as a result of limit of",
    "Task in ",
    "Memory limit reached of cgroup",
    "memory: usage",
    "Memory cgroup stats for",
    "deadlocked on memory",
    "Manual OOM execution",
    // A fragment of a report whose header is missing starts at show_mem's `Mem-Info:`, a
    // zone's watermark line (`min:%lukB low:%lukB`): see `super::opens_fragment`, ...
    "Mem-Info",
    "Mem-info",
    "kB low:",
    // ... or at dump_tasks' table (`Tasks state …`, `[ pid ] uid tgid total_vm …`), ...
    "Tasks state",
    "total_vm",
    // ... or at a frame only a report's stack has (`super::stack_shows_a_report`): the OOM
    // killer's own functions, `warn_alloc` (and `warn_alloc_failed`).
    "dump_header",
    "oom_kill_process",
    "warn_alloc",
];

/// Every line the kernel prints right after a kill (a `memory.oom.group` member's kill, the
/// victim's Killed line again, the reaper's result, a member already exiting) contains one.
/// Each starts with letters that are rare together in other log text ("already exiting", not
/// "is already exiting"): the packed scan looks for a marker's first three bytes.
pub const FOLLOW_UP_MARKERS: &[&str] = &[
    "Killed process",
    "memory.oom.group",
    // mm/memcontrol.c `mem_cgroup_print_oom_group` prints the group line in `pr_cont`
    // pieces: `Tasks in `, the path, ` are going to be killed due to memory.oom.group set`.
    "Tasks in ",
    "oom_reaper",
    "already exiting",
    "deadlocked on memory",
    "OOM request ignored",
    "OOM killed process",
];

/// The markers, compiled. Leftmost-first matching gives the same yes/no as standard matching,
/// and only it lets the automaton use its SIMD prefilter: the scan is most of what a non-OOM
/// record costs. On wasm32 aho-corasick has no vectorised prefilter and its automaton steps
/// through every byte (about 2 ns a byte compiled, tens of nanoseconds interpreted), so wasm
/// builds scan their own way: with `simd128` a packed fingerprint search, without it (Fluent
/// Bit's interpreter) a scan that skips (bench/README.md has the figures).
enum Scanner {
    Automaton(AhoCorasick),
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Packed(simd128::PackedScan),
    #[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
    Skip(skip::SkipScan),
}

impl Scanner {
    fn new(markers: &[&'static str]) -> Option<Self> {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Some(packed) = simd128::PackedScan::new(markers) {
            return Some(Self::Packed(packed));
        }
        #[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
        if let Some(skip) = skip::SkipScan::new(markers) {
            return Some(Self::Skip(skip));
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
            Self::Packed(packed) => packed.scan(bytes).marker,
            #[cfg(all(target_arch = "wasm32", not(target_feature = "simd128")))]
            Self::Skip(skip) => skip.find(bytes),
        }
    }

    /// See [`quiet_run`].
    fn quiet_run(&self, bytes: &[u8]) -> QuietRun {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        if let Self::Packed(packed) = self {
            // One pass finds the marker and counts the newlines before it, where the other
            // scanners' path reads the run twice more: in wasm each pass costs.
            let scan = packed.scan(bytes);
            return QuietRun {
                len: scan.last_newline.map_or(0, |newline| newline + 1),
                records: scan.newlines,
            };
        }
        // A marker never spans a newline, so the record holding the first one starts after
        // the last newline before it.
        let before = match self.find(bytes) {
            Some(start) => bytes.get(..start).unwrap_or_default(),
            None => bytes,
        };
        let len = memchr::memrchr(b'\n', before).map_or(0, |newline| newline + 1);
        let run = bytes.get(..len).unwrap_or_default();
        QuietRun {
            len,
            records: memchr::memchr_iter(b'\n', run).count(),
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

/// The whole records (each ended by `\n`) at the start of a run of records, before the first
/// one holding a marker of either kind: while no report is open, none of them can matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietRun {
    /// Bytes, newlines included: 0, or just past a newline.
    pub len: usize,
    /// Records: the newlines in the first `len` bytes.
    pub records: usize,
}

/// The quiet run at the start of `bytes`: the fast path for chatter, one scan over a whole
/// chunk of records instead of a call per record. Empty if the scanner could not be built.
pub fn quiet_run(bytes: &[u8]) -> QuietRun {
    match ANY_SCANNER.as_ref() {
        Some(scanner) => scanner.quiet_run(bytes),
        None => QuietRun { len: 0, records: 0 },
    }
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

/// What the scanners' tests share: the reference answer and generated text.
#[cfg(test)]
mod testkit {
    use aho_corasick::AhoCorasick;

    /// The smallest position at which some pattern starts, by the automaton (standard
    /// matching reports matches by end, so every start is collected).
    pub fn first(automaton: &AhoCorasick, text: &[u8]) -> Option<usize> {
        automaton
            .find_overlapping_iter(text)
            .map(|found| found.start())
            .min()
    }

    /// Calls `check` with each of 20 000 texts of up to 120 bytes drawn from `alphabet`, a
    /// quarter with one of `markers` spliced in, and where the first marker in it starts (by
    /// the automaton): candidates, partial matches and whole markers abound. The same texts
    /// every run (a fixed xorshift seed); fails if too few hold a marker to test much.
    pub fn check_generated_texts(
        alphabet: &[u8],
        markers: &[&str],
        mut check: impl FnMut(&[u8], Option<usize>),
    ) {
        let automaton = AhoCorasick::new(markers).unwrap();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut found = 0;
        for _ in 0..20_000 {
            let len = (next() % 120) as usize;
            let mut text: Vec<u8> = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            if next() % 4 == 0 && len > 0 {
                let marker = markers[(next() % markers.len() as u64) as usize];
                let at = (next() % len as u64) as usize;
                text.splice(at..at, marker.bytes());
            }
            let expected = first(&automaton, &text);
            found += usize::from(expected.is_some());
            check(&text, expected);
        }
        assert!(
            found > 1_000,
            "the generated text should hold markers often: {found}"
        );
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
    fn quiet_run_ends_before_the_record_with_a_marker_of_either_kind() {
        let chatter = [record("eth0: up"), b"\n".to_vec()].concat();
        for marker in [
            "Out of memory: Killed process 7",
            "oom_reaper: reaped process 7",
        ] {
            let run = [&chatter[..], &chatter, &record(marker), b"\n", &chatter].concat();
            let expected = QuietRun {
                len: 2 * chatter.len(),
                records: 2,
            };
            assert_eq!(quiet_run(&run), expected, "{marker}");
        }
    }

    #[test]
    fn quiet_run_takes_whole_records_only() {
        let chatter = [record("eth0: up"), b"\n".to_vec()].concat();
        let all = QuietRun {
            len: chatter.len(),
            records: 1,
        };
        assert_eq!(quiet_run(&chatter), all);
        assert_eq!(quiet_run(&[&chatter[..], b"{\"mess"].concat()), all);
        let none = QuietRun { len: 0, records: 0 };
        assert_eq!(quiet_run(&chatter[..5]), none, "no whole record");
        assert_eq!(quiet_run(&record("Out of memory")), none);
        assert_eq!(quiet_run(b""), none);
        assert_eq!(quiet_run(b"\n\n"), QuietRun { len: 2, records: 2 });
    }

    #[test]
    fn may_follow_a_kill_finds_every_follow_up() {
        for marker in FOLLOW_UP_MARKERS {
            assert!(may_follow_a_kill(&record(marker)), "{marker}");
        }
        assert!(!may_follow_a_kill(&record("Out of memory")));
    }
}
