//! Where reports are parsed: kernel message lines in, a typed [`OomReport`] out, line by line
//! so an open report never holds more than its parsed figures.

mod header;
mod kill;
mod markers;
mod memcg;
mod meminfo;
mod scan;
mod shape;
mod tasks;

pub use markers::{
    may_follow_a_kill, may_open_report, quiet_run, QuietRun, FOLLOW_UP_MARKERS, OPENING_MARKERS,
};

use crate::assemble::{Accept, LineKind, ReportReader};
use crate::report::{EndNote, OomReport, ReportKind, Trigger, Victim, VictimSource};

use kill::KillLine;
pub use shape::stack_shows_a_report;
use shape::{classify, Shape, ALLOCATION_FAILURE_FRAMES, OOM_KILLER_FRAMES};

/// The function a stack frame line names (`dump_stack+0x6b/0x83`, `[<…>] ? foo+0x1/0x2`),
/// its compiler clone suffix dropped; `None` for a line that is no frame or names none.
pub fn frame_function(text: &str) -> Option<&str> {
    header::stack_frame(text.trim()).flatten()
}

/// Whether a stack frame line is one the kernel marks `?`, unreliable
/// (`[<…>] ? foo+0x1/0x2`); such frames are listed in [`OomReport::unreliable_frames`].
pub fn frame_is_unreliable(text: &str) -> bool {
    header::frame_is_unreliable(text.trim())
}

/// How many task-table rows a report keeps (the largest by rss).
pub const TASK_ROWS_KEPT: usize = 10;

/// Whether `text` can open a report when none is open for its stream, and as what.
/// Only lines that are specific to OOM reports open one: the headers, the summary, the
/// selection, kill and already-exiting lines, `Memory cgroup out of memory`, `Task in …`,
/// `Memory limit reached of cgroup`, `memory: usage … limit … failcnt` and
/// `Memory cgroup stats for`. Stack frames, counters, task rows and Mem-Info do not (sysrq-m
/// prints Mem-Info without an OOM). Stateless; a fresh [`ReportBuilder`] accepts the line as
/// `Member` of the same kind.
pub fn opening_kind(text: &str) -> Option<LineKind> {
    // The byte scan that lets the filter skip records unread is the one gate: a line it would
    // skip must not open a report here either.
    if !may_open_report(text.as_bytes()) {
        return None;
    }
    let line = first_line(text)?;
    classify(line)?.opening_kind()
}

/// The first non-blank line of a record's text, trimmed: the one that decides where it goes.
fn first_line(text: &str) -> Option<&str> {
    text.split('\n')
        .map(str::trim)
        .find(|line| !line.is_empty())
}

/// Whether `text` can open a report from inside, its header missing (scrolled away, cut from
/// a paste): a stack frame of the OOM killer's own functions, or `Mem-Info:` or a zone's
/// `free:` line, which lib/show_mem.c (`__show_mem`, `show_free_areas`) prints for every
/// global OOM and allocation failure. sysrq-m prints them
/// too, with no OOM at all: such a report's lines must pass through, and only a kill or
/// figures that decide make it an event (see [`crate::assemble::ReportContext::fragment`]).
pub fn opens_fragment(text: &str) -> bool {
    let Some(line) = first_line(text) else {
        return false;
    };
    match classify(line) {
        // dump_tasks (mm/oom_kill.c) prints the task table only inside an OOM report.
        Some(
            Shape::MemInfoStart | Shape::ReportFrame(_) | Shape::TasksState | Shape::TaskHeading(_),
        ) => true,
        // Its watermarks may be still to come: a record cut after `free:…kB min:` is joined
        // with its continuation once the report is open.
        Some(Shape::Area(meminfo::AreaLine::Zone(_))) => true,
        _ => false,
    }
}

/// Where in the report the last line was; the shapes that only mean something in one place
/// (counters, memory.stat pairs, task rows, stack words) are read only there.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Section {
    #[default]
    Head,
    /// After the header: `dump_stack` output.
    Stack,
    /// The memcg counters.
    Memcg,
    /// After `Memory cgroup stats for …`.
    MemcgStats,
    /// After `Mem-Info:` (or any `show_mem` line).
    MemInfo,
    /// After `Unreclaimable slab info:`.
    Slab,
    /// After `Memory allocations…:`.
    AllocProfile,
    /// After `Tasks state` or a task-table heading.
    Tasks,
    /// The summary and kill lines: nothing section-bound follows.
    Kill,
}

/// Builds one [`OomReport`] from its lines, in order.
///
/// Memory stays bounded by the figures kept: task rows beyond [`TASK_ROWS_KEPT`] are counted,
/// not stored, and lines are never stored.
#[derive(Debug, Default, Clone)]
pub struct ReportBuilder {
    report: OomReport,
    section: Section,
    /// Lines accepted, not counting `callbacks suppressed` notes (they precede a header).
    /// A header after any of them starts another report.
    lines: u64,
    /// The header ended before `oom_score_adj=`: the next line may carry the rest.
    header_open: bool,
    /// The task-table columns from its heading; empty until one is read.
    task_columns: Vec<tasks::Column>,
    /// The zone whose line was read last: a `lowmem_reserve[]` line belongs to it.
    last_zone: Option<usize>,
    /// The `Memory cgroup stats` entry the stats lines belong to.
    stats_index: Option<usize>,
    /// The last word of a v1 stats line cut mid-token, for the next line.
    stats_fragment: Option<String>,
    /// `N pages RAM` was read.
    saw_pages_ram: bool,
    /// `N pages reserved` followed `N pages RAM`: `show_mem` has printed its totals.
    show_mem_done: bool,
    /// An `oom_reaper` line was read after the report's dump (see
    /// [`ReportBuilder::is_complete`]).
    reaped_after_dump: bool,
    /// The call trace ends with the caller a 32-bit ARM entry named, not yet with an entry
    /// of its own: the next entry is that caller's.
    trace_ends_with_caller: bool,
}

impl ReportReader for ReportBuilder {
    /// A builder that has read no line yet.
    fn new() -> Self {
        Self::default()
    }

    fn opening_kind(text: &str) -> Option<LineKind> {
        opening_kind(text)
    }

    fn opens_fragment(text: &str) -> bool {
        opens_fragment(text)
    }

    fn may_open_report(bytes: &[u8]) -> bool {
        may_open_report(bytes)
    }

    fn may_follow_a_kill(bytes: &[u8]) -> bool {
        may_follow_a_kill(bytes)
    }

    /// Offers the next line of the stream (prefix already stripped). A record carrying several
    /// lines joined by `\n` (a pre-6.5 memory.stat dump) is read line by line; it begins the
    /// next report only if its first report line does.
    ///
    /// Counters, memory.stat pairs, task rows, stack frames and words are read only in their
    /// section (after `Mem-Info:`, `Memory cgroup stats for`, the task-table heading, the
    /// header); elsewhere they are `Foreign`. `BeginsNext` answers a header after any report
    /// line (`callbacks suppressed` aside), a second summary or selection, a summary,
    /// selection or already-exiting line after the kill, a `Killed process` line with a new
    /// pid after the kill (after a `memory.oom.group` line such lines are the group's members
    /// instead; a repeated pid is the same kill printed or pasted twice), and any line printed
    /// before a kill (stack, memcg, Mem-Info, task table) once the kill was read. An
    /// allocation-failure report ends at any summary, selection or kill line.
    fn accept(&mut self, text: &str) -> Accept {
        if !text.contains('\n') {
            return self.accept_line(text);
        }
        let mut answer = Accept::Foreign;
        for line in text.split('\n') {
            match (self.accept_line(line), answer) {
                (Accept::BeginsNext, Accept::Foreign) => return Accept::BeginsNext,
                (Accept::BeginsNext, _) => break,
                (Accept::Member(kind), Accept::Foreign) => answer = Accept::Member(kind),
                _ => {}
            }
        }
        answer
    }

    /// True when the report needs no more lines. An OOM kill is complete once a
    /// `Killed process` line was read, or, when none was printed, `OOM victim … is already
    /// exiting` or an `oom_reaper` line read after the report's dump. An allocation failure is complete once `show_mem`
    /// printed `N pages reserved` after `N pages RAM`; the optional `pages cma reserved` and
    /// `pages hwpoisoned` lines after it are still accepted if offered.
    fn is_complete(&self) -> bool {
        match self.report.kind {
            ReportKind::AllocationFailure => self.show_mem_done,
            ReportKind::OomKill => self.has_outcome() || self.reaped_after_dump,
        }
    }

    /// True after a no-killable warning that no panic followed yet: the next line tells a
    /// global OOM (`System is deadlocked on memory`) from a memcg one (anything else), so the
    /// report stays open for it.
    fn awaits_deadlock_panic(&self) -> bool {
        self.report.end_note == Some(EndNote::NoKillable)
            && !self.report.panicked
            && !self.report.sysrq
    }

    /// Notes that the stream went on with a line of its own after the report: see
    /// [`OomReport::went_on_after_no_killable`].
    fn went_on(&mut self) {
        if self.awaits_deadlock_panic() {
            self.report.went_on_after_no_killable = true;
        }
    }

    /// The report as parsed so far (without the victim fallback of [`ReportBuilder::finish`]).
    fn report(&self) -> &OomReport {
        &self.report
    }

    /// The report [`ReportBuilder::finish`] would return, leaving the builder as it is (the assembler
    /// keeps it to fold the lines printed right after a kill).
    fn finished(&self) -> OomReport {
        let mut report = self.report.clone();
        finish_report(&mut report);
        report
    }
}

impl ReportBuilder {
    /// The finished report. An OOM kill without a `Killed process` line takes its victim from,
    /// in order: the first `oom_reaper` line, the summary's `task=…,pid=…` (when the line was
    /// not cut), or the `Kill process … or sacrifice child` selection; [`Victim::source`] says
    /// which.
    pub fn finish(mut self) -> OomReport {
        finish_report(&mut self.report);
        self.report
    }

    /// A kill, an already-exiting victim, or a line saying nothing could be killed (or the
    /// kernel panicked) was read: the report has its outcome.
    fn has_outcome(&self) -> bool {
        !self.report.victims.is_empty()
            || self.report.exiting_victim.is_some()
            || self.report.end_note.is_some()
    }

    fn accept_line(&mut self, line: &str) -> Accept {
        let text = line.trim();
        if text.is_empty() {
            return Accept::Foreign;
        }
        if self.header_open && header::is_header_tail(text) {
            let score_adj_read = header::read_fields(&mut self.report.trigger, text);
            self.header_open = match self.report.kind {
                ReportKind::OomKill => !score_adj_read,
                ReportKind::AllocationFailure => alloc_header_open(&self.report.trigger, text),
            };
            self.lines = self.lines.saturating_add(1);
            return Accept::Member(LineKind::OomHeader);
        }
        if let Some(kind) = self.accept_in_section(text) {
            self.header_open = false;
            self.lines = self.lines.saturating_add(1);
            return Accept::Member(kind);
        }
        let Some(shape) = classify(text) else {
            return Accept::Foreign;
        };
        if self.begins_next(&shape) {
            return Accept::BeginsNext;
        }
        // Both come before a header: a header after them is still the report's first line.
        if !matches!(shape, Shape::Suppressed(_) | Shape::ManualRequest) {
            self.lines = self.lines.saturating_add(1);
        }
        Accept::Member(self.apply(shape))
    }

    /// Reads the shapes that belong only to the current section.
    fn accept_in_section(&mut self, text: &str) -> Option<LineKind> {
        match self.section {
            Section::Stack => {
                if let Some(function) = header::stack_frame(text) {
                    let trace = &mut self.report.call_trace;
                    let named_already = self.trace_ends_with_caller
                        && function.is_some_and(|f| trace.last().is_some_and(|last| last == f));
                    if let Some(function) = function.filter(|_| !named_already) {
                        if header::frame_is_unreliable(text) {
                            self.report.unreliable_frames.push(trace.len());
                        }
                        trace.push(function.to_string());
                    }
                    // A trace cut after `(out_of_memory) from (__alloc_pages_nodemask…)`
                    // still shows the allocator: keep each entry's caller as a frame.
                    let caller = header::arm_frame_caller(text);
                    trace.extend(caller.map(str::to_string));
                    self.trace_ends_with_caller = caller.is_some();
                    return Some(LineKind::Body);
                }
                (header::is_register_line(text) || header::is_stack_words(text))
                    .then_some(LineKind::Body)
            }
            Section::MemcgStats => {
                let stats = self.report.memcg.stats.get_mut(self.stats_index?)?;
                memcg::read_stats(text, stats, &mut self.stats_fragment).then_some(LineKind::Memcg)
            }
            Section::MemInfo => {
                (meminfo::read_counters(text, &mut self.report.meminfo.counters_pages)
                    || meminfo::is_per_cpu_row(text))
                .then_some(LineKind::Body)
            }
            Section::Slab => {
                if !meminfo::is_slab_heading(text) {
                    self.report
                        .unreclaimable_slab
                        .push(meminfo::slab_row(text)?);
                }
                Some(LineKind::Body)
            }
            Section::AllocProfile => meminfo::is_profile_row(text).then_some(LineKind::Body),
            Section::Tasks => {
                let (pid, after_pid) = tasks::row_start(text)?;
                self.report.task_rows_seen = self.report.task_rows_seen.saturating_add(1);
                let columns = if self.task_columns.is_empty() {
                    tasks::infer_columns(after_pid)
                } else {
                    self.task_columns.as_slice()
                };
                if let Some((row, name)) =
                    pid.and_then(|pid| tasks::parse_row(pid, after_pid, columns))
                {
                    self.report.pause_row_seen |= name == "pause";
                    tasks::keep_largest(&mut self.report.tasks, row, name);
                }
                Some(LineKind::Body)
            }
            Section::Head | Section::Memcg | Section::Kill => None,
        }
    }

    /// Whether `shape`, a line of some OOM report, cannot belong to this one.
    fn begins_next(&self, shape: &Shape<'_>) -> bool {
        let report = &self.report;
        let allocation_failure = report.kind == ReportKind::AllocationFailure;
        let outcome = self.has_outcome();
        match shape {
            // A header is a report's first line.
            Shape::OomHeader(_) | Shape::AllocFailure(_) => self.lines > 0,
            Shape::Summary(_) => allocation_failure || outcome || report.summary.is_some(),
            Shape::Kill(KillLine::Selected { .. }) => {
                allocation_failure || outcome || report.selected.is_some()
            }
            // A group member that is already dying is reported instead of killed.
            Shape::Kill(KillLine::Exiting { .. }) => {
                allocation_failure || (outcome && report.oom_group.is_none())
            }
            // After `memory.oom.group`, every member of the group gets its own Killed line;
            // the chosen victim's is printed twice, and a pasted-twice line repeats a pid.
            Shape::Kill(KillLine::Killed { victim, .. }) => {
                allocation_failure
                    || (outcome
                        && report.oom_group.is_none()
                        && !report.victims.iter().any(|known| known.pid == victim.pid))
            }
            // A second sysrq-f request is another report.
            Shape::ManualRequest => self.lines > 0 || outcome,
            // The notes that follow one another at the end of a report that killed nothing
            // (no killable process, then the deadlock panic; or the ignored sysrq request);
            // after a kill, a no-killable note is another OOM invocation's.
            Shape::EndNote(note, _) => match note {
                EndNote::NoKillable => outcome && report.end_note.is_none(),
                _ => !report.victims.is_empty() || report.exiting_victim.is_some(),
            },
            Shape::Kill(KillLine::SharedMm | KillLine::MessageOnly(_))
            | Shape::OomGroup(_)
            | Shape::Reaper(_)
            | Shape::KillNote
            | Shape::Suppressed(_) => false,
            // Everything else is printed before the kill.
            _ => outcome,
        }
    }

    /// Parses `shape` into the report and moves to its section.
    fn apply(&mut self, shape: Shape<'_>) -> LineKind {
        self.header_open = false;
        let kind = shape.line_kind();
        if let Some(section) = shape.section() {
            self.section = section;
        }
        let report = &mut self.report;
        match shape {
            Shape::OomHeader(line) => {
                set_comm_once(&mut report.trigger.comm, line.comm);
                self.header_open = !header::read_fields(&mut report.trigger, line.fields);
            }
            Shape::AllocFailure(line) => {
                report.kind = ReportKind::AllocationFailure;
                set_comm_once(&mut report.trigger.comm, line.comm);
                header::read_fields(&mut report.trigger, line.fields);
                self.header_open = alloc_header_open(&report.trigger, line.fields);
            }
            Shape::Cpuset(line) => {
                set_comm_once(&mut report.trigger.comm, line.comm);
                report.trigger.cpuset = Some(line.cpuset.to_string());
                report.trigger.mems_allowed = Some(line.mems_allowed.to_string());
            }
            Shape::Cpu(line) => {
                header::apply_cpu_line(&line, &mut report.kernel, &mut report.trigger)
            }
            Shape::Hardware(name) => report.kernel.hardware = Some(name.to_string()),
            Shape::Compaction => report.compaction_disabled = true,
            Shape::TaskIn(line) => {
                report.memcg.task_cgroup = Some(line.task.to_string());
                if let Some(limit) = line.limit {
                    report.memcg.limit_cgroup = Some(limit.to_string());
                }
            }
            Shape::LimitOf(limit) => report.memcg.limit_cgroup = Some(limit.to_string()),
            Shape::LimitReached(path) => report.memcg.limit_reached_cgroup = Some(path.to_string()),
            Shape::Counter(counter_kind, counter) => {
                memcg::apply_counter(&mut report.memcg, counter_kind, counter);
            }
            Shape::StatsHead(head) => {
                let index = memcg::stats_entry(&mut report.memcg, head.cgroup);
                self.stats_index = Some(index);
                self.stats_fragment = None;
                if let Some(stats) = report.memcg.stats.get_mut(index) {
                    memcg::read_stats(head.inline, stats, &mut self.stats_fragment);
                }
            }
            Shape::MemInfoStart => report.meminfo.present = true,
            Shape::Area(line) => {
                if let Some(zone) = meminfo::apply_area(&mut report.meminfo, line) {
                    self.last_zone = Some(zone);
                }
            }
            Shape::LowmemReserve(values) => {
                if let Some(zone) = self
                    .last_zone
                    .and_then(|index| report.meminfo.zones.get_mut(index))
                {
                    zone.lowmem_reserve_pages = values;
                }
            }
            Shape::Tail(tail) => {
                match tail {
                    meminfo::Tail::RamPages(_) => self.saw_pages_ram = true,
                    meminfo::Tail::ReservedPages(_) => self.show_mem_done |= self.saw_pages_ram,
                    _ => {}
                }
                meminfo::apply_tail(&mut report.meminfo, tail);
            }
            Shape::TasksState => self.task_columns.clear(),
            Shape::TaskHeading(columns) => self.task_columns = columns,
            Shape::Summary(summary) => report.summary = Some(summary),
            Shape::Kill(line) => apply_kill(report, line),
            Shape::OomGroup(path) => {
                if report.oom_group.is_none() {
                    report.oom_group = Some(path.to_string());
                }
            }
            Shape::Reaper(result) => {
                // Judged before this line: the report as it stood when the reaper spoke.
                self.reaped_after_dump |= past_its_dump(report);
                if !report.reaper.iter().any(|known| known.pid == result.pid) {
                    report.reaper.push(result);
                }
            }
            Shape::EndNote(note, panicked) => {
                // The first note says why nothing was killed; the deadlock panic after it
                // only adds that the kernel stopped.
                report.end_note.get_or_insert(note);
                report.panicked |= panicked;
                // Only sysrq's moom_callback prints it (drivers/tty/sysrq.c).
                report.sysrq |= note == EndNote::RequestIgnored;
            }
            Shape::ManualRequest => report.sysrq = true,
            Shape::Suppressed(count) => {
                report.headers_suppressed = report.headers_suppressed.saturating_add(count)
            }
            Shape::ReportFrame(function) => report.call_trace.push(function.to_string()),
            Shape::StackMarker | Shape::SlabStart | Shape::ProfileStart | Shape::KillNote => {}
        }
        kind
    }
}

/// Whether an allocation-failure header may go on on the next line: a hard wrap cut it
/// before `mode:` or after a field's comma (`…, mode:0xc04(GFP_NOIO|GFP_DMA32),`).
fn alloc_header_open(trigger: &Trigger, fields: &str) -> bool {
    trigger.gfp_mask.is_none() || fields.trim_end().ends_with(',')
}

/// Sets the trigger's comm from the first line that names it.
fn set_comm_once(comm: &mut Option<String>, name: &str) {
    if comm.is_none() && !name.is_empty() {
        *comm = Some(name.to_string());
    }
}

fn apply_kill(report: &mut OomReport, line: KillLine<'_>) {
    let message = match &line {
        KillLine::Selected { message, .. }
        | KillLine::Exiting { message, .. }
        | KillLine::MessageOnly(message) => Some(*message),
        KillLine::Killed { message, .. } => *message,
        KillLine::SharedMm => None,
    };
    if let (None, Some(message)) = (&report.kill_message, message) {
        report.kill_message = Some(message.to_string());
    }
    match line {
        KillLine::Selected { task, .. } => report.selected = Some(task),
        // Only the chosen victim's exit is the report's outcome, not a group member's.
        KillLine::Exiting { task, .. } => {
            if report.oom_group.is_none() && report.exiting_victim.is_none() {
                report.exiting_victim = Some(task);
            }
        }
        KillLine::Killed { victim, .. } => {
            if !report.victims.iter().any(|known| known.pid == victim.pid) {
                report.victims.push(victim);
            }
        }
        KillLine::SharedMm | KillLine::MessageOnly(_) => {}
    }
}

/// Whether `report` has printed what `dump_header` prints after its header (memory
/// figures, the task table, the summary), or has no header: an `oom_reaper` line read now
/// may be its outcome. The reaper (mm/oom_kill.c `oom_reap_task`) runs in its own thread
/// after a kill, so in a storm the line for the last victim can land right after the next
/// report's header; read there it is no outcome of that report.
fn past_its_dump(report: &OomReport) -> bool {
    report.task_rows_seen > 0
        || report.meminfo.present
        || report.memcg.memory.is_some()
        || report.summary.is_some()
        || report.trigger.gfp_mask.is_none()
}

/// What a finished report says that no single line did: its kind, then its victims.
fn finish_report(report: &mut OomReport) {
    settle_kind(report);
    complete_victims(report);
}

/// The victims a finished report names: the fallback victim when no Killed line was read,
/// and each victim's name where its kill line lost it.
fn complete_victims(report: &mut OomReport) {
    if report.kind == ReportKind::OomKill && report.victims.is_empty() {
        if let Some(victim) = fallback_victim(report) {
            report.victims.push(victim);
        }
    }
    name_unnamed_victims(report);
}

/// Takes a report whose header was lost for the allocation failure its call trace shows
/// ([`ALLOCATION_FAILURE_FRAMES`]), where nothing of the OOM killer was read (header,
/// summary, memcg section, selection, kill, its frames).
fn settle_kind(report: &mut OomReport) {
    let oom_killer_seen = report.trigger.gfp_mask.is_some()
        || report.summary.is_some()
        || !report.victims.is_empty()
        || report.selected.is_some()
        || report.kill_message.is_some()
        || report.end_note.is_some()
        || report.memcg.limit_cgroup.is_some()
        || report
            .call_trace
            .iter()
            .any(|f| OOM_KILLER_FRAMES.contains(&f.as_str()) || f == "out_of_memory");
    let warned = report
        .call_trace
        .iter()
        .any(|f| ALLOCATION_FAILURE_FRAMES.contains(&f.as_str()));
    if report.kind == ReportKind::OomKill && warned && !oom_killer_seen {
        report.kind = ReportKind::AllocationFailure;
    }
}

/// Gives a victim whose kill line was cut before its comm (`Killed process 62769 (`) the name
/// the report prints for the same task elsewhere: the summary's `task=` (mm/oom_kill.c
/// `dump_oom_summary` describes the victim), else its row in the task table (`dump_tasks`).
fn name_unnamed_victims(report: &mut OomReport) {
    let summary = report.summary.as_ref();
    for victim in report.victims.iter_mut().filter(|v| v.comm.is_empty()) {
        let from_summary = summary
            .filter(|s| s.pid.is_none_or(|pid| pid == victim.pid))
            .and_then(|s| s.task.clone())
            .filter(|task| !task.is_empty());
        let from_table = || {
            report
                .tasks
                .iter()
                .find(|row| row.pid == victim.pid)
                .map(|row| row.name.clone())
        };
        if let Some(name) = from_summary.or_else(from_table) {
            victim.comm = name;
        }
    }
}

/// The victim named by a line other than `Killed process` (reference §4 order).
fn fallback_victim(report: &OomReport) -> Option<Victim> {
    let named = |pid: u32, comm: &str, source: VictimSource| Victim {
        pid,
        comm: comm.to_string(),
        source,
        ..Victim::default()
    };
    let from_summary = || {
        let summary = report
            .summary
            .as_ref()
            .filter(|summary| !summary.truncated)?;
        let comm = summary.task.as_deref().unwrap_or("");
        Some(Victim {
            uid: summary.uid,
            ..named(summary.pid?, comm, VictimSource::Summary)
        })
    };
    report
        .reaper
        .first()
        .map(|reaper| named(reaper.pid, &reaper.comm, VictimSource::Reaper))
        .or_else(from_summary)
        .or_else(|| {
            let selected = report.selected.as_ref()?;
            Some(named(selected.pid, &selected.comm, VictimSource::Selected))
        })
}

/// Parses a whole report from its lines (prefixes already stripped), ignoring foreign lines.
pub fn parse_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> OomReport {
    let mut builder = ReportBuilder::new();
    for line in lines {
        let _ = builder.accept(line);
    }
    builder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{PageCounter, ZoneWatermarks};
    use std::path::{Path, PathBuf};

    /// Feeds `lines` to one builder and returns each answer.
    fn answers(builder: &mut ReportBuilder, lines: &[&str]) -> Vec<Accept> {
        lines.iter().map(|line| builder.accept(line)).collect()
    }

    fn member(kind: LineKind) -> Accept {
        Accept::Member(kind)
    }

    const OPENERS: [(&str, LineKind); 11] = [
        ("test invoked oom-killer: gfp_mask=0x62****(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0", LineKind::OomHeader),
        ("sManagerService: page allocation failure: order:2, mode:0x2000d1", LineKind::AllocFailureHeader),
        ("oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0", LineKind::Summary),
        ("Out of memory: Kill process 3714 (dsm_om_connsvcd) score 2 or sacrifice child", LineKind::Selected),
        ("Killed process 28438 (java) total-vm:20255636kB, anon-rss:466160kB, file-rss:13684kB", LineKind::Killed),
        ("Memory cgroup out of memory: Killed process 988370 (python) total-vm:9783776kB, anon-rss:95724kB, file-rss:3268kB, shmem-rss:0kB, UID:0 pgtables:240kB oom_score_adj:995", LineKind::Killed),
        ("Memory cgroup out of memory", LineKind::Body),
        ("Task in /mm_test/2 killed as a result of limit of /mm_test", LineKind::Memcg),
        ("Memory limit reached of cgroup /kubepods/pod1", LineKind::Memcg),
        ("memory: usage 204800kB, limit 204800kB, failcnt 26", LineKind::Memcg),
        ("Memory cgroup stats for /garden/good/db315859-a870-4d77-50f9-02b6:", LineKind::Memcg),
    ];

    #[test]
    fn opening_kind_for_report_specific_lines() {
        for (line, kind) in OPENERS {
            assert_eq!(opening_kind(line), Some(kind), "{line}");
        }
    }

    #[test]
    fn opening_line_is_member_of_fresh_builder() {
        for (line, kind) in OPENERS {
            assert_eq!(ReportBuilder::new().accept(line), member(kind), "{line}");
        }
    }

    #[test]
    fn opening_kind_none_for_body_and_foreign_lines() {
        for line in [
            " dump_stack+0x63/0x90",
            " [<ffffffff81401c43>] dump_stack+0x63/0x90",
            "active_anon:861397 inactive_anon:23397 isolated_anon:0",
            "[  13432]     0 13432   787016   786745  6344704        0             0 mem_on_node1",
            "Mem-Info:",
            "Node 0 Normal free:46592kB min:46712kB low:58388kB high:70064kB",
            "Node 0 Normal: 1325*4kB (UME) 966*8kB (UME) = 23500kB",
            "anon 98742272",
            "kmem: usage 7524kB, limit 9007199254740988kB, failcnt 0",
            "oom_reaper: reaped process 27281 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
            "systemd[1]: cri-containerd-25a3.scope: A process of this unit has been killed by the OOM killer.",
            "[I/sensorhub] shb_release ok",
            "",
        ] {
            assert_eq!(opening_kind(line), None, "{line}");
        }
    }

    #[test]
    fn foreign_lines_stay_foreign_inside_every_section() {
        let foreign = [
            "eth0: link up",
            "Note the high pages_scanned and all_unreclaimable. I suspect something",
            "systemd[1]: Started Session 4 of user root.",
            "[I/sensorhub] shb_release ok",
            "containerd[2388]: time=\"2023-10-12T19:00:20Z\" level=info msg=\"TaskOOM event\"",
            "node-problem-detector-startup.sh[3240]: I1012 19:00:20.884452 3240 log_monitor.go:160] Message:Memory cgroup out of memory: Killed process 183960 (stress-ng-vm)",
            "xxd -e -g8 -c8 /proc/kpagecount | cut -d\" \" -f2 | sort | uniq -c",
        ];
        let section_openers = [
            "java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0",
            "Memory cgroup stats for /docker/1:",
            "Mem-Info:",
            "Tasks state (memory values in pages):",
            "Unreclaimable slab info:",
            "Memory allocations:",
        ];
        for opener in section_openers {
            let mut builder = ReportBuilder::new();
            assert!(
                matches!(builder.accept(opener), Accept::Member(_)),
                "{opener}"
            );
            for line in foreign {
                assert_eq!(
                    builder.accept(line),
                    Accept::Foreign,
                    "{line} after {opener}"
                );
            }
        }
    }

    #[test]
    fn section_shapes_are_foreign_outside_their_section() {
        let mut builder = ReportBuilder::new();
        builder.accept("memory: usage 1kB, limit 1kB, failcnt 0");
        assert_eq!(
            builder.accept("active_anon:172 inactive_anon:4518735"),
            Accept::Foreign
        );
        assert_eq!(builder.accept("anon 98742272"), Accept::Foreign);
        assert_eq!(
            builder.accept(
                "[  13432]     0 13432   787016   786745  6344704        0             0 x"
            ),
            Accept::Foreign
        );
        assert_eq!(
            builder.accept(" 0000000000000286 ac45344c9134371f ffff8800b8727c88"),
            Accept::Foreign
        );
        assert_eq!(builder.accept(" dump_stack+0x63/0x90"), Accept::Foreign);
        assert_eq!(
            builder.accept("Memory cgroup stats for /docker/1:"),
            member(LineKind::Memcg)
        );
        assert_eq!(builder.accept("anon 98742272"), member(LineKind::Memcg));
        assert_eq!(
            builder.accept("active_anon:172 inactive_anon:4518735"),
            Accept::Foreign
        );
        assert_eq!(builder.accept("Mem-Info:"), member(LineKind::Body));
        assert_eq!(builder.accept("anon 1"), Accept::Foreign);
        assert_eq!(
            builder.accept(" active_file:146274 inactive_file:144248 isolated_file:0"),
            member(LineKind::Body)
        );
        let report = builder.report();
        assert_eq!(report.memcg.stats[0].get("anon"), Some(98_742_272));
        assert_eq!(report.meminfo.counter("active_file"), Some(146_274));
        assert_eq!(report.meminfo.counter("active_anon"), None);
        assert!(report.call_trace.is_empty());
    }

    #[test]
    fn stack_lines_of_4_4_report() {
        let mut builder = ReportBuilder::new();
        let got = answers(
            &mut builder,
            &[
                "main invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0",
                "main cpuset=34186d9bd07706222bd427bb647ceed81e8e108eb653ff73c7137099fca1cab6 mems_allowed=0",
                "CPU: 2 PID: 11345 Comm: main Not tainted 4.4.0-130-generic #156-Ubuntu",
                "Hardware name: innotek GmbH VirtualBox/VirtualBox, BIOS VirtualBox 12/01/2006",
                " 0000000000000286 ac45344c9134371f ffff8800b8727c88 ffffffff81401c43",
                "Call Trace:",
                " [<ffffffff81401c43>] dump_stack+0x63/0x90",
                " [<ffffffff81205514>] ? mem_cgroup_iter+0x204/0x3a0",
                " [<ffffffff81207583>] mem_cgroup_out_of_memory+0x2b3/0x300",
                "RIP: 0033:0x7fa053e5a20d",
                "R13: 00007fa04c4b3000 R14: 0000000100000768 R15: 0000000010000000",
            ],
        );
        assert!(
            got[2..]
                .iter()
                .all(|answer| *answer == member(LineKind::Body)),
            "{got:?}"
        );
        let report = builder.report();
        assert_eq!(
            report.call_trace,
            ["dump_stack", "mem_cgroup_iter", "mem_cgroup_out_of_memory"]
        );
        assert_eq!(report.trigger.pid, Some(11345));
        assert_eq!(
            report.trigger.cpuset.as_deref(),
            Some("34186d9bd07706222bd427bb647ceed81e8e108eb653ff73c7137099fca1cab6")
        );
        assert_eq!(report.kernel.release.as_deref(), Some("4.4.0-130-generic"));
        assert_eq!(
            report.kernel.hardware.as_deref(),
            Some("innotek GmbH VirtualBox/VirtualBox, BIOS VirtualBox 12/01/2006")
        );
    }

    #[test]
    fn seed_header_lines_with_redactions() {
        let mut builder = ReportBuilder::new();
        let got = answers(
            &mut builder,
            &[
                "test invoked oom-killer: gfp_mask=0x62****(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0",
                "test cpuset=/ mems_allowed=0",
                "CPU: 1 PID: 29748 Comm: test Kdump: loaded Not tainted 4.19.91-24.1.al7.x86_64 #1",
                "Hardware name: Alibaba Cloud Alibaba Cloud ECS, BIOS e62**** 04/01/2014",
            ],
        );
        assert_eq!(got[0], member(LineKind::OomHeader));
        assert_eq!(got[1..], [member(LineKind::Body); 3]);
        let report = builder.finish();
        assert_eq!(report.trigger.comm.as_deref(), Some("test"));
        assert_eq!(report.trigger.gfp_mask.as_deref(), Some("0x62****"));
        assert_eq!(report.trigger.cpuset.as_deref(), Some("/"));
        assert_eq!(report.trigger.pid, Some(29748));
        assert_eq!(report.kernel.cpu, Some(1));
        assert_eq!(report.kernel.tainted, None);
        assert_eq!(
            report.kernel.release.as_deref(),
            Some("4.19.91-24.1.al7.x86_64")
        );
        assert_eq!(
            report.kernel.hardware.as_deref(),
            Some("Alibaba Cloud Alibaba Cloud ECS, BIOS e62**** 04/01/2014")
        );
        assert!(report.victims.is_empty());
    }

    #[test]
    fn stack_markers_of_every_generation() {
        let mut builder = ReportBuilder::new();
        builder.accept("sManagerService: page allocation failure: order:2, mode:0x2000d1");
        for line in [
            "TGID: 981 Comm: system_server",
            "Workqueue: events moom_callback",
            "Call trace:",
            "Call Trace:",
            " <TASK>",
            " show_stack+0x52/0x58",
            "Code: Unable to access opcode bytes at RIP 0x560f8a114623.",
            " </TASK>",
        ] {
            assert_eq!(builder.accept(line), member(LineKind::Body), "{line}");
        }
        assert_eq!(builder.report().call_trace, ["show_stack"]);
        assert_eq!(builder.accept("Workqueues are great"), Accept::Foreign);
    }

    #[test]
    fn header_wrapped_over_three_lines() {
        let mut builder = ReportBuilder::new();
        let got = answers(
            &mut builder,
            &[
                "irqbalance invoked oom-killer:",
                "gfp_mask=0x24280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=0-1, order=0,",
                "oom_score_adj=0",
                "order=5",
            ],
        );
        assert_eq!(got[..3], [member(LineKind::OomHeader); 3]);
        assert_eq!(got[3], Accept::Foreign);
        let trigger = &builder.report().trigger;
        assert_eq!(trigger.nodemask.as_deref(), Some("0-1"));
        assert_eq!((trigger.order, trigger.oom_score_adj), (Some(0), Some(0)));
    }

    #[test]
    fn header_wrapped_between_the_mask_and_its_flags() {
        let mut builder = ReportBuilder::new();
        let got = answers(
            &mut builder,
            &[
                "InputReader invoked oom-killer: gfp_mask=0x240c2c0",
                "(GFP_KERNEL|__GFP_NOWARN|__GFP_COMP|__GFP_ZERO), nodemask=0, order=3,",
                "oom_score_adj=-900",
            ],
        );
        assert_eq!(got, [member(LineKind::OomHeader); 3]);
        let trigger = &builder.report().trigger;
        assert_eq!(trigger.gfp_mask.as_deref(), Some("0x240c2c0"));
        assert_eq!(trigger.gfp_flags[0], "GFP_KERNEL");
        assert_eq!(
            (trigger.order, trigger.oom_score_adj),
            (Some(3), Some(-900))
        );
    }

    #[test]
    fn second_header_begins_next() {
        let mut builder = ReportBuilder::new();
        builder.accept(
            "test invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        );
        assert_eq!(
            builder.accept(
                "test invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
            ),
            Accept::BeginsNext
        );
        assert_eq!(
            builder.accept("insmod: page allocation failure: order:3, mode:0xcc0(GFP_KERNEL)"),
            Accept::BeginsNext
        );
        let mut opened_late = ReportBuilder::new();
        opened_late.accept("Task in /a killed as a result of limit of /a");
        assert_eq!(
            opened_late.accept("a invoked oom-killer"),
            Accept::BeginsNext
        );
    }

    #[test]
    fn callbacks_suppressed_then_header_is_one_report() {
        let mut builder = ReportBuilder::new();
        assert_eq!(
            builder.accept("oom_kill_process: 3 callbacks suppressed"),
            member(LineKind::Body)
        );
        assert_eq!(
            builder.accept(
                "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
            ),
            member(LineKind::OomHeader)
        );
    }

    #[test]
    fn header_after_victim_begins_next() {
        let mut builder = ReportBuilder::new();
        builder.accept("Memory cgroup out of memory: Killed process 183960 (stress-ng-vm) total-vm:299192kB, anon-rss:93176kB, file-rss:316kB, shmem-rss:12kB, UID:0 pgtables:476kB oom_score_adj:1000");
        assert!(builder.is_complete());
        assert_eq!(builder.accept("systemd[1]: cri-containerd-25a38b5b.scope: A process of this unit has been killed by the OOM killer."), Accept::Foreign);
        assert_eq!(builder.accept("stress-ng-vm invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=1000"), Accept::BeginsNext);
        assert_eq!(
            builder.accept("Memory cgroup stats for /a:"),
            Accept::BeginsNext
        );
    }

    #[test]
    fn second_summary_begins_next() {
        let summary = "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=a,pid=1,uid=0";
        let mut builder = ReportBuilder::new();
        assert_eq!(builder.accept(summary), member(LineKind::Summary));
        assert_eq!(builder.accept(summary), Accept::BeginsNext);
    }

    #[test]
    fn killed_after_victim_begins_next_unless_same_pid() {
        let mut builder = ReportBuilder::new();
        builder.accept("Memory cgroup out of memory: Killed process 1949510 (envoy) total-vm:3264844kB, anon-rss:18812kB, file-rss:30452kB, shmem-rss:4kB, UID:4294967294 pgtables:732kB oom_score_adj:0");
        assert_eq!(
            builder.accept("Memory cgroup out of memory: Killed process 2009943 (envoy) total-vm:3264844kB, anon-rss:19012kB, file-rss:30712kB, shmem-rss:4kB, UID:4294967294 pgtables:740kB oom_score_adj:0"),
            Accept::BeginsNext
        );
        assert_eq!(
            builder.accept("Memory cgroup out of memory: Killed process 1949510 (envoy) total-vm:3264844kB, anon-rss:18812kB, file-rss:30452kB, shmem-rss:4kB, UID:4294967294 pgtables:732kB oom_score_adj:0"),
            member(LineKind::Killed)
        );
        assert_eq!(builder.report().victims.len(), 1);
        assert_eq!(builder.report().victims[0].uid, Some(4_294_967_294));
    }

    #[test]
    fn selected_after_kill_begins_next() {
        let mut builder = ReportBuilder::new();
        builder.accept("Out of memory: Kill process 6576 (mysqld) score 651 or sacrifice child");
        builder.accept("Killed process 6576 (mysqld) total-vm:33914892kB, anon-rss:20629004kB, file-rss:0kB, shmem-rss:0kB");
        assert_eq!(
            builder.accept("Kill process 6577 (mysqld) sharing same memory"),
            member(LineKind::Body)
        );
        assert_eq!(
            builder.accept("Out of memory: Kill process 7000 (java) score 600 or sacrifice child"),
            Accept::BeginsNext
        );
    }

    #[test]
    fn alloc_failure_header_in_oom_report_begins_next() {
        let mut builder = ReportBuilder::new();
        builder.accept("Xorg invoked oom-killer: gfp_mask=0x24040c0(GFP_KERNEL|__GFP_COMP), order=3, oom_score_adj=0");
        assert_eq!(
            builder.accept(
                "Xorg: page allocation failure: order:3, mode:0x24040c0(GFP_KERNEL|__GFP_COMP)"
            ),
            Accept::BeginsNext
        );
        let mut failure = ReportBuilder::new();
        failure.accept(
            "Xorg: page allocation failure: order:3, mode:0x24040c0(GFP_KERNEL|__GFP_COMP)",
        );
        assert_eq!(
            failure.accept("Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:1kB"),
            Accept::BeginsNext
        );
        assert_eq!(failure.report().kind, ReportKind::AllocationFailure);
    }

    #[test]
    fn alloc_failure_header_wrapped_before_mode() {
        let report = parse_lines([
            "kworker/u8:7: page allocation failure: order:3,",
            "mode:0x60820(GFP_ATOMIC|__GFP_COMP|__GFP_MEMALLOC)",
            "Hardware name: Raspberry Pi 5 Model B Rev 1.1 (DT)",
        ]);
        assert_eq!(report.kind, ReportKind::AllocationFailure);
        assert_eq!(report.trigger.order, Some(3));
        assert_eq!(report.trigger.gfp_mask.as_deref(), Some("0x60820"));
        assert_eq!(report.trigger.gfp_flags[0], "GFP_ATOMIC");
    }

    #[test]
    fn alloc_failure_header_wrapped_before_nodemask() {
        let report = parse_lines([
            "kworker/u33:5: page allocation failure: order:7, mode:0xc04(GFP_NOIO|GFP_DMA32),",
            "nodemask=(null),cpuset=/,mems_allowed=0",
        ]);
        assert_eq!(report.trigger.gfp_mask.as_deref(), Some("0xc04"));
        assert_eq!(report.trigger.nodemask.as_deref(), Some("(null)"));
        assert_eq!(report.trigger.mems_allowed.as_deref(), Some("0"));
    }

    #[test]
    fn oom_group_member_already_exiting_stays_in_report() {
        let mut builder = ReportBuilder::new();
        let got = answers(
            &mut builder,
            &[
                "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=c.scope,mems_allowed=0,oom_memcg=/pod.slice,task_memcg=/pod.slice/c.scope,task=stress,pid=10,uid=0",
                "Memory cgroup out of memory: Killed process 10 (stress) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
                "Tasks in /pod.slice/c.scope are going to be killed due to memory.oom.group set",
                "Memory cgroup out of memory: OOM victim 11 (stress) is already exiting. Skip killing the task",
                "Memory cgroup out of memory: Killed process 12 (stress) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0",
                "Memory cgroup out of memory: OOM victim 13 (stress) is already exiting. Skip killing the task",
            ],
        );
        assert_eq!(
            got,
            [
                member(LineKind::Summary),
                member(LineKind::Killed),
                member(LineKind::OomGroup),
                member(LineKind::Selected),
                member(LineKind::Killed),
                member(LineKind::Selected)
            ]
        );
        let report = builder.finish();
        let pids: Vec<u32> = report.victims.iter().map(|victim| victim.pid).collect();
        assert_eq!(pids, [10, 12]);
        assert!(report.exiting_victim.is_none());
    }

    #[test]
    fn exiting_after_kill_without_oom_group_begins_next() {
        let mut builder = ReportBuilder::new();
        builder.accept("Memory cgroup out of memory: Killed process 10 (stress) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0");
        assert_eq!(
            builder.accept("Memory cgroup out of memory: OOM victim 11 (stress) is already exiting. Skip killing the task"),
            Accept::BeginsNext
        );
    }

    #[test]
    fn oom_group_members_pushed_once() {
        let mut builder = ReportBuilder::new();
        let killed = "Memory cgroup out of memory: Killed process 22609 (node) total-vm:9923620kB, anon-rss:4116684kB, file-rss:23132kB, shmem-rss:0kB, UID:0 pgtables:10964kB oom_score_adj:969";
        let got = answers(
            &mut builder,
            &[
                "Thread-2 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=969",
                killed,
                "Tasks in /kubepods.slice/kubepods-burstable.slice/pod94eb.slice/cri-containerd-46b3.scope are going to be killed due to memory.oom.group set",
                killed,
                "Memory cgroup out of memory: Killed process 22700 (npm) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:969",
            ],
        );
        assert_eq!(
            got,
            [
                member(LineKind::OomHeader),
                member(LineKind::Killed),
                member(LineKind::OomGroup),
                member(LineKind::Killed),
                member(LineKind::Killed)
            ]
        );
        let report = builder.finish();
        let pids: Vec<u32> = report.victims.iter().map(|victim| victim.pid).collect();
        assert_eq!(pids, [22609, 22700]);
        assert_eq!(
            report.oom_group.as_deref(),
            Some(
                "/kubepods.slice/kubepods-burstable.slice/pod94eb.slice/cri-containerd-46b3.scope"
            )
        );
        assert_eq!(
            report.kill_message.as_deref(),
            Some("Memory cgroup out of memory")
        );
    }

    #[test]
    fn fallback_victim_prefers_reaper_then_summary_then_selected() {
        let selected =
            "Out of memory: Kill process 3714 (dsm_om_connsvcd) score 2 or sacrifice child";
        let summary = "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/x,task=summarized,pid=55,uid=7";
        let reaper = "oom_reaper: reaped process 3714 (dsm_om_connsvcd), now anon-rss:0kB, file-rss:20kB, shmem-rss:0kB";

        let all = parse_lines([selected, summary, reaper]);
        assert_eq!(
            (all.victims[0].pid, all.victims[0].source),
            (3714, VictimSource::Reaper)
        );

        let no_reaper = parse_lines([summary, selected]);
        let victim = &no_reaper.victims[0];
        assert_eq!(
            (victim.pid, victim.comm.as_str(), victim.uid, victim.source),
            (55, "summarized", Some(7), VictimSource::Summary)
        );

        let only_selected = parse_lines([selected]);
        assert_eq!(
            (
                only_selected.victims[0].pid,
                only_selected.victims[0].source
            ),
            (3714, VictimSource::Selected)
        );

        let cut_summary = parse_lines([
            "oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0,global_oom,task=a,pid=98",
            selected,
        ]);
        assert_eq!(cut_summary.victims[0].source, VictimSource::Selected);

        let killed = parse_lines([selected, "Killed process 3714 (dsm_om_connsvcd) total-vm:3844004kB, anon-rss:49616kB, file-rss:13028kB, shmem-rss:0kB", reaper]);
        assert_eq!(killed.victims.len(), 1);
        assert_eq!(killed.victims[0].source, VictimSource::Killed);
        assert_eq!(killed.victims[0].total_vm_kb, Some(3_844_004));
    }

    #[test]
    fn rhel7_selected_pid_differs_from_killed() {
        let report = parse_lines([
            "Memory cgroup out of memory: Kill process 24572 (java) score 0 or sacrifice child",
            "Killed process 28438 (java) total-vm:20255636kB, anon-rss:466160kB, file-rss:13684kB",
        ]);
        assert_eq!(report.selected.as_ref().map(|task| task.pid), Some(24572));
        assert_eq!(report.victims[0].pid, 28438);
        assert_eq!(
            report.kill_message.as_deref(),
            Some("Memory cgroup out of memory")
        );
    }

    #[test]
    fn joined_kill_line_from_wrapped_mail() {
        let mut builder = ReportBuilder::new();
        builder.accept("oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=test,mems_allowed=0,global_oom,task_memcg=/user.slice/user-0.slice/session-4.scope,task=memkiller,pid=1968,uid=0");
        assert_eq!(
            builder.accept("Out of memory: Killed process 1968 (memkiller) total-vm:2099436kB, anon-rss:1971712kB, file-rss:1024kB, shmem-rss:0kB, UID:0 pgtables:3904kB oom_score_adj:0"),
            member(LineKind::Killed)
        );
        let report = builder.finish();
        assert_eq!(report.victims[0].anon_rss_kb, Some(1_971_712));
        assert_eq!(
            report.summary.unwrap().constraint.as_deref(),
            Some("CONSTRAINT_CPUSET")
        );
    }

    #[test]
    fn summary_hard_wrapped_and_rejoined() {
        let report = parse_lines(["oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null), cpuset=cri-containerd-f697.scope,mems_allowed=0, oom_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b.slice, task_memcg=/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod233b.slice/cri-containerd-f697.scope, task=python,pid=988370,uid=0"]);
        let summary = report.summary.unwrap();
        assert_eq!(summary.task.as_deref(), Some("python"));
        assert_eq!(summary.pid, Some(988_370));
        assert_eq!(report.victims[0].source, VictimSource::Summary);
    }

    #[test]
    fn is_complete_rules() {
        let mut killed = ReportBuilder::new();
        killed.accept("a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        assert!(!killed.is_complete());
        killed.accept("Out of memory: Killed process 5 (a) total-vm:1kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB");
        assert!(killed.is_complete());

        // After the task table (a grep that kept no kill line), a reaper line ends the report;
        // right after the header it is the last report's victim being reaped.
        let mut reaped = ReportBuilder::new();
        reaped.accept("a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        reaped.accept("oom_reaper: reaped process 32055 (php-fpm), now anon-rss:0kB, file-rss:0kB, shmem-rss:19292kB");
        assert!(!reaped.is_complete());
        reaped.accept(
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
        );
        reaped.accept(
            "[  29454]  1000 29454   102454    15899   282624        0           934 php-fpm",
        );
        reaped.accept("oom_reaper: unable to reap pid:29454 (php-fpm)");
        assert!(reaped.is_complete());

        let mut exiting = ReportBuilder::new();
        assert_eq!(exiting.accept("Memory cgroup out of memory: OOM victim 5 (a) is already exiting. Skip killing the task"), member(LineKind::Selected));
        assert!(exiting.is_complete());
        assert_eq!(
            exiting
                .report()
                .exiting_victim
                .as_ref()
                .map(|task| task.pid),
            Some(5)
        );
        assert!(exiting.finish().victims.is_empty());

        let mut failure = ReportBuilder::new();
        failure.accept("sManagerService: page allocation failure: order:2, mode:0x2000d1");
        failure.accept("Mem-Info:");
        failure.accept("51441 pages reserved");
        assert!(
            !failure.is_complete(),
            "reserved before RAM is not the tail"
        );
        failure.accept("992767 pages RAM");
        failure.accept("0 pages HighMem/MovableOnly");
        assert!(!failure.is_complete());
        failure.accept("51441 pages reserved");
        assert!(failure.is_complete());
        assert_eq!(
            failure.accept("8192 pages cma reserved"),
            member(LineKind::Body)
        );
        let report = failure.finish();
        assert!(report.victims.is_empty());
        assert_eq!(report.meminfo.ram_pages, Some(992_767));
    }

    #[test]
    fn top_tasks_of_100000_rows_bounded_and_largest() {
        let mut builder = ReportBuilder::new();
        builder.accept("Tasks state (memory values in pages):");
        builder.accept(
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
        );
        for pid in 1..=100_000u64 {
            // A spread of rss values, the largest at pids 99_991..=100_000 only by hash.
            let rss = (pid * 7_919) % 100_003;
            let line = format!("[{pid:>7}]  1000 {pid:>5}    23121 {rss:>8}   212992     4117             0 worker {pid}");
            assert_eq!(builder.accept(&line), member(LineKind::Body));
            assert!(builder.report().tasks.capacity() <= 2 * (TASK_ROWS_KEPT + 1));
        }
        let report = builder.finish();
        assert_eq!(report.task_rows_seen, 100_000);
        assert_eq!(report.tasks.len(), TASK_ROWS_KEPT);
        let mut all: Vec<u64> = (1..=100_000u64)
            .map(|pid| (pid * 7_919) % 100_003)
            .collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        let kept: Vec<u64> = report.tasks.iter().map(|task| task.rss_pages).collect();
        assert_eq!(kept, all[..TASK_ROWS_KEPT]);
        let largest = &report.tasks[0];
        assert_eq!(largest.name, format!("worker {}", largest.pid));
    }

    #[test]
    fn numbers_that_overflow_are_none_not_wrapped() {
        let report = parse_lines([
            "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=99999999999, oom_score_adj=0",
            "memory: usage 99999999999999999999kB, limit 1kB, failcnt 0",
            "Killed process 5 (a) total-vm:99999999999999999999kB, anon-rss:1kB, file-rss:1kB, shmem-rss:0kB, UID:4294967296",
        ]);
        assert_eq!(report.trigger.order, None);
        assert_eq!(report.trigger.oom_score_adj, Some(0));
        assert_eq!(report.memcg.memory, None);
        assert_eq!(report.victims[0].total_vm_kb, None);
        assert_eq!(report.victims[0].anon_rss_kb, Some(1));
        assert_eq!(report.victims[0].uid, None);
    }

    #[test]
    fn memory_stat_record_with_embedded_newlines() {
        let mut builder = ReportBuilder::new();
        builder.accept("memory: usage 102400kB, limit 102400kB, failcnt 6402");
        assert_eq!(
            builder.accept(
                "Memory cgroup stats for /kubepods.slice/pod.slice:\nanon 98742272\nfile 2469888\n"
            ),
            member(LineKind::Memcg)
        );
        assert_eq!(
            builder.accept("anon 1\nTasks state (memory values in pages):"),
            member(LineKind::Memcg)
        );
        let stats = &builder.report().memcg.stats[0];
        assert_eq!(stats.cgroup, "/kubepods.slice/pod.slice");
        assert_eq!(stats.get("file"), Some(2_469_888));
        assert_eq!(stats.get("anon"), Some(98_742_272));
        assert_eq!(
            opening_kind("\nMemory cgroup stats for /a:\nanon 1"),
            Some(LineKind::Memcg)
        );
    }

    #[test]
    fn memcg_v1_section_with_duplicate_paste_and_wrapped_stats() {
        let report = parse_lines([
            "Task in /docker/34186d9b killed as a result of limit of /docker/34186d9b",
            "memory: usage 204800kB, limit 204800kB, failcnt 4563",
            "memory+swap: usage 0kB, limit 9007199254740988kB, failcnt 0",
            "kmem: usage 7524kB, limit 9007199254740988kB, failcnt 0",
            "Task in /docker/34186d9b killed as a result of limit of /docker/34186d9b",
            "memory: usage 204800kB, limit 204800kB, failcnt 4563",
            "Memory cgroup stats for /docker/34186d9b: cache:108KB rss:197168KB rss_huge:0KB mapped_file:4KB inactive_anon:0KB active_anon:197168KB inacti",
            "ve_file:88KB active_file:4KB unevictable:0KB",
        ]);
        let memcg = &report.memcg;
        assert_eq!(memcg.task_cgroup.as_deref(), Some("/docker/34186d9b"));
        assert_eq!(memcg.limit_cgroup.as_deref(), Some("/docker/34186d9b"));
        assert_eq!(
            memcg.memory,
            Some(PageCounter {
                usage_kb: 204_800,
                limit_kb: 204_800,
                failcnt: 4563
            })
        );
        assert!(memcg.memory_swap.unwrap().is_unlimited());
        assert_eq!(memcg.kmem.unwrap().usage_kb, 7524);
        assert_eq!(memcg.stats.len(), 1);
        assert_eq!(memcg.stats[0].get("inactive_file"), Some(88 * 1024));
        assert_eq!(memcg.stats[0].get("unevictable"), Some(0));
    }

    #[test]
    fn task_in_3_10_split_over_two_lines() {
        let mut builder = ReportBuilder::new();
        assert_eq!(
            builder.accept("Task in /a/b killed"),
            member(LineKind::Memcg)
        );
        assert_eq!(
            builder.accept("as a result of limit of /a"),
            member(LineKind::Memcg)
        );
        assert_eq!(builder.report().memcg.limit_cgroup.as_deref(), Some("/a"));
    }

    #[test]
    fn meminfo_of_numa_node_oom_seed() {
        let report = parse_lines([
            "main invoked oom-killer: gfp_mask=0x62****(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0",
            "main cpuset=mm_cpuset mems_allowed=1",
            "Task in / killed as a result of limit of host",
            "Mem-Info:",
            "active_anon:172 inactive_anon:4518735 isolated_anon: free:4111496 free_pcp:1 free_cma:0",
            "Node 1 Normal free:43636kB min:45148kB low:441424kB high:837700kB",
            "lowmem_reserve[]: 0 0 0 0",
            "Node 1 Normal: 856*4kB (UME) 375*8kB (UME) 183*16kB (UME) 184*32kB (UME) 87*64kB (ME) 45*128kB (UME) 16*256kB (UME) 5*512kB (UE) 14*1024kB (UME) 0 *2048kB 0*4096kB = 47560kB",
            "Node 0 hugepages_total=360 hugepages_free=360 hugepages_surp=0 hugepages_size=1048576kB",
            "Node 0 hugepages_total=0 hugepages_free=0 hugepages_surp=0 hugepages_size=2048kB",
            "Node 1 hugepages_total=360 hugepages_free=360 hugepages_surp=0 hugepages_size=1048576kB",
        ]);
        assert_eq!(report.trigger.cpuset.as_deref(), Some("mm_cpuset"));
        assert_eq!(report.trigger.mems_allowed.as_deref(), Some("1"));
        assert_eq!(report.memcg.limit_cgroup.as_deref(), Some("host"));
        assert!(report.meminfo.present);
        assert_eq!(report.meminfo.counter("free"), Some(4_111_496));
        assert_eq!(report.meminfo.counter("isolated_anon"), None);
        let zone = &report.meminfo.zones[0];
        assert_eq!((zone.node, zone.zone.as_str()), (Some(1), "Normal"));
        assert_eq!(
            zone.watermarks,
            Some(ZoneWatermarks {
                free_kb: 43636,
                min_kb: 45148,
                low_kb: 441_424,
                high_kb: 837_700
            })
        );
        assert_eq!(zone.lowmem_reserve_pages, [0, 0, 0, 0]);
        let buddy = zone.buddy.as_ref().unwrap();
        assert_eq!(buddy.orders.len(), 11);
        assert_eq!(buddy.total_kb, Some(47560));
        assert_eq!(report.meminfo.page_size_kb, Some(4));
        assert_eq!(report.meminfo.hugepages.len(), 3);
        assert_eq!(report.meminfo.hugepages[2].node, 1);
    }

    #[test]
    fn lowmem_reserve_attaches_to_the_zone_before_it() {
        let report = parse_lines([
            "Mem-Info:",
            "Node 0 DMA free:15516kB min:136kB low:168kB high:200kB present:15984kB managed:15900kB",
            "lowmem_reserve[]: 0 3196 7658 7658",
            "Node 0 DMA32 free:45980kB min:28148kB low:35184kB high:42220kB present:3617864kB managed:3280092kB",
            "lowmem_reserve[]: 0 0 4462 4462",
            "Node 0 Normal: 9282*4kB (UE) 0*8kB 4*16kB (H) = 39112kB",
            "Node 0 DMA32: 11569*4kB (UME) 50*8kB (M) 2*16kB (M) 0*32kB = 46708kB",
        ]);
        let zones = &report.meminfo.zones;
        assert_eq!(zones.len(), 3);
        assert_eq!(zones[0].lowmem_reserve_pages, [0, 3196, 7658, 7658]);
        assert_eq!(zones[1].lowmem_reserve_pages, [0, 0, 4462, 4462]);
        assert_eq!(zones[1].buddy.as_ref().unwrap().total_kb, Some(46708));
        assert_eq!(zones[2].zone, "Normal");
        assert_eq!(
            zones[2].buddy.as_ref().unwrap().orders[2].migrate_types,
            "H"
        );
        assert!(zones[2].lowmem_reserve_pages.is_empty());
    }

    #[test]
    fn show_mem_tail_and_slab_table() {
        let report = parse_lines([
            "a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            "Mem-Info:",
            "Node 0 DMA per-cpu:",
            "CPU    0: hi:    0, btch:   1 usd:   0",
            "7758107 total pagecache pages",
            "2885 pages in swap cache",
            "Swap cache stats: add 609178, delete 606293, find 331548/559119",
            "Free swap  = 48055104kB",
            "Total swap = 48300028kB",
            "8385304 pages RAM",
            "134396 pages reserved",
            "Unreclaimable slab info:",
            "Name                      Used          Total",
            "kmalloc-2048            1234KB       2048KB",
            "Memory allocations (profiling is currently turned on):",
            "   12.3 MiB     3147 mm/slub.c:2356 func:alloc_slab_page",
        ]);
        let meminfo = &report.meminfo;
        assert_eq!(meminfo.pagecache_pages, Some(7_758_107));
        assert_eq!(meminfo.swap_cache_pages, Some(2885));
        assert_eq!(
            (meminfo.swap_free_kb, meminfo.swap_total_kb),
            (Some(48_055_104), Some(48_300_028))
        );
        assert_eq!(
            (meminfo.ram_pages, meminfo.reserved_pages),
            (Some(8_385_304), Some(134_396))
        );
        assert_eq!(report.unreclaimable_slab.len(), 1);
        assert_eq!(report.unreclaimable_slab[0].total_kb, 2048);
    }

    #[test]
    fn compaction_disabled_and_kill_notes() {
        let mut builder = ReportBuilder::new();
        builder.accept("insmod invoked oom-killer: gfp_mask=0x60****(GFP_KERNEL), nodemask=(null), order=3, oom_score_adj=0");
        assert_eq!(
            builder.accept("COMPACTION is disabled!!!"),
            member(LineKind::Body)
        );
        assert_eq!(
            builder.accept("oom killer 12 (a) has mm pinned by 13 (b)"),
            member(LineKind::Body)
        );
        assert!(builder.report().compaction_disabled);
        assert_eq!(builder.report().trigger.order, Some(3));
    }

    #[test]
    fn no_killable_then_deadlock_panic_ends_one_report() {
        let mut builder = ReportBuilder::new();
        let lines = [
            "stress invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=-1000",
            "Mem-Info:",
            "Out of memory and no killable processes...",
            "Kernel panic - not syncing: System is deadlocked on memory",
        ];
        assert_eq!(
            answers(&mut builder, &lines),
            [
                member(LineKind::OomHeader),
                member(LineKind::Body),
                member(LineKind::EndNote),
                member(LineKind::EndNote),
            ]
        );
        assert!(builder.is_complete());
        let report = builder.finish();
        assert_eq!(report.end_note, Some(EndNote::NoKillable));
        assert!(report.panicked);
        assert!(report.victims.is_empty());
    }

    #[test]
    fn no_killable_after_a_kill_begins_next() {
        let mut builder = ReportBuilder::new();
        builder.accept("Out of memory: Killed process 7 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB");
        assert_eq!(
            builder.accept("Out of memory and no killable processes..."),
            Accept::BeginsNext
        );
    }

    #[test]
    fn panic_on_oom_line_alone_is_a_complete_report() {
        let text = "Kernel panic - not syncing: Out of memory: compulsory panic_on_oom is enabled";
        assert_eq!(opening_kind(text), Some(LineKind::EndNote));
        let mut builder = ReportBuilder::new();
        assert_eq!(builder.accept(text), member(LineKind::EndNote));
        assert!(builder.is_complete());
        assert_eq!(builder.report().end_note, Some(EndNote::CompulsoryPanic));
    }

    #[test]
    fn sysrq_request_then_header_is_one_manual_report() {
        let mut builder = ReportBuilder::new();
        let lines = [
            "oom_kill_process: 2 callbacks suppressed",
            "sysrq: SysRq : Manual OOM execution",
            "kworker/2:9 invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0",
            "Out of memory and no killable processes...",
            "OOM request ignored. No task eligible",
        ];
        assert_eq!(opening_kind(lines[1]), Some(LineKind::EndNote));
        assert_eq!(
            answers(&mut builder, &lines),
            [
                member(LineKind::Body),
                member(LineKind::EndNote),
                member(LineKind::OomHeader),
                member(LineKind::EndNote),
                member(LineKind::EndNote),
            ]
        );
        let report = builder.finish();
        assert!(report.sysrq);
        assert_eq!(report.headers_suppressed, 2);
        assert_eq!(report.end_note, Some(EndNote::NoKillable));
        // A second request is another report.
        let mut builder = ReportBuilder::new();
        builder.accept(lines[1]);
        builder.accept(lines[2]);
        assert_eq!(builder.accept(lines[1]), Accept::BeginsNext);
    }

    #[test]
    fn victim_cut_before_its_comm_is_named_from_the_summary_or_the_task_table() {
        let mut builder = ReportBuilder::new();
        for line in [
            "Tasks state (memory values in pages):",
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            "[  62769]     0 62769     1000      900    40960        0             0 cp",
            "Killed process 62769 (",
        ] {
            builder.accept(line);
        }
        assert_eq!(builder.finished().victims[0].comm, "cp");
        let mut builder = ReportBuilder::new();
        builder
            .accept("oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=7,task=VLLM::EngineCor");
        builder.accept("Out of memory: Killed process 1044797 total-vm:944314492kB");
        assert_eq!(builder.finished().victims[0].comm, "VLLM::EngineCor");
    }

    #[test]
    fn ignored_request_opens_no_report() {
        assert_eq!(opening_kind("OOM request ignored. No task eligible"), None);
    }

    // ---- The corpus ----

    fn corpus_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
    }

    /// The kernel text of a raw log line, by the real prefix stripper.
    fn strip_prefix_for_test(raw: &str) -> String {
        crate::prefix::split_prefix(raw).text
    }

    /// The byte-scan gate agrees with the parser: every corpus line the parser would let open
    /// a report contains an opening marker.
    #[test]
    fn every_opening_line_in_the_corpus_passes_the_marker_scan() {
        for entry in std::fs::read_dir(corpus_dir()).expect("corpus dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "log") {
                continue;
            }
            for raw in std::fs::read_to_string(&path).expect("log").lines() {
                let text = strip_prefix_for_test(raw);
                for line in text.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
                    let opens = classify(line).and_then(|c| c.opening_kind()).is_some();
                    assert!(
                        !opens || may_open_report(line.as_bytes()),
                        "{}: {line}",
                        path.display()
                    );
                }
            }
        }
    }

    /// Groups a log's lines into reports the way an assembler would.
    fn reports_of(log: &str) -> Vec<OomReport> {
        let mut reports = Vec::new();
        let mut open: Option<ReportBuilder> = None;
        for raw in log.lines() {
            let line = strip_prefix_for_test(raw);
            if let Some(builder) = open.as_mut() {
                if builder.accept(&line) != Accept::BeginsNext {
                    continue;
                }
                reports.extend(open.take().map(ReportBuilder::finish));
            }
            if let Some(kind) = opening_kind(&line) {
                let mut builder = ReportBuilder::new();
                assert_eq!(builder.accept(&line), Accept::Member(kind), "{line}");
                open = Some(builder);
            }
        }
        reports.extend(open.map(ReportBuilder::finish));
        reports
    }

    fn corpus_log(name: &str) -> String {
        std::fs::read_to_string(corpus_dir().join(name)).expect("corpus log")
    }

    #[test]
    fn corpus_logs_parse_and_complete_reports_name_the_expected_victim() {
        let mut checked = 0;
        let mut entries: Vec<_> = std::fs::read_dir(corpus_dir())
            .expect("corpus dir")
            .map(|entry| entry.unwrap().path())
            .collect();
        entries.sort();
        for path in entries
            .iter()
            .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
        {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let log = std::fs::read_to_string(path).unwrap();
            let reports = reports_of(&log);
            let complete = ["004-", "009-", "011-", "oomanalyser-"]
                .iter()
                .any(|prefix| name.starts_with(prefix));
            if !complete {
                continue;
            }
            let sidecar: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(path.with_extension("json")).unwrap(),
            )
            .unwrap();
            let expected = &sidecar["expected_victim"];
            let victim = reports
                .iter()
                .find_map(|report| report.victims.first())
                .unwrap_or_else(|| panic!("{name}: no victim"));
            assert_eq!(
                u64::from(victim.pid),
                expected["pid"].as_u64().unwrap(),
                "{name}"
            );
            assert_eq!(victim.comm, expected["comm"].as_str().unwrap(), "{name}");
            assert_eq!(victim.source, VictimSource::Killed, "{name}");
            checked += 1;
        }
        assert_eq!(checked, 7);
    }

    #[test]
    fn corpus_lines_cut_anywhere_never_panic() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
            .expect("corpus dir")
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "log"))
            .collect();
        entries.sort();
        assert!(entries.len() >= 20);
        for path in entries {
            let log = std::fs::read_to_string(&path).unwrap();
            let mut builder = ReportBuilder::new();
            for raw in log.lines() {
                let line = strip_prefix_for_test(raw);
                for (cut, _) in line.char_indices().chain([(line.len(), ' ')]) {
                    let piece = &line[..cut];
                    let _ = opening_kind(piece);
                    let _ = builder.accept(piece);
                }
                let _ = builder.is_complete();
            }
            let _ = builder.finish();
        }
    }

    #[test]
    fn a_headerless_trace_through_warn_alloc_is_an_allocation_failure() {
        // 6.1 ARM: the header scrolled away, the stack starts at show_stack.
        let frames = [
            "dump_stack_lvl from warn_alloc+0x110/0x19c",
            "warn_alloc from __alloc_pages+0xe9c/0xfe8",
            "__alloc_pages from __kmalloc_large_node+0x70/0x14c",
        ];
        assert!(opens_fragment(frames[1]));
        assert!(!opens_fragment("? warn_alloc+0x110/0x19c"));
        let report = parse_lines(frames);
        assert_eq!(report.kind, ReportKind::AllocationFailure);
        assert!(stack_shows_a_report(&report));
        // The OOM killer's own frames keep it an OOM report.
        let report = parse_lines(["dump_header+0x4a/0x1f0", "warn_alloc+0x110/0x19c"]);
        assert_eq!(report.kind, ReportKind::OomKill);
    }

    #[test]
    fn a_zone_line_cut_before_its_watermarks_opens_a_fragment() {
        assert!(opens_fragment("Normal free:20212kB min:"));
        assert!(opens_fragment(
            "Node 0 DMA32 free:1336kB min:1452kB low:1812kB high:2172kB"
        ));
        assert!(opens_fragment("Mem-Info:"));
        assert!(opens_fragment("Tasks state (memory values in pages):"));
        assert!(opens_fragment(
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name"
        ));
        assert!(!opens_fragment(
            "[ 1108749]     0 1108749      256        1    32768        0          -998 pause"
        ));
        assert!(!opens_fragment("Normal: 379*4kB (UMEC) 354*8kB (UMEC)"));
        assert!(!opens_fragment("free memory is low on this box"));
    }

    #[test]
    fn corpus_004_fragmentation_report() {
        let reports = reports_of(&corpus_log("004-frag-order3-xorg-nvidia-4.7.log"));
        assert_eq!(reports.len(), 1);
        let report = &reports[0];
        assert_eq!(report.trigger.comm.as_deref(), Some("Xorg"));
        assert_eq!(report.trigger.order, Some(3));
        assert_eq!(report.trigger.gfp_flags, ["GFP_KERNEL", "__GFP_COMP"]);
        assert_eq!(report.kernel.tainted.as_deref(), Some("P           O"));
        assert_eq!(
            report.call_trace.first().map(String::as_str),
            Some("dump_stack")
        );
        assert!(report
            .call_trace
            .iter()
            .any(|function| function == "nvkms_alloc"));
        assert_eq!(report.meminfo.counter("slab_reclaimable"), Some(697_630));
        assert_eq!(report.meminfo.counter("free"), Some(25159));
        assert_eq!(report.meminfo.zones.len(), 3);
        let dma32 = &report.meminfo.zones[1];
        assert_eq!(dma32.watermarks.unwrap().free_kb, 45980);
        assert_eq!(dma32.lowmem_reserve_pages, [0, 0, 4462, 4462]);
        assert_eq!(dma32.buddy.as_ref().unwrap().orders[3].count, 0);
        assert_eq!(report.meminfo.hugepages.len(), 2);
        assert_eq!(report.meminfo.swap_total_kb, Some(0));
        assert_eq!(report.tasks[0].name, "chromium");
        assert_eq!(report.tasks[0].rss_pages, 219_730);
        assert!(report.task_rows_seen > 80);
        assert_eq!(report.selected.as_ref().map(|task| task.pid), Some(9185));
    }

    #[test]
    fn corpus_017_cgroup_v2_syslog_with_next_header() {
        let reports = reports_of(&corpus_log(
            "017-aks-k8s-pod-parent-cgroupv2-syslog-5.15.log",
        ));
        assert_eq!(reports.len(), 2);
        let report = &reports[0];
        assert_eq!(report.kernel.release.as_deref(), Some("5.15.0-1041-azure"));
        assert_eq!(
            report.memcg.swap.map(|swap| swap.limit_kb),
            Some(9_007_199_254_740_988)
        );
        let stats = &report.memcg.stats[0];
        assert_eq!(stats.get("anon"), Some(98_742_272));
        assert_eq!(stats.get("workingset_restore_anon"), Some(0));
        assert_eq!(report.task_rows_seen, 9);
        assert_eq!(report.tasks[0].pid, 183_960);
        let summary = report.summary.as_ref().unwrap();
        assert!(!summary.truncated);
        assert_eq!(summary.task.as_deref(), Some("stress-ng-vm"));
        assert_eq!(summary.oom_memcg.as_deref(), Some("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod5931aa75_4603_4e65_b552_7c71cf55cfb5.slice"));
        assert_eq!(report.victims[0].pid, 183_960);
        assert_eq!(reports[1].trigger.comm.as_deref(), Some("stress-ng-vm"));
        assert!(reports[1].victims.is_empty());
    }

    #[test]
    fn corpus_013_android_allocation_failure() {
        let log = corpus_log("013-frag-order2-pagealloc-android-hi3650-4.1.log");
        // The Android prefix ends at the last `]` of `<4>[uptime][pid:…]`.
        let lines: Vec<String> = log
            .lines()
            .map(|raw| raw.find("s]").map_or(raw, |at| &raw[at + 2..]).to_string())
            .map(|line| {
                if line.starts_with("[pid:") {
                    line.split_once(']').unwrap().1.to_string()
                } else {
                    line
                }
            })
            .collect();
        let mut builder = ReportBuilder::new();
        let answers: Vec<Accept> = lines.iter().map(|line| builder.accept(line)).collect();
        assert_eq!(answers[0], member(LineKind::AllocFailureHeader));
        assert_eq!(
            answers.last(),
            Some(&Accept::Foreign),
            "the sensorhub line is another driver's"
        );
        assert!(builder.is_complete());
        let report = builder.finish();
        assert_eq!(report.kind, ReportKind::AllocationFailure);
        assert_eq!(report.trigger.order, Some(2));
        assert_eq!(report.trigger.pid, Some(1361));
        assert_eq!(
            report.call_trace.first().map(String::as_str),
            Some("dump_backtrace")
        );
        let zones: Vec<(Option<u32>, &str)> = report
            .meminfo
            .zones
            .iter()
            .map(|zone| (zone.node, zone.zone.as_str()))
            .collect();
        assert_eq!(zones, [(None, "DMA"), (None, "Normal")]);
        assert_eq!(report.meminfo.zones[0].lowmem_reserve_pages, [0, 415, 415]);
        assert_eq!(
            report.meminfo.zones[1].buddy.as_ref().unwrap().orders[0].migrate_types,
            "UMR"
        );
        assert_eq!(report.meminfo.counter("free"), Some(118_678));
        assert!(report.victims.is_empty());
    }

    #[test]
    fn arm_trace_cut_after_out_of_memory_keeps_its_caller_once() {
        let mut builder = ReportBuilder::new();
        for line in [
            "MHD-connection invoked oom-killer: gfp_mask=0x26080c0(GFP_KERNEL|__GFP_ZERO|__GFP_NOTRACK), nodemask=0, order=0, oom_score_adj=0",
            "Backtrace: ",
            "[<801b2604>] (dump_header.constprop.4) from [<80174048>] (oom_kill_process+0x8c/0x3ac)",
            " r10:00000021 r9:ffffffff r8:91dfddbc r7:80b0280c r6:00000343 r5:807c8f78",
            "[<80173fbc>] (oom_kill_process) from [<801747e8>] (out_of_memory+0x2a4/0x404)",
            "[<80174544>] (out_of_memory) from [<801783d4>] (__alloc_pages_nodemask+0x980/0xb24)",
        ] {
            builder.accept(line);
        }
        assert_eq!(
            builder.finish().call_trace,
            [
                "dump_header",
                "oom_kill_process",
                "out_of_memory",
                "__alloc_pages_nodemask"
            ]
        );
    }

    #[test]
    fn corpus_rhel7_counters_from_one_record_and_3_10_zones() {
        let reports = reports_of(&corpus_log("oomanalyser-rhel7.log"));
        let report = &reports[0];
        assert_eq!(report.meminfo.counter("free"), Some(39513));
        assert_eq!(report.meminfo.counter("free_cma"), Some(0));
        assert_eq!(report.meminfo.zones[0].all_unreclaimable, Some(true));
        assert_eq!(report.tasks[0].name, "mysqld");
        assert_eq!(
            report.kernel.release.as_deref(),
            Some("3.10.0-514.6.1.el7.x86_64")
        );
    }
}
