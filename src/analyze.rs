//! Where kernel log text is analysed: physical lines of any prefix format in, one event per
//! OOM kill or allocation failure out, as soon as each report completes.

use crate::assemble::{Assembler, Completed, Disposition, HostStreams, Limits};
use crate::encode::EventSchema;
use crate::filter::{limits, render_event, FilterConfig};
use crate::parse::ReportBuilder;
use crate::prefix::join::LineJoiner;

/// Streaming analysis of kernel log text. Lines of one host (by syslog prefix) are assembled
/// together; lines without a host form one stream.
pub struct TextAnalyzer {
    joiner: LineJoiner,
    assembler: Assembler<ReportBuilder>,
    schema: EventSchema,
    /// The stream each line is assembled in, by the host its prefix names.
    host_streams: HostStreams,
}

impl TextAnalyzer {
    /// An analyzer with the caps and event schema of `config` (its record options do not
    /// apply to text).
    pub fn new(config: &FilterConfig) -> Self {
        let max_line_bytes = usize::try_from(config.max_line_bytes).unwrap_or(usize::MAX);
        Self {
            joiner: LineJoiner::new(max_line_bytes),
            // The joiner has joined continuation lines already.
            assembler: Assembler::new(Limits {
                join_continuations: None,
                ..limits(config)
            }),
            schema: config.schema,
            host_streams: HostStreams::new(config.max_open_reports),
        }
    }

    /// Offers one physical line (without its newline); appends finished events to `events`.
    /// Records glued into one line (newlines lost in a copy) are taken apart first.
    pub fn push_line(&mut self, raw: &str, events: &mut Vec<String>) {
        for record in crate::prefix::split_glued(raw) {
            if let Some(line) = self.joiner.push(record) {
                self.push_logical(line, events);
            }
        }
    }

    /// End of input: the last line and every open report.
    pub fn finish(&mut self, events: &mut Vec<String>) {
        if let Some(line) = self.joiner.finish() {
            self.push_logical(line, events);
        }
        let mut done = Vec::new();
        self.assembler.finish(&mut done);
        events.extend(
            done.iter()
                .filter_map(|completed| render_event(completed, self.schema)),
        );
    }

    fn push_logical(&mut self, line: crate::prefix::KernelLine, events: &mut Vec<String>) {
        // Most kernel lines belong to no report: skip them before any work when nothing is open.
        if !self.assembler.may_matter(line.text.as_bytes()) {
            return;
        }
        let stream = self.host_streams.stream(&self.assembler, "", &line);
        let mut done: Vec<Completed> = Vec::new();
        let _: Disposition = self
            .assembler
            .push(&stream, &line, &line.text, 0, &mut done);
        events.extend(
            done.iter()
                .filter_map(|completed| render_event(completed, self.schema)),
        );
    }
}

/// Analyses a whole block of kernel log text and returns one event per OOM kill or
/// allocation failure, oldest first, with the default caps. A log exported newest first (log
/// UIs do, corpus 027) is read from its end; one in quoted-printable (a raw mail body) is
/// decoded first.
pub fn analyze_text(text: &str) -> Vec<String> {
    analyze_text_as(text, EventSchema::Ecs)
}

/// As [`analyze_text`], with the events in `schema`'s shape.
pub fn analyze_text_as(text: &str, schema: EventSchema) -> Vec<String> {
    let config = FilterConfig {
        schema,
        ..FilterConfig::default()
    };
    let mut analyzer = TextAnalyzer::new(&config);
    let mut events = Vec::new();
    // A report copied from a raw mail body: decoded whole, since its soft breaks join lines.
    let text = crate::prefix::undo_quoted_printable(text);
    let lines: Vec<&str> = text.lines().collect();
    if reads_newest_first(&lines) {
        for line in lines.iter().rev() {
            analyzer.push_line(line, &mut events);
        }
    } else {
        for line in &lines {
            analyzer.push_line(line, &mut events);
        }
    }
    analyzer.finish(&mut events);
    events
}

/// How many stamped lines [`reads_newest_first`] looks at: the order shows in the first few.
const ORDER_SAMPLE_LINES: usize = 2_000;

/// Whether the lines' times mostly run backwards: at least three steps back and more than
/// three times as many steps back as forward, among the first stamped lines. Kernel logs
/// run forward; a step back is a reboot, a clock change, or another host's line.
pub fn reads_newest_first(lines: &[&str]) -> bool {
    let (mut back, mut forward) = (0u32, 0u32);
    let mut previous: Option<LineTime> = None;
    for line in lines.iter().take(ORDER_SAMPLE_LINES) {
        let Some(time) = line_time(&crate::prefix::split_prefix(line)) else {
            continue;
        };
        match previous.and_then(|p| time.partial_cmp(&p)) {
            Some(std::cmp::Ordering::Less) => back += 1,
            Some(std::cmp::Ordering::Greater) => forward += 1,
            _ => {}
        }
        previous = Some(time);
    }
    if back == 0 && forward == 0 {
        // Times that never change (one second of a syslog) or are missing: the kernel's own
        // order tells, as `dump_stack` prints `Call Trace:` above its first frame.
        return trace_runs_upward(lines);
    }
    back >= 3 && back > forward.saturating_mul(3)
}

/// Whether the first `Call Trace:` line of `lines` comes right below a `dump_stack` frame:
/// the lines of a stack read bottom up (`journalctl -r`).
fn trace_runs_upward(lines: &[&str]) -> bool {
    let texts: Vec<String> = lines
        .iter()
        .take(ORDER_SAMPLE_LINES)
        .map(|line| crate::prefix::split_prefix(line).text)
        .filter(|text| !text.trim().is_empty())
        .collect();
    let is_dump_stack = |text: &str| {
        crate::parse::frame_function(text)
            .is_some_and(|name| name == "dump_stack" || name == "dump_stack_lvl")
    };
    texts
        .iter()
        .position(|text| matches!(text.trim(), "Call Trace:" | "Call trace:"))
        .and_then(|at| at.checked_sub(1).and_then(|before| texts.get(before)))
        .is_some_and(|before| is_dump_stack(before))
}

/// A line's time, comparable with another line's of the same log: the wall clock where the
/// prefix gives one, else the kernel's uptime.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
enum LineTime {
    Wall(crate::prefix::WallTime),
    Uptime(f64),
}

fn line_time(line: &crate::prefix::KernelLine) -> Option<LineTime> {
    match (line.wall_time, line.uptime_s) {
        (Some(wall), _) => Some(LineTime::Wall(wall)),
        (None, Some(uptime)) => Some(LineTime::Uptime(uptime)),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn causes_and_pids(text: &str) -> Vec<(String, String)> {
        analyze_text(text)
            .iter()
            .map(|e| {
                let e: serde_json::Value = serde_json::from_str(e).unwrap();
                (
                    e["oom"]["cause"].to_string(),
                    e["process"]["pid"].to_string(),
                )
            })
            .collect()
    }

    const REPORT: &str = "\
[ 2786.519080] mem_on_node0 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
[ 2786.885738] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
[ 2787.181724] [  13432]     0 13432   787016   786745  6344704        0             0 mem_on_node1
[ 2787.216534] oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0,global_oom,task_memcg=/,task=mem_on_node1,pid=13432,uid=0
[ 2787.229991] Out of memory: Killed process 13432 (mem_on_node1) total-vm:3148064kB, anon-rss:3146980kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:6196kB oom_score_adj:0
";

    #[test]
    fn newest_first_log_reads_as_the_same_report() {
        let reversed: String = REPORT.lines().rev().map(|l| format!("{l}\n")).collect();
        assert_eq!(causes_and_pids(&reversed), causes_and_pids(REPORT));
        assert_eq!(
            causes_and_pids(REPORT),
            [("\"numa_node_oom\"".to_owned(), "13432".to_owned())]
        );
    }

    #[test]
    fn reads_newest_first_needs_times_running_back() {
        let lines: Vec<&str> = REPORT.lines().collect();
        assert!(!reads_newest_first(&lines));
        let reversed: Vec<&str> = lines.iter().rev().copied().collect();
        assert!(reads_newest_first(&reversed));
    }

    #[test]
    fn reads_newest_first_ignores_a_reboot_in_a_forward_log() {
        let lines = [
            "[ 10.0] a",
            "[ 11.0] b",
            "[ 12.0] c",
            "[ 1.0] boot",
            "[ 2.0] d",
            "[ 3.0] e",
        ];
        assert!(!reads_newest_first(&lines));
    }

    #[test]
    fn reads_newest_first_by_the_stack_when_times_do_not_tell() {
        // journalctl -r within one second: the stack reads bottom up.
        let lines = [
            "May 17 11:21:17 host kernel:  out_of_memory+0x245/0x510",
            "May 17 11:21:17 host kernel:  dump_header+0x4a/0x1f0",
            "May 17 11:21:17 host kernel:  dump_stack+0x6b/0x83",
            "May 17 11:21:17 host kernel: Call Trace:",
            "May 17 11:21:17 host kernel: auditd invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=-1000",
        ];
        assert!(reads_newest_first(&lines));
        let mut forward = lines;
        forward.reverse();
        assert!(!reads_newest_first(&forward));
    }

    #[test]
    fn reads_newest_first_without_times_is_false() {
        assert!(!reads_newest_first(&["a", "b", "c", "d"]));
    }
}
