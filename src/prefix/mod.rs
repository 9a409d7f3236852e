//! Where kernel log line prefixes are stripped: one physical line in, the kernel message and
//! what its prefix said (time, host) out.

mod clock;
mod cursor;
mod decoration;
mod embedded;
mod glued;
pub mod join;
mod provenance;
mod quoted_printable;
mod transport;

pub use glued::split_glued;
pub use join::LineJoiner;
pub use provenance::{of_record_fields, Provenance};
pub use quoted_printable::undo_quoted_printable;

use std::borrow::Cow;

use clock::uptime_stamp;
use cursor::Cursor;
use decoration::{
    is_table_separator, strip_quotes, strip_terminal_colors, strip_transport_artefacts,
    DISPLAY_WRAP_MARK,
};

/// A wall-clock time read from a line prefix. Times compare field by field, year first, as
/// the lines of one log do. Fields the prefix does not give are `None`
/// (RFC 3164 syslog and journald short output print no year).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
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
    /// The program a syslog or journald prefix names (its tag without `[pid]`): `kernel`
    /// for kernel messages. Any other value (`systemd`, `containerd`, interleaved in corpus
    /// 017) means `text` is not a kernel message at all. `None` when the prefix names no
    /// program (dmesg, kmsg, bare lines).
    pub program: Option<String>,
    /// How many quote markers preceded the line: `>` (e-mail quoting), and a shell-comment
    /// `# ` before a prefix (console output pasted as comments).
    pub quote_depth: u8,
    /// Whether a time or record prefix was found. A line without one that follows a line
    /// with one is a continuation of it.
    pub prefixed: bool,
    /// What the prefix proves about the line's writer: [`Provenance::NotKernel`] for another
    /// program's tag, a `kernel[pid]:` tag (the kernel's records have no pid; journalctl and
    /// syslog daemons print one for a process that claims the tag) or a facility other than
    /// `kern`; [`Provenance::Kernel`] when the outermost prefix is one only the kernel's log
    /// buffer gives (a `/dev/kmsg` record, `dmesg -r`'s `<PRI>`, `dmesg -x`'s `kern`) with
    /// facility 0; else [`Provenance::Unverified`].
    pub provenance: Provenance,
}

/// Strips every prefix found on real kernel logs from `raw`, detected per line.
///
/// Invariants: never panics; the cost is linear in `raw.len()`; `text` has no trailing
/// whitespace (but keeps the kernel's leading spaces, e.g. ` dump_stack+0x63/0x90`);
/// `wall_time`, when present, has every field in range (month 1-12, ...). Outer prefixes
/// win: the first time and host found (from the outside in) are the ones kept.
pub fn split_prefix(raw: &str) -> KernelLine {
    let mut line = KernelLine::default();
    let uncolored = strip_terminal_colors(raw);
    // A web page's mark where it wrapped a long line for display (`oom-killer: ↪gfp_mask=`):
    // the log had no character there.
    let unmarked = match uncolored.contains(DISPLAY_WRAP_MARK) {
        true => Cow::Owned(uncolored.replace(DISPLAY_WRAP_MARK, "")),
        false => uncolored,
    };
    let mut rest = strip_quotes(strip_transport_artefacts(&unmarked), &mut line.quote_depth);
    rest = after_glued_fence(rest).unwrap_or(rest);
    if is_table_separator(rest) {
        return line;
    }
    rest = strip_decoration(rest, &mut line.quote_depth);
    // Fast path: this runs on every line of a fleet's logs, and nearly all of them are
    // `[ uptime] text` or syslog. Every layer looks at the first byte before anything else,
    // and every shape is read by hand (regex captures cost ~0.5 us a shape), so such a line
    // costs a few byte compares per layer plus one read of its own prefix.
    let (mut kmsg, mut json) = (false, false);
    for layer in LAYERS {
        if let Some(found) = layer(rest) {
            rest = found.rest;
            kmsg |= found.kmsg;
            json |= found.json;
            line.absorb(&found);
        }
    }
    line.text = match json {
        true => kernel_text(&embedded::unescape_json(rest), kmsg),
        false => kernel_text(rest, kmsg),
    };
    if line.program.as_deref().is_some_and(|p| p != "kernel") {
        line.provenance = Provenance::NotKernel;
    }
    line
}

/// What one prefix layer said, and where the text after it starts.
#[derive(Debug, Default)]
struct Layer<'a> {
    rest: &'a str,
    wall_time: Option<WallTime>,
    uptime_s: Option<f64>,
    host: Option<&'a str>,
    program: Option<&'a str>,
    /// A /dev/kmsg record, whose text is `\xNN`-escaped.
    kmsg: bool,
    /// A JSON string's body, whose text is JSON-escaped.
    json: bool,
    /// What the layer proves about the writer, when it proves anything.
    provenance: Option<Provenance>,
}

impl KernelLine {
    /// Takes what a layer said; outer layers (absorbed first) win.
    fn absorb(&mut self, layer: &Layer<'_>) {
        // Only the outermost layer can prove the kernel: `logger -t kernel '6,1,2,-;…'` writes
        // a kmsg record's shape inside a syslog line. Any layer can disprove it.
        let outermost = !self.prefixed && self.quote_depth == 0;
        match layer.provenance {
            Some(Provenance::NotKernel) => self.provenance = Provenance::NotKernel,
            Some(Provenance::Kernel) if outermost => self.provenance = Provenance::Kernel,
            _ => {}
        }
        self.prefixed = true;
        self.wall_time = self.wall_time.or(layer.wall_time);
        self.uptime_s = self.uptime_s.or(layer.uptime_s);
        if self.host.is_none() {
            self.host = layer.host.map(str::to_owned);
        }
        if self.program.is_none() {
            self.program = layer.program.map(str::to_owned);
        }
    }
}

/// The prefix layers a transport wraps around a kernel message, outermost first. Each is
/// tried once, in this order, which is how real pipelines nest them: a Kibana cell around a
/// dmesg line, `dmesg -x` around `dmesg -T`, syslog around an uptime stamp; outermost of
/// all, a field of another format that carries the line (a JSON member, a Kubernetes event).
const LAYERS: [fn(&str) -> Option<Layer<'_>>; 9] = [
    embedded::json_member,
    embedded::kubernetes_event,
    embedded::quoted_line,
    table_row,
    facility_level,
    transport::transport_header,
    kernel_tag,
    console_prompt,
    kernel_stamp,
];

/// The longest prompt [`console_prompt`] takes before a stamp.
const PROMPT_MAX_BYTES: usize = 64;

/// A console's prompt before a kernel stamp: NixOS's test driver prefixes every line of a
/// machine's console with `machine # ` (`percona # [   16.869199] mysqld invoked
/// oom-killer`), and a shell prompt pasted with the output stays glued to its first line
/// (`root@beaglebone:~# [  533.797044] mmcqd/1: page allocation failure`). One word, `#` or
/// `$`, one space, then a dmesg stamp.
fn console_prompt(s: &str) -> Option<Layer<'_>> {
    // Fast path: most lines reach this layer at their stamp's `[`, which no prompt starts
    // with.
    if s.starts_with('[') {
        return None;
    }
    let head = s.get(..PROMPT_MAX_BYTES.min(s.len())).unwrap_or(s);
    let end = head.find(['#', '$'])?;
    let word = head.get(..end)?;
    let word = word.strip_suffix(' ').unwrap_or(word);
    if word.is_empty() || word.contains(char::is_whitespace) {
        return None;
    }
    let rest = s.get(end + 1..)?.strip_prefix(' ')?;
    (uptime_stamp(rest).is_some() || clock::human_stamp(rest).is_some()).then_some(Layer {
        rest,
        ..Layer::default()
    })
}

/// `dmesg -x` facility names.
const FACILITIES: [&str; 20] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv",
    "ftp", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
];

/// `dmesg -x` level names.
const LEVELS: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
];

/// A Kibana export pasted as a Markdown table: `[  | ]Jun 25, 2021 @ 12:42:13.029 | kernel | `.
/// Only the date and source cells are prefix: the message cell may itself contain `|`
/// (`gfp_mask=0x...(GFP_KERNEL|__GFP_COMP)`), so it is not split further.
fn table_row(s: &str) -> Option<Layer<'_>> {
    let first = *s.as_bytes().first()?;
    // Kibana's date cell holds ` @ ` within its first bytes; no other line shape does.
    let gate = matches!(first, b' ' | b'|') || first.is_ascii_alphabetic();
    let head = s.as_bytes().get(..48).unwrap_or(s.as_bytes());
    if !gate || !head.contains(&b'@') {
        return None;
    }
    let mut cursor = Cursor::new(s);
    cursor.skip_spaces();
    if cursor.skip("|") {
        cursor.skip_spaces();
    }
    let (wall_time, after_date) = clock::kibana_date(cursor.rest())?;
    let mut cursor = Cursor::new(after_date);
    cursor.skip_spaces();
    cursor.tag("|")?;
    cursor.run(0, usize::MAX, |c| c != '|')?;
    cursor.tag("|")?;
    cursor.skip(" ");
    Some(Layer {
        rest: cursor.rest(),
        wall_time,
        ..Layer::default()
    })
}

/// `dmesg -x`'s decoded `facility:level:` columns, `kern  :warn  : `.
fn facility_level(s: &str) -> Option<Layer<'_>> {
    if !s.as_bytes().first()?.is_ascii_lowercase() {
        return None;
    }
    let mut cursor = Cursor::new(s);
    let facility = cursor.run(1, 8, |c| c.is_ascii_alphanumeric())?;
    cursor.skip_spaces();
    cursor.tag(":")?;
    let level = cursor.run(1, 6, |c| c.is_ascii_lowercase())?;
    cursor.skip_spaces();
    cursor.tag(":")?;
    cursor.skip(" ");
    let code = FACILITIES.iter().position(|name| *name == facility)?;
    // dmesg -x names the facility of the kernel buffer's record.
    LEVELS.contains(&level).then(|| Layer {
        rest: cursor.rest(),
        provenance: Some(Provenance::of_kernel_buffer_facility(code as u64)),
        ..Layer::default()
    })
}

/// A syslog line's `kernel:` tag left once the date and host were cut off (`kernel: [
/// 8085.099452] mariadbd invoked oom-killer`, `grep` or `journalctl -o short` output trimmed
/// by a poster, `kernel: systemd invoked oom-killer`), also as syslogd's wall message prints
/// it (` kernel:[340648.118967] Kernel panic …`). Only the `kernel` tag: any program's tag
/// would take words of kernel text for a prefix (`oom_reaper: reaped process …`). Like
/// `logger -t kernel`, it proves nothing about who wrote the line. A tool that tabulates the
/// journal by source writes the tag as a column, `20:04:22 kernel | kthreadd invoked …`.
fn kernel_tag(s: &str) -> Option<Layer<'_>> {
    let s = s.trim_start_matches(' ');
    if !s.starts_with('k') {
        return None;
    }
    if let Some(rest) = s.strip_prefix("kernel | ") {
        return Some(Layer {
            rest,
            program: Some("kernel"),
            ..Layer::default()
        });
    }
    let rest = s.strip_prefix("kernel:")?;
    // `kernel:` with text glued to it is a kernel tag only before a stamp.
    if !rest.starts_with(' ') && !rest.starts_with('[') {
        return None;
    }
    // One space separates the tag; the kernel's own leading space (a stack frame) stays,
    // except before a stamp.
    let after_space = rest.strip_prefix(' ').unwrap_or(rest);
    let rest = match after_space.trim_start_matches(' ') {
        stamped if stamped.starts_with('[') => stamped,
        _ => after_space,
    };
    Some(Layer {
        rest,
        program: Some("kernel"),
        ..Layer::default()
    })
}

/// The kernel's own stamp: `[ uptime]`, `dmesg -T`'s `[date]` or `dmesg -e`'s relative
/// `[Sep11 12:24]` / `[  +0.000003]`, optionally after a console level `<4>` and followed by
/// a PRINTK_CALLER id, then one separator space; or a console level alone.
fn kernel_stamp(s: &str) -> Option<Layer<'_>> {
    if s.starts_with(|c: char| c.is_ascii_uppercase()) {
        let (wall_time, after) = clock::human_stamp_without_bracket(s)?;
        return Some(Layer {
            rest: after_stamp(after),
            wall_time,
            ..Layer::default()
        });
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return cut_uptime_stamp(s);
    }
    if !s.starts_with(['[', '<']) {
        return None;
    }
    let mut layer = stamp_layer(s)?;
    // `<N>` is the record's `(facility << 3) | level`, as the kernel prints it for syslog(2),
    // `/proc/kmsg` and `dmesg -r` (print_syslog in kernel/printk/printk.c).
    layer.provenance =
        console_level(s).map(|(priority, _)| Provenance::of_kernel_buffer_facility(priority >> 3));
    Some(layer)
}

/// The first line of a paste cut inside its stamp: `60.921386] Out of memory: Kill process …`,
/// the `[` and maybe leading digits gone. The kernel prints the fraction with six digits
/// (`%5lu.%06lu`, print_time in kernel/printk/printk.c), which text before a `]` never
/// has by chance; the seconds may have lost digits, so no uptime is read.
fn cut_uptime_stamp(s: &str) -> Option<Layer<'_>> {
    let mut cursor = Cursor::new(s);
    cursor.digits(1, 10)?;
    cursor.tag(".")?;
    cursor.digits(6, 6)?;
    cursor.tag("]")?;
    Some(Layer {
        rest: after_stamp(cursor.rest()),
        ..Layer::default()
    })
}

/// [`kernel_stamp`]'s layer, before what its console level proves.
fn stamp_layer(s: &str) -> Option<Layer<'_>> {
    let stamped = after_console_level(s)
        .filter(|rest| rest.starts_with('['))
        .unwrap_or(s);
    if let Some((stamp, after)) = uptime_stamp(stamped) {
        if stamp.vendor_form {
            // Android glues the text to `[...s]` and to its `[pid:...]` with no separator;
            // a space after it belongs to the text (Mem-Info continuation lines).
            return Some(Layer {
                rest: strip_vendor_caller(after),
                uptime_s: stamp.seconds,
                ..Layer::default()
            });
        }
        let rest = after_stamp(after);
        let (host, program, rest) = match short_monotonic_tag(rest) {
            Some((host, rest)) => (host, Some("kernel"), rest),
            None => (None, None, rest),
        };
        return Some(Layer {
            rest,
            uptime_s: stamp.seconds,
            host,
            program,
            ..Layer::default()
        });
    }
    if let Some((wall_time, after)) = clock::human_stamp(stamped) {
        return Some(Layer {
            rest: after_stamp(after),
            wall_time,
            ..Layer::default()
        });
    }
    if let Some(after) = clock::relative_stamp(stamped) {
        return Some(Layer {
            rest: after_stamp(after),
            ..Layer::default()
        });
    }
    if let Some(rest) = after_task_column(stamped) {
        return Some(Layer {
            rest: strip_separator(rest),
            ..Layer::default()
        });
    }
    // A console level with no stamp after it: `/proc/kmsg`, `dmesg -r` with printk.time=0.
    after_console_level(s).map(|rest| Layer {
        rest,
        ..Layer::default()
    })
}

/// The text after a dmesg stamp: past a PRINTK_CALLER id and the one separator space.
fn after_stamp(after: &str) -> &str {
    strip_separator(
        after_caller_id(after)
            .or_else(|| after_cpu_and_pid(after))
            .or_else(|| after_task_column(after))
            .unwrap_or(after),
    )
}

/// What follows the CPU and pid columns some Android vendor kernels (Unisoc) print after the
/// stamp, `[   17.072747] c0 0      Mem-Info:`: `c` and the CPU, then the pid left-aligned.
/// Both columns are needed, so a comm of the kernel text (`c3 invoked oom-killer`) stays.
fn after_cpu_and_pid(s: &str) -> Option<&str> {
    let mut cursor = Cursor::new(s);
    cursor.skip(" ");
    cursor.tag("c")?;
    cursor.digits(1, 3)?;
    cursor.spaces(1, 1)?;
    cursor.digits(1, 7)?;
    cursor.spaces(1, usize::MAX)?;
    Some(cursor.rest())
}

/// What follows a console level `<N>` (Android, `dmesg -r`).
fn after_console_level(s: &str) -> Option<&str> {
    console_level(s).map(|(_, rest)| rest)
}

/// A console level or syslog priority `<N>`: its number and what follows it.
fn console_level(s: &str) -> Option<(u64, &str)> {
    let mut cursor = Cursor::new(s);
    cursor.tag("<")?;
    let number = cursor.digits(1, 3)?.parse().ok()?;
    cursor.tag(">")?;
    Some((number, cursor.rest()))
}

/// What follows a PRINTK_CALLER id (`[  T460]` task, `[   C3]` CPU) that comes right after
/// a stamp, with or without a space between.
fn after_caller_id(s: &str) -> Option<&str> {
    let mut cursor = Cursor::new(s);
    cursor.skip(" ");
    cursor.tag("[")?;
    cursor.skip_spaces();
    if !cursor.skip("T") {
        cursor.tag("C")?;
    }
    cursor.digits(1, usize::MAX)?;
    cursor.tag("]")?;
    Some(cursor.rest())
}

/// What follows the CPU-and-task column Samsung's Exynos kernels print after the stamp,
/// `[4: binder:569_5:27109] text` (a comm may hold `:`; the pid is after the last one),
/// also where a poster cut the stamp before it.
fn after_task_column(s: &str) -> Option<&str> {
    let mut cursor = Cursor::new(s);
    cursor.skip(" ");
    cursor.tag("[")?;
    cursor.skip_spaces();
    cursor.digits(1, 4)?;
    cursor.tag(":")?;
    cursor.spaces(1, usize::MAX)?;
    let (column, rest) = cursor.rest().split_once(']')?;
    let (comm, pid) = column.rsplit_once(':')?;
    let pid = pid.trim_start_matches(' ');
    let is_pid = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
    (is_pid && !comm.is_empty() && comm.len() <= 64).then_some(rest)
}

/// Drops the Android vendor caller `[pid:1361,cpu5,sManagerService]`.
fn strip_vendor_caller(s: &str) -> &str {
    let Some(inner) = s.strip_prefix("[pid:") else {
        return s;
    };
    // A comm is at most 15 bytes: bounding the search keeps a damaged line from being
    // scanned to its end for a `]` that is not there.
    inner
        .char_indices()
        .take(64)
        .find(|&(_, c)| c == ']')
        .and_then(|(at, _)| inner.get(at + 1..))
        .unwrap_or(s)
}

/// journalctl `-o short-monotonic` puts `host kernel: ` after the uptime stamp, or `kernel: `
/// alone when it has no host to print: the host (if any) and the text. Only the `kernel` tag
/// is taken: `usb 1-1: new device` has the same shape as `host tag: `.
fn short_monotonic_tag(s: &str) -> Option<(Option<&str>, &str)> {
    if let Some(rest) = after_kernel_tag(s) {
        return Some((None, rest));
    }
    let (host, after_host) = s.split_once(' ')?;
    if host.is_empty() || host.contains([':', '[', ']']) {
        return None;
    }
    Some((Some(host), after_kernel_tag(after_host)?))
}

/// The text after a `kernel:` tag and its one separator space (more spaces are the kernel's:
/// ` dump_stack+0x10/0x16`).
fn after_kernel_tag(s: &str) -> Option<&str> {
    let after = s.strip_prefix("kernel:")?;
    if after.is_empty() {
        Some(after)
    } else {
        after.strip_prefix(' ')
    }
}

/// The line after a Markdown code fence glued to it (```` ```[  302.364929] kswapd3 invoked
/// oom-killer: … ````: a log pasted right after the backticks), when a prefix this module
/// reads follows: a fence's info string (`text`, `log`) never is one, so a fence alone on
/// its line stays a fence.
fn after_glued_fence(line: &str) -> Option<&str> {
    let trimmed = line.trim_start_matches([' ', '\t']);
    let fence = ["```", "~~~"]
        .iter()
        .find(|fence| trimmed.starts_with(**fence))?;
    let body = trimmed
        .trim_start_matches(fence.chars().next()?)
        .trim_start_matches([' ', '\t']);
    LAYERS
        .iter()
        .any(|layer| layer(body).is_some())
        .then_some(body)
}

/// The one space a prefix puts before the text; more spaces are the kernel's own.
fn strip_separator(s: &str) -> &str {
    s.strip_prefix(' ').unwrap_or(s)
}

/// Strips what an author or editor put before a log line: indentation (a quoted block in a
/// post), then an editor, `cat -n` or Markdown list number (`565 [Sat Sep 11 ...`,
/// `  1. <4>[...`, `#1 [Fri Apr 19 …`, `grep -n`'s `3585:Dec  5 …`), a Markdown bullet
/// (`- [ 60.921417] Killed process`, `* Dec 13 …`: a paste site's line list rendered as
/// Markdown) or a shell-comment `# ` (console output pasted as comments, counted in `depth`
/// like a quote marker). A number, bullet or `#` must be followed by whitespace, but for
/// `grep -n`'s colon. All of it only where a prefix this module
/// knows follows: the kernel's own leading space (` dump_stack+0x10/0x16`, Mem-Info
/// continuation lines), a bare `5384 pages in swap cache` and a `# [...]` elision mark stay
/// text. A list number with its `.` or `)` (`  3. Kernel panic - …`, a paste site's numbered
/// lines of a console that printed no stamps) is a mark before any text: no kernel message
/// starts with digits and a `.` or `)` and a space (the kernel's counts are `5384 pages`).
fn strip_decoration<'a>(line: &'a str, depth: &mut u8) -> &'a str {
    let indented = line.trim_start_matches([' ', '\t']);
    let mut marker = Cursor::new(indented);
    let hashed = marker.skip("#");
    // `#1 [Fri Apr 19 …]`: a number after the `#` numbers the line, it comments nothing.
    let commented = hashed && marker.digits(1, usize::MAX).is_none();
    let bulleted = !hashed && ["-", "*", "+"].iter().any(|bullet| marker.skip(bullet));
    let numbered = !hashed && !bulleted && marker.digits(1, usize::MAX).is_some();
    let listed = numbered && (marker.skip(".") || marker.skip(")"));
    // `grep -n`'s `3585:Dec  5 03:31:40 vm1 kernel: …`: the number and a colon, no space.
    let grep_numbered = numbered && !listed && marker.skip(":");
    let marked = marker.rest();
    let body = marked.trim_start_matches([' ', '\t']);
    let marker_unspaced =
        !grep_numbered && marked.len() < indented.len() && body.len() == marked.len();
    if body.len() == line.len() || marker_unspaced {
        return line;
    }
    if (listed && !body.is_empty()) || LAYERS.iter().any(|layer| layer(body).is_some()) {
        *depth = depth.saturating_add(u8::from(commented));
        body
    } else {
        line
    }
}

/// The kernel's text from what is left after the prefixes: kmsg `\xNN` escapes and rsyslog
/// `#012` become the bytes they stand for.
fn kernel_text(rest: &str, kmsg: bool) -> String {
    let text = if kmsg && rest.contains('\\') {
        unescape_kmsg(rest)
    } else {
        rest.to_owned()
    };
    if text.contains("#012") {
        text.replace("#012", "\n")
    } else {
        text
    }
}

/// Undoes /dev/kmsg escaping (`\x0a` → newline, `\x5c` → `\`). A malformed escape is kept
/// as written; escaped bytes that do not form UTF-8 become U+FFFD.
fn unescape_kmsg(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let escaped = (byte == b'\\' && bytes.get(at + 1) == Some(&b'x'))
            .then(|| Some(hex_digit(bytes.get(at + 2)?)? << 4 | hex_digit(bytes.get(at + 3)?)?))
            .flatten();
        match escaped {
            Some(value) => {
                out.push(value);
                at += 4;
            }
            None => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of one ASCII hex digit.
fn hex_digit(byte: &u8) -> Option<u8> {
    char::from(*byte)
        .to_digit(16)
        .and_then(|digit| u8::try_from(digit).ok())
}

#[cfg(test)]
mod tests {

    use super::*;
    use once_cell::sync::Lazy;
    use regex::Regex;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    fn wall(line: &KernelLine) -> (Option<i32>, u8, u8, u8, u8, u8, u32, Option<i32>) {
        let w = line.wall_time.expect("wall time");
        (
            w.year,
            w.month,
            w.day,
            w.hour,
            w.minute,
            w.second,
            w.nanosecond,
            w.utc_offset_minutes,
        )
    }

    #[test]
    fn a_fence_glued_to_the_first_line_is_markup() {
        let line = split_prefix("```[  302.364929] kswapd3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        assert_eq!(line.uptime_s, Some(302.364929));
        assert!(line.text.starts_with("kswapd3 invoked oom-killer"));
        // A fence with an info string is a fence.
        assert_eq!(split_prefix("```text").text, "");
    }

    #[test]
    fn provenance_of_each_prefix() {
        use Provenance::*;
        let cases = [
            // /dev/kmsg: facility 0 is the kernel's, devkmsg_write never gives it to a writer.
            ("6,1234,5000000,-;Out of memory: Killed process 1", Kernel),
            (
                "12,1234,5000000,-;Out of memory: Killed process 1",
                NotKernel,
            ),
            ("<4>[    5.000000] Out of memory", Kernel),
            ("<12>[    5.000000] Out of memory", NotKernel),
            ("<4>Out of memory", Kernel),
            ("kern  :warn  : [    5.000000] Out of memory", Kernel),
            ("user  :warn  : [    5.000000] Out of memory", NotKernel),
            // Text transports: `kernel:` proves nothing, anything else disproves.
            ("Jan  1 00:00:05 web1 kernel: Out of memory", Unverified),
            (
                "Jan  1 00:00:05 web1 kernel[4242]: Out of memory",
                NotKernel,
            ),
            (
                "Jan  1 00:00:05 web1 containerd[9]: Out of memory",
                NotKernel,
            ),
            ("<4>Jan  1 00:00:05 web1 kernel: Out of memory", Unverified),
            ("<13>Jan  1 00:00:05 web1 kernel: Out of memory", NotKernel),
            (
                "<13>1 2024-01-01T00:00:05Z web1 kernel - - - Out of memory",
                NotKernel,
            ),
            (
                "Jan  1 00:00:05 web1 kern.warn kernel: Out of memory",
                Unverified,
            ),
            (
                "Jan  1 00:00:05 web1 user.warn kernel: Out of memory",
                NotKernel,
            ),
            ("warning|kernel[-]|Out of memory", Unverified),
            ("warning|kernel[77]|Out of memory", NotKernel),
            ("[    5.000000] Out of memory", Unverified),
            ("Out of memory", Unverified),
            // A kmsg record's shape inside a line anyone can write proves nothing.
            (
                "Jan  1 00:00:05 web1 kernel: <4>[    5.000000] Out of memory",
                Unverified,
            ),
            ("> 6,1234,5000000,-;Out of memory", Unverified),
        ];
        for (raw, provenance) in cases {
            assert_eq!(split_prefix(raw).provenance, provenance, "{raw}");
        }
    }

    #[test]
    fn dmesg_uptime_padded() {
        let line = split_prefix("[ 2786.519080] mem_on_node0 invoked oom-killer");
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, Some(2786.51908));
        assert_eq!(line.text, "mem_on_node0 invoked oom-killer");
        assert_eq!(line.wall_time, None);
        assert_eq!(line.host, None);
    }

    #[test]
    fn dmesg_uptime_unpadded_six_digits() {
        let line =
            split_prefix("[193038.106478] memory: usage 524288kB, limit 524288kB, failcnt 77");
        assert_eq!(line.uptime_s, Some(193038.106478));
        assert_eq!(
            line.text,
            "memory: usage 524288kB, limit 524288kB, failcnt 77"
        );
    }

    #[test]
    fn stack_frame_keeps_the_kernels_leading_space() {
        let line = split_prefix("[193038.106414]  dump_stack+0x63/0x89");
        assert_eq!(line.text, " dump_stack+0x63/0x89");
        let line = split_prefix("[350085.038712]  [<ffffffff812eb122>] dump_stack+0x63/0x81");
        assert_eq!(line.text, " [<ffffffff812eb122>] dump_stack+0x63/0x81");
    }

    #[test]
    fn task_table_rows_after_stamp_stay_text() {
        let line = split_prefix(
            "[ 2787.181724] [  13432]     0 13432   787016   786745  6344704        0             0 mem_on_node1",
        );
        assert!(line.text.starts_with("[  13432]     0 13432"));
        assert_eq!(line.uptime_s, Some(2787.181724));
    }

    #[test]
    fn timestamp_only_line_is_prefixed_with_empty_text() {
        let line = split_prefix("[   65.470256] ");
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, Some(65.470256));
        assert_eq!(line.text, "");
    }

    #[test]
    fn tmux_copy_mode_marker_is_stripped() {
        let raw = format!(
            "[14808.063890] main invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0{}[7/972]",
            " ".repeat(45)
        );
        let line = split_prefix(&raw);
        assert_eq!(
            line.text,
            "main invoked oom-killer: gfp_mask=0x24000c0, order=0, oom_score_adj=0"
        );
    }

    #[test]
    fn bracketed_fraction_after_one_space_is_kept() {
        let line = split_prefix("[ 1.000000] raid6: using algorithm [1/2]");
        assert_eq!(line.text, "raid6: using algorithm [1/2]");
    }

    #[test]
    fn crlf_and_trailing_whitespace_are_dropped() {
        let line = split_prefix("[   65.481992] Out of memory: Killed \t\r");
        assert_eq!(line.text, "Out of memory: Killed");
    }

    #[test]
    fn email_quote_depth_three() {
        let line = split_prefix(">>> [93428.029768] irqbalance invoked oom-killer:");
        assert_eq!(line.quote_depth, 3);
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, Some(93428.029768));
        assert_eq!(line.text, "irqbalance invoked oom-killer:");
    }

    #[test]
    fn quoted_wrapped_continuation_is_unprefixed() {
        let line = split_prefix(
            ">>> gfp_mask=0x24280ca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=0-1, order=0,",
        );
        assert_eq!(line.quote_depth, 3);
        assert!(!line.prefixed);
        assert!(line.text.starts_with("gfp_mask="));
        let row = split_prefix(">>>     58             0 systemd-journal");
        assert_eq!(row.text, "    58             0 systemd-journal");
        assert!(!row.prefixed);
    }

    #[test]
    fn reviewer_quote_depth_one_and_blank_quote() {
        let line = split_prefix(
            "> Note the high pages_scanned and all_unreclaimable. I suspect something",
        );
        assert_eq!(line.quote_depth, 1);
        assert!(!line.prefixed);
        assert_eq!(
            line.text,
            "Note the high pages_scanned and all_unreclaimable. I suspect something"
        );
        let blank = split_prefix(">");
        assert_eq!((blank.quote_depth, blank.text.as_str()), (1, ""));
    }

    #[test]
    fn spaced_quote_markers_count_each() {
        let line = split_prefix("> > [ 65.470256] oom-kill:constraint=CONSTRAINT_CPUSET");
        assert_eq!(line.quote_depth, 2);
        assert_eq!(line.text, "oom-kill:constraint=CONSTRAINT_CPUSET");
    }

    #[test]
    fn line_number_before_dmesg_t() {
        let line = split_prefix(
            "565 [Sat Sep 11 12:24:42 2021] test invoked oom-killer: gfp_mask=0x62****(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), nodemask=(null), order=0, oom_score_adj=0",
        );
        assert!(line.prefixed);
        assert_eq!(wall(&line), (Some(2021), 9, 11, 12, 24, 42, 0, None));
        assert!(line
            .text
            .starts_with("test invoked oom-killer: gfp_mask=0x62****"));
    }

    #[test]
    fn cat_n_tab_line_number_before_uptime() {
        let line = split_prefix("   12\t[ 2786.519080] mem_on_node0 invoked oom-killer");
        assert_eq!(line.text, "mem_on_node0 invoked oom-killer");
        assert_eq!(line.uptime_s, Some(2786.51908));
    }

    #[test]
    fn list_number_without_prefix_is_a_paste_mark() {
        let line = split_prefix(
            "  3. Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled",
        );
        assert_eq!(
            line.text,
            "Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled"
        );
        let row = split_prefix("  1. [ 2551] 0 2551 9082 152 71 81 0 90112 2624 0 systemd-udevd");
        assert_eq!(
            row.text,
            "[ 2551] 0 2551 9082 152 71 81 0 90112 2624 0 systemd-udevd"
        );
    }

    #[test]
    fn grep_line_number_before_a_syslog_line_is_stripped() {
        let line = split_prefix(
            "3585:Dec  5 03:31:40 vm1 kernel: [  195.899186] sysrq: Manual OOM execution",
        );
        assert_eq!(line.text, "sysrq: Manual OOM execution");
        assert_eq!(line.host.as_deref(), Some("vm1"));
        // Without a prefix after it the colon may be the kernel's own (`0: ...`).
        assert_eq!(split_prefix("12:34 text").text, "12:34 text");
    }

    #[test]
    fn leading_number_without_prefix_is_kernel_text() {
        let line = split_prefix("5384 pages in swap cache");
        assert!(!line.prefixed);
        assert_eq!(line.text, "5384 pages in swap cache");
    }

    #[test]
    fn kibana_first_row_gives_year_and_uptime() {
        let line = split_prefix(
            "Jun 25, 2021 @ 12:42:13.029 | kernel | [113782.638786] Memory cgroup out of memory: Killed process 1949510 (envoy) total-vm:3264844kB",
        );
        assert!(line.prefixed);
        assert_eq!(
            wall(&line),
            (Some(2021), 6, 25, 12, 42, 13, 29_000_000, None)
        );
        assert_eq!(line.uptime_s, Some(113782.638786));
        assert_eq!(
            line.text,
            "Memory cgroup out of memory: Killed process 1949510 (envoy) total-vm:3264844kB"
        );
    }

    #[test]
    fn kibana_row_with_leading_pipe() {
        let line = split_prefix(
            "  | Jun 25, 2021 @ 12:42:12.104 | kernel | [115582.355745] Memory cgroup stats for /system.slice/garden.service/garden/good/db315859-a870-4d77-50f9-02b6:",
        );
        assert_eq!(wall(&line).6, 104_000_000);
        assert_eq!(line.uptime_s, Some(115582.355745));
        assert!(line
            .text
            .starts_with("Memory cgroup stats for /system.slice/"));
    }

    #[test]
    fn kibana_message_cell_keeps_its_pipes() {
        let line = split_prefix(
            "Jun 25, 2021 @ 12:42:13.029 | kernel | [1.5] envoy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL|__GFP_COMP), order=0",
        );
        assert_eq!(
            line.text,
            "envoy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL|__GFP_COMP), order=0"
        );
    }

    #[test]
    fn display_wrap_marks_are_dropped() {
        let line = split_prefix("Oct 14 10:22:40 localhost kernel: sh invoked oom-killer: \u{21aa}gfp_mask=0xd0, order=0");
        assert_eq!(line.text, "sh invoked oom-killer: gfp_mask=0xd0, order=0");
    }

    #[test]
    fn markdown_code_fence_reads_as_blank() {
        for fence in [
            "```", "```bash", "  ~~~", "> ```", "...", "[...]", "(…)", "--", "> ...",
        ] {
            let line = split_prefix(fence);
            assert!(!line.prefixed && line.text.is_empty(), "{fence}");
        }
    }

    #[test]
    fn elision_mark_with_a_word_reads_as_blank() {
        for mark in [
            "(...snipped...)",
            "  (...snipped....)",
            "> <...snip...>",
            "<snip>",
            "< snip >",
            "[...cut...]",
        ] {
            let line = split_prefix(mark);
            assert!(!line.prefixed && line.text.is_empty(), "{mark}");
        }
        // The word alone, or a word that is no elision, stays text.
        for text in ["snip", "(task)", "[oom_reaper]"] {
            assert_eq!(split_prefix(text).text, text, "{text}");
        }
    }

    #[test]
    fn markdown_separator_row_reads_as_blank() {
        let line = split_prefix("-- | -- | --");
        assert!(!line.prefixed);
        assert_eq!(line.text, "");
    }

    #[test]
    fn android_vendor_prefix_with_caller() {
        let line = split_prefix(
            "07-13 08:41:51.341 <4>[309805.658142s][pid:1361,cpu5,sManagerService]sManagerService: page allocation failure: order:2, mode:0x2000d1",
        );
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, Some(309805.658142));
        assert_eq!(wall(&line), (None, 7, 13, 8, 41, 51, 341_000_000, None));
        assert_eq!(
            line.text,
            "sManagerService: page allocation failure: order:2, mode:0x2000d1"
        );
    }

    #[test]
    fn android_continuation_keeps_leading_space() {
        let line = split_prefix(
            "07-13 08:41:51.347 <4>[309805.658264s] active_file:19087 inactive_file:9843 isolated_file:0",
        );
        assert_eq!(line.uptime_s, Some(309805.658264));
        assert_eq!(
            line.text,
            " active_file:19087 inactive_file:9843 isolated_file:0"
        );
    }

    #[test]
    fn android_driver_tag_after_caller_is_text() {
        let line = split_prefix(
            "07-13 08:41:51.767 <6>[309806.068298s][pid:2247,cpu6,notification-sq][I/sensorhub] shb_release ok",
        );
        assert_eq!(line.text, "[I/sensorhub] shb_release ok");
    }

    #[test]
    fn dmesg_x_facility_level_before_human_time() {
        let line = split_prefix(
            "kern  :warn  : [Wed Jun 28 00:10:12 2023] google_osconfig invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
        );
        assert!(line.prefixed);
        assert_eq!(wall(&line), (Some(2023), 6, 28, 0, 10, 12, 0, None));
        assert!(line.text.starts_with("google_osconfig invoked oom-killer:"));
        let stack = split_prefix("kern  :warn  : [Wed Jun 28 00:10:12 2023]  dump_stack+0x10/0x16");
        assert_eq!(stack.text, " dump_stack+0x10/0x16");
    }

    #[test]
    fn dmesg_x_without_time() {
        let line = split_prefix("kern  :err   : Memory cgroup out of memory: Killed process 1");
        assert!(line.prefixed);
        assert_eq!(line.text, "Memory cgroup out of memory: Killed process 1");
    }

    #[test]
    fn syslog_3164_with_uptime() {
        let line = split_prefix(
            "Oct 12 19:00:20 aks-nodepool1-24207654-vmss000001 kernel: [ 8523.347168] stress-ng-vm invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=1000",
        );
        assert!(line.prefixed);
        assert_eq!(
            line.host.as_deref(),
            Some("aks-nodepool1-24207654-vmss000001")
        );
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(wall(&line), (None, 10, 12, 19, 0, 20, 0, None));
        assert_eq!(line.uptime_s, Some(8523.347168));
        assert!(line.text.starts_with("stress-ng-vm invoked oom-killer:"));
    }

    #[test]
    fn syslog_space_padded_day_without_uptime() {
        let line = split_prefix(
            "Jan  5 02:12:02 iZbp153spuk45ulvkwxf34Z kernel: memory: usage 1048576kB, limit 1048576kB, failcnt 189",
        );
        assert_eq!(line.host.as_deref(), Some("iZbp153spuk45ulvkwxf34Z"));
        assert_eq!(wall(&line), (None, 1, 5, 2, 12, 2, 0, None));
        assert_eq!(line.uptime_s, None);
        assert_eq!(
            line.text,
            "memory: usage 1048576kB, limit 1048576kB, failcnt 189"
        );
    }

    #[test]
    fn syslog_empty_hostname() {
        let line = split_prefix("Jan  5 00:37:34   kernel: eth0: link up");
        assert!(line.prefixed);
        assert_eq!(line.host, None);
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(line.text, "eth0: link up");
    }

    #[test]
    fn syslog_line_of_another_program_names_it() {
        let line = split_prefix(
            "Oct 12 19:00:20 aks-nodepool1-24207654-vmss000001 containerd[2388]: time=\"2023-10-12T19:00:20.879932879Z\" level=info msg=\"TaskOOM event\"",
        );
        assert!(line.prefixed);
        assert_eq!(line.program.as_deref(), Some("containerd"));
        assert!(line.text.starts_with("time="));
    }

    #[test]
    fn syslog_line_without_tag_keeps_host_and_message() {
        let line = split_prefix("Oct 12 19:00:20 myhost last message repeated 2 times");
        assert!(line.prefixed);
        assert_eq!(line.host.as_deref(), Some("myhost"));
        assert_eq!(line.program, None);
        assert_eq!(line.text, "last message repeated 2 times");
    }

    #[test]
    fn byte_order_mark_before_first_line() {
        let line = split_prefix("\u{feff}[ 2786.519080] mem_on_node0 invoked oom-killer");
        assert!(line.prefixed);
        assert_eq!(line.text, "mem_on_node0 invoked oom-killer");
    }

    #[test]
    fn syslog_in_german_locale() {
        let line = split_prefix("Mär  3 01:02:03 host kernel: x");
        assert_eq!(wall(&line).1, 3);
        assert_eq!(line.text, "x");
    }

    #[test]
    fn rfc3339_high_precision_syslog() {
        let line = split_prefix(
            "2024-07-20T19:51:03.968678+02:00 sibirocobombus kernel: [ 3275.028117] [  12041]  1000 12041    23121    14572   212992     4117             0 /home/alex/farm",
        );
        assert!(line.prefixed);
        assert_eq!(
            wall(&line),
            (Some(2024), 7, 20, 19, 51, 3, 968_678_000, Some(120))
        );
        assert_eq!(line.host.as_deref(), Some("sibirocobombus"));
        assert_eq!(line.uptime_s, Some(3275.028117));
        assert!(line.text.starts_with("[  12041]  1000 12041"));
    }

    #[test]
    fn rfc3339_zulu_and_short_iso() {
        let zulu = split_prefix("2024-07-20T17:51:03.968678Z host kernel: Out of memory");
        assert_eq!(wall(&zulu).7, Some(0));
        assert_eq!(zulu.text, "Out of memory");
        let iso = split_prefix("2024-07-20T19:51:03+0200 host kernel: Out of memory");
        assert_eq!(wall(&iso), (Some(2024), 7, 20, 19, 51, 3, 0, Some(120)));
        assert_eq!(iso.host.as_deref(), Some("host"));
        assert_eq!(iso.text, "Out of memory");
    }

    #[test]
    fn journalctl_short_monotonic() {
        let line = split_prefix(
            "[ 3275.028117] sibirocobombus kernel: Out of memory: Killed process 12041",
        );
        assert_eq!(line.uptime_s, Some(3275.028117));
        assert_eq!(line.host.as_deref(), Some("sibirocobombus"));
        assert_eq!(line.text, "Out of memory: Killed process 12041");
        let usb = split_prefix("[    3.100000] usb 1-1: new high-speed USB device");
        assert_eq!(usb.host, None);
        assert_eq!(usb.text, "usb 1-1: new high-speed USB device");
    }

    #[test]
    fn journald_continuation_is_unprefixed_and_keeps_indent() {
        let line = split_prefix("                          file 688283648");
        assert!(!line.prefixed);
        assert_eq!(line.text, "                          file 688283648");
    }

    #[test]
    fn rsyslog_escaped_newline_becomes_newline() {
        let line = split_prefix(
            "active_anon:7355653 inactive_anon:660960 isolated_anon:0#012 active_file:1263 inactive_file:1167 isolated_file:32#012 unevictable:0",
        );
        assert_eq!(
            line.text,
            "active_anon:7355653 inactive_anon:660960 isolated_anon:0\n active_file:1263 inactive_file:1167 isolated_file:32\n unevictable:0"
        );
    }

    #[test]
    fn kmsg_record_microseconds_are_uptime() {
        let line = split_prefix(
            "6,727,35945901675,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),",
        );
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, Some(35945.901675));
        assert_eq!(
            line.text,
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),"
        );
    }

    #[test]
    fn kmsg_escapes_are_undone() {
        let line = split_prefix(r"6,1234,5678901,-,caller=T1;anon 1\x0afile 2\x5cx\xzz\x");
        assert_eq!(line.uptime_s, Some(5.678901));
        assert_eq!(line.text, "anon 1\nfile 2\\x\\xzz\\x");
        let utf8 = split_prefix(r"4,1,2,c;comm \xc3\xa9t\xe9");
        assert_eq!(utf8.text, "comm ét\u{fffd}");
    }

    #[test]
    fn dmesg_t_two_space_day_padding() {
        let line = split_prefix(
            "[Thu Dec  7 00:05:15 2017] [ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
        );
        assert_eq!(wall(&line), (Some(2017), 12, 7, 0, 5, 15, 0, None));
        assert!(line.text.starts_with("[ pid ]   uid"));
    }

    #[test]
    fn dmesg_t_single_digit_day_one_space() {
        let line = split_prefix(
            "[Wed Sep 8 18:01:32 2021] Task in /mm_test killed as a result of limit of /mm_test",
        );
        assert_eq!(wall(&line), (Some(2021), 9, 8, 18, 1, 32, 0, None));
        assert_eq!(
            line.text,
            "Task in /mm_test killed as a result of limit of /mm_test"
        );
    }

    #[test]
    fn dmesg_t_in_german_and_french() {
        let proxmox = split_prefix(
            "[Di Aug 12 03:54:03 2025] php-fpm invoked oom-killer: gfp_mask=0x1100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0",
        );
        assert_eq!(wall(&proxmox), (Some(2025), 8, 12, 3, 54, 3, 0, None));
        assert!(proxmox.text.starts_with("php-fpm invoked"));
        for (raw, month) in [
            ("[Mo Mär  3 10:00:00 2025] x", 3),
            ("[Fr Okt 10 10:00:00 2025] x", 10),
            ("[Mi Dez 24 10:00:00 2025] x", 12),
            ("[mar. août 12 03:54:03 2025] x", 8),
            ("[lun. déc. 1 03:54:03 2025] x", 12),
            ("[mié ene 8 03:54:03 2025] x", 1),
        ] {
            let line = split_prefix(raw);
            assert_eq!(wall(&line).1, month, "{raw}");
            assert_eq!(line.text, "x", "{raw}");
        }
    }

    #[test]
    fn dmesg_t_unknown_month_strips_without_wall_time() {
        let line = split_prefix("[Xx Foo 12 03:54:03 2025] php-fpm invoked oom-killer");
        assert!(line.prefixed);
        assert_eq!(line.wall_time, None);
        assert_eq!(line.text, "php-fpm invoked oom-killer");
    }

    #[test]
    fn dmesg_human_relative_stamps() {
        for raw in [
            "[Sep11 12:24] a.out invoked oom-killer",
            "[Sep 7 12:24] a.out invoked oom-killer",
            "[  +0.000003] a.out invoked oom-killer",
            "[ +12.345678] a.out invoked oom-killer",
            "[<    0.000034>] a.out invoked oom-killer",
            "kern  :warn  : [  +0.000003] a.out invoked oom-killer",
        ] {
            let line = split_prefix(raw);
            assert!(line.prefixed, "{raw}");
            assert_eq!((line.uptime_s, line.wall_time), (None, None), "{raw}");
            assert_eq!(line.text, "a.out invoked oom-killer", "{raw}");
        }
        let frame = split_prefix("[  +0.000002]  dump_stack+0x10/0x16");
        assert_eq!(frame.text, " dump_stack+0x10/0x16");
    }

    #[test]
    fn dmesg_show_delta_after_uptime_and_date() {
        let line = split_prefix("[ 2786.519080 <    0.000034>] a.out invoked oom-killer");
        assert_eq!(line.uptime_s, Some(2786.51908));
        assert_eq!(line.text, "a.out invoked oom-killer");
        let line = split_prefix("[Sat Sep 11 12:24:42 2021 <    0.000034>]  dump_stack+0x10/0x16");
        assert_eq!(wall(&line), (Some(2021), 9, 11, 12, 24, 42, 0, None));
        assert_eq!(line.text, " dump_stack+0x10/0x16");
    }

    #[test]
    fn dmesg_iso_time_format_has_no_host() {
        let line = split_prefix(
            "2021-09-11T12:24:42,519080+02:00 oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),pid=1,uid=0",
        );
        assert!(line.prefixed);
        assert_eq!(line.host, None);
        assert_eq!(
            wall(&line),
            (Some(2021), 9, 11, 12, 24, 42, 519_080_000, Some(120))
        );
        assert_eq!(
            line.text,
            "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),pid=1,uid=0"
        );
        let caller =
            split_prefix("2021-09-11T12:24:42,519080+02:00 [  T460] a.out invoked oom-killer");
        assert_eq!(caller.text, "a.out invoked oom-killer");
        let decoded = split_prefix("kern  :err   : 2021-09-11T12:24:42,519080+02:00 Out of memory");
        assert_eq!(
            (decoded.host, decoded.text.as_str()),
            (None, "Out of memory")
        );
    }

    #[test]
    fn busybox_syslogd_facility_priority_between_host_and_tag() {
        let line = split_prefix(
            "Sep 11 12:24:42 router kern.warn kernel: [ 2786.519080] a.out invoked oom-killer",
        );
        assert_eq!(line.host.as_deref(), Some("router"));
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(line.uptime_s, Some(2786.51908));
        assert_eq!(line.text, "a.out invoked oom-killer");
        let unnamed = split_prefix("Sep 11 12:24:42 router <12> kernel: Out of memory");
        assert_eq!(
            (unnamed.host.as_deref(), unnamed.text.as_str()),
            (Some("router"), "Out of memory")
        );
        let daemon = split_prefix("Sep 11 12:24:42 router daemon.info dnsmasq[1234]: query");
        assert_eq!(daemon.program.as_deref(), Some("dnsmasq"));
        let small = split_prefix("Sep 11 12:24:42 kernel: Out of memory");
        assert_eq!((small.host, small.text.as_str()), (None, "Out of memory"));
    }

    #[test]
    fn openwrt_logread_ctime_and_facility_priority() {
        let line = split_prefix(
            "Sat Sep 11 12:24:42 2021 kern.err kernel: [ 2787.229991] Out of memory: Killed process 1 (a)",
        );
        assert!(line.prefixed);
        assert_eq!(line.host, None);
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(wall(&line), (Some(2021), 9, 11, 12, 24, 42, 0, None));
        assert_eq!(line.uptime_s, Some(2787.229991));
        assert_eq!(line.text, "Out of memory: Killed process 1 (a)");
        let padded = split_prefix(
            "Thu Dec  7 00:05:15 2017 kern.warn kernel: [  1.000000]  dump_stack+0x10/0x16",
        );
        assert_eq!(padded.text, " dump_stack+0x10/0x16");
        let daemon = split_prefix("Sat Sep 11 12:24:42 2021 daemon.notice procd: /etc/rc.d/S99x");
        assert_eq!(daemon.program.as_deref(), Some("procd"));
    }

    #[test]
    fn a_time_of_day_alone_before_a_tag_or_the_kernel_text_is_a_prefix() {
        let tagged =
            split_prefix("19:50:59 kernel: Out of memory: Killed process 6439 (tracker-miner-f)");
        assert!(tagged.prefixed);
        assert_eq!(tagged.program.as_deref(), Some("kernel"));
        assert_eq!(
            tagged.text,
            "Out of memory: Killed process 6439 (tracker-miner-f)"
        );
        let hosted = split_prefix("19:50:59 myhost kernel: Mem-Info:");
        assert_eq!(hosted.host.as_deref(), Some("myhost"));
        assert_eq!(hosted.text, "Mem-Info:");
        let bare = split_prefix("12:00:52 Out of memory: Killed process 25507 (oom01)");
        assert_eq!(bare.host, None);
        assert_eq!(bare.text, "Out of memory: Killed process 25507 (oom01)");
        let daemon = split_prefix("19:51:01 systemd: tracker-miner-fs-3.service: Failed");
        assert_eq!(daemon.program.as_deref(), Some("systemd"));
    }

    #[test]
    fn logread_line_with_its_date_cut_keeps_facility_priority_out_of_the_host() {
        let frame = split_prefix("kern.debug kernel: [48496.319557]  dump_backtrace+0x0/0x15c");
        assert!(frame.prefixed);
        assert_eq!(frame.host, None);
        assert_eq!(frame.program.as_deref(), Some("kernel"));
        assert_eq!(frame.uptime_s, Some(48496.319557));
        assert_eq!(frame.text, " dump_backtrace+0x0/0x15c");
        let daemon =
            split_prefix("daemon.err procd: Instance AdGuardHome::instance1 s in a crash loop");
        assert_eq!(daemon.program.as_deref(), Some("procd"));
        assert_eq!(daemon.provenance, Provenance::NotKernel);
        // Prose that opens with a dotted word is no header.
        let prose = split_prefix("kern.warn is where the router logs it");
        assert!(!prose.prefixed);
    }

    #[test]
    fn journalctl_short_full_weekday_and_zone_name() {
        let line = split_prefix("Sat 2021-09-11 12:24:42 CEST host kernel: Out of memory");
        assert_eq!(line.host.as_deref(), Some("host"));
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(wall(&line), (Some(2021), 9, 11, 12, 24, 42, 0, None));
        assert_eq!(line.text, "Out of memory");
    }

    #[test]
    fn journalctl_numbered_month_in_cjk_locales() {
        let chinese = split_prefix("9月 11 12:24:42 localhost kernel: Out of memory");
        assert_eq!(chinese.host.as_deref(), Some("localhost"));
        assert_eq!(wall(&chinese).1, 9);
        assert_eq!(chinese.text, "Out of memory");
        let japanese = split_prefix(" 9月 11 12:24:42 localhost kernel:  dump_stack+0x10/0x16");
        assert_eq!(japanese.host.as_deref(), Some("localhost"));
        assert_eq!(japanese.text, " dump_stack+0x10/0x16");
        let frame = split_prefix(" 9 pages");
        assert!(!frame.prefixed);
        assert_eq!(frame.text, " 9 pages");
    }

    #[test]
    fn terminal_color_sequences_are_stripped() {
        let line = split_prefix(
            "\u{1b}[32m[ 2787.229991] \u{1b}[0m\u{1b}[1;31mOut of memory: Killed process 1 (a)\u{1b}[0m",
        );
        assert_eq!(line.uptime_s, Some(2787.229991));
        assert_eq!(line.text, "Out of memory: Killed process 1 (a)");
        let journal = split_prefix(
            "Oct 12 19:00:20 host kernel: \u{1b}[0;1;31mMemory cgroup out of memory\u{1b}[0m",
        );
        assert_eq!(journal.text, "Memory cgroup out of memory");
        let cut = split_prefix("[ 1.000000] a\u{1b}[");
        assert_eq!(cut.text, "a");
        let lone = split_prefix("[ 1.000000] a\u{1b}b");
        assert_eq!(lone.text, "ab");
    }

    #[test]
    fn date_from_a_tool_before_a_kernel_stamp_names_no_host() {
        let ts = split_prefix("Oct 12 19:00:20 [ 2787.229991] Out of memory: Killed process 1");
        assert!(ts.prefixed);
        assert_eq!((ts.host, ts.program), (None, None));
        assert_eq!(ts.uptime_s, Some(2787.229991));
        assert_eq!(ts.text, "Out of memory: Killed process 1");
        let docker =
            split_prefix("2023-10-12T19:00:20.123456789Z [ 2787.229991]  dump_stack+0x10/0x16");
        assert_eq!(docker.host, None);
        assert_eq!(wall(&docker).7, Some(0));
        assert_eq!(docker.text, " dump_stack+0x10/0x16");
        let human = split_prefix("Oct 12 19:00:20 [Sat Sep 11 12:24:42 2021] Out of memory");
        assert_eq!((human.host, human.text.as_str()), (None, "Out of memory"));
        let summary = "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0";
        let bare = split_prefix(&format!("2023-10-12T19:00:20.123456789Z {summary}"));
        assert_eq!((bare.host, bare.text.as_str()), (None, summary));
    }

    #[test]
    fn rsyslog_pipe_template_severity_and_tag() {
        let line = split_prefix(
            "    warning|kernel[-]|[2919920.414131] memhog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        );
        assert!(line.prefixed);
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(line.uptime_s, Some(2919920.414131));
        assert_eq!(
            line.text,
            "memhog invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
        );
        let frame = split_prefix("info|kernel:|[    1.000000]  dump_stack+0x10/0x16");
        assert_eq!(frame.text, " dump_stack+0x10/0x16");
        let daemon = split_prefix("notice|sshd[1234]|Accepted publickey for root");
        assert_eq!(daemon.program.as_deref(), Some("sshd"));
        assert_eq!(daemon.text, "Accepted publickey for root");
        for raw in [
            "memhog|kernel[-]|[ 1.000000] x",
            "warning|kernel[x]|[ 1.000000] x",
            "warning|two words|x",
            "info|x",
        ] {
            let line = split_prefix(raw);
            assert!(!line.prefixed, "{raw}");
            assert_eq!(line.text, raw);
        }
    }

    #[test]
    fn a_line_quoted_whole_in_prose_is_the_kernel_line_inside() {
        let quoted = split_prefix("\"Out of memory: Killed process 3931 (python3) total-vm:7641156kB, anon-rss:1416676kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:12132kB oom_score_adj:-300\"");
        assert!(quoted
            .text
            .starts_with("Out of memory: Killed process 3931 (python3)"));
        assert!(quoted.text.ends_with("oom_score_adj:-300"));
        let stamped = split_prefix("\"[ 12.500000] Out of memory: Killed process 1 (a)\",");
        assert_eq!(stamped.uptime_s, Some(12.5));
        assert_eq!(stamped.text, "Out of memory: Killed process 1 (a)");
        // CSV columns keep their quotes: only one pair around quote-free text comes off.
        let csv = "\"2023-05-01\",\"Out of memory: Killed process 1 (a)\"";
        assert_eq!(split_prefix(csv).text, csv);
    }

    #[test]
    fn kernel_tag_left_before_a_stamp() {
        let line = split_prefix(
            "kernel: [ 8085.099452] mariadbd invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0",
        );
        assert!(line.prefixed);
        assert_eq!((line.host, line.program.as_deref()), (None, Some("kernel")));
        assert_eq!(line.uptime_s, Some(8085.099452));
        assert!(line.text.starts_with("mariadbd invoked oom-killer: "));
        let indented = split_prefix(
            "    kernel: [ 1475.869152] main invoked oom: gfp_mask=0x100dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO), order=0",
        );
        assert_eq!(indented.uptime_s, Some(1475.869152));
        assert!(indented.text.starts_with("main invoked oom: "));
    }

    #[test]
    fn bare_kernel_tag_without_a_stamp_is_a_prefix() {
        // journalctl or syslog lines whose date and host a poster cut off.
        let line = split_prefix("kernel: systemd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0");
        assert!(line.prefixed);
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert!(line.text.starts_with("systemd invoked oom-killer"));
        let frame = split_prefix("kernel:  mem_cgroup_out_of_memory+0xc2/0xd0");
        assert_eq!(frame.text, " mem_cgroup_out_of_memory+0xc2/0xd0");
        // syslogd's wall message glues the tag to the stamp, after a space.
        let wall =
            split_prefix(" kernel:[340648.118967] Kernel panic - not syncing: Out of memory");
        assert_eq!(wall.uptime_s, Some(340648.118967));
        assert_eq!(wall.text, "Kernel panic - not syncing: Out of memory");
        // A journal tabulated by source: the tag is a column.
        let column = split_prefix("20:04:22 kernel | Out of memory: Killed process 35560 (x)");
        assert_eq!(column.program.as_deref(), Some("kernel"));
        assert_eq!(column.text, "Out of memory: Killed process 35560 (x)");
        // Another word glued to the tag is text.
        assert!(!split_prefix("kernel:x y").prefixed);
        assert!(!split_prefix("kernelspace: y").prefixed);
    }

    #[test]
    fn journalctl_short_unix_and_redacted_hosts() {
        let line = split_prefix(
            "1787068905.416344 precision kernel: chrome-headless invoked oom-killer: order=0",
        );
        assert_eq!(line.host.as_deref(), Some("precision"));
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert!(line.text.starts_with("chrome-headless invoked"));
        for host in ["<coordinator>", "[REDACTED_ENV_NAME]", "***"] {
            let line = split_prefix(&format!(
                "Sep 30 23:22:28 {host} kernel: Out of memory: Killed process 5 (a)"
            ));
            assert_eq!(line.host.as_deref(), Some(host));
            assert_eq!(line.text, "Out of memory: Killed process 5 (a)");
        }
        // A tool's date before a kernel stamp still has no host.
        let stamped =
            split_prefix("Sep 30 23:22:28 [ 12.345678] Out of memory: Killed process 5 (a)");
        assert_eq!(stamped.host, None);
        assert_eq!(stamped.uptime_s, Some(12.345678));
        let ts = split_prefix("Oct 12 13:39:27 [350085.038699] CPU: 0 PID: 2119 Comm: Xorg");
        assert_eq!((ts.host, ts.program), (None, None));
        assert_eq!(ts.text, "CPU: 0 PID: 2119 Comm: Xorg");
    }

    #[test]
    fn indented_stamp_is_prefixed_but_the_kernels_leading_space_stays() {
        let line = split_prefix(
            "    [ 1477.960064] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0",
        );
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, Some(1477.960064));
        assert_eq!(
            line.text,
            "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0"
        );
        let tab = split_prefix("\t[ 1477.960070]  dump_stack+0x10/0x16");
        assert_eq!(tab.text, " dump_stack+0x10/0x16");
        for raw in [
            " dump_stack+0x10/0x16",
            " [<ffffffff812eb122>] dump_stack+0x63/0x81",
            " active_file:146274 inactive_file:144248 isolated_file:0",
            "  free:25159 free_pcp:235 free_cma:0",
            " <TASK>",
            "        0*128kB  0*256kB  0*512kB = 280296kB",
            "  oom_memcg=/user.slice/user-1000.slice,",
        ] {
            let line = split_prefix(raw);
            assert!(!line.prefixed, "{raw}");
            assert_eq!(line.text, raw);
        }
    }

    #[test]
    fn shell_comment_marker_before_a_stamp_is_a_quote_level() {
        let line = split_prefix(
            "# [16969.674115] kworker/3:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0",
        );
        assert!(line.prefixed);
        assert_eq!(line.quote_depth, 1);
        assert_eq!(line.uptime_s, Some(16969.674115));
        assert!(line.text.starts_with("kworker/3:1 invoked oom-killer: "));
        let frame = split_prefix("# [16969.674135]  dump_stack+0xc1/0x10e");
        assert_eq!(frame.text, " dump_stack+0xc1/0x10e");
        for raw in [
            "# [...]",
            "#[ 1.000000] x",
            "# dmesg | grep oom",
            "#!/bin/sh",
        ] {
            let line = split_prefix(raw);
            assert!(!line.prefixed, "{raw}");
            assert_eq!((line.text.as_str(), line.quote_depth), (raw, 0), "{raw}");
        }
    }

    #[test]
    fn journalctl_short_monotonic_without_host() {
        let line = split_prefix(
            "[21161.092614] kernel: earlyoom: page allocation failure: order:0, mode:0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)",
        );
        assert_eq!(line.uptime_s, Some(21161.092614));
        assert_eq!((line.host, line.program.as_deref()), (None, Some("kernel")));
        assert!(line.text.starts_with("earlyoom: page allocation failure: "));
        let frame = split_prefix("[21161.092620] kernel:  dump_stack+0x10/0x16");
        assert_eq!(frame.text, " dump_stack+0x10/0x16");
        let empty = split_prefix("[21161.092620] kernel:");
        assert_eq!(empty.text, "");
        let word = split_prefix("[21161.092620] kernelcore: 1G");
        assert_eq!((word.program, word.text.as_str()), (None, "kernelcore: 1G"));
    }

    #[test]
    fn markdown_list_number_before_console_level() {
        let line = split_prefix(
            "  1. <4>[12345.342532] systemd-journal invoked oom-killer: gfp_mask=0x0, order=0",
        );
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, Some(12345.342532));
        assert_eq!(
            line.text,
            "systemd-journal invoked oom-killer: gfp_mask=0x0, order=0"
        );
        let paren = split_prefix("2) [ 1.000000] Out of memory");
        assert_eq!(paren.text, "Out of memory");
        // A number is a list mark only with its `.` or `)` and a space: no stamp is read from
        // what follows it, and a version or a size stays as it is.
        for (raw, text) in [
            ("1. Install the package", "Install the package"),
            ("  2. [...]", "[...]"),
            ("3.5 GB free", "3.5 GB free"),
            ("4.4.0-1052-aws", "4.4.0-1052-aws"),
        ] {
            let line = split_prefix(raw);
            assert!(!line.prefixed, "{raw}");
            assert_eq!(line.text, text);
        }
    }

    #[test]
    fn journalctl_host_elided_as_ellipsis() {
        let line = split_prefix(
            "Sep 22 12:45:23 \u{2026} kernel: python invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        );
        assert_eq!(line.host.as_deref(), Some("\u{2026}"));
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(
            line.text,
            "python invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0"
        );
        let frame = split_prefix("Sep 22 12:45:23 \u{2026} kernel:  oom_kill_process+0x1cc/0x3f8");
        assert_eq!(frame.text, " oom_kill_process+0x1cc/0x3f8");
        let console = split_prefix("Oct 12 19:00:20 <4>[ 2787.229991] Out of memory");
        assert_eq!(
            (console.host, console.text.as_str()),
            (None, "Out of memory")
        );
    }

    #[test]
    fn syslog_with_priority_as_received_from_the_wire() {
        let line = split_prefix("<3>Oct 12 19:00:20 host kernel: [ 2787.229991] Out of memory");
        assert_eq!(line.host.as_deref(), Some("host"));
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(line.uptime_s, Some(2787.229991));
        assert_eq!(line.text, "Out of memory");
    }

    #[test]
    fn rfc5424_record_with_and_without_structured_data() {
        let line = split_prefix(
            "<3>1 2021-09-11T12:24:42.519080+02:00 host kernel - - - [ 2787.229991] Out of memory",
        );
        assert_eq!(line.host.as_deref(), Some("host"));
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(
            wall(&line),
            (Some(2021), 9, 11, 12, 24, 42, 519_080_000, Some(120))
        );
        assert_eq!(line.uptime_s, Some(2787.229991));
        assert_eq!(line.text, "Out of memory");
        let data = split_prefix(
            "<4>1 - host kernel - - [meta a=\"x\\]y\" b=\"]\"][origin ip=\"::1\"] \u{feff}Mem-Info:",
        );
        assert_eq!((data.wall_time, data.text.as_str()), (None, "Mem-Info:"));
        let nil = split_prefix("<4>1 - - - - - - Mem-Info:");
        assert_eq!(
            (nil.host, nil.program, nil.text.as_str()),
            (None, None, "Mem-Info:")
        );
        let daemon = split_prefix("<30>1 2021-09-11T12:24:42Z host systemd 1 - - Started x");
        assert_eq!(daemon.program.as_deref(), Some("systemd"));
        let unclosed = split_prefix("<4>1 - host kernel - - [meta a=\"x] Mem-Info:");
        assert!(unclosed.text.contains("Mem-Info:"));
    }

    #[test]
    fn console_level_without_stamp() {
        let line = split_prefix("<4>a.out invoked oom-killer: gfp_mask=0x0, order=0");
        assert!(line.prefixed);
        assert_eq!(line.uptime_s, None);
        assert_eq!(line.text, "a.out invoked oom-killer: gfp_mask=0x0, order=0");
        let frame = split_prefix("<4> [<ffffffff812eb122>] dump_stack+0x63/0x81");
        assert_eq!(frame.text, " [<ffffffff812eb122>] dump_stack+0x63/0x81");
    }

    #[test]
    fn markdown_bullet_before_a_stamp_or_a_syslog_date() {
        let stamped = split_prefix("- [ 60.921417] Killed process 1008 (qmlscene)");
        assert_eq!(stamped.uptime_s, Some(60.921417));
        assert_eq!(stamped.text, "Killed process 1008 (qmlscene)");
        let dated = split_prefix("* Dec 13 00:56:34 kernel: java: page allocation failure");
        assert!(dated.wall_time.is_some());
        assert_eq!(dated.text, "java: page allocation failure");
        // A bullet before prose, or glued to what follows, is text.
        for raw in ["- free more memory", "-[ 1.000000] x", "+ 3.5 GB free"] {
            assert_eq!(split_prefix(raw).text, raw, "{raw}");
        }
    }

    #[test]
    fn a_hash_number_before_a_stamp_numbers_the_line() {
        let line =
            split_prefix(">   #1 [Fri Apr 19 11:14:27 2019] Out of memory: Kill process 976 (a)");
        assert!(line.wall_time.is_some());
        assert_eq!(line.text, "Out of memory: Kill process 976 (a)");
        // A number, not a comment: the quote level is the `>` alone.
        assert_eq!(line.quote_depth, 1);
        let comment = split_prefix("# [ 1.000000] Out of memory");
        assert_eq!(
            (comment.text.as_str(), comment.quote_depth),
            ("Out of memory", 1)
        );
    }

    #[test]
    fn an_uptime_stamp_that_lost_its_opening_bracket() {
        let line = split_prefix("60.921386] Out of memory: Kill process 1008 (qmlscene)");
        assert!(line.prefixed);
        // Digits of the seconds may have gone with the bracket.
        assert_eq!(line.uptime_s, None);
        assert_eq!(line.text, "Out of memory: Kill process 1008 (qmlscene)");
        // Six fraction digits, as print_time prints them, and the bracket.
        for raw in ["3.5] of the manual", "60.92138] x", "60.921386 x"] {
            assert_eq!(split_prefix(raw).text, raw, "{raw}");
        }
    }

    #[test]
    fn empty_table_cells_after_a_line_are_dropped() {
        let line =
            split_prefix("[3707038.529127] [<ffffffff810b0cd3>] oom_kill_process+0xe3/0x210 | |");
        assert_eq!(
            line.text,
            "[<ffffffff810b0cd3>] oom_kill_process+0xe3/0x210"
        );
        let flags = split_prefix("[ 1.000000] mode:0x20(GFP_ATOMIC|__GFP_COMP)");
        assert_eq!(flags.text, "mode:0x20(GFP_ATOMIC|__GFP_COMP)");
    }

    #[test]
    fn a_dmesg_t_stamp_that_lost_its_opening_bracket() {
        let line = split_prefix(
            "Thu May 23 18:40:42 2024] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)",
        );
        assert_eq!(
            line.text,
            "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null)"
        );
        assert!(line.wall_time.is_some());
        // A weekday in prose is no stamp.
        let prose = split_prefix("Thu May 23 the box died");
        assert_eq!(prose.text, "Thu May 23 the box died");
    }

    #[test]
    fn vendor_cpu_and_pid_columns_after_the_stamp() {
        let line = split_prefix("[   17.072908] c0 0      Mem-Info:");
        assert_eq!(line.text, "Mem-Info:");
        let frame =
            split_prefix("[   17.072803] c0 0      [<ffffff8009914da4>] dump_backtrace+0x0/0x4");
        assert_eq!(frame.text, "[<ffffff8009914da4>] dump_backtrace+0x0/0x4");
        // One column alone is kernel text: a task named c3.
        let comm =
            split_prefix("[   17.0] c3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0");
        assert_eq!(
            comm.text,
            "c3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0"
        );
    }

    #[test]
    fn a_syslog_line_whose_date_was_cut_keeps_its_host() {
        let line = split_prefix("HOST1 kernel: Out of memory: Kill process 19434 (xxxx) score 31");
        assert_eq!(line.host.as_deref(), Some("HOST1"));
        assert_eq!(line.program.as_deref(), Some("kernel"));
        assert_eq!(
            line.text,
            "Out of memory: Kill process 19434 (xxxx) score 31"
        );
        // Kernel text is not a host and a tag: only `kernel:` is read.
        for raw in [
            "Freeing unused kernel memory: 2048K",
            "oom_reaper: reaped process 1 (a)",
            "mem_cgroup_out_of_memory+0x10/0x20 kernel: x",
        ] {
            assert_eq!(split_prefix(raw).text, raw, "{raw}");
        }
    }

    #[test]
    fn samsung_cpu_and_task_column_with_or_without_the_stamp() {
        let stamped = split_prefix("[  563.466441] [4: binder:569_5:27109] warn_alloc+0xf4/0x190");
        assert_eq!(stamped.uptime_s, Some(563.466441));
        assert_eq!(stamped.text, "warn_alloc+0xf4/0x190");
        let cut =
            split_prefix("[4: binder:569_5:27109] binder:569_5: page allocation failure: order:0");
        assert!(cut.prefixed);
        assert_eq!(cut.text, "binder:569_5: page allocation failure: order:0");
        // Task-table rows and frames are kernel text.
        for raw in [
            "[  1234]     0  1234    10    2 0 name",
            "[<ffffff8009914da4>] x+0x0/0x4",
        ] {
            assert!(!split_prefix(raw).prefixed, "{raw}");
        }
    }

    #[test]
    fn journalctl_verbose_message_field() {
        let line = split_prefix("    MESSAGE=Memory cgroup out of memory: Killed process 2855014 (tail) total-vm:4296kB");
        assert_eq!(
            line.text,
            "Memory cgroup out of memory: Killed process 2855014 (tail) total-vm:4296kB"
        );
        assert_eq!(line.provenance, Provenance::Unverified);
        // Other fields are no kernel text.
        assert_ne!(split_prefix("    _TRANSPORT=kernel").text, "kernel");
    }

    #[test]
    fn an_ellipsis_for_date_and_host_before_the_kernel_tag() {
        let line = split_prefix("... kernel: [430837.196260] Mem-info:");
        assert_eq!(line.text, "Mem-info:");
        assert_eq!(line.uptime_s, Some(430837.19626));
        assert_eq!(split_prefix("… kernel: Mem-info:").text, "Mem-info:");
        assert_eq!(
            split_prefix("... and then it died").text,
            "... and then it died"
        );
    }

    #[test]
    fn logcat_threadtime_blank_tag_is_dropped_and_a_word_tag_kept() {
        let blank = split_prefix("04-11 02:16:36.254  5340  5340 E         : Out of memory: Killed process 5340 (mpi_dec_test)");
        assert_eq!(
            blank.text,
            "Out of memory: Killed process 5340 (mpi_dec_test)"
        );
        assert!(blank.wall_time.is_some());
        let tagged = split_prefix(
            "04-11 02:16:36.255  5340  5340 I oom-kill: constraint=CONSTRAINT_NONE,nodemask=(null)",
        );
        assert_eq!(
            tagged.text,
            "oom-kill: constraint=CONSTRAINT_NONE,nodemask=(null)"
        );
        assert_eq!(tagged.provenance, Provenance::Unverified);
        // Without pid, tid and letter it is no logcat line.
        let bare = split_prefix("04-11 02:16:36.255 oom-kill: x");
        assert_ne!(bare.text, "x");
    }

    #[test]
    fn talosctl_dmesg_node_facility_level_and_time() {
        let line = split_prefix("10.200.70.91: kern:    info: [2025-06-04T04:51:57.572293906Z]: memory: usage 4194304kB, limit 4194304kB, failcnt 2084326");
        assert_eq!(
            line.text,
            "memory: usage 4194304kB, limit 4194304kB, failcnt 2084326"
        );
        assert_eq!(line.host.as_deref(), Some("10.200.70.91"));
        assert_eq!(line.provenance, Provenance::Kernel);
        let warning =
            split_prefix("node-1: kern: warning: [2025-06-04T04:51:57.5Z]: x invoked oom-killer");
        assert_eq!(warning.text, "x invoked oom-killer");
        let user =
            split_prefix("node-1: user: warning: [2025-06-04T04:51:57.5Z]: x invoked oom-killer");
        assert_eq!(user.provenance, Provenance::NotKernel);
        // One node: the node column is left empty.
        let single = split_prefix(" kern:    info: [2025-05-18T15:40:20.654325542Z]: memory: usage 40964kB, limit 40960kB, failcnt 172");
        assert_eq!(
            single.text,
            "memory: usage 40964kB, limit 40960kB, failcnt 172"
        );
        assert_eq!(single.host, None);
        assert_eq!(single.provenance, Provenance::Kernel);
    }

    #[test]
    fn a_console_prompt_before_a_stamp() {
        let nixos = split_prefix("percona # [   16.869199] mysqld invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0");
        assert!(nixos.text.starts_with("mysqld invoked oom-killer"));
        assert_eq!(nixos.uptime_s, Some(16.869199));
        let shell = split_prefix("root@beaglebone:~# [  533.797044] mmcqd/1: page allocation failure: order:2, mode:0x2204020");
        assert!(shell.text.starts_with("mmcqd/1: page allocation failure"));
        // Prose with a `#` is no prompt; nor is a prompt before anything but a stamp.
        let prose = split_prefix("see issue #12 [   16.869199] x");
        assert_eq!(prose.text, "see issue #12 [   16.869199] x");
        assert_eq!(
            split_prefix("root@host:~# dmesg").text,
            "root@host:~# dmesg"
        );
    }

    #[test]
    fn printk_caller_task_and_cpu() {
        let task = split_prefix("[ 1233.911539][  T460] a.out invoked oom-killer");
        assert_eq!(task.uptime_s, Some(1233.911539));
        assert_eq!(task.text, "a.out invoked oom-killer");
        let cpu = split_prefix("[ 1233.911539][   C3]  dump_stack+0x10/0x16");
        assert_eq!(cpu.text, " dump_stack+0x10/0x16");
        let spaced = split_prefix("[ 1233.911539] [  T460] a.out invoked oom-killer");
        assert_eq!(spaced.text, "a.out invoked oom-killer");
    }

    #[test]
    fn console_level_before_stamp() {
        let line = split_prefix("<4>[ 1233.911539] a.out invoked oom-killer");
        assert_eq!(line.uptime_s, Some(1233.911539));
        assert_eq!(line.text, "a.out invoked oom-killer");
    }

    #[test]
    fn bare_lines_are_unprefixed_and_untouched() {
        for raw in [
            "doxygen invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=0",
            " dump_stack_lvl+0x48/0x60",
            "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            "[    246]     0   246    16404       66   159744      303          -250 systemd-journal",
            " 0000000000000286 000000009fd6569c ffff88020c60f940 ffffffff812eb122",
            "Node 0 DMA free:15516kB min:136kB low:168kB high:200kB",
            "0 pages HighMem/MovableOnly",
            "Free swap  = 0kB",
        ] {
            let line = split_prefix(raw);
            assert!(!line.prefixed, "{raw}");
            assert_eq!(line.text, raw);
            assert_eq!((line.uptime_s, line.wall_time, line.quote_depth), (None, None, 0));
        }
    }

    #[test]
    fn hostile_short_inputs_do_not_panic() {
        for raw in [
            "",
            "[",
            "]",
            "[]",
            "[ ",
            "[.",
            "[1.",
            "[1.2",
            "[1.2s",
            "<",
            "<4>",
            "<4>[",
            ">",
            ">>>",
            "> ",
            "\0",
            "\u{1}\u{7f}",
            "[\0]",
            "#012",
            "\\x",
            "6,",
            "6,1,2,;",
            "Jan",
            "Jan  5",
            "Jan  5 00:37:34",
            "Jan  5 00:37:34 ",
            "kern  :",
            "-- |",
            "  |",
            "565",
            "565 ",
            "565 [",
            "07-13 08:41:51.341 ",
            "07-13 08:41:51.341 <4>",
            "[pid:",
            "[ 1.2][pid:",
            "[ 1.2][  T",
            "2024-07-20T19:51:03",
            "é[Di Aug 12 03:54:03 2025]",
            "[é",
            "Jun 25, 2021 @ ",
            "[Di Aug 12 99:99:99 2025] x",
            "\u{1b}",
            "\u{1b}[",
            "\u{1b}[é",
            "[+",
            "[<",
            "[< 1.2",
            "[Sep11",
            "[Sep 7 12:",
            "9月",
            " 9月 1",
            "2021-09-11T12:24:42,",
            "Sat 2021-09-11 12:24:42 ",
            "Sat Sep 11 12:24:42 2021 ",
            "h kern.warn",
            "<1",
            "<4>1 ",
            "<4>1 - ",
            "<4>1 - h a p m [",
            "<4>1 - h a p m [x \"]",
            "<4>1 - h a p m [x \\",
            "<4>Oct 12 19:00:20 ",
        ] {
            let line = split_prefix(raw);
            assert!(line.text.len() <= raw.len(), "{raw:?}");
        }
        assert_eq!(split_prefix("[6,1,2,-;x").text, "[6,1,2,-;x");
    }

    #[test]
    fn ten_megabyte_lines_cost_linear_time() {
        let started = Instant::now();
        for unit in [
            "[",
            "a",
            "> ",
            "1 ",
            "[ 1.2]",
            "#012",
            "\\x41",
            "Jan ",
            "|",
            "[pid:",
            " ",
            "\u{1b}[",
            "[<",
            "9月 ",
            "[+1",
            "<4>1 - h a p m [",
            "<4>",
        ] {
            let raw = unit.repeat(10_000_000 / unit.len());
            let line = split_prefix(&raw);
            assert!(line.text.len() <= raw.len());
        }
        let quoted = format!("> [ 1.0] {}", "x".repeat(10_000_000));
        assert_eq!(split_prefix(&quoted).text.len(), 10_000_000);
        // Quadratic work on a 10 MB line would take hours; linear takes well under this.
        assert!(started.elapsed() < Duration::from_secs(60));
    }

    #[test]
    fn quote_depth_saturates() {
        let line = split_prefix(&">".repeat(1000));
        assert_eq!(line.quote_depth, u8::MAX);
    }

    fn corpus_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
    }

    /// A kernel stamp (uptime, vendor uptime, or dmesg -T date) near the start of a line.
    static STAMP: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"\[\s*\d+\.\d+s?\]|\[\S+ +\S+ +\d{1,2} \d{1,2}:\d\d:\d\d \d{4}\]").unwrap()
    });

    #[test]
    fn every_corpus_line_splits_and_stamped_lines_are_prefixed() {
        let dir = corpus_dir();
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).expect("corpus directory") {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("log") {
                continue;
            }
            files += 1;
            let log = std::fs::read_to_string(&path).unwrap();
            let sidecar: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(path.with_extension("json")).unwrap(),
            )
            .unwrap();
            let format = sidecar["format"].as_str().unwrap().to_owned();
            let name = path.display();
            let mut prefixed = 0;
            for raw in log.lines() {
                let line = split_prefix(raw);
                prefixed += usize::from(line.prefixed);
                if raw.trim().is_empty() {
                    continue;
                }
                let head: String = raw.chars().take(64).collect();
                let stamped = STAMP.is_match(&head) && format != "bare";
                assert!(!stamped || line.prefixed, "{name}: {raw}");
                if line.prefixed && format.starts_with("dmesg") {
                    assert!(
                        line.uptime_s.is_some() || line.wall_time.is_some(),
                        "{name}: {raw}"
                    );
                }
                match format.as_str() {
                    "bare" => assert!(!line.prefixed, "{name}: {raw}"),
                    "syslog" => assert!(line.prefixed && line.host.is_some(), "{name}: {raw}"),
                    "kmsg" if raw.contains(";") => assert!(line.prefixed, "{name}: {raw}"),
                    _ => {}
                }
            }
            assert!(format == "bare" || prefixed > 0, "{name}");
            // Every physical line of a dmesg, syslog or kmsg log belongs to a prefixed
            // record once wrapped pieces are joined back.
            let mut joiner = LineJoiner::new(1 << 16);
            let mut logical: Vec<KernelLine> = log.lines().filter_map(|l| joiner.push(l)).collect();
            logical.extend(joiner.finish());
            if matches!(
                format.as_str(),
                "dmesg" | "dmesg-T" | "syslog" | "kmsg" | "journald"
            ) {
                assert!(logical.iter().all(|l| l.prefixed), "{name}");
            }
            assert_eq!(joiner.truncated_lines(), 0, "{name}");
        }
        assert!(files >= 25, "only {files} corpus logs in {}", dir.display());
    }
}
