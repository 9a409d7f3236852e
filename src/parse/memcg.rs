//! The memory cgroup section: `Task in … limit of …`, the page counters, and the
//! `Memory cgroup stats for` dumps in their cgroup v1 (`rss:1048552KB`) and memory.stat
//! (`anon 98742272`) forms.

use crate::report::{MemcgSection, MemcgStats, PageCounter};

use super::scan::{first_word, is_digits, is_identifier, parse_kb, parse_u64};

const LIMIT_MARKER: &str = "killed as a result of limit of";

/// `Task in <task> killed as a result of limit of <limit>`; 3.10 may print the limit part on
/// its own line, and a hard wrap re-joined without a space leaves `…bd53killed as a result…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TaskIn<'a> {
    pub task: &'a str,
    pub limit: Option<&'a str>,
}

/// Which page counter a `<name>: usage …kB, limit …kB, failcnt …` line reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CounterKind {
    Memory,
    MemorySwap,
    Kmem,
    Swap,
}

/// A `Memory cgroup stats for <path>:` line: the path, and any stats printed after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatsHead<'a> {
    pub cgroup: &'a str,
    pub inline: &'a str,
}

/// Reads `Task in <task> killed as a result of limit of <limit>` (the limit may be cut off).
pub(crate) fn task_in(text: &str) -> Option<TaskIn<'_>> {
    let rest = text.strip_prefix("Task in ")?;
    if let Some(at) = rest.find(LIMIT_MARKER) {
        let limit = rest.get(at.saturating_add(LIMIT_MARKER.len())..)?.trim();
        return Some(TaskIn {
            task: rest.get(..at)?.trim(),
            limit: (!limit.is_empty()).then_some(limit),
        });
    }
    let task = rest.strip_suffix(" killed").unwrap_or(rest).trim();
    Some(TaskIn { task, limit: None })
}

/// The 3.10 continuation `as a result of limit of <limit>`.
pub(crate) fn limit_of(text: &str) -> Option<&str> {
    text.strip_prefix("as a result of limit of ").map(str::trim)
}

/// `Memory limit reached of cgroup <path>`.
pub(crate) fn limit_reached(text: &str) -> Option<&str> {
    text.strip_prefix("Memory limit reached of cgroup ")
        .map(str::trim)
}

/// Reads `memory: usage 204800kB, limit 204800kB, failcnt 26` (and `memory+swap:`, `kmem:`,
/// `swap:`). The counter is `None` when a figure is missing or does not parse.
pub(crate) fn counter(text: &str) -> Option<(CounterKind, Option<PageCounter>)> {
    let (kind, rest) = [
        ("memory: ", CounterKind::Memory),
        ("memory+swap: ", CounterKind::MemorySwap),
        ("kmem: ", CounterKind::Kmem),
        ("swap: ", CounterKind::Swap),
    ]
    .iter()
    .find_map(|(prefix, kind)| text.strip_prefix(prefix).map(|rest| (*kind, rest)))?;
    if !rest.starts_with("usage ") {
        return None;
    }
    let figure = |name: &str| {
        rest.split(',')
            .find_map(|part| part.trim().strip_prefix(name))
            .map(str::trim)
    };
    let usage_kb = figure("usage ").and_then(parse_kb);
    let limit_kb = figure("limit ").and_then(parse_kb);
    let failcnt = figure("failcnt ").map(first_word).and_then(parse_u64);
    let counter = match (usage_kb, limit_kb, failcnt) {
        (Some(usage_kb), Some(limit_kb), Some(failcnt)) => Some(PageCounter {
            usage_kb,
            limit_kb,
            failcnt,
        }),
        _ => None,
    };
    Some((kind, counter))
}

/// Stores a counter where its kind belongs; a damaged repeat does not erase a good reading.
pub(crate) fn apply_counter(
    memcg: &mut MemcgSection,
    kind: CounterKind,
    counter: Option<PageCounter>,
) {
    let slot = match kind {
        CounterKind::Memory => &mut memcg.memory,
        CounterKind::MemorySwap => &mut memcg.memory_swap,
        CounterKind::Kmem => &mut memcg.kmem,
        CounterKind::Swap => &mut memcg.swap,
    };
    if counter.is_some() {
        *slot = counter;
    }
}

/// Reads `Memory cgroup stats for <path>:[ stats]`. The path ends at the `: ` that stats
/// follow, or at the line's final `:`; a line cut inside the path keeps what is there.
pub(crate) fn stats_head(text: &str) -> Option<StatsHead<'_>> {
    let rest = text.strip_prefix("Memory cgroup stats for ")?;
    let mut searched = 0;
    while let Some(offset) = rest.get(searched..).and_then(|tail| tail.find(": ")) {
        let colon = searched.saturating_add(offset);
        let inline = rest.get(colon.saturating_add(2)..).unwrap_or("");
        if stats_shape(&rejoin_split_v1_words(inline)).is_some() {
            return Some(StatsHead {
                cgroup: rest.get(..colon)?.trim(),
                inline,
            });
        }
        searched = colon.saturating_add(1);
    }
    // The line cut right after the first stat's first letters (`…/0249: cach`): the path ends
    // at the colon all the same, and the cut word waits for the next line.
    if let Some((cgroup, inline)) = rest.split_once(": ") {
        if is_identifier(inline.trim_end()) {
            return Some(StatsHead {
                cgroup: cgroup.trim(),
                inline,
            });
        }
    }
    let cgroup = rest.trim_end();
    Some(StatsHead {
        cgroup: cgroup.strip_suffix(':').unwrap_or(cgroup),
        inline: "",
    })
}

/// The entry for `cgroup`, created if the report has none yet (a pasted-twice line reuses it).
pub(crate) fn stats_entry(memcg: &mut MemcgSection, cgroup: &str) -> usize {
    match memcg.stats.iter().position(|stats| stats.cgroup == cgroup) {
        Some(index) => index,
        None => {
            memcg.stats.push(MemcgStats {
                cgroup: cgroup.to_string(),
                values_bytes: Vec::new(),
            });
            memcg.stats.len().saturating_sub(1)
        }
    }
}

/// How a stats text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatsShape {
    /// cgroup v1: ` cache:108KB rss:197168KB …` (KiB).
    KeyColonKb,
    /// memory.stat: `anon 98742272` (bytes), one pair a line or several joined.
    KeySpaceBytes,
}

/// Reads a stats text into `stats` (each key once, first reading kept) and returns whether it
/// had a stats shape. `fragment` carries the last word of a v1 line cut mid-token
/// (`inacti` + `ve_file:88KB`) to the next line.
pub(crate) fn read_stats(
    text: &str,
    stats: &mut MemcgStats,
    fragment: &mut Option<String>,
) -> bool {
    let joined = fragment
        .as_ref()
        .map(|head| format!("{head}{}", text.trim_start()));
    let text = joined.as_deref().unwrap_or(text);
    let rejoined = rejoin_split_v1_words(text);
    let text = rejoined.as_ref();
    let Some(shape) = stats_shape(text) else {
        // A first stat cut mid-word: its letters wait for the rest on the next line.
        if is_identifier(text.trim()) && !text.ends_with(char::is_whitespace) {
            *fragment = Some(text.trim().to_string());
            return true;
        }
        return false;
    };
    *fragment = None;
    let mut words = text.split_ascii_whitespace().peekable();
    while let Some(word) = words.next() {
        let is_last = words.peek().is_none();
        match shape {
            StatsShape::KeyColonKb => match v1_stat(word) {
                Some((key, value)) => record(stats, key, value),
                None if is_last && is_identifier(word) && !text.ends_with(char::is_whitespace) => {
                    *fragment = Some(word.to_string());
                }
                None => {}
            },
            StatsShape::KeySpaceBytes => {
                if let Some(value) = words.next() {
                    record(stats, word, parse_u64(value));
                }
            }
        }
    }
    true
}

/// `text` with v1 stat words that a hard wrap split and a joiner glued back with a space
/// (`inacti ve_file:88KB`, `rss:41 43608KB`) made whole again: a word that is no `key:NKB`
/// whose next word completes it into one. The kernel prints the stats as one `pr_cont` run of `key:NKB` words
/// (mm/memcontrol.c `mem_cgroup_print_oom_meminfo`), so such a pair is never two words.
fn rejoin_split_v1_words(text: &str) -> std::borrow::Cow<'_, str> {
    let words: Vec<&str> = text.split_ascii_whitespace().collect();
    let splits = |i: usize| {
        let (Some(head), Some(tail)) = (words.get(i), words.get(i.saturating_add(1))) else {
            return false;
        };
        v1_stat(head).is_none() && v1_stat(&format!("{head}{tail}")).is_some()
    };
    if !(0..words.len()).any(splits) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(word) = words.get(i) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if splits(i) {
            out.push_str(words.get(i.saturating_add(1)).copied().unwrap_or(""));
            i = i.saturating_add(1);
        }
        i = i.saturating_add(1);
    }
    std::borrow::Cow::Owned(out)
}

/// Which shape `text` has, if any. v1: every word but a cut last one is `key:NKB`.
/// memory.stat: words alternate key and number, a cut last key allowed.
fn stats_shape(text: &str) -> Option<StatsShape> {
    let mut words = text.split_ascii_whitespace().peekable();
    let first = *words.peek()?;
    if first.contains(':') {
        let mut valid = 0usize;
        while let Some(word) = words.next() {
            if v1_stat(word).is_some() {
                valid = valid.saturating_add(1);
            } else if words.peek().is_some() {
                return None;
            }
        }
        return (valid > 0).then_some(StatsShape::KeyColonKb);
    }
    let mut pairs = 0usize;
    while let Some(key) = words.next() {
        if !is_identifier(key) {
            return None;
        }
        match words.next() {
            Some(value) if is_digits(value) => pairs = pairs.saturating_add(1),
            Some(_) => return None,
            None => break,
        }
    }
    (pairs > 0).then_some(StatsShape::KeySpaceBytes)
}

/// `rss:197168KB` → (`rss`, bytes); the value is `None` when it overflows.
fn v1_stat(word: &str) -> Option<(&str, Option<u64>)> {
    let (key, value) = word.split_once(':')?;
    let digits = value
        .strip_suffix("KB")
        .or_else(|| value.strip_suffix("kB"))?;
    (is_identifier(key) && is_digits(digits))
        .then(|| (key, parse_kb(value).and_then(|kb| kb.checked_mul(1024))))
}

fn record(stats: &mut MemcgStats, key: &str, value: Option<u64>) {
    if let Some(value) = value {
        if stats.get(key).is_none() {
            stats.values_bytes.push((key.to_string(), value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_in_same_cgroup() {
        let line = task_in("Task in /mm_test killed as a result of limit of /mm_test").unwrap();
        assert_eq!(
            line,
            TaskIn {
                task: "/mm_test",
                limit: Some("/mm_test")
            }
        );
    }

    #[test]
    fn task_in_limit_of_host_alibaba() {
        let line = task_in("Task in /user.slice killed as a result of limit of host").unwrap();
        assert_eq!(line.limit, Some("host"));
    }

    #[test]
    fn task_in_rejoined_without_space() {
        let line = task_in("Task in /docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53killed as a result of limit of /docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53").unwrap();
        assert_eq!(
            line.task,
            "/docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53"
        );
        assert_eq!(
            line.limit,
            Some("/docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53")
        );
    }

    #[test]
    fn task_in_3_10_split_form() {
        assert_eq!(
            task_in("Task in /a/b killed").unwrap(),
            TaskIn {
                task: "/a/b",
                limit: None
            }
        );
        assert_eq!(limit_of("as a result of limit of /a"), Some("/a"));
    }

    #[test]
    fn counter_lines_of_every_kind() {
        let (kind, counter) =
            counter("memory: usage 204800kB, limit 204800kB, failcnt 26").unwrap();
        assert_eq!(kind, CounterKind::Memory);
        assert_eq!(
            counter,
            Some(PageCounter {
                usage_kb: 204800,
                limit_kb: 204800,
                failcnt: 26
            })
        );
        let (kind, counter) = counter_of("kmem: usage 0kB, limit 9007199254740988kB, failcnt 0");
        assert_eq!(kind, CounterKind::Kmem);
        assert!(counter.unwrap().is_unlimited());
        assert_eq!(
            counter_of("memory+swap: usage 0kB, limit 1kB, failcnt 0").0,
            CounterKind::MemorySwap
        );
        assert_eq!(
            counter_of("swap: usage 0kB, limit 0kB, failcnt 0").0,
            CounterKind::Swap
        );
        assert_eq!(super::counter("memory: pressure high"), None);
    }

    fn counter_of(text: &str) -> (CounterKind, Option<PageCounter>) {
        counter(text).unwrap()
    }

    #[test]
    fn counter_cut_or_overflowing_is_none() {
        assert_eq!(
            counter_of("memory: usage 204800kB, limit 204800kB, failcnt").1,
            None
        );
        assert_eq!(
            counter_of("memory: usage 99999999999999999999kB, limit 1kB, failcnt 0").1,
            None
        );
    }

    #[test]
    fn stats_head_with_a_word_split_by_a_wrap_keeps_the_path_a_path() {
        // corpus 009: `inacti` + `ve_file:88KB` rejoined by the line joiner with a space.
        let head = stats_head("Memory cgroup stats for /docker/3418: cache:108KB rss:197168KB inacti ve_file:88KB active_file:4KB").unwrap();
        assert_eq!(head.cgroup, "/docker/3418");
        let mut stats = MemcgStats::default();
        assert!(read_stats(head.inline, &mut stats, &mut None));
        assert_eq!(stats.get("inactive_file"), Some(88 * 1024));
        assert_eq!(stats.get("active_file"), Some(4 * 1024));
        // A line cut after the first stat's first letters: the path ends at the colon.
        let cut = stats_head("Memory cgroup stats for /kubepods/pod9/0249: cach").unwrap();
        assert_eq!((cut.cgroup, cut.inline), ("/kubepods/pod9/0249", "cach"));
        let (mut stats, mut fragment) = (MemcgStats::default(), None);
        assert!(read_stats(cut.inline, &mut stats, &mut fragment));
        assert!(read_stats(
            "e:507172KB rss:448KB",
            &mut stats,
            &mut fragment
        ));
        assert_eq!(stats.get("cache"), Some(507172 * 1024));
        // A word that no next word completes stays as it was.
        assert_eq!(rejoin_split_v1_words("cache:1KB rss x"), "cache:1KB rss x");
    }

    #[test]
    fn stats_head_v1_inline() {
        let head = stats_head("Memory cgroup stats for /docker/34186d9b: cache:108KB rss:197168KB")
            .unwrap();
        assert_eq!(head.cgroup, "/docker/34186d9b");
        let mut stats = MemcgStats::default();
        let mut fragment = None;
        assert!(read_stats(head.inline, &mut stats, &mut fragment));
        assert_eq!(stats.get("cache"), Some(108 * 1024));
        assert_eq!(stats.get("rss"), Some(197_168 * 1024));
    }

    #[test]
    fn stats_head_v2_alone_with_colon_in_path() {
        let head = stats_head("Memory cgroup stats for /system.slice/a:b.scope:").unwrap();
        assert_eq!(
            head,
            StatsHead {
                cgroup: "/system.slice/a:b.scope",
                inline: ""
            }
        );
    }

    #[test]
    fn stats_v1_wrapped_mid_word() {
        let mut stats = MemcgStats::default();
        let mut fragment = None;
        assert!(read_stats(
            "active_anon:197168KB inacti",
            &mut stats,
            &mut fragment
        ));
        assert_eq!(fragment.as_deref(), Some("inacti"));
        assert!(!read_stats("eth0: link up", &mut stats, &mut fragment));
        assert_eq!(fragment.as_deref(), Some("inacti"));
        assert!(read_stats(
            "ve_file:88KB active_file:4KB unevictable:0KB",
            &mut stats,
            &mut fragment
        ));
        assert_eq!(stats.get("inactive_file"), Some(88 * 1024));
        assert_eq!(stats.get("ve_file"), None);
        assert_eq!(fragment, None);
    }

    #[test]
    fn stats_v2_one_pair_or_joined_pairs() {
        let mut stats = MemcgStats::default();
        let mut fragment = None;
        assert!(read_stats("anon 98742272", &mut stats, &mut fragment));
        assert!(read_stats(
            "file 2469888 kernel_stack 131072 sock",
            &mut stats,
            &mut fragment
        ));
        assert_eq!(stats.get("anon"), Some(98_742_272));
        assert_eq!(stats.get("kernel_stack"), Some(131_072));
        assert_eq!(stats.get("sock"), None);
    }

    #[test]
    fn stats_reject_prose_and_keep_first_reading() {
        let mut stats = MemcgStats::default();
        let mut fragment = None;
        assert!(!read_stats("eth0: link up", &mut stats, &mut fragment));
        assert!(!read_stats(
            "Tasks state (memory values in pages):",
            &mut stats,
            &mut fragment
        ));
        assert!(read_stats("anon 1", &mut stats, &mut fragment));
        assert!(read_stats("anon 2", &mut stats, &mut fragment));
        assert_eq!(stats.values_bytes, vec![("anon".to_string(), 1)]);
    }

    #[test]
    fn stats_v1_value_overflowing_bytes_is_dropped() {
        let mut stats = MemcgStats::default();
        let mut fragment = None;
        assert!(read_stats(
            "rss:18014398509481984KB cache:1KB",
            &mut stats,
            &mut fragment
        ));
        assert_eq!(stats.get("rss"), None);
        assert_eq!(stats.get("cache"), Some(1024));
    }
}
