//! Record and transport headers before a kernel message: syslog (RFC 3164, RFC 3339,
//! RFC 5424), journald's short and verbose output, /dev/kmsg records, busybox and OpenWrt
//! `logread`, Android's vendor date and logcat, `talosctl dmesg`.

use super::clock::{self, Dated};
use super::cursor::Cursor;
use super::{after_stamp, console_level, strip_separator, Layer, Provenance, FACILITIES, LEVELS};

/// A record or transport header: /dev/kmsg, `dmesg --time-format=iso`, RFC 3339 or RFC 3164
/// syslog / journald (any `-o short*` output), busybox syslogd and OpenWrt `logread`, the
/// Android vendor date.
pub(super) fn transport_header(s: &str) -> Option<Layer<'_>> {
    let first = *s.as_bytes().first()?;
    if first.is_ascii_digit() {
        kmsg_record(s)
            .or_else(|| dmesg_iso(s))
            .or_else(|| syslog_header(s, clock::rfc3339_date))
            .or_else(|| android_date(s))
            .or_else(|| logcat_threadtime(s))
            .or_else(|| talos_dmesg(s))
            .or_else(|| syslog_header(s, clock::syslog_date))
            .or_else(|| syslog_header(s, clock::unix_epoch_date))
            .or_else(|| time_only_header(s))
    } else if first.is_ascii_alphabetic() || !first.is_ascii() {
        elided_header(s)
            .or_else(|| syslog_header(s, clock::syslog_date))
            .or_else(|| syslog_header(s, clock::ctime_date))
            .or_else(|| syslog_header(s, clock::weekday_iso_date))
            .or_else(|| pipe_record(s))
            .or_else(|| talos_dmesg(s))
            .or_else(|| dateless_priority_header(s))
            .or_else(|| dateless_kernel_header(s))
    } else if first == b'.' {
        elided_header(s)
    } else if first == b' ' {
        // Japanese and Korean journalctl pad a one-digit month: ` 9月 11 12:24:42 host ...`.
        journal_verbose_message(s).or_else(|| syslog_header(s, clock::syslog_date))
    } else if first == b'<' {
        // Syslog as it travels, `<PRI>` first, which a bare receiver (`nc`, `socat`) writes
        // to its file as it comes; `<4>[ uptime]` (dmesg -r) is the kernel stamp's.
        let (priority, after) = console_level(s)?;
        let mut layer =
            rfc5424_header(after).or_else(|| syslog_header(after, clock::syslog_date))?;
        let by_priority = Provenance::of_text_facility(priority >> 3);
        layer.provenance = Some(by_priority.combined(layer.provenance.unwrap_or_default()));
        Some(layer)
    } else {
        None
    }
}

/// A line whose date a paste cut, its time of day left (`19:50:59 kernel: Out of memory…`,
/// `12:00:52 oom-kill:constraint=…`): read as after a syslog date ([`syslog_tail`]) when a
/// tag follows, else the kernel text itself. Never a host without a tag: `12:00:52 Out of
/// memory` has none.
fn time_only_header(s: &str) -> Option<Layer<'_>> {
    let (_, rest) = clock::time_only_date(s)?;
    Some(match syslog_tail(rest) {
        (host, Some(tag), message) => Layer {
            rest: message,
            host,
            program: Some(tag.program),
            provenance: Some(tag.provenance),
            ..Layer::default()
        },
        (_, None, _) => Layer {
            rest,
            ..Layer::default()
        },
    })
}

/// A busybox syslogd or OpenWrt `logread` line whose date a paste cut off: `kern.warn
/// kernel: [ uptime] text`. The `facility.priority` word is one of syslog.h's names, never a
/// host, and a tag must follow it.
fn dateless_priority_header(s: &str) -> Option<Layer<'_>> {
    facility_priority(split_word(s).0)?;
    let (tag, rest) = tag_and_message(s)?;
    Some(Layer {
        rest,
        program: Some(tag.program),
        provenance: Some(tag.provenance),
        ..Layer::default()
    })
}

/// A syslog line whose date a poster cut, its host kept: `HOST1 kernel: Out of memory: Kill
/// process …`. Only before the `kernel:` tag, so kernel text whose second word ends in a
/// colon stays text.
fn dateless_kernel_header(s: &str) -> Option<Layer<'_>> {
    let (host, rest) = split_word(s);
    if !is_host_name(host) || host.ends_with(':') {
        return None;
    }
    let (tag, message) = tag_and_message(rest)?;
    (tag.program == "kernel").then_some(Layer {
        rest: message,
        host: Some(host),
        program: Some(tag.program),
        provenance: Some(tag.provenance),
        ..Layer::default()
    })
}

/// An RFC 5424 record after its `<PRI>`: `1 2021-09-11T12:24:42.519080+02:00 host app procid
/// msgid [structured data] message`, any field but the version `-` when unknown.
fn rfc5424_header(s: &str) -> Option<Layer<'_>> {
    let after_version = s.strip_prefix("1 ")?;
    let (wall_time, rest) = match after_version.strip_prefix("- ") {
        Some(rest) => (None, rest),
        None => clock::rfc3339_date(after_version)?,
    };
    let (host, rest) = split_word(rest);
    let (app, rest) = split_word(rest);
    let (_procid, rest) = split_word(rest);
    let (_msgid, rest) = split_word(rest);
    let rest = after_structured_data(rest)?;
    let message = strip_separator(rest);
    let known = |field| Some(field).filter(|f: &&str| !f.is_empty() && *f != "-");
    Some(Layer {
        rest: message.strip_prefix('\u{feff}').unwrap_or(message),
        wall_time,
        host: known(host),
        program: known(app),
        ..Layer::default()
    })
}

/// What follows RFC 5424 structured data: `-`, or elements `[id name="value" ...]` whose
/// values may hold `\]`, `\"` and `]` inside quotes.
fn after_structured_data(s: &str) -> Option<&str> {
    if let Some(rest) = s.strip_prefix('-') {
        return Some(rest);
    }
    let mut rest = s;
    while rest.starts_with('[') {
        let (mut escaped, mut quoted) = (false, false);
        let close = rest.char_indices().find(|&(_, c)| {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = !quoted,
                ']' if !quoted => return true,
                _ => {}
            }
            false
        });
        rest = rest.get(close?.0 + 1..)?;
    }
    (rest.len() < s.len()).then_some(rest)
}

/// An rsyslog template of `|`-separated fields, `%syslogseverity-text%|%syslogtag%|%msg%`:
/// `warning|kernel[-]|[2919920.414131] memhog invoked oom-killer`. The severity must be a
/// syslog priority name and the tag a program with an optional `[pid]` (`[-]` when unknown)
/// and `:`, so a kernel line holding `|` (`gfp_mask=0xcc0(GFP_KERNEL|__GFP_COMP)`) is none.
fn pipe_record(s: &str) -> Option<Layer<'_>> {
    let mut cursor = Cursor::new(s);
    let severity = cursor.run(1, 7, |c| c.is_ascii_lowercase())?;
    cursor.tag("|")?;
    if !PRIORITIES.contains(&severity) {
        return None;
    }
    // A tag is at most 32 characters (RFC 3164); the bound keeps a long line from being
    // scanned to its end for a `|` that is not there.
    let tag = cursor.run(1, 48, |c| c != '|' && c != ' ')?;
    cursor.tag("|")?;
    let tag = program_of(tag.strip_suffix(':').unwrap_or(tag))?;
    Some(Layer {
        rest: cursor.rest(),
        program: Some(tag.program),
        provenance: Some(tag.provenance),
        ..Layer::default()
    })
}

/// `dmesg --time-format=iso`'s stamp: a date, then the kernel text (no host, no tag).
fn dmesg_iso(s: &str) -> Option<Layer<'_>> {
    let (wall_time, after) = clock::dmesg_iso_date(s)?;
    Some(Layer {
        rest: after_stamp(after),
        wall_time,
        ..Layer::default()
    })
}

/// A syslog or journald header: a date read with `read_date`, then [`syslog_tail`].
fn syslog_header<'a>(s: &'a str, read_date: fn(&str) -> Option<Dated<'_>>) -> Option<Layer<'a>> {
    let (wall_time, after_date) = read_date(s)?;
    let (host, tag, rest) = syslog_tail(after_date);
    Some(Layer {
        rest,
        wall_time,
        host,
        program: tag.as_ref().map(|tag| tag.program),
        provenance: tag.map(|tag| tag.provenance),
        ..Layer::default()
    })
}

/// What follows a syslog or journald date: `host tag[pid]: message`. Returns the host,
/// the tag without `[pid]` and the message. An empty hostname leaves `00:37:34   kernel: `
/// (no host); a line without a tag (RFC 3164 allows that) keeps all after the host as its
/// message. A host never ends in `:`, so `kernel:` is never taken for one, and never holds a
/// `[`: a date before a kernel stamp is a tool's (`dmesg | ts`), with no host. Busybox syslogd
/// writes `host kern.warn kernel: `, OpenWrt `logread` `kern.warn kernel: ` (no host).
fn syslog_tail(s: &str) -> (Option<&str>, Option<Tag<'_>>, &str) {
    if let Some((tag, message)) = tag_and_message(s) {
        return (None, Some(tag), message);
    }
    let (first, after_first) = split_word(s);
    // A host a poster redacted (`<coordinator>`, `[REDACTED]`, `***`) is still one where the
    // kernel's tag follows it (a tool's date before `[ uptime] CPU: 0 …` is not).
    if is_redacted(first) {
        if let Some((tag, message)) = tag_and_message(after_first.trim_start_matches(' ')) {
            if tag.program == "kernel" {
                return (Some(first), Some(tag), message);
            }
        }
    }
    if !is_host_name(first) {
        // A date a tool put before kernel text (`dmesg | ts`, `docker logs -t`): the
        // kernel's `[ uptime]` or `[Sat Sep ...]` is no host.
        return (None, None, s);
    }
    let host = Some(first).filter(|host| !host.is_empty());
    let after_host = after_first.trim_start_matches(' ');
    match tag_and_message(after_host) {
        Some((tag, message)) => (host, Some(tag), message),
        None => (host, None, after_host),
    }
}

/// `tag[pid]: message`, optionally after a busybox `facility.priority` word: the tag (its
/// provenance said by the facility too) and the message, or `None` when `s` does not start
/// with a tag.
fn tag_and_message(s: &str) -> Option<(Tag<'_>, &str)> {
    let (word, rest) = split_word(s);
    let (facility, word, rest) = match facility_priority(word) {
        Some(facility) => {
            let (tag, rest) = split_word(rest);
            (Some(facility), tag, rest)
        }
        None => (None, word, rest),
    };
    let mut tag = syslog_tag(word)?;
    if let Some(facility) = facility {
        tag.provenance = tag
            .provenance
            .combined(Provenance::of_text_facility(facility));
    }
    Some((tag, rest))
}

/// Whether `word` can stand in a syslog header's host field: a name or address (ASCII
/// letters, digits and `. - _ : %`) or anything non-ASCII (a Unicode name, journalctl's
/// elided `…`). So never the `[` of a kernel stamp, nor kernel text after a tool's date
/// (`oom-kill:constraint=...,`, `gfp_mask=...`).
fn is_host_name(word: &str) -> bool {
    word.bytes()
        .all(|b| !b.is_ascii() || b.is_ascii_alphanumeric() || b".-_:%".contains(&b))
}

/// Whether `word` is a redaction standing for a name: `<…>`, `[…]` or `{…}` holding a letter
/// (never an uptime stamp), or asterisks.
fn is_redacted(word: &str) -> bool {
    let bracketed = [('<', '>'), ('[', ']'), ('{', '}')]
        .iter()
        .any(|(open, close)| {
            word.len() > 2
                && word.starts_with(*open)
                && word.ends_with(*close)
                && word.bytes().any(|b| b.is_ascii_alphabetic())
        });
    bracketed || (!word.is_empty() && word.bytes().all(|b| b == b'*'))
}

/// `s` split at its first space: the word and what follows the space.
fn split_word(s: &str) -> (&str, &str) {
    s.split_once(' ').unwrap_or((s, ""))
}

/// Syslog priority names as `syslog.h` spells them (busybox and OpenWrt print the first
/// name of a value, but the aliases are in the table too).
const PRIORITIES: [&str; 12] = [
    "emerg", "panic", "alert", "crit", "err", "error", "warn", "warning", "notice", "info",
    "debug", "none",
];

/// The facility of busybox's `facility.priority` word (`kern.warn`) or, for a pair that has
/// no name, of `<PRI>`; `None` when `word` is neither. `mark` is syslogd's own (24).
fn facility_priority(word: &str) -> Option<u64> {
    if let Some(number) = word.strip_prefix('<').and_then(|w| w.strip_suffix('>')) {
        let digits = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
        return digits.then(|| number.parse::<u64>().map_or(u64::MAX, |pri| pri >> 3));
    }
    let (facility, priority) = word.split_once('.')?;
    if !PRIORITIES.contains(&priority) {
        return None;
    }
    match FACILITIES.iter().position(|name| *name == facility) {
        Some(code) => Some(code as u64),
        None => (facility == "mark").then_some(24),
    }
}

/// A syslog tag: the program it names and what it proves about the writer.
#[derive(Debug)]
struct Tag<'a> {
    program: &'a str,
    /// [`Provenance::NotKernel`] for another program, or for `kernel[pid]`: the kernel's
    /// records carry no pid, and journald (`journalctl`'s `SYSLOG_IDENTIFIER[_PID]:`) and
    /// syslog daemons print the pid of a process that logs with the tag `kernel`.
    provenance: Provenance,
}

/// The tag of a syslog tag word `prog[pid]:`, or `None` if `word` is not one.
fn syslog_tag(word: &str) -> Option<Tag<'_>> {
    program_of(word.strip_suffix(':')?)
}

/// The tag without its `:`, `prog` or `prog[pid]` (`prog[-]` where a template prints an
/// unknown pid), or `None` if `tag` is not one.
fn program_of(tag: &str) -> Option<Tag<'_>> {
    let (program, has_pid) = match tag.strip_suffix(']') {
        Some(with_pid) => {
            let (program, pid) = with_pid.split_once('[')?;
            let digits = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit());
            (digits || pid == "-").then_some((program, digits))?
        }
        None => (tag, false),
    };
    let valid = !program.is_empty() && !program.contains([':', '[', ']']);
    let provenance = if program != "kernel" || has_pid {
        Provenance::NotKernel
    } else {
        Provenance::Unverified
    };
    valid.then_some(Tag {
        program,
        provenance,
    })
}

/// A /dev/kmsg record header `prio,seq,usec,flags[,more];`; its microseconds are the
/// uptime.
fn kmsg_record(s: &str) -> Option<Layer<'_>> {
    let mut cursor = Cursor::new(s);
    let priority = cursor.digits(1, 10)?;
    cursor.tag(",")?;
    cursor.digits(1, usize::MAX)?;
    cursor.tag(",")?;
    let usec = cursor.digits(1, usize::MAX)?;
    cursor.tag(",")?;
    cursor.run(0, usize::MAX, |c| c != ';')?;
    cursor.tag(";")?;
    let uptime_s = usec
        .parse::<f64>()
        .ok()
        .map(|usec| usec / 1e6)
        .filter(|seconds| seconds.is_finite());
    // The record's facility is the kernel buffer's own (devkmsg_read prints
    // `(facility << 3) | level`).
    let facility = priority.parse::<u64>().map_or(u64::MAX, |pri| pri >> 3);
    Some(Layer {
        rest: cursor.rest(),
        uptime_s,
        kmsg: true,
        provenance: Some(Provenance::of_kernel_buffer_facility(facility)),
        ..Layer::default()
    })
}

/// The Android vendor date, only where the kernel's `<level>[uptime` follows it: a bare
/// `MM-DD HH:MM:SS.mmm` alone is not enough to call a line prefixed.
fn android_date(s: &str) -> Option<Layer<'_>> {
    let (wall_time, rest) = clock::android_date(s)?;
    rest.starts_with(['<', '[']).then(|| Layer {
        rest,
        wall_time,
        ..Layer::default()
    })
}

/// The `MESSAGE=` field of `journalctl -o verbose`, indented under its entry's header line.
/// The entry's other fields (`_TRANSPORT=kernel`) are lines of their own, so the field
/// alone proves nothing about the writer.
fn journal_verbose_message(s: &str) -> Option<Layer<'_>> {
    let rest = s.strip_prefix("    ")?.strip_prefix("MESSAGE=")?;
    Some(Layer {
        rest,
        ..Layer::default()
    })
}

/// A syslog line whose date and host a poster replaced by an ellipsis: `... kernel: [
/// 430837.196260] Mem-info:`, `… kernel: text`. Only before the `kernel:` tag (which the
/// next layer strips), so prose that opens with an ellipsis stays text.
fn elided_header(s: &str) -> Option<Layer<'_>> {
    let rest = s
        .strip_prefix("...")
        .or_else(|| s.strip_prefix('…'))?
        .trim_start_matches(' ');
    rest.starts_with("kernel:").then_some(Layer {
        rest,
        ..Layer::default()
    })
}

/// `logcat -v threadtime`, how Android bug reports and `logcat -b kernel` show kernel
/// records: `04-11 02:16:36.254  5340  5340 W         : text`, then pid, tid, priority
/// letter and a tag padded to 8 columns. logd (LogKlog) takes a leading `word: ` of the kernel
/// text for the tag (`I oom-kill: constraint=...`), so a tag stays with the text; a blank one
/// is dropped. The columns prove nothing about the writer.
fn logcat_threadtime(s: &str) -> Option<Layer<'_>> {
    let (wall_time, after_date) = clock::android_date(s)?;
    let mut cursor = Cursor::new(after_date);
    cursor.digits(1, 10)?;
    cursor.spaces(1, usize::MAX)?;
    cursor.digits(1, 10)?;
    cursor.spaces(1, 1)?;
    cursor.run(1, 1, |c| "VDIWEFS".contains(c))?;
    cursor.tag(" ")?;
    let tagged = cursor.rest();
    let (tag, message) = tagged.split_once(": ")?;
    Some(Layer {
        rest: if tag.trim().is_empty() {
            message
        } else {
            tagged
        },
        wall_time,
        ..Layer::default()
    })
}

/// `talosctl dmesg`: `172.20.1.2: kern:    info: [2021-11-10T10:09:37.662764956Z]: text`,
/// the node, then the /dev/kmsg record's facility, its level right-aligned in 7 columns and
/// its time. The facility is the kernel buffer's, as in `dmesg -x`.
fn talos_dmesg(s: &str) -> Option<Layer<'_>> {
    let (node, after_node) = s.split_once(": ")?;
    if !is_host_name(node) || node.contains(' ') {
        return None;
    }
    // With one node the node column is empty: the line starts at the facility.
    let (node, after_node) = match FACILITIES.contains(&node) {
        true => (None, s),
        false => (Some(node), after_node),
    };
    let (facility, after_facility) = after_node.split_once(':')?;
    let code = FACILITIES.iter().position(|name| *name == facility)?;
    let (level, after_level) = after_facility.trim_start_matches(' ').split_once(": ")?;
    if !LEVELS.contains(&level) && level != "warning" {
        return None;
    }
    let (wall_time, rest) = clock::bracketed_rfc3339_date(after_level)?;
    Some(Layer {
        rest,
        wall_time,
        host: node,
        provenance: Some(Provenance::of_kernel_buffer_facility(code as u64)),
        ..Layer::default()
    })
}
