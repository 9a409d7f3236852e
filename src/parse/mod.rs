//! Where reports are parsed: kernel message lines in, a typed [`OomReport`] out, line by line
//! so an open report never holds more than its parsed figures.

mod markers;

pub use markers::{may_open_report, OPENING_MARKERS};

use crate::report::OomReport;

/// How many task-table rows a report keeps (the largest by rss).
pub const TASK_ROWS_KEPT: usize = 10;

/// What a line of an OOM report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `<comm> invoked oom-killer: …`
    OomHeader,
    /// `<comm>: page allocation failure: order:N, mode:…`
    AllocFailureHeader,
    /// Any other line the report is made of (stack, memcg, Mem-Info, task table, …).
    Body,
    /// `oom-kill:constraint=…`
    Summary,
    /// `Task in X killed as a result of limit of Y`, `memory: usage …`, `Memory cgroup stats for …`.
    Memcg,
    /// `<msg>: Kill process P (comm) score N or sacrifice child`
    Selected,
    /// `[<msg>: ]Killed process P (comm) …`: the kill, which completes the report.
    Killed,
    /// `Tasks in <path> are going to be killed due to memory.oom.group set`
    OomGroup,
    /// `oom_reaper: reaped process P …` / `oom_reaper: unable to reap pid:P …`
    Reaper,
}

/// The answer of [`ReportBuilder::accept`].
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

/// Whether `text` can open a report when none is open for its stream, and as what.
/// Only lines that are specific to OOM reports open one; stack frames and counters do not.
pub fn opening_kind(text: &str) -> Option<LineKind> {
    todo!("parse helper: {text}")
}

/// Builds one [`OomReport`] from its lines, in order.
#[derive(Debug, Default, Clone)]
pub struct ReportBuilder {
    report: OomReport,
}

impl ReportBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Offers the next line of the stream (prefix already stripped, one line, no `\n`).
    pub fn accept(&mut self, text: &str) -> Accept {
        todo!("parse helper: {text}")
    }

    /// True when the report needs no more lines: a kill was seen, or an allocation-failure
    /// report has printed the end of its memory dump.
    pub fn is_complete(&self) -> bool {
        todo!()
    }

    /// The report as parsed so far.
    pub fn report(&self) -> &OomReport {
        &self.report
    }

    /// The finished report.
    pub fn finish(self) -> OomReport {
        self.report
    }
}

/// Parses a whole report from its lines (prefixes already stripped), ignoring foreign lines.
pub fn parse_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> OomReport {
    let mut builder = ReportBuilder::new();
    for line in lines {
        let _ = builder.accept(line);
    }
    builder.finish()
}
