//! Where records glued into one physical line are cut apart again at their prefixes.
//!
//! A log copied out of an HTML page, a chat or a terminal after a prompt loses its newlines:
//! `$ dmesg | tail[1880957.563150] perl invoked oom-killer: …[1880957.563400] Out of memory: …`.
//! Each record still starts with the prefix its transport gave it (the dmesg timestamp
//! `[%5lu.%06lu]` of kernel/printk/printk.c `print_time`, `dmesg -T`'s `[Sat Sep 11 12:24:42
//! 2021]`, a syslog `Oct 14 10:22:40 host kernel:`), so the line is cut before every such
//! prefix that follows text.

use super::{clock, split_prefix};

/// The length of the record prefix that starts `s`, if one does: a dmesg uptime stamp, a
/// `dmesg -T` stamp, or a syslog (RFC 3164 or RFC 3339) date, host and `kernel:` tag. Read by
/// the prefix layer's own date readers, so what is cut is what `split_prefix` reads.
fn record_start(s: &str) -> Option<usize> {
    let rest = match *s.as_bytes().first()? {
        b'[' => clock::uptime_stamp(s)
            .map(|(_, rest)| rest)
            .or_else(|| clock::human_stamp(s).map(|(_, rest)| rest))?,
        b'0'..=b'9' => kernel_tag_after_host(clock::rfc3339_date(s)?.1)?,
        b'A'..=b'Z' => kernel_tag_after_host(clock::syslog_date(s)?.1)?,
        _ => return None,
    };
    Some(s.len().saturating_sub(rest.len()))
}

/// What follows `host kernel:` after a syslog date, when that is what the date is followed by.
fn kernel_tag_after_host(after_date: &str) -> Option<&str> {
    let (host, after_host) = after_date.split_once(' ')?;
    (!host.is_empty()).then_some(())?;
    after_host.strip_prefix("kernel:")
}

/// The records of one physical line, in order: the whole line when nothing is glued to it.
/// A cut is made before a record prefix only where it stands in the message of the record
/// before it, not in that record's own prefix (so `Oct 14 host kernel: [ 12.345678] msg`, a
/// syslog prefix before a dmesg stamp, stays whole). Every byte of `raw` is in exactly one
/// piece.
pub fn split_glued(raw: &str) -> Vec<&str> {
    // The fast path: a line with at most one place a prefix could end is one record.
    let candidates = raw.bytes().filter(|&b| b == b']' || b == b':').count();
    if candidates < 2 {
        return vec![raw];
    }
    let mut pieces = Vec::new();
    let mut from = 0usize;
    // No prefix starts inside one just read.
    let mut read_to = 0usize;
    for (at, c) in raw.char_indices().skip(1) {
        if at < read_to || !(c == '[' || c.is_ascii_digit() || c.is_ascii_uppercase()) {
            continue;
        }
        let Some(tail) = raw.get(at..) else {
            continue;
        };
        let Some(len) = record_start(tail) else {
            continue;
        };
        read_to = at.saturating_add(len);
        // A stamp that the record's own prefix holds (a syslog prefix before a dmesg stamp,
        // `cat -n` numbers) is not where another record starts: only one inside the message.
        let token = tail.get(..len).unwrap_or_default().trim_end();
        let record = raw.get(from..).unwrap_or_default();
        if split_prefix(record).text.contains(token) {
            pieces.push(raw.get(from..at).unwrap_or_default());
            from = at;
        }
    }
    pieces.push(raw.get(from..).unwrap_or_default());
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dmesg_records_glued_after_a_prompt_are_cut_at_each_stamp() {
        let raw = "$ dmesg | tail[1880957.563150] perl invoked oom-killer: gfp_mask=0x280da, order=0, oom_score_adj=0[...][1880957.563408] Killed process 18694 (perl) total-vm:1972392kB, anon-rss:1953348kB, file-rss:0kB";
        assert_eq!(
            split_glued(raw),
            [
                "$ dmesg | tail",
                "[1880957.563150] perl invoked oom-killer: gfp_mask=0x280da, order=0, oom_score_adj=0[...]",
                "[1880957.563408] Killed process 18694 (perl) total-vm:1972392kB, anon-rss:1953348kB, file-rss:0kB",
            ]
        );
    }

    #[test]
    fn syslog_records_glued_without_newlines() {
        let raw = "Oct 14 10:22:40 localhost kernel: sh invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0Oct 14 10:22:40 localhost kernel: sh cpuset=/ mems_allowed=0";
        assert_eq!(
            split_glued(raw),
            [
                "Oct 14 10:22:40 localhost kernel: sh invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0",
                "Oct 14 10:22:40 localhost kernel: sh cpuset=/ mems_allowed=0",
            ]
        );
    }

    #[test]
    fn human_stamps_glued() {
        let raw = "[Sat Sep 11 12:24:42 2021] test invoked oom-killer: order=0[Sat Sep 11 12:24:42 2021] test cpuset=/ mems_allowed=0";
        assert_eq!(split_glued(raw).len(), 2);
    }

    #[test]
    fn a_prefix_before_a_stamp_is_one_record() {
        for raw in [
            "Oct 14 10:22:40 localhost kernel: [ 123.456789] Out of memory: Killed process 1 (a)",
            "2023-08-01T10:00:05.500000+00:00 aks-node kernel: [ 8523.347299] oom-kill:constraint=CONSTRAINT_MEMCG",
            "[  31.935015][   T71] OOM[1]: kworker/4:1 invoked oom-killer: order=-1",
            "[ 5.000001] no stamp follows: [0] and [a.b] and time 12:00:00",
            "     5\t[  123.456789] Out of memory: Killed process 1 (a)",
        ] {
            assert_eq!(split_glued(raw), [raw], "{raw}");
        }
    }

    #[test]
    fn pieces_cover_every_byte_once() {
        let raw = "x[ 1.000001] a[ 1.000002] b[ 1.000003] c";
        assert_eq!(split_glued(raw).concat(), raw);
        assert_eq!(split_glued(raw).len(), 4);
        assert_eq!(split_glued(""), [""]);
    }
}
