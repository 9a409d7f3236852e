//! Where kernel log line prefixes are stripped: one physical line in, the kernel message and
//! what its prefix said (time, host) out.

/// A wall-clock time read from a line prefix. Fields the prefix does not give are `None`
/// (RFC 3164 syslog and journald short output print no year).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WallTime {
    pub year: Option<i32>,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub nanosecond: u32,
    /// Offset from UTC in minutes, when the prefix gives one (RFC 3339).
    pub utc_offset_minutes: Option<i32>,
}

/// One kernel log line with its transport prefix removed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KernelLine {
    /// The kernel's own text. May contain `\n` where the transport carried a multi-line
    /// record in one line (/dev/kmsg `\x0a`, rsyslog `#012`).
    pub text: String,
    pub wall_time: Option<WallTime>,
    /// Seconds since boot, from `[  123.456789]` or a kmsg record's microseconds.
    pub uptime_s: Option<f64>,
    /// The host named by a syslog or journald prefix.
    pub host: Option<String>,
    /// How many `>` quote markers preceded the line (e-mail quoting).
    pub quote_depth: u8,
    /// Whether a time or record prefix was found. A line without one that follows a line
    /// with one is a continuation of it.
    pub prefixed: bool,
}

/// Strips every prefix found on real kernel logs from `raw`, detected per line.
pub fn split_prefix(raw: &str) -> KernelLine {
    todo!("prefix helper: {raw}")
}
pub mod join;
