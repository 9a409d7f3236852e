//! Where a kernel log pasted from a raw mail body in quoted-printable is decoded again.
//!
//! Mail archives store many OOM reports as sent: RFC 2045 quoted-printable, every `=` of
//! `gfp_mask=0xcc0` written `=3D`, lines soft-broken at 76 columns with a trailing `=`, line
//! ends inside a soft-broken run written `=0A`. Read as it is, such a report loses its order,
//! its zone figures and its cgroup paths.

/// `text` decoded when it reads as quoted-printable ([`is_quoted_printable`]), else as it is.
pub fn undo_quoted_printable(text: &str) -> std::borrow::Cow<'_, str> {
    if is_quoted_printable(text) {
        std::borrow::Cow::Owned(decode_quoted_printable(text))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Whether `text` reads as quoted-printable: at least two soft line breaks (a line ending in a
/// lone `=`) and an encoded `=` (`=3D`), which every kernel report line with a `key=value`
/// holds once encoded. Plain kernel text has neither: it never ends a line with `=`.
pub fn is_quoted_printable(text: &str) -> bool {
    let soft_breaks = text
        .lines()
        .filter(|line| line.trim_end_matches('\r').ends_with('='))
        .take(2)
        .count();
    soft_breaks >= 2 && text.contains("=3D")
}

/// Decodes quoted-printable `text`: soft breaks (`=` before a line end) are removed and
/// `=XX` escapes become their bytes; bytes that do not form UTF-8 are replaced. A `=` not
/// followed by two hex digits is kept as it is (RFC 2045 asks decoders to be lenient).
pub fn decode_quoted_printable(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte != b'=' {
            out.push(byte);
            i += 1;
            continue;
        }
        let next = bytes.get(i + 1).copied();
        let after = bytes.get(i + 2).copied();
        match (next, after) {
            (Some(b'\n'), _) => i += 2,
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(high), Some(low)) => match (hex(high), hex(low)) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                }
                _ => {
                    out.push(byte);
                    i += 1;
                }
            },
            // `=` at the very end: a soft break with nothing after it.
            (None, _) => i += 1,
            (Some(_), None) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIL: &str = "[1527133.672369] test invoked oom-killer: gfp_mask=3D0x400dc0(GF=\nP_KERNEL_ACCOUNT|__GFP_ZERO), order=3D2, oom_score_adj=3D0=0A=\n[1527133.672431] CPU: 1 PID: 14450=\n Comm: test\n";

    #[test]
    fn soft_breaks_and_escapes_are_undone() {
        assert!(is_quoted_printable(MAIL));
        assert_eq!(
            decode_quoted_printable(MAIL),
            "[1527133.672369] test invoked oom-killer: gfp_mask=0x400dc0(GFP_KERNEL_ACCOUNT|__GFP_ZERO), order=2, oom_score_adj=0\n[1527133.672431] CPU: 1 PID: 14450 Comm: test\n"
        );
    }

    #[test]
    fn plain_kernel_text_is_not_quoted_printable() {
        let plain = "[ 1.000000] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n[ 1.000001] x=3D\n";
        assert!(!is_quoted_printable(plain));
    }

    #[test]
    fn lone_and_broken_escapes_are_kept() {
        assert_eq!(decode_quoted_printable("a=ZZb=4"), "a=ZZb=4");
        assert_eq!(decode_quoted_printable("a="), "a");
        assert_eq!(decode_quoted_printable("=E2=80=A6"), "…");
        assert_eq!(decode_quoted_printable("=FF"), "\u{fffd}");
        assert_eq!(decode_quoted_printable("a=\r\nb"), "ab");
    }
}
