//! Where reports are assembled: lines from many interleaved streams in, one finished report per
//! OOM kill out, holding at most the configured number of open reports and bytes.

use crate::prefix::WallTime;

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
}
