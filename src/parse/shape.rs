//! What one line of a report is, told without the report around it: its [`Shape`].

use super::{header, kill, memcg, meminfo, tasks, LineKind, Section};
use crate::report::{EndNote, OomReport, OomSummary, PageCounter, ReaperResult};
use kill::KillLine;

/// A line shape that can be told without knowing the report around it.
#[derive(Debug)]
pub(super) enum Shape<'a> {
    OomHeader(header::OomHeader<'a>),
    AllocFailure(header::AllocFailure<'a>),
    Cpuset(header::CpusetLine<'a>),
    Cpu(header::CpuLine<'a>),
    Hardware(&'a str),
    /// `Call Trace:`, `<TASK>`, `Workqueue:`, `TGID:`.
    StackMarker,
    /// A stack frame only a report's stack has (see [`stack_shows_a_report`]) outside the
    /// stack section: the frame (a function name).
    ReportFrame(&'a str),
    /// `COMPACTION is disabled!!!`
    Compaction,
    TaskIn(memcg::TaskIn<'a>),
    /// 3.10's `as a result of limit of <path>` printed apart from its `Task in` line.
    LimitOf(&'a str),
    LimitReached(&'a str),
    Counter(memcg::CounterKind, Option<PageCounter>),
    StatsHead(memcg::StatsHead<'a>),
    MemInfoStart,
    Area(meminfo::AreaLine<'a>),
    LowmemReserve(Vec<u64>),
    Tail(meminfo::Tail),
    SlabStart,
    ProfileStart,
    TasksState,
    TaskHeading(Vec<tasks::Column>),
    Summary(OomSummary),
    Kill(KillLine<'a>),
    OomGroup(&'a str),
    Reaper(ReaperResult),
    KillNote,
    /// See [`kill::end_note`]; true when the kernel panicked with it.
    EndNote(EndNote, bool),
    /// `sysrq: Manual OOM execution`.
    ManualRequest,
    /// `oom_kill_process: N callbacks suppressed`, with its N.
    Suppressed(u64),
}

impl Shape<'_> {
    pub(super) fn line_kind(&self) -> LineKind {
        match self {
            Shape::OomHeader(_) => LineKind::OomHeader,
            Shape::AllocFailure(_) => LineKind::AllocFailureHeader,
            Shape::Summary(_) => LineKind::Summary,
            Shape::TaskIn(_)
            | Shape::LimitOf(_)
            | Shape::LimitReached(_)
            | Shape::Counter(..)
            | Shape::StatsHead(_) => LineKind::Memcg,
            Shape::Kill(KillLine::Selected { .. } | KillLine::Exiting { .. }) => LineKind::Selected,
            Shape::Kill(KillLine::Killed { .. }) => LineKind::Killed,
            Shape::OomGroup(_) => LineKind::OomGroup,
            Shape::Reaper(_) => LineKind::Reaper,
            Shape::EndNote(..) | Shape::ManualRequest => LineKind::EndNote,
            _ => LineKind::Body,
        }
    }

    /// The kind this shape opens a report as, for the shapes specific to OOM reports.
    pub(super) fn opening_kind(&self) -> Option<LineKind> {
        let opens = match self {
            Shape::OomHeader(_)
            | Shape::AllocFailure(_)
            | Shape::Summary(_)
            | Shape::TaskIn(_)
            | Shape::LimitReached(_)
            | Shape::StatsHead(_)
            | Shape::Counter(memcg::CounterKind::Memory, Some(_))
            | Shape::ManualRequest
            | Shape::Kill(
                KillLine::Selected { .. } | KillLine::Exiting { .. } | KillLine::Killed { .. },
            ) => true,
            // A sysrq-f request that killed nothing follows its report; it opens none.
            Shape::EndNote(note, _) => note != &EndNote::RequestIgnored,
            Shape::Kill(KillLine::MessageOnly(message)) => message.starts_with("Memory cgroup"),
            _ => false,
        };
        opens.then(|| self.line_kind())
    }

    /// The section a line of this shape puts the report in; `None` leaves it.
    pub(super) fn section(&self) -> Option<Section> {
        Some(match self {
            Shape::OomHeader(_)
            | Shape::AllocFailure(_)
            | Shape::Cpuset(_)
            | Shape::Cpu(_)
            | Shape::Hardware(_)
            | Shape::StackMarker
            | Shape::ReportFrame(_)
            | Shape::Compaction => Section::Stack,
            Shape::TaskIn(_) | Shape::LimitOf(_) | Shape::LimitReached(_) | Shape::Counter(..) => {
                Section::Memcg
            }
            Shape::StatsHead(_) => Section::MemcgStats,
            Shape::MemInfoStart | Shape::Area(_) | Shape::LowmemReserve(_) | Shape::Tail(_) => {
                Section::MemInfo
            }
            Shape::SlabStart => Section::Slab,
            Shape::ProfileStart => Section::AllocProfile,
            Shape::TasksState | Shape::TaskHeading(_) => Section::Tasks,
            Shape::Summary(_)
            | Shape::Kill(_)
            | Shape::OomGroup(_)
            | Shape::Reaper(_)
            | Shape::KillNote
            | Shape::EndNote(..) => Section::Kill,
            Shape::Suppressed(_) | Shape::ManualRequest => return None,
        })
    }
}

/// Tells which OOM-report line `text` (trimmed, non-empty) is, if any. Lines are told apart by
/// their first byte and fixed prefixes first; only a line no prefix claims is searched for the
/// markers of the lines that start with a task or zone name.
pub(super) fn classify(text: &str) -> Option<Shape<'_>> {
    let by_prefix = match text.as_bytes().first()? {
        b'o' => kill::summary(text)
            .map(Shape::Summary)
            .or_else(|| kill::reaper(text).map(Shape::Reaper))
            .or_else(|| kill::is_kill_note(text).then_some(Shape::KillNote)),
        b'O' | b'K' => kill::kill_line(text)
            .map(Shape::Kill)
            .or_else(|| end_note(text)),
        b'M' => classify_memory(text),
        b'T' => classify_task(text),
        b'm' | b'k' => memcg::counter(text).map(|(kind, counter)| Shape::Counter(kind, counter)),
        b's' => memcg::counter(text)
            .map(|(kind, counter)| Shape::Counter(kind, counter))
            .or_else(|| kill::is_manual_oom_request(text).then_some(Shape::ManualRequest)),
        b'C' => header::cpu_line(text)
            .map(Shape::Cpu)
            .or_else(|| (text == "COMPACTION is disabled!!!").then_some(Shape::Compaction))
            .or_else(|| header::is_stack_marker(text).then_some(Shape::StackMarker)),
        b'W' | b'<' | b'B' | b'E' => header::is_stack_marker(text).then_some(Shape::StackMarker),
        b'H' => text
            .strip_prefix("Hardware name: ")
            .map(|name| Shape::Hardware(name.trim())),
        b'N' => meminfo::area_line(text).map(Shape::Area),
        b'l' => meminfo::lowmem_reserve(text).map(Shape::LowmemReserve),
        b'F' | b'0'..=b'9' => meminfo::tail(text).map(Shape::Tail),
        b'S' => meminfo::tail(text)
            .map(Shape::Tail)
            .or_else(|| end_note(text))
            .or_else(|| kill::is_manual_oom_request(text).then_some(Shape::ManualRequest)),
        b'U' => (text == "Unreclaimable slab info:").then_some(Shape::SlabStart),
        b'[' => tasks::heading(text).map(Shape::TaskHeading),
        b'a' => memcg::limit_of(text).map(Shape::LimitOf),
        _ => None,
    };
    by_prefix.or_else(|| classify_by_marker(text))
}

/// Lines starting with `M`: kills by the memcg OOM, Mem-Info, memcg stats and limits.
fn classify_memory(text: &str) -> Option<Shape<'_>> {
    if let Some(line) = kill::kill_line(text) {
        return Some(Shape::Kill(line));
    }
    if text == "Mem-Info:" || text == "Mem-info:" {
        return Some(Shape::MemInfoStart);
    }
    if text.starts_with("Memory allocations") && text.ends_with(':') {
        return Some(Shape::ProfileStart);
    }
    memcg::stats_head(text)
        .map(Shape::StatsHead)
        .or_else(|| memcg::limit_reached(text).map(Shape::LimitReached))
}

/// Lines starting with `T`: `Task in`, `Tasks in … memory.oom.group`, `Tasks state`,
/// `Total swap`, Android's `TGID:`.
fn classify_task(text: &str) -> Option<Shape<'_>> {
    if text == "Tasks state (memory values in pages):" {
        return Some(Shape::TasksState);
    }
    memcg::task_in(text)
        .map(Shape::TaskIn)
        .or_else(|| kill::oom_group(text).map(Shape::OomGroup))
        .or_else(|| meminfo::tail(text).map(Shape::Tail))
        .or_else(|| header::is_stack_marker(text).then_some(Shape::StackMarker))
}

/// Lines that start with a task name (headers, the cpuset line), a UMA zone name, or a
/// rate-limited function's name.
fn classify_by_marker(text: &str) -> Option<Shape<'_>> {
    if let Some(line) = header::oom_header(text) {
        return Some(Shape::OomHeader(line));
    }
    if let Some(line) = header::alloc_failure(text) {
        return Some(Shape::AllocFailure(line));
    }
    if let Some(line) = header::cpuset_line(text) {
        return Some(Shape::Cpuset(line));
    }
    if let Some(line) = meminfo::area_line(text) {
        return Some(Shape::Area(line));
    }
    if let Some(function) = report_frame(text) {
        return Some(Shape::ReportFrame(function));
    }
    kill::callbacks_suppressed(text).map(Shape::Suppressed)
}

/// Functions of mm/oom_kill.c that only print a report: `dump_header` (every report, the
/// no-killable one too) and `oom_kill_process`, its caller for a kill. A reliable frame of
/// one is a report's stack even when the lines above it, its header among them, were cut
/// away. Not `out_of_memory`: the panic_on_oom stack (`panic` called from `out_of_memory`,
/// `check_panic_on_oom`) has it too, after the report.
pub(super) const OOM_KILLER_FRAMES: [&str; 2] = ["dump_header", "oom_kill_process"];

/// `warn_alloc` (before 4.9 `warn_alloc_failed`, mm/page_alloc.c): it prints a failed
/// allocation and is on no OOM killer's stack.
pub(super) const ALLOCATION_FAILURE_FRAMES: [&str; 2] = ["warn_alloc", "warn_alloc_failed"];

/// Whether `report`'s stack holds a frame that only a report's own stack has
/// ([`OOM_KILLER_FRAMES`], [`ALLOCATION_FAILURE_FRAMES`]): the kernel ran the OOM killer or
/// reported a failed allocation, whatever else was cut away.
pub fn stack_shows_a_report(report: &OomReport) -> bool {
    report
        .call_trace
        .iter()
        .any(|function| is_report_frame(function))
}

/// Whether `function` is one of [`OOM_KILLER_FRAMES`] or [`ALLOCATION_FAILURE_FRAMES`].
pub(super) fn is_report_frame(function: &str) -> bool {
    report_frames().any(|frame| frame == function)
}

fn report_frames() -> impl Iterator<Item = &'static str> {
    OOM_KILLER_FRAMES
        .into_iter()
        .chain(ALLOCATION_FAILURE_FRAMES)
}

/// The function of a reliable stack frame of [`OOM_KILLER_FRAMES`] or
/// [`ALLOCATION_FAILURE_FRAMES`] (`? dump_header…`, the unreliable form, is not one).
pub(super) fn report_frame(text: &str) -> Option<&str> {
    if text.starts_with("? ") || !report_frames().any(|frame| text.contains(frame)) {
        return None;
    }
    let function = header::stack_frame(text)??;
    is_report_frame(function).then_some(function)
}

fn end_note(text: &str) -> Option<Shape<'_>> {
    kill::end_note(text).map(|(note, panicked)| Shape::EndNote(note, panicked))
}
