//! Where reports are assembled: lines from many interleaved streams in, one finished report per
//! OOM kill out, holding at most the configured number of open reports and bytes.

mod reader;

pub use reader::{Accept, LineKind, ReportReader};

use crate::prefix::{Provenance, WallTime};

/// What the assembler knows about a report beyond its parsed lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportContext {
    /// The host named by the line prefixes or the record, if any.
    pub host: Option<String>,
    /// Wall-clock time of the report's first line, where its prefix gave one.
    pub wall_time: Option<WallTime>,
    /// Kernel uptime of the report's first line, where its prefix gave one.
    pub uptime_s: Option<f64>,
    /// How many input lines (records) were folded into this event.
    pub lines: u64,
    /// False when the report ended without its kill line (cut, timed out, capped).
    pub complete: bool,
    /// Which cap ended the report early: `max_report_lines`, `max_report_bytes`,
    /// `max_open_reports`; `None` when no cap was hit.
    pub truncated_by: Option<&'static str>,
    /// The report's raw lines, when the configuration asks to embed them.
    pub raw_lines: Vec<String>,
    /// For a process killed as a member of a `memory.oom.group`: the pid of the report's
    /// first victim.
    pub group_leader_pid: Option<u32>,
    /// The report was opened from inside, its header missing ([`ReportReader::opens_fragment`]):
    /// its lines pass through ([`Disposition::Observed`], not counted in `lines`), and it
    /// becomes an event only when a kill, an end note or figures that decide show an OOM.
    pub fragment: bool,
    /// How many lines a fragment report read that passed through (never in `lines`).
    pub passed_lines: u64,
    /// The least proven of the report's lines: [`Provenance::Kernel`] only when every line
    /// came by a transport that proves the kernel wrote it (never `NotKernel`: such a line
    /// is never part of a report).
    pub provenance: Provenance,
    /// For an event that stands for a storm of repeated reports: how many, and when.
    pub repeats: Option<Repeats>,
}

/// The reports a storm's follow-up event folds (set by the filter, after classification).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Repeats {
    /// How many reports the event folds.
    pub reports: u64,
    /// The first and last folded report's wall-clock time and uptime, where known.
    pub first_wall_time: Option<WallTime>,
    pub first_uptime_s: Option<f64>,
    pub last_wall_time: Option<WallTime>,
    pub last_uptime_s: Option<f64>,
}

use std::collections::{BTreeMap, HashMap};

use crate::prefix::KernelLine;
use crate::report::{OomReport, ReportKind};

/// The caps that bound what open reports may hold. Every cap is at least 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_report_lines: u64,
    /// Cap on the bytes of raw lines kept (only with `keep_raw_lines`).
    pub max_report_bytes: u64,
    pub max_open_reports: u64,
    /// Keep each report's raw lines in [`ReportContext::raw_lines`] (within `max_report_bytes`).
    pub keep_raw_lines: bool,
    /// Join a continuation line of an open report (one with no prefix after a prefixed line,
    /// [`crate::prefix::join::continues`]) onto the line before it, up to this many bytes:
    /// record streams get hard-wrapped and `pr_cont`-split lines as records of their own.
    /// `None` where lines come joined already (text read through a `LineJoiner`).
    pub join_continuations: Option<usize>,
}

/// A finished report, ready to be classified and encoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Completed {
    pub context: ReportContext,
    pub report: OomReport,
}

/// What became of a line offered to [`Assembler::push`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The line belongs to no report: emit it unchanged.
    Foreign,
    /// The line was folded into an open report.
    Folded,
    /// The line was folded into a report and completed it: that report is the last one the
    /// call appended to `done`.
    Completed,
    /// The line was read into a fragment report (one opened without its header): it passes
    /// through unchanged, and any report the call closed is in `done`.
    Observed,
}

/// A report still receiving lines.
struct OpenReport<R> {
    builder: R,
    context: ReportContext,
    bytes: u64,
    last_line_ms: u64,
    /// Position in [`Assembler::age`], to evict the oldest report first.
    opened_seq: u64,
    /// The report's last line, while a continuation may still join it.
    last_line: Option<LastLine<R>>,
    /// A line not its own followed the finished report: it ends the report unless the next
    /// record continues it into one of the report's lines (`Kernel panic - not syncing:
    /// System is` + `deadlocked on memory`), as text mode joins the two before it reads them.
    ends_unless_continued: bool,
}

/// The last line an open report took, and the report as it was before it: a continuation
/// record is joined onto the line and the whole line read again, as text mode reads it.
struct LastLine<R> {
    before: R,
    line: KernelLine,
    ended_with_space: bool,
}

impl<R> LastLine<R> {
    /// `line` as an open report's last line, `before` the report as it was without it.
    fn new(before: R, line: KernelLine, raw: &str) -> Self {
        Self {
            before,
            line,
            ended_with_space: crate::prefix::join::ends_with_space(raw),
        }
    }

    /// This line with `next` joined onto it, when the text joiner's rule says `next`
    /// continues it (one line, no prefix after a prefixed one) and the joined line is at
    /// most `max` bytes.
    fn joined_with(&self, next: &KernelLine, max: usize) -> Option<KernelLine> {
        if next.text.contains('\n') || !crate::prefix::join::continues(&self.line, next) {
            return None;
        }
        let mut line = self.line.clone();
        crate::prefix::join::join_onto(&mut line.text, &next.text, self.ended_with_space, max)
            .then_some(line)
    }
}

/// Whether `next` ends the line before it, as the text joiner ends it: a blank line.
fn ends_the_line(next: &KernelLine) -> bool {
    !next.prefixed && next.text.trim().is_empty()
}

impl<R: ReportReader> OpenReport<R> {
    /// Reads `next` as the continuation of the report's last line, when the joining rule of
    /// text mode says it is one and the joined line still belongs to the report; returns
    /// whether it did. A continuation whose joined line would be longer than `max` bytes is
    /// not joined.
    fn join_continuation(&mut self, next: &KernelLine, raw: &str, max: usize) -> bool {
        let Some(last) = self.last_line.take() else {
            return false;
        };
        if ends_the_line(next) {
            return false;
        }
        if let Some(line) = last.joined_with(next, max) {
            let mut builder = last.before.clone();
            if matches!(builder.accept(&line.text), Accept::Member(_)) {
                self.builder = builder;
                self.last_line = Some(LastLine::new(last.before, line, raw));
                return true;
            }
        }
        self.last_line = Some(last);
        false
    }
}

/// The last finished report of a stream, kept so that the lines the kernel prints right after
/// a kill (the `memory.oom.group` kills, the victim's Killed line printed again, the
/// `oom_reaper` result) are folded into it instead of opening reports of their own.
struct RecentKill<R> {
    builder: R,
    context: ReportContext,
    last_line_ms: u64,
    /// When its report opened, among all reports: breaks ties between kills remembered in the
    /// same millisecond, so which one is forgotten first does not depend on hashing.
    opened_seq: u64,
}

/// Groups lines into reports, one open report per stream key.
///
/// Invariants: at most `max_open_reports` reports are open and at most as many recent kills
/// are remembered; an open report takes at most `max_report_lines` lines and keeps at most
/// `max_report_bytes` bytes of raw text (lines are parsed as they come; none is kept unless
/// `keep_raw_lines`). Every line pushed is either [`Disposition::Foreign`]
/// or folded into exactly one report.
pub struct Assembler<R> {
    limits: Limits,
    open: HashMap<String, OpenReport<R>>,
    /// Open reports by age, oldest first: the eviction order when `max_open_reports` is hit.
    age: BTreeMap<u64, String>,
    recent: HashMap<String, RecentKill<R>>,
    /// Per stream with no open report, its last line when that line may be the head of a
    /// report line cut into records (`Out of memory in UB 1234: OOM ` + `killed process …`,
    /// after a kill `Tasks in /x are going to be killed due` + `to memory.oom.group set`),
    /// and when it came: the stream's next line is joined onto it if it continues it.
    heads: HashMap<String, (LastLine<R>, u64)>,
    next_seq: u64,
    /// No open report or recent kill received its last line before this: while `now` is
    /// less than a timeout past it, nothing can be stale, and `flush` need not look.
    earliest_line_ms: u64,
}

impl<R: ReportReader> Assembler<R> {
    /// An assembler with no open report.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            open: HashMap::new(),
            age: BTreeMap::new(),
            recent: HashMap::new(),
            heads: HashMap::new(),
            next_seq: 0,
            // Nothing is open: no line time to bound.
            earliest_line_ms: u64::MAX,
        }
    }

    /// Whether `bytes` (a line, or a whole record) can matter to this assembler: anything can
    /// while a report or a possible head of a cut report line is open; otherwise only a line
    /// that opens a report, or, while a recent kill is remembered, a line that follows a
    /// kill. False lets callers skip it unread.
    pub fn may_matter(&self, bytes: &[u8]) -> bool {
        self.reads_every_line()
            || R::may_open_report(bytes)
            || (!self.recent.is_empty() && R::may_follow_a_kill(bytes))
    }

    /// Whether any line can matter, whatever its words: a report is open, or a line that may
    /// head a report line cut into records waits for its continuation.
    pub fn reads_every_line(&self) -> bool {
        !self.open.is_empty() || !self.heads.is_empty()
    }

    /// Whether no report is open and no recent kill or head of a cut line is remembered.
    pub fn is_idle(&self) -> bool {
        self.open.is_empty() && self.recent.is_empty() && self.heads.is_empty()
    }

    /// Whether a report is open for `stream`.
    pub fn is_open(&self, stream: &str) -> bool {
        self.open.contains_key(stream)
    }

    /// Whether a line whose prefix names a host (stream `hosted`) belongs to the report its
    /// source's lines without a host opened (stream `hostless`): a dmesg excerpt pasted before
    /// syslog lines of the same report, a header whose syslog prefix the paste cut. It does
    /// while that host has no report of its own.
    pub fn joins_hostless(&self, hostless: &str, hosted: &str) -> bool {
        !self.is_open(hosted) && self.is_open(hostless)
    }

    /// Offers one line of `stream`. `raw` is the line as received (kept with `keep_raw_lines`).
    /// Reports closed by this call are appended to `done` in the order they closed.
    pub fn push(
        &mut self,
        stream: &str,
        line: &KernelLine,
        raw: &str,
        now_ms: u64,
        done: &mut Vec<Completed>,
    ) -> Disposition {
        // Every line time this call writes is `now_ms`.
        self.earliest_line_ms = self.earliest_line_ms.min(now_ms);
        // A daemon's syslog line can quote a kernel line word for word (containerd logs
        // "TaskOOM … Killed process …"), and anyone can write one (`logger -t kernel`): a line
        // whose transport proves another writer never opens, joins or splits a report.
        if line.provenance == Provenance::NotKernel {
            return Disposition::Foreign;
        }
        // A record may carry several kernel lines (a memory.stat dump sent as one record):
        // the first decides where the record goes, the rest follow it.
        let joined = self.join_head(stream, line);
        let line = joined.as_ref().unwrap_or(line);
        let mut parts = line.text.split('\n');
        let first = parts.next().unwrap_or_default();
        if let Some(open) = self
            .open
            .get_mut(stream)
            .filter(|open| open.ends_unless_continued)
        {
            let join = self.limits.join_continuations;
            if join.is_some_and(|max| open.join_continuation(line, raw, max)) {
                open.ends_unless_continued = false;
                return self.fold(stream, raw, now_ms, done);
            }
            self.close(stream, true, None, done);
        }
        if let Some(open) = self.open.get_mut(stream) {
            let join = self.limits.join_continuations;
            if join.is_some_and(|max| open.join_continuation(line, raw, max)) {
                return self.fold(stream, raw, now_ms, done);
            }
            let before = join
                .filter(|_| !line.text.contains('\n'))
                .map(|_| open.builder.clone());
            match open.builder.accept(first) {
                Accept::Member(_) => {
                    open.context.provenance = open.context.provenance.min(line.provenance);
                    if open.context.host.is_none() {
                        open.context.host.clone_from(&line.host);
                    }
                    for part in parts {
                        let _ = open.builder.accept(part);
                    }
                    open.last_line = before.map(|before| LastLine::new(before, line.clone(), raw));
                    return self.fold(stream, raw, now_ms, done);
                }
                Accept::Foreign => {
                    open.last_line = None;
                    // A blank line (a code fence, an elision mark) is no sign of the kernel,
                    // but a stamp alone is a line the next record may continue, as the text
                    // joiner reads it (`[   56.419654] ` + `oom-kill:constraint=…`).
                    if line.text.trim().is_empty() {
                        if line.prefixed {
                            open.last_line =
                                before.map(|before| LastLine::new(before, line.clone(), raw));
                        }
                        return Disposition::Foreign;
                    }
                    let complete = open.builder.is_complete();
                    if before.is_some() && (line.prefixed || !complete) {
                        // It may be the head of a report line cut into records (`… Memory
                        // cgroup` + `out of memory: Killed process …`), as the text joiner
                        // would join it: it passes through, and a continuation that makes
                        // a report line of it joins the report. After a finished report a
                        // stamped one ends it unless its continuation does so.
                        open.last_line =
                            Some(LastLine::new(open.builder.clone(), line.clone(), raw));
                        open.ends_unless_continued = complete;
                    } else if complete {
                        open.builder.went_on();
                        self.close(stream, true, None, done);
                    }
                    return Disposition::Foreign;
                }
                Accept::BeginsNext => {
                    open.builder.went_on();
                    self.close(stream, false, None, done)
                }
            }
        } else if let Some(recent) = self.recent.get_mut(stream) {
            if let Some(disposition) = recent.follow_up(first, line.provenance, now_ms, done) {
                return disposition;
            }
        }
        let fragment = R::opening_kind(first).is_none();
        if fragment && !R::opens_fragment(first) {
            // Only a line with a report's words can head one cut into records, or after a
            // kill one with a follow-up's words: those lines are cut as the report's are
            // (`Tasks in ` is a `pr_cont` piece of mm/memcontrol.c `mem_cgroup_print_oom_group`).
            let words = R::may_open_report(line.text.as_bytes())
                || (self.recent.contains_key(stream) && R::may_follow_a_kill(line.text.as_bytes()));
            let may_head =
                self.limits.join_continuations.is_some() && !line.text.contains('\n') && words;
            if may_head && (self.heads.len() as u64) < self.limits.max_open_reports {
                let head = LastLine::new(R::new(), line.clone(), raw);
                self.heads.insert(stream.to_string(), (head, now_ms));
            }
            return Disposition::Foreign;
        }
        self.open_report(stream, line, fragment, now_ms, done);
        let join = self.limits.join_continuations;
        if let Some(open) = self.open.get_mut(stream) {
            for part in line.text.split('\n') {
                let _ = open.builder.accept(part);
            }
            if join.is_some() && !line.text.contains('\n') {
                open.last_line = Some(LastLine::new(R::new(), line.clone(), raw));
            }
        }
        self.fold(stream, raw, now_ms, done)
    }

    /// The stream's head of a cut report line (see `heads`) joined with `next`, when `next`
    /// continues it by the text joiner's rule and the joined line opens a report or may
    /// follow the stream's recent kill. Any line of the stream ends the head.
    fn join_head(&mut self, stream: &str, next: &KernelLine) -> Option<KernelLine> {
        let (head, _) = self.heads.remove(stream)?;
        let max = self.limits.join_continuations?;
        if ends_the_line(next) {
            return None;
        }
        let line = head.joined_with(next, max)?;
        let text = &line.text;
        let opens = R::opening_kind(text).is_some() || R::opens_fragment(text);
        let follows = self.recent.contains_key(stream) && R::may_follow_a_kill(text.as_bytes());
        (opens || follows).then_some(line)
    }

    /// Emits the reports of streams that received no line for `timeout_ms` (0: never), as
    /// incomplete, forgets recent kills as old, and heads of cut lines.
    pub fn flush(&mut self, now_ms: u64, timeout_ms: u64, done: &mut Vec<Completed>) {
        if timeout_ms == 0 {
            return;
        }
        let stale = |last: u64| now_ms.saturating_sub(last) >= timeout_ms;
        // Called for every record that is read: scan the open reports only when one may be due.
        if !stale(self.earliest_line_ms) {
            return;
        }
        // Oldest first, as `finish` does: the order events come out in must not depend on hashing.
        let expired: Vec<String> = self
            .age
            .values()
            .filter(|key| {
                self.open
                    .get(*key)
                    .is_some_and(|open| stale(open.last_line_ms))
            })
            .cloned()
            .collect();
        for key in expired {
            self.close(&key, false, None, done);
        }
        self.recent.retain(|_, recent| !stale(recent.last_line_ms));
        self.heads.retain(|_, (_, line_ms)| !stale(*line_ms));
        let open = self.open.values().map(|open| open.last_line_ms);
        let recent = self.recent.values().map(|recent| recent.last_line_ms);
        let heads = self.heads.values().map(|(_, line_ms)| *line_ms);
        self.earliest_line_ms = open.chain(recent).chain(heads).min().unwrap_or(u64::MAX);
    }

    /// The earliest host time at which [`Assembler::flush`] with `timeout_ms` may emit a
    /// report: `None` while no report is open (or with `timeout_ms` 0). Never later than the
    /// first report falls due, possibly earlier (the bound `flush` keeps on line times).
    pub fn next_due_ms(&self, timeout_ms: u64) -> Option<u64> {
        (timeout_ms != 0 && !self.open.is_empty())
            .then(|| self.earliest_line_ms.saturating_add(timeout_ms))
    }

    /// End of input: emits every open report, oldest first.
    pub fn finish(&mut self, done: &mut Vec<Completed>) {
        let keys: Vec<String> = self.age.values().cloned().collect();
        for key in keys {
            self.close(&key, false, None, done);
        }
        self.recent.clear();
    }

    fn open_report(
        &mut self,
        stream: &str,
        line: &KernelLine,
        fragment: bool,
        now_ms: u64,
        done: &mut Vec<Completed>,
    ) {
        self.recent.remove(stream);
        while self.open.len() as u64 >= self.limits.max_open_reports {
            let Some((_, oldest)) = self.age.pop_first() else {
                break;
            };
            self.close(&oldest, false, Some("max_open_reports"), done);
        }
        let opened_seq = self.next_seq;
        self.next_seq += 1;
        self.age.insert(opened_seq, stream.to_owned());
        let context = ReportContext {
            host: line.host.clone(),
            wall_time: line.wall_time,
            uptime_s: line.uptime_s,
            fragment,
            provenance: line.provenance,
            ..ReportContext::default()
        };
        self.open.insert(
            stream.to_owned(),
            OpenReport {
                builder: R::new(),
                context,
                bytes: 0,
                last_line_ms: now_ms,
                opened_seq,
                last_line: None,
                ends_unless_continued: false,
            },
        );
    }

    /// Counts a folded line against the caps and closes the report when it is complete or full.
    fn fold(
        &mut self,
        stream: &str,
        raw: &str,
        now_ms: u64,
        done: &mut Vec<Completed>,
    ) -> Disposition {
        let Some(open) = self.open.get_mut(stream) else {
            return Disposition::Folded;
        };
        let fragment = open.context.fragment;
        if fragment {
            open.context.passed_lines += 1;
        } else {
            open.context.lines += 1;
        }
        open.last_line_ms = now_ms;
        // Lines are parsed, not kept, unless asked for: only kept bytes count against the cap.
        // A fragment's lines pass through: the event does not carry them again.
        if self.limits.keep_raw_lines && !fragment {
            open.bytes = open.bytes.saturating_add(raw.len() as u64);
            if open.bytes <= self.limits.max_report_bytes {
                open.context.raw_lines.push(raw.to_owned());
            }
        }
        let report = open.builder.report();
        let lines = open.context.lines.saturating_add(open.context.passed_lines);
        let complete = open.builder.is_complete() && !open.builder.awaits_deadlock_panic();
        let disposition = if complete && report.kind == ReportKind::OomKill {
            self.close(stream, true, None, done);
            Disposition::Completed
        } else if lines >= self.limits.max_report_lines {
            self.close(stream, false, Some("max_report_lines"), done);
            Disposition::Completed
        } else if open.bytes >= self.limits.max_report_bytes {
            self.close(stream, false, Some("max_report_bytes"), done);
            Disposition::Completed
        } else {
            Disposition::Folded
        };
        if fragment {
            Disposition::Observed
        } else {
            disposition
        }
    }

    fn close(
        &mut self,
        stream: &str,
        complete: bool,
        truncated_by: Option<&'static str>,
        done: &mut Vec<Completed>,
    ) {
        let Some(mut open) = self.open.remove(stream) else {
            return;
        };
        // A finished report closed by a line not its own: the stream went on past it.
        if open.ends_unless_continued {
            open.builder.went_on();
        }
        self.age.remove(&open.opened_seq);
        let mut context = open.context;
        context.complete = complete || open.builder.is_complete();
        context.truncated_by = truncated_by;
        // The victim from the best line present: a Killed line, else the reaper, the
        // summary or the selection (`ReportReader::finished`).
        let report = open.builder.finished();
        // A report that found nothing to kill is followed by the deadlock panic or the
        // ignored sysrq request (mm/oom_kill.c `out_of_memory`, drivers/tty/sysrq.c).
        if !report.victims.is_empty() || report.end_note.is_some() {
            self.remember(
                stream,
                RecentKill {
                    builder: open.builder,
                    context: context.clone(),
                    last_line_ms: open.last_line_ms,
                    opened_seq: open.opened_seq,
                },
            );
        }
        done.push(Completed { context, report });
    }

    fn remember(&mut self, stream: &str, recent: RecentKill<R>) {
        if self.recent.len() as u64 >= self.limits.max_open_reports {
            let oldest = self
                .recent
                .iter()
                .min_by_key(|(_, r)| (r.last_line_ms, r.opened_seq))
                .map(|(k, _)| k.clone());
            if let Some(key) = oldest {
                self.recent.remove(&key);
            }
        }
        self.recent.insert(stream.to_owned(), recent);
    }
}

impl<R: ReportReader> RecentKill<R> {
    /// Handles the lines the kernel prints right after a kill. A process killed as a
    /// `memory.oom.group` member is an event of its own, in the context of the report that
    /// chose it (`Some(Completed)`). The group line, the victim's Killed line printed again,
    /// the reaper's result, a group member found already exiting, and the deadlock panic or
    /// ignored sysrq request after a report that killed nothing cannot join an event already
    /// emitted: they pass through (`Some(Foreign)`) rather than open reports of their own.
    fn follow_up(
        &mut self,
        text: &str,
        provenance: Provenance,
        now_ms: u64,
        done: &mut Vec<Completed>,
    ) -> Option<Disposition> {
        if !R::may_follow_a_kill(text.as_bytes()) {
            return None;
        }
        let victims_before = self.builder.report().victims.len();
        match self.builder.accept(text) {
            // The group line, the reaper's result, a member found already exiting.
            Accept::Member(
                LineKind::OomGroup | LineKind::Reaper | LineKind::Selected | LineKind::EndNote,
            ) => {}
            Accept::Member(LineKind::Killed) => {
                let report = self.builder.report();
                if report.victims.len() > victims_before {
                    let mut member = report.clone();
                    member.victims = report
                        .victims
                        .get(victims_before..)
                        .map(<[_]>::to_vec)
                        .unwrap_or_default();
                    let context = ReportContext {
                        lines: 1,
                        complete: true,
                        raw_lines: Vec::new(),
                        group_leader_pid: report.victims.first().map(|v| v.pid),
                        provenance: self.context.provenance.min(provenance),
                        ..self.context.clone()
                    };
                    self.last_line_ms = now_ms;
                    done.push(Completed {
                        context,
                        report: member,
                    });
                    return Some(Disposition::Completed);
                }
            }
            _ => return None,
        }
        self.last_line_ms = now_ms;
        Some(Disposition::Foreign)
    }
}

/// Which stream each line of a source is assembled in: the source's (`source`, empty for
/// text), with the host its prefix names, so that interleaved hosts of one syslog file do not
/// mix; a line with no prefix (a wrapped line's rest) is the host's its source's last prefixed
/// line named; a host's line joins the report its source's host-less lines opened
/// ([`Assembler::joins_hostless`]). Invariant: it remembers at most `max_sources` sources.
pub struct HostStreams {
    last_host: HashMap<String, String>,
    max_sources: u64,
}

impl HostStreams {
    pub fn new(max_sources: u64) -> Self {
        Self {
            last_host: HashMap::new(),
            max_sources,
        }
    }

    /// The stream of `line`, read from `source`, for `assembler`.
    pub fn stream<R: ReportReader>(
        &mut self,
        assembler: &Assembler<R>,
        source: &str,
        line: &KernelLine,
    ) -> String {
        let with_host = |host: &str| format!("{source}\u{1f}{host}");
        match (&line.host, line.prefixed) {
            (Some(host), _) if assembler.joins_hostless(source, &with_host(host)) => {
                self.last_host.remove(source);
                source.to_string()
            }
            (Some(host), _) => {
                if self.last_host.len() as u64 >= self.max_sources {
                    self.last_host.clear();
                }
                self.last_host.insert(source.to_string(), host.clone());
                with_host(host)
            }
            (None, true) => {
                self.last_host.remove(source);
                source.to_string()
            }
            (None, false) => self
                .last_host
                .get(source)
                .map_or_else(|| source.to_string(), |host| with_host(host)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prefix::split_prefix;
    use crate::report::{EndNote, VictimSource};

    /// The assembler as the faces run it, with the parser's reader.
    type Assembler = super::Assembler<crate::parse::ReportBuilder>;

    const HEADER: &str =
        "stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0";

    fn assembler() -> Assembler {
        Assembler::new(Limits {
            max_report_lines: 100,
            max_report_bytes: 1 << 20,
            max_open_reports: 8,
            keep_raw_lines: false,
            join_continuations: Some(1 << 16),
        })
    }

    fn push(
        a: &mut Assembler,
        stream: &str,
        text: &str,
        now_ms: u64,
        done: &mut Vec<Completed>,
    ) -> Disposition {
        a.push(stream, &split_prefix(text), text, now_ms, done)
    }

    #[test]
    fn a_kill_line_cut_after_memory_cgroup_joins_its_report() {
        // A kill line wrapped after `Memory cgroup`: the head alone is no report line, so it
        // passes through, and the continuation joined onto it is the report's kill.
        let (mut a, mut done) = (assembler(), Vec::new());
        let records = [
            "[89580.599157] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=e,mems_allowed=0-1,oom_memcg=/machine.slice,task_memcg=/machine.slice/m.scope,task=kvm,pid=2016872,uid=0",
            "[89580.599207] Memory cgroup",
            "out of memory: Killed process 2016872 (kvm) total-vm:5556908kB, anon-rss:1978036kB, file-rss:31684kB, shmem-rss:4kB",
        ];
        let dispositions: Vec<Disposition> = records
            .iter()
            .enumerate()
            .map(|(i, record)| push(&mut a, "k", record, i as u64, &mut done))
            .collect();
        assert_eq!(
            dispositions,
            [
                Disposition::Folded,
                Disposition::Foreign,
                Disposition::Completed
            ]
        );
        a.finish(&mut done);
        let report = &done[0].report;
        assert_eq!(
            report.kill_message.as_deref(),
            Some("Memory cgroup out of memory")
        );
        assert_eq!(report.victims[0].pid, 2016872);
    }

    #[test]
    fn a_kill_line_cut_with_no_report_open_opens_one_when_continued() {
        // A post hard-wrapped OpenVZ's kill line after `OOM `: the head opens nothing, and its
        // continuation has no report words of its own.
        let (mut a, mut done) = (assembler(), Vec::new());
        let head = "Nov 24 12:17:04 hwnode kernel: [758955.653313] Out of memory in UB 1234: OOM ";
        let tail = "killed process 21738 (php-cgi) score 0 vm:281988kB, rss:17004kB, swap:0kB";
        assert_eq!(push(&mut a, "k", head, 0, &mut done), Disposition::Foreign);
        assert!(!a.is_idle());
        assert!(a.may_matter(tail.as_bytes()));
        assert_eq!(
            push(&mut a, "k", tail, 1, &mut done),
            Disposition::Completed
        );
        a.finish(&mut done);
        assert_eq!(done[0].report.victims[0].pid, 21738);
    }

    #[test]
    fn a_group_line_cut_after_a_kill_makes_the_next_kills_members() {
        // A mail client wrapped `Tasks in … due` + `to memory.oom.group set` after the kill:
        // the joined line is the group's, so the next Killed lines are its members, in the
        // first report's context, not headerless kills of their own.
        let (mut a, mut done) = (assembler(), Vec::new());
        let records = [
            "[   81.623460] cc1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "[   82.522782] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0-1,oom_memcg=/b,task_memcg=/b,task=cc1,pid=5646,uid=1000",
            "[   82.528351] Memory cgroup out of memory: Killed process 5646 (cc1)",
            "[   82.534240] Tasks in /b are going to be killed due",
            "to memory.oom.group set",
            "[   82.536248] Memory cgroup out of memory: Killed process 4734 (time)",
        ];
        for (i, record) in records.iter().enumerate() {
            push(&mut a, "k", record, i as u64, &mut done);
        }
        a.finish(&mut done);
        assert_eq!(done.len(), 2);
        assert_eq!(done[1].report.victims[0].pid, 4734);
        assert_eq!(done[1].context.group_leader_pid, Some(5646));
        assert_eq!(done[1].report.oom_group.as_deref(), Some("/b"));
    }

    #[test]
    fn a_stamp_alone_is_a_line_its_continuation_record_joins() {
        // A summary wrapped right after its stamp, then at two more columns.
        let (mut a, mut done) = (assembler(), Vec::new());
        let records = [
            "[   56.419530] stress invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
            "[   56.419654] ",
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom",
            "_memcg=/test512mb,task_m",
            "emcg=/test512mb,task=stress,pid=1122,uid=0",
        ];
        for (i, record) in records.iter().enumerate() {
            push(&mut a, "k", record, i as u64, &mut done);
        }
        a.finish(&mut done);
        let summary = done[0].report.summary.as_ref().expect("summary");
        assert_eq!(summary.oom_memcg.as_deref(), Some("/test512mb"));
        assert_eq!(summary.task_memcg.as_deref(), Some("/test512mb"));
    }

    #[test]
    fn a_possible_head_is_forgotten_at_the_next_line_or_when_stale() {
        let (mut a, mut done) = (assembler(), Vec::new());
        let head = "[1.000000] Out of memory in UB 1234: OOM ";
        push(&mut a, "k", head, 0, &mut done);
        assert_eq!(
            push(&mut a, "k", "[1.000001] eth0: link up", 1, &mut done),
            Disposition::Foreign
        );
        assert!(a.is_idle());
        push(&mut a, "k", head, 2, &mut done);
        a.flush(10_000, 5_000, &mut done);
        assert!(a.is_idle() && done.is_empty());
        assert!(!a.may_matter(b"killed process 1 (x) score 0 vm:1kB"));
    }

    #[test]
    fn continuation_records_are_joined_onto_the_line_they_continue() {
        // corpus 006: a /dev/kmsg summary record hard-wrapped at its commas.
        let (mut a, mut done) = (assembler(), Vec::new());
        let records = [
            "6,727,35945901675,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),",
            "cpuset=c,mems_allowed=0,",
            "oom_memcg=/kubepods/podaaaaaaaa-1111,",
            "task_memcg=/kubepods/podaaaaaaaa-1111/0123456789abcdef,",
            "task=python,pid=988370,uid=0",
        ];
        for (i, record) in records.iter().enumerate() {
            assert_eq!(
                push(&mut a, "k", record, i as u64, &mut done),
                Disposition::Folded
            );
        }
        a.finish(&mut done);
        let summary = done[0].report.summary.as_ref().expect("summary");
        assert_eq!(
            summary.oom_memcg.as_deref(),
            Some("/kubepods/podaaaaaaaa-1111")
        );
        assert_eq!(summary.pid, Some(988370));
        assert_eq!(done[0].context.lines, 5);
    }

    #[test]
    fn lines_joined_already_are_not_joined_again() {
        let mut a = Assembler::new(Limits {
            join_continuations: None,
            ..assembler().limits
        });
        let mut done = Vec::new();
        push(
            &mut a,
            "k",
            "[ 1.000000] oom-kill:constraint=CONSTRAINT_MEMCG,oom_memcg=/a,",
            0,
            &mut done,
        );
        assert_eq!(
            push(&mut a, "k", "task_memcg=/a/b", 1, &mut done),
            Disposition::Foreign
        );
    }

    #[test]
    fn summary_without_killed_line_names_the_victim() {
        let (mut a, mut done) = (assembler(), Vec::new());
        let summary = "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=c,mems_allowed=0,oom_memcg=/pod,task_memcg=/pod/c,task=go-oom-test,pid=61436,uid=0";
        push(&mut a, "h", summary, 0, &mut done);
        a.finish(&mut done);
        let victim = &done[0].report.victims[0];
        assert_eq!((victim.pid, victim.source), (61436, VictimSource::Summary));
    }

    #[test]
    fn deadlock_panic_after_no_killable_ends_the_report() {
        let (mut a, mut done) = (assembler(), Vec::new());
        assert_eq!(push(&mut a, "h", HEADER, 0, &mut done), Disposition::Folded);
        // The report waits for the line that tells a global OOM from a memcg one.
        let note = "Out of memory and no killable processes...";
        assert_eq!(push(&mut a, "h", note, 1, &mut done), Disposition::Folded);
        let panic = "Kernel panic - not syncing: System is deadlocked on memory";
        assert_eq!(
            push(&mut a, "h", panic, 2, &mut done),
            Disposition::Completed
        );
        assert_eq!(done.len(), 1);
        let report = &done[0].report;
        assert_eq!(report.end_note, Some(crate::report::EndNote::NoKillable));
        assert!(report.panicked && !report.went_on_after_no_killable);
    }

    #[test]
    fn no_killable_then_another_line_is_a_report_that_went_on() {
        let (mut a, mut done) = (assembler(), Vec::new());
        let note = "Out of memory and no killable processes...";
        push(&mut a, "h", note, 0, &mut done);
        assert!(done.is_empty());
        assert_eq!(push(&mut a, "h", HEADER, 1, &mut done), Disposition::Folded);
        assert_eq!(done.len(), 1);
        assert!(done[0].report.went_on_after_no_killable);
        assert!(done[0].context.complete);
    }

    /// A stamped header and `Out of memory and no killable processes...`: a finished report
    /// that waits for the line after it.
    fn no_killable_report() -> (Assembler, Vec<Completed>) {
        let (mut a, mut done) = (assembler(), Vec::new());
        let header = format!("[    7.362779] {HEADER}");
        push(&mut a, "h", &header, 0, &mut done);
        let note = "[    7.382110] Out of memory and no killable processes...";
        push(&mut a, "h", note, 1, &mut done);
        (a, done)
    }

    #[test]
    fn deadlock_panic_cut_into_records_still_ends_a_no_killable_report() {
        // A console wrapped `Kernel panic - not syncing: System is deadlocked on memory`
        // (6.0 arm32): the first record alone is no report line, its continuation makes one.
        let (mut a, mut done) = no_killable_report();
        let head = "[    7.382452] Kernel panic - not syncing: System is";
        assert_eq!(push(&mut a, "h", head, 2, &mut done), Disposition::Foreign);
        assert!(done.is_empty(), "the close waits for the next record");
        let tail = "deadlocked on memory";
        assert_eq!(
            push(&mut a, "h", tail, 3, &mut done),
            Disposition::Completed
        );
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].report.end_note, Some(EndNote::NoKillable));
        assert!(
            done[0].report.panicked,
            "the joined line is the deadlock panic"
        );
        assert!(!done[0].report.went_on_after_no_killable);
    }

    #[test]
    fn line_after_a_finished_report_closes_it_when_no_continuation_follows() {
        let other = "[    7.382452] usb 1-1: new device";
        let (mut a, mut done) = no_killable_report();
        push(&mut a, "h", other, 2, &mut done);
        assert!(done.is_empty());
        push(&mut a, "h", "[    7.382500] eth0: link up", 3, &mut done);
        assert_eq!(done.len(), 1);
        assert!(done[0].report.went_on_after_no_killable);
        assert!(done[0].context.complete);
        // At the end of input the pending line closes it the same way.
        let (mut a, mut done) = no_killable_report();
        push(&mut a, "h", other, 2, &mut done);
        a.finish(&mut done);
        assert!(done[0].report.went_on_after_no_killable);
    }

    #[test]
    fn flush_skips_nothing_when_a_later_line_carries_an_earlier_time() {
        let (mut a, mut done) = (assembler(), Vec::new());
        push(&mut a, "s1", HEADER, 10_000, &mut done);
        a.flush(10_001, 5_000, &mut done);
        // Hosts' clocks differ: a line may carry a time before one already seen.
        push(&mut a, "s2", HEADER, 1_000, &mut done);
        a.flush(6_000, 5_000, &mut done);
        assert_eq!(
            done.len(),
            1,
            "the report idle since 1 000 ms is due at 6 000 ms"
        );
        assert!(a.is_open("s1") && !a.is_open("s2"));
    }

    #[test]
    fn flush_before_the_timeout_emits_nothing() {
        let (mut a, mut done) = (assembler(), Vec::new());
        push(&mut a, "s1", HEADER, 1_000, &mut done);
        a.flush(5_999, 5_000, &mut done);
        assert!(done.is_empty());
        a.flush(6_000, 5_000, &mut done);
        assert_eq!(done.len(), 1);
        assert!(!done[0].context.complete);
    }

    #[test]
    fn opening_past_max_open_reports_evicts_the_oldest() {
        let (mut a, mut done) = (assembler(), Vec::new());
        for stream in 0..9 {
            push(&mut a, &format!("s{stream}"), HEADER, 0, &mut done);
        }
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].context.truncated_by, Some("max_open_reports"));
        assert!(!a.is_open("s0") && a.is_open("s8"));
    }

    #[test]
    fn flush_emits_due_reports_oldest_first() {
        // Each assembler hashes with its own seed: the order must not vary with it.
        for _ in 0..20 {
            let (mut a, mut done) = (assembler(), Vec::new());
            for stream in 0..8 {
                let line = format!("[ {stream}.5] {HEADER}");
                push(&mut a, &format!("s{stream}"), &line, 0, &mut done);
            }
            a.flush(10_000, 5_000, &mut done);
            let uptimes: Vec<_> = done.iter().map(|c| c.context.uptime_s).collect();
            let opened: Vec<_> = (0..8).map(|s| Some(f64::from(s) + 0.5)).collect();
            assert_eq!(uptimes, opened);
        }
    }

    #[test]
    fn recent_kills_of_one_millisecond_are_forgotten_oldest_first() {
        const KILL: &str = "Memory cgroup out of memory: Killed process 42 (stress) \
            total-vm:9000kB, anon-rss:8000kB, file-rss:0kB, shmem-rss:0kB";
        for _ in 0..20 {
            let mut a = Assembler::new(Limits {
                max_open_reports: 2,
                ..assembler().limits
            });
            let mut done = Vec::new();
            for stream in ["s0", "s1", "s2"] {
                let kill = push(&mut a, stream, KILL, 0, &mut done);
                assert_eq!(kill, Disposition::Completed);
            }
            // s0's kill was forgotten to make room for s2's: its Killed line printed again is
            // a report of its own; s2's is the known kill's and passes.
            assert_eq!(push(&mut a, "s2", KILL, 0, &mut done), Disposition::Foreign);
            assert_eq!(
                push(&mut a, "s0", KILL, 0, &mut done),
                Disposition::Completed
            );
        }
    }

    #[test]
    fn a_line_that_opens_nothing_is_foreign() {
        let (mut a, mut done) = (assembler(), Vec::new());
        assert_eq!(
            push(&mut a, "s1", "eth0: link up", 0, &mut done),
            Disposition::Foreign
        );
        assert!(a.is_idle());
    }
}
