//! Where hard-wrapped lines are re-joined: physical lines in, logical lines out.

use super::{split_prefix, KernelLine};

/// Re-joins physical lines that a mail client, bug tracker, pager or author wrapped, and the
/// indented continuation lines dmesg and journalctl print for multi-line records.
///
/// A physical line continues the open logical line when it has no prefix, the open line
/// has one, both have the same quote depth, and it is not blank. So a quoted reviewer comment
/// never joins a quoted kernel line of another depth. In a bare log (no line prefixed) a line
/// is only joined where the text shows the wrap (see `bare_wrap`): an indented line after a
/// `key=value,` token cut at a comma, or after a buddy list cut before its total.
///
/// Blank lines (no prefix and only whitespace, including a bare `>` and a Markdown table
/// separator row) end the open logical line and are dropped, not counted: they carry no
/// kernel text, and a caller that needs them still has the physical lines.
///
/// Invariants: logical lines come out in input order; no yielded `text` is longer than
/// `max_line_bytes` (a longer first line is cut at a character boundary, later
/// continuations that would not fit are dropped, and both are counted by
/// [`LineJoiner::truncated_lines`]); memory held is one logical line.
#[derive(Debug, Clone)]
pub struct LineJoiner {
    max_line_bytes: usize,
    open: Option<OpenLine>,
    truncated_lines: u64,
}

/// The logical line being built.
#[derive(Debug, Clone)]
struct OpenLine {
    line: KernelLine,
    /// The last physical line ended in whitespace before `split_prefix` trimmed it:
    /// format=flowed mail (corpus 002) marks a wrap inside `, ` that way, so the join
    /// needs a space.
    ended_with_space: bool,
    /// A continuation was dropped for length: later ones are dropped too, so the text never
    /// skips a piece in the middle.
    full: bool,
}

impl LineJoiner {
    /// A joiner whose logical lines hold at most `max_line_bytes` bytes of text.
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            max_line_bytes,
            open: None,
            truncated_lines: 0,
        }
    }

    /// Offers the next physical line; returns the previous logical line when `raw` begins a
    /// new one (or is blank, which ends it).
    pub fn push(&mut self, raw: &str) -> Option<KernelLine> {
        let next = split_prefix(raw);
        if !next.prefixed && next.text.trim().is_empty() {
            return self.finish();
        }
        let ended_with_space = ends_with_space(raw);
        if let Some(open) = self.open.as_mut() {
            if continues(&open.line, &next) {
                let flowed = open.ended_with_space;
                if !open.full
                    && join_onto(&mut open.line.text, &next.text, flowed, self.max_line_bytes)
                {
                    open.ended_with_space = ended_with_space;
                } else {
                    open.full = true;
                    self.truncated_lines = self.truncated_lines.saturating_add(1);
                }
                return None;
            }
        }
        let mut line = next;
        if cut_to(&mut line.text, self.max_line_bytes) {
            self.truncated_lines = self.truncated_lines.saturating_add(1);
        }
        let fresh = OpenLine {
            line,
            ended_with_space,
            full: false,
        };
        self.open.replace(fresh).map(|previous| previous.line)
    }

    /// End of input: the last logical line, if any.
    pub fn finish(&mut self) -> Option<KernelLine> {
        self.open.take().map(|open| open.line)
    }

    /// How many physical lines were cut or dropped to keep a logical line within
    /// `max_line_bytes`.
    pub fn truncated_lines(&self) -> u64 {
        self.truncated_lines
    }
}

/// Whether physical line `next` continues logical line `open`, the rule [`LineJoiner`] joins
/// by: `next` has no prefix, both have the same quote depth, and `open` has a prefix or its
/// text shows the wrap (`bare_wrap`). The record-stream filter joins continuation records of
/// an open report by the same rule, so that both modes read the same lines.
pub fn continues(open: &KernelLine, next: &KernelLine) -> bool {
    !next.prefixed
        && open.quote_depth == next.quote_depth
        && open.provenance != super::Provenance::NotKernel
        && (open.prefixed || bare_wrap(&open.text, &next.text))
        && (!starts_with_frame(&next.text) || ends_with_frame(&open.text))
}

/// Whether `text` opens with a stack frame's address, `[<802f63f2>] dump_stack+0x1e/0x3c`
/// (show_trace / dump_backtrace_entry). Consoles print such frames without the stamp of the
/// line before them, one per line: a frame is a line of its own, except where it goes on a
/// line of frames cut in two (old i386 kernels print several frames a line).
fn starts_with_frame(text: &str) -> bool {
    text.trim_start()
        .strip_prefix("[<")
        .and_then(|rest| rest.split_once(">]"))
        .is_some_and(|(address, _)| {
            !address.is_empty() && address.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

/// Whether `text` ends with a frame's `symbol+0xoff/0xsize` (or its `[module]`) after an
/// address, so that a frame on the next line continues a line of frames.
fn ends_with_frame(text: &str) -> bool {
    let mut words = text.split_whitespace().rev();
    let last = words.next().unwrap_or_default();
    let symbol = if last.starts_with('[') && last.ends_with(']') && !last.starts_with("[<") {
        words.next().unwrap_or_default()
    } else {
        last
    };
    text.contains("[<") && symbol.contains("+0x")
}

/// Whether a physical line ended in whitespace before `split_prefix` trimmed it: a
/// format=flowed wrap, which [`join_onto`] glues with a space.
pub fn ends_with_space(raw: &str) -> bool {
    raw.trim_end_matches(['\r', '\n']).ends_with([' ', '\t'])
}

/// Whether unprefixed `next` continues unprefixed `open`: `next` is indented (how an author
/// marks a continuation) and `open` visibly stops mid-record. Either `open` is one token cut
/// after a comma (`oom-kill:constraint=CONSTRAINT_MEMCG,...,mems_allowed=0,`: the kernel ends
/// no line of its own with a comma, and prose has spaces), or `open` is a buddy list whose
/// last word is a block count, not its `= 280296kB` total, and `next` goes on with counts or
/// the total; or `open` ends in the `\` an author continues a line with (the kernel ends no
/// line with one). An indented line after anything else (Mem-Info continuations, stack
/// frames, a complete buddy list) is the kernel's own line.
fn bare_wrap(open: &str, next: &str) -> bool {
    let Some(body) = next.strip_prefix([' ', '\t']).map(str::trim_start) else {
        return false;
    };
    let token_cut =
        (open.ends_with(',') && !open.contains(char::is_whitespace)) || open.ends_with('\\');
    let first = body.split(' ').next().unwrap_or(body);
    token_cut || (buddy_list_cut(open) && (first == "=" || is_block_count(first)))
}

/// Whether `text` is a buddy list (`Normal: 53200*4kB (UME) 8437*8kB (UM) 0*16kB`) whose last
/// word is a block count (or its migrate types), so its `= NkB` total is still to come.
fn buddy_list_cut(text: &str) -> bool {
    let mut words = text.split_whitespace().rev();
    let last = words.next().unwrap_or_default();
    let count = if last.starts_with('(') && last.ends_with(')') {
        words.next().unwrap_or_default()
    } else {
        last
    };
    is_block_count(count)
}

/// Whether `word` is a buddy list's block count, `N*SIZEkB` (`53200*4kB`).
fn is_block_count(word: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    word.split_once('*')
        .is_some_and(|(blocks, size)| digits(blocks) && size.strip_suffix("kB").is_some_and(digits))
}

/// How a continuation attaches to the text before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Glue {
    /// One space, whitespace on both sides of the wrap trimmed.
    Space,
    /// Nothing: the wrap fell inside a token (`.../docker/` + `0f2b3...`, `nodemask=(null),`
    /// + `cpuset=...`).
    Tight,
}

/// Decides the glue at a wrap. Whitespace at the wrap means a space, and so does a
/// format=flowed wrap (`flowed`: the physical line ended in a space). Otherwise a wrap after
/// `/ = ( [` or before `, ) ] =` is inside a token, and so is a wrap after `,` in text without
/// a space, even before an indented line (the indent is the wrapper's): the kernel writes a
/// bare `,` only inside the `oom-kill:` summary, a key=value list printed as one token;
/// everywhere else a comma is followed by a space the wrap took (`order=0,` +
/// `oom_score_adj=0` in corpus 008, `565-ACE,` + `BIOS 2424`). A lone `=` (the buddy lines'
/// `... 0*4096kB =` + `44968kB`) is a word of its own and takes a space.
fn glue(prev: &str, cont: &str, flowed: bool) -> Glue {
    let lone_equals_end = prev
        .strip_suffix('=')
        .is_some_and(|p| p.is_empty() || p.ends_with(char::is_whitespace));
    let lone_equals_start = cont
        .strip_prefix('=')
        .is_some_and(|r| r.is_empty() || r.starts_with(char::is_whitespace));
    let comma_ends = prev.ends_with(',');
    let comma_between_words = comma_ends && prev.contains(char::is_whitespace);
    let comma_in_token = comma_ends && !comma_between_words;
    if flowed
        || prev.ends_with(char::is_whitespace)
        || (cont.starts_with(char::is_whitespace) && !comma_in_token)
        || lone_equals_end
        || lone_equals_start
        || comma_between_words
    {
        Glue::Space
    } else if prev.ends_with(['/', ',', '=', '(', '['])
        || cont.starts_with([',', ')', ']', '='])
        || inside_a_path(prev, cont)
        || inside_a_figure(prev, cont)
    {
        Glue::Tight
    } else {
        Glue::Space
    }
}

/// Whether a fixed-column wrap fell inside a figure of a `key:value` line (show_free_areas
/// prints the per-node and zone lines as `key:NkB` words split by single spaces): the value
/// cut from its digits or unit (`high:2457` + `6kB`), or a key cut in two (`… ac` +
/// `tive_file:1284kB`) in a line of such figures.
fn inside_a_figure(prev: &str, cont: &str) -> bool {
    let last = prev.rsplit(char::is_whitespace).next().unwrap_or_default();
    let first = cont.split(char::is_whitespace).next().unwrap_or_default();
    let is_key = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    let unit_rest = first.trim_start_matches(|c: char| c.is_ascii_digit());
    let value_cut = last.split_once(':').is_some_and(|(key, digits)| {
        is_key(key) && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    }) && matches!(unit_rest, "kB" | "B");
    let figures = prev
        .split_whitespace()
        .filter(|word| word.split_once(':').is_some_and(|(key, _)| is_key(key)))
        .count();
    let key_cut = is_key(last)
        && figures >= 3
        && first
            .split_once(':')
            .is_some_and(|(key, value)| is_key(key) && !value.is_empty());
    value_cut || key_cut
}

/// Whether a wrap fell inside a path: the last word before it and the first word after it
/// both hold a `/`, and the continuation does not start a path of its own (`/docke` +
/// `r/3215ee406f57`: a cgroup path, which the kernel prints without spaces).
fn inside_a_path(prev: &str, cont: &str) -> bool {
    let last = prev.rsplit(char::is_whitespace).next().unwrap_or_default();
    let first = cont.split(char::is_whitespace).next().unwrap_or_default();
    last.contains('/') && first.contains('/') && !first.starts_with('/')
}

/// Appends continuation `cont` to `text` with the right glue (see [`glue`] for `flowed`),
/// unless the result would be longer than `max` bytes; returns whether it was appended.
pub fn join_onto(text: &mut String, cont: &str, flowed: bool, max: usize) -> bool {
    // A line an author continued with a trailing `\` (shell, a docstring): the kernel printed
    // no character there, so the pieces meet without a separator.
    let continued = text
        .trim_end()
        .strip_suffix('\\')
        .map(|head| head.trim_end().len());
    if let Some(head) = continued {
        let tail = cont.trim_start();
        if head.saturating_add(tail.len()) > max {
            return false;
        }
        text.truncate(head);
        text.push_str(tail);
        return true;
    }
    if text.is_empty() {
        // A stamp alone on its line (corpus 002): the continuation is the whole message.
        if cont.len() > max {
            return false;
        }
        text.push_str(cont);
        return true;
    }
    match glue(text, cont, flowed) {
        Glue::Space => {
            let head = text.trim_end().len();
            let tail = cont.trim_start();
            if head.saturating_add(1).saturating_add(tail.len()) > max {
                return false;
            }
            text.truncate(head);
            text.push(' ');
            text.push_str(tail);
        }
        Glue::Tight => {
            let tail = cont.trim_start();
            if text.len().saturating_add(tail.len()) > max {
                return false;
            }
            text.push_str(tail);
        }
    }
    true
}

/// Cuts `text` to at most `max` bytes at a character boundary; returns whether it cut.
fn cut_to(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.truncate(end);
    true
}

#[cfg(test)]
mod tests {

    use super::*;

    /// Every logical line `raw` joins into, with a generous length cap.
    fn join_all(raw: &str) -> Vec<KernelLine> {
        join_capped(raw, 1 << 20).0
    }

    fn join_capped(raw: &str, max: usize) -> (Vec<KernelLine>, u64) {
        let mut joiner = LineJoiner::new(max);
        let mut out: Vec<KernelLine> = raw.lines().filter_map(|l| joiner.push(l)).collect();
        out.extend(joiner.finish());
        (out, joiner.truncated_lines())
    }

    fn texts(lines: &[KernelLine]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn a_fixed_column_wrap_inside_a_zone_figure_is_glued_tight() {
        // A mail client quoted and cut the lines at 105 columns, inside words.
        let lines = join_all("[1.1] Normal free:20212kB min:16384kB low:20480kB high:2457\n6kB active_anon:448352kB inactive_anon:448940kB ac\ntive_file:788kB\n");
        assert_eq!(
            texts(&lines),
            ["Normal free:20212kB min:16384kB low:20480kB high:24576kB active_anon:448352kB inactive_anon:448940kB active_file:788kB"]
        );
        // A wrap at a space between two figures keeps the space.
        let lines = join_all("[1.1] Normal free:20212kB min:16384kB\nlow:20480kB\n");
        assert_eq!(
            texts(&lines),
            ["Normal free:20212kB min:16384kB low:20480kB"]
        );
    }

    #[test]
    fn a_trailing_backslash_continues_the_line_without_a_separator() {
        // A summary quoted in a Python docstring, split with `\` and indented.
        let lines = join_all("    Sep  3 10:00:05 node1 kernel: [34268134.409242] \\\n    oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),\\\n    mems_allowed=0,task=framework,pid=3319125,uid=5000\n");
        assert_eq!(
            texts(&lines),
            ["oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),mems_allowed=0,task=framework,pid=3319125,uid=5000"]
        );
    }

    #[test]
    fn unstamped_frames_after_a_stamped_line_are_lines_of_their_own() {
        // 4.9 C-SKY console: the stamp alone, then `Call Trace:` and frames with no stamp.
        let lines = join_all("[ 2161.637947] \nCall Trace:\n[<802f63f2>] dump_stack+0x1e/0x3c\n[<800f6cf4>] warn_alloc+0x100/0x148\n");
        assert_eq!(
            texts(&lines),
            [
                "Call Trace:",
                "[<802f63f2>] dump_stack+0x1e/0x3c",
                "[<800f6cf4>] warn_alloc+0x100/0x148"
            ]
        );
    }

    #[test]
    fn a_line_of_frames_cut_in_two_is_joined() {
        // 2.6 i386 prints several frames a line; a web page wrapped one between two frames.
        let lines = join_all("[  12.3] [<c0142c8b>] out_of_memory+0x16b/0x1b0\n[<c0144237>] __alloc_pages+0x2b7/0x2d0\n");
        assert_eq!(
            texts(&lines),
            ["[<c0142c8b>] out_of_memory+0x16b/0x1b0 [<c0144237>] __alloc_pages+0x2b7/0x2d0"]
        );
    }

    #[test]
    fn lone_stamp_and_flowed_wrap_corpus_002() {
        let raw = "[   65.470256] \n\
oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0,global_oom,task_memcg=/user.slice/user-0.slice/session-4.scope,task=memkiller,pid=1968,uid=0\n\
Apr  4 09:08:53 debian kernel: [   65.481992] Out of memory: Killed \n\
process 1968 (memkiller) total-vm:2099436kB, anon-rss:1971712kB, \n\
file-rss:1024kB, shmem-rss:0kB, UID:0 pgtables:3904kB oom_score_adj:0\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            [
                "oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0,global_oom,task_memcg=/user.slice/user-0.slice/session-4.scope,task=memkiller,pid=1968,uid=0",
                "Out of memory: Killed process 1968 (memkiller) total-vm:2099436kB, anon-rss:1971712kB, file-rss:1024kB, shmem-rss:0kB, UID:0 pgtables:3904kB oom_score_adj:0",
            ]
        );
        assert_eq!(lines[0].uptime_s, Some(65.470256));
        assert_eq!(lines[1].host.as_deref(), Some("debian"));
    }

    #[test]
    fn kmsg_record_wrapped_at_commas_and_blank_lines_corpus_006() {
        let raw = "6,727,35945901675,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),\n\
cpuset=cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope,mems_allowed=0,\n\
oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice,\n\
task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice/cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope,\n\
task=python,pid=988370,uid=0\n\
\n\
\n\
3,728,35945901683,-;Memory cgroup out of memory: Killed process 988370 (python) total-vm:9783776kB, anon-rss:95724kB, file-rss:3268kB, shmem-rss:0kB, UID:0 pgtables:240kB oom_score_adj:995\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            [
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice,task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b806c_04ce_433c_9e64_cf4c323e6c16.slice/cri-containerd-f69706726f784bfb90a8a6378a41d684f1ed23508ef32ba586e477509f121867.scope,task=python,pid=988370,uid=0",
                "Memory cgroup out of memory: Killed process 988370 (python) total-vm:9783776kB, anon-rss:95724kB, file-rss:3268kB, shmem-rss:0kB, UID:0 pgtables:240kB oom_score_adj:995",
            ]
        );
    }

    #[test]
    fn blank_line_keeps_a_bare_line_off_the_record_before() {
        let lines = join_all("[ 1.000000] Killed process 1 (a)\n\nprocess 2\n");
        assert_eq!(texts(&lines), ["Killed process 1 (a)", "process 2"]);
        assert!(!lines[1].prefixed);
    }

    #[test]
    fn quoted_header_wrapped_at_comma_keeps_its_space_corpus_008() {
        let raw = ">>> [93428.029768] irqbalance invoked oom-killer:\n\
>>> gfp_mask=0x24280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=0-1, order=0,\n\
>>> oom_score_adj=0\n\
>>> [93428.029824] irqbalance cpuset=/ mems_allowed=0-1\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            [
                "irqbalance invoked oom-killer: gfp_mask=0x24280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=0-1, order=0, oom_score_adj=0",
                "irqbalance cpuset=/ mems_allowed=0-1",
            ]
        );
        assert!(lines.iter().all(|l| l.quote_depth == 3));
    }

    #[test]
    fn reviewer_note_never_joins_the_quoted_report_corpus_008() {
        let raw = ">>> dirty:2653384kB writeback:3588kB shmem:0kB shmem_thp: 0kB\n\
>>> shmem_pmdmapped: 0kB anon_thp: 3196kB writeback_tmp:0kB unstable:0kB\n\
>>> pages_scanned:23178917 all_unreclaimable? yes\n\
>\n\
> Note the high pages_scanned and all_unreclaimable. I suspect something\n\
> is pinning the memory. Can you post /proc/vmstat from the system with an\n\
> uptime after it experiences the OOM?\n\
>\n\
>>> [93428.031059] Node 0 Normal free:44968kB min:45192kB low:61736kB\n\
>>> high:78280kB active_anon:24984kB inactive_anon:26704kB\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            [
                "dirty:2653384kB writeback:3588kB shmem:0kB shmem_thp: 0kB",
                "shmem_pmdmapped: 0kB anon_thp: 3196kB writeback_tmp:0kB unstable:0kB",
                "pages_scanned:23178917 all_unreclaimable? yes",
                "Note the high pages_scanned and all_unreclaimable. I suspect something",
                "is pinning the memory. Can you post /proc/vmstat from the system with an",
                "uptime after it experiences the OOM?",
                "Node 0 Normal free:44968kB min:45192kB low:61736kB high:78280kB active_anon:24984kB inactive_anon:26704kB",
            ]
        );
        assert_eq!(lines[3].quote_depth, 1);
    }

    #[test]
    fn depth_change_without_blank_line_does_not_join() {
        let raw = ">>> [93428.031059] Node 0 Normal free:44968kB\n\
> Note the high pages_scanned\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            ["Node 0 Normal free:44968kB", "Note the high pages_scanned"]
        );
    }

    #[test]
    fn buddy_line_wrapped_after_lone_equals() {
        let raw = ">>> [93428.031764] Node 0 Normal: 11132*4kB (UMH) 31*8kB (H) 12*16kB (H)\n\
>>> 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB =\n\
>>> 44968kB\n";
        assert_eq!(
            texts(&join_all(raw)),
            ["Node 0 Normal: 11132*4kB (UMH) 31*8kB (H) 12*16kB (H) 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 44968kB"]
        );
    }

    #[test]
    fn task_row_wrapped_at_column_gap_corpus_008() {
        let raw = ">>> [93428.032573] [ 1912]     0  1912    10572     1903      27       3\n\
>>>     58             0 systemd-journal\n";
        assert_eq!(
            texts(&join_all(raw)),
            ["[ 1912]     0  1912    10572     1903      27       3 58             0 systemd-journal"]
        );
    }

    #[test]
    fn limit_path_wrapped_after_slash_joins_tight_corpus_011() {
        let raw = "[193038.106468] Task in /docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53\n\
killed as a result of limit of /docker/\n\
0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53\n\
[193038.106478] memory: usage 524288kB, limit 524288kB, failcnt 77\n";
        assert_eq!(
            texts(&join_all(raw)),
            [
                "Task in /docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53 killed as a result of limit of /docker/0f2b3fcdd2578165ea77266cdc7b1ad43e75877b0ac1889ecda30a78cb78bd53",
                "memory: usage 524288kB, limit 524288kB, failcnt 77",
            ]
        );
    }

    #[test]
    fn indented_mem_info_lines_join_corpus_004() {
        let raw = "[350085.039051] active_anon:861397 inactive_anon:23397 isolated_anon:0\n                 active_file:146274 inactive_file:144248 isolated_file:0\n                 unevictable:8 dirty:14587 writeback:0 unstable:0\n                 slab_reclaimable:697630 slab_unreclaimable:24397\n                 mapped:79655 shmem:26548 pagetables:7211 bounce:0\n                 free:25159 free_pcp:235 free_cma:0\n[350085.039054] Node 0 DMA free:15516kB min:136kB low:168kB high:200kB\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            [
                "active_anon:861397 inactive_anon:23397 isolated_anon:0 active_file:146274 inactive_file:144248 isolated_file:0 unevictable:8 dirty:14587 writeback:0 unstable:0 slab_reclaimable:697630 slab_unreclaimable:24397 mapped:79655 shmem:26548 pagetables:7211 bounce:0 free:25159 free_pcp:235 free_cma:0",
                "Node 0 DMA free:15516kB min:136kB low:168kB high:200kB",
            ]
        );
        assert_eq!(lines[0].uptime_s, Some(350085.039051));
    }

    #[test]
    fn mem_info_wrapped_after_colon_seed_4() {
        let raw =
            "[Sat Sep 11 09:46:24 2021] active_anon:172 inactive_anon:4518735 isolated_anon:\n\
free:4111496 free_pcp:1 free_cma:0\n\
[Sat Sep 11 09:46:24 2021] Node 1 Normal free:43636kB min:45148kB low:441424kB high:837700kB\n";
        assert_eq!(
            texts(&join_all(raw)),
            [
                "active_anon:172 inactive_anon:4518735 isolated_anon: free:4111496 free_pcp:1 free_cma:0",
                "Node 1 Normal free:43636kB min:45148kB low:441424kB high:837700kB",
            ]
        );
    }

    #[test]
    fn bare_log_is_never_joined() {
        let raw = "Mem-Info:\n\
active_anon:221 inactive_anon:14331 isolated_anon:0\n \
active_file:18099 inactive_file:22324 isolated_file:0\n \
unevictable:4785 dirty:633 writeback:0\n\
oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),\n\
cpuset=/,mems_allowed=0\n";
        let lines = join_all(raw);
        assert_eq!(lines.len(), 6);
        assert_eq!(
            lines[2].text,
            " active_file:18099 inactive_file:22324 isolated_file:0"
        );
        assert!(lines.iter().all(|l| !l.prefixed));
    }

    #[test]
    fn kibana_separator_row_glues_nothing() {
        let raw = "Jun 25, 2021 @ 12:42:13.029 | kernel | [113782.638786] Memory cgroup out of memory: Killed process 1949510 (envoy)\n\
-- | -- | --\n\
\n\
  | Jun 25, 2021 @ 12:42:12.104 | kernel | [115582.355745] Memory cgroup stats for /system.slice/garden.service:\n";
        assert_eq!(
            texts(&join_all(raw)),
            [
                "Memory cgroup out of memory: Killed process 1949510 (envoy)",
                "Memory cgroup stats for /system.slice/garden.service:",
            ]
        );
    }

    #[test]
    fn continuation_past_the_cap_is_dropped_and_counted() {
        let raw = "[ 1.000000] Task in /docker/\nabcdef\nghij\n[ 2.000000] next\n";
        let (lines, truncated) = join_capped(raw, 20);
        assert_eq!(texts(&lines), ["Task in /docker/", "next"]);
        assert_eq!(truncated, 2);
        let (lines, truncated) = join_capped(raw, 22);
        assert_eq!(texts(&lines), ["Task in /docker/abcdef", "next"]);
        assert_eq!(truncated, 1);
    }

    #[test]
    fn overlong_first_line_is_cut_at_a_char_boundary() {
        let (lines, truncated) = join_capped("[ 1.000000] ééé", 3);
        assert_eq!(texts(&lines), ["é"]);
        assert_eq!(truncated, 1);
        let (lines, truncated) = join_capped("[ 1.000000] abc", 0);
        assert_eq!(texts(&lines), [""]);
        assert_eq!(truncated, 1);
    }

    #[test]
    fn a_line_proven_not_the_kernels_takes_no_continuation() {
        // `logger -t kernel` lines pasted into a bare kernel log: the kernel's next line is
        // its own, not the forged line's wrap.
        let raw = "sed invoked oom-killer: gfp_mask=0x201da, order=0\n\
Jan  1 00:00:05 web1 kernel[4242]: Out of memory: Killed process 1 (systemd)\n\
sed cpuset=/ mems_allowed=0-1\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            [
                "sed invoked oom-killer: gfp_mask=0x201da, order=0",
                "Out of memory: Killed process 1 (systemd)",
                "sed cpuset=/ mems_allowed=0-1",
            ]
        );
    }

    #[test]
    fn finish_twice_yields_once() {
        let mut joiner = LineJoiner::new(64);
        assert_eq!(joiner.push("[ 1.000000] a"), None);
        assert_eq!(joiner.finish().map(|l| l.text), Some("a".to_owned()));
        assert_eq!(joiner.finish(), None);
    }

    #[test]
    fn glue_rules() {
        assert_eq!(glue("limit of /docker/", "0f2b", false), Glue::Tight);
        assert_eq!(
            glue("oom-kill:nodemask=(null),", "cpuset=x", false),
            Glue::Tight
        );
        assert_eq!(
            glue("x invoked oom-killer: order=0,", "oom_score_adj=0", false),
            Glue::Space
        );
        assert_eq!(glue("task_memcg=", "/kubepods", false), Glue::Tight);
        assert_eq!(glue("gfp_mask=0x1(GFP_KERNEL", ")", false), Glue::Tight);
        assert_eq!(glue("total-vm:1kB", ", anon-rss:2kB", false), Glue::Tight);
        assert_eq!(glue("0*4096kB =", "44968kB", false), Glue::Space);
        assert_eq!(glue("0*4096kB", "= 44968kB", false), Glue::Space);
        assert_eq!(glue("Killed", "process 1", false), Glue::Space);
        // A wrap inside a cgroup path, and one between a path and the next word.
        assert_eq!(
            glue("limit of /docke", "r/3215ee406f57", false),
            Glue::Tight
        );
        assert_eq!(glue("see /var/log", "for details", false), Glue::Space);
        assert_eq!(
            glue("Task in /a/b killed as a result of limit of", "/a", false),
            Glue::Space
        );
        assert_eq!(glue("anon-rss:1kB,", "file-rss:2kB", true), Glue::Space);
        assert_eq!(glue("x", "  y", false), Glue::Space);
        assert_eq!(
            glue("mems_allowed=0,", "  oom_memcg=/a", false),
            Glue::Tight
        );
        assert_eq!(
            glue(
                "x: page allocation failure: order:3,",
                "    mode:0x60820",
                false
            ),
            Glue::Space
        );
        assert_eq!(glue("mems_allowed=0,", "oom_memcg=/a", true), Glue::Space);
    }

    #[test]
    fn hardware_name_wrapped_after_comma_keeps_its_space() {
        let raw = "[    0.000000] Hardware name: ASUS System Product Name/Pro WS 565-ACE,\n\
BIOS 2424 09/29/2021\n";
        assert_eq!(
            texts(&join_all(raw)),
            ["Hardware name: ASUS System Product Name/Pro WS 565-ACE, BIOS 2424 09/29/2021"]
        );
    }

    #[test]
    fn killed_line_wrapped_at_its_first_comma_keeps_its_space() {
        let raw =
            "[   65.481992] Out of memory: Killed process 1968 (memkiller) total-vm:2099436kB,\n\
anon-rss:1971712kB, file-rss:1024kB\n";
        assert_eq!(
            texts(&join_all(raw)),
            ["Out of memory: Killed process 1968 (memkiller) total-vm:2099436kB, anon-rss:1971712kB, file-rss:1024kB"]
        );
    }

    #[test]
    fn oom_kill_summary_wrapped_at_its_first_comma_joins_tight() {
        let raw = "[ 2787.216534] oom-kill:constraint=CONSTRAINT_NONE,\n\
nodemask=(null),cpuset=/,mems_allowed=0\n";
        assert_eq!(
            texts(&join_all(raw)),
            ["oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0"]
        );
    }

    #[test]
    fn bare_summary_wrapped_onto_indented_lines_joins_tight_x22() {
        let raw = "dmesg:\n\
oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,\n  \
oom_memcg=/user.slice/user-1000.slice/user@1000.service/app.slice/labm6.service,\n  \
task_memcg=/user.slice/.../labm6.service,task=python3,pid=2840,uid=1000\n\
Memory cgroup out of memory: Killed process 2840 (python3)\n";
        let lines = join_all(raw);
        assert_eq!(
            texts(&lines),
            [
                "dmesg:",
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/user.slice/user-1000.slice/user@1000.service/app.slice/labm6.service,task_memcg=/user.slice/.../labm6.service,task=python3,pid=2840,uid=1000",
                "Memory cgroup out of memory: Killed process 2840 (python3)",
            ]
        );
        assert!(lines.iter().all(|l| !l.prefixed));
    }

    #[test]
    fn bare_buddy_list_cut_before_its_total_joins_x20() {
        let raw = "Normal: 53200*4kB (UME)  8437*8kB (UM)  0*16kB  0*32kB  0*64kB\n        \
0*128kB  0*256kB  0*512kB  0*1024kB  0*2048kB  0*4096kB  = 280296kB\n";
        assert_eq!(
            texts(&join_all(raw)),
            ["Normal: 53200*4kB (UME)  8437*8kB (UM)  0*16kB  0*32kB  0*64kB 0*128kB  0*256kB  0*512kB  0*1024kB  0*2048kB  0*4096kB  = 280296kB"]
        );
        let typed = "Node 0 Normal: 11132*4kB (UMH) 31*8kB (H)\n   = 44968kB\n";
        assert_eq!(
            texts(&join_all(typed)),
            ["Node 0 Normal: 11132*4kB (UMH) 31*8kB (H) = 44968kB"]
        );
    }

    #[test]
    fn bare_indented_lines_after_anything_else_stay_apart() {
        for raw in [
            // The kernel's own indented lines: Mem-Info continuations, stack frames.
            "active_anon:221 inactive_anon:14331 isolated_anon:0\n active_file:18099 inactive_file:22324",
            "Call Trace:\n dump_stack+0x63/0x89",
            // A complete buddy list; a cut one followed by no block count.
            "Node 0 DMA: 1*4kB (U) 1*8kB = 12kB\n 0*16kB",
            "Node 0 DMA: 1*4kB (U) 1*8kB\n dump_stack+0x63/0x89",
            // Prose ending with a comma (it has spaces); a summary cut but not indented.
            "Here is what dmesg said,\n  oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null)",
            "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),\ncpuset=/,mems_allowed=0",
            // A token cut at a comma, continued at another quote depth.
            "> oom-kill:constraint=CONSTRAINT_NONE,\n>>   nodemask=(null)",
        ] {
            assert_eq!(join_all(raw).len(), 2, "{raw}");
        }
    }
}
