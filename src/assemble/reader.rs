//! What the assembler asks of the parser: which lines may open or follow a report, and what
//! each further line is to the report it is offered to.
//!
//! The assembler comes before the parser in the pipeline and must not depend on it; the parser
//! (`crate::parse::ReportBuilder`) implements [`ReportReader`], and the faces choose it.

use crate::report::OomReport;

/// What a line of an OOM report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `<comm> invoked oom-killer: …` (and the rest of a header cut onto the next line).
    OomHeader,
    /// `<comm>: page allocation failure: order:N, mode:…`
    AllocFailureHeader,
    /// Any other line the report is made of (stack, memcg, Mem-Info, task table, …).
    Body,
    /// `oom-kill:constraint=…`
    Summary,
    /// `Task in X killed as a result of limit of Y`, `memory: usage …`, `Memory cgroup stats for …`
    /// and the stats lines after it.
    Memcg,
    /// `<msg>: Kill process P (comm) score N or sacrifice child`; also
    /// `<msg>: OOM victim P (comm) is already exiting. Skip killing the task`, where the task
    /// selected is left to die on its own.
    Selected,
    /// `[<msg>: ]Killed process P (comm) …`: the kill, which completes the report.
    Killed,
    /// `Tasks in <path> are going to be killed due to memory.oom.group set`
    OomGroup,
    /// `oom_reaper: reaped process P …` / `oom_reaper: unable to reap pid:P …`
    Reaper,
    /// A line that ends a report that killed nothing (`Out of memory and no killable
    /// processes...`, a `panic_on_oom` panic, `System is deadlocked on memory`, `OOM request
    /// ignored`), or `sysrq: Manual OOM execution` before a report.
    EndNote,
}

/// The answer of [`ReportReader::accept`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// The line is part of this report and was parsed into it.
    Member(LineKind),
    /// The line belongs to no OOM report (another subsystem's message): it was not consumed.
    Foreign,
    /// The line starts another report (a second header, a second summary): this report is
    /// over and the line was not consumed.
    BeginsNext,
}

/// A report being read line by line, as the assembler drives it: one reader per open report,
/// cloned to read a line again with its continuation joined on.
///
/// The associated functions are stateless and agree with `accept`: a line
/// [`ReportReader::opening_kind`] gives a kind for is accepted by a fresh reader as a
/// `Member` of that kind, and a line the byte gates reject can neither open a report nor
/// follow a kill.
pub trait ReportReader: Clone {
    /// A reader that has read no line yet.
    fn new() -> Self;

    /// Whether `text` can open a report when none is open for its stream, and as what.
    fn opening_kind(text: &str) -> Option<LineKind>;

    /// Whether `text` can open a report from inside, its header missing (see
    /// [`crate::assemble::ReportContext::fragment`]).
    fn opens_fragment(text: &str) -> bool;

    /// A byte scan: false when `bytes` cannot open a report, so callers may skip it unread.
    fn may_open_report(bytes: &[u8]) -> bool;

    /// A byte scan: false when `bytes` cannot be a line the kernel prints right after a kill.
    fn may_follow_a_kill(bytes: &[u8]) -> bool;

    /// Offers the report's next line (prefix stripped).
    fn accept(&mut self, text: &str) -> Accept;

    /// True when the report needs no more lines.
    fn is_complete(&self) -> bool;

    /// True while the report waits for the line that tells what its no-killable warning meant.
    fn awaits_deadlock_panic(&self) -> bool;

    /// Notes that the stream went on with a line of its own after the report.
    fn went_on(&mut self);

    /// The report as read so far.
    fn report(&self) -> &OomReport;

    /// The report as it stands finished (the victim taken from the best line present),
    /// leaving the reader as it is.
    fn finished(&self) -> OomReport;
}
