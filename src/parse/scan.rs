//! Small scanners for the number and token formats of kernel messages: checked, never wrapping.

/// Unsigned decimal digits; `None` when empty, not all digits, or above `u64::MAX`.
pub(crate) fn parse_u64(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |value, byte| {
        if !byte.is_ascii_digit() {
            return None;
        }
        value.checked_mul(10)?.checked_add(u64::from(byte - b'0'))
    })
}

/// Like [`parse_u64`], `None` above `u32::MAX`.
pub(crate) fn parse_u32(text: &str) -> Option<u32> {
    parse_u64(text).and_then(|value| u32::try_from(value).ok())
}

/// A signed decimal (`-1000`, `+5`, `0`); `None` outside `i32`.
pub(crate) fn parse_i32(text: &str) -> Option<i32> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let magnitude = i64::try_from(parse_u64(digits)?).ok()?;
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// `46592kB` or `108KB` → 46592. The suffix is required: a value cut at the end of a line
/// (`anon-rss:9317`) is not mistaken for a whole one.
pub(crate) fn parse_kb(text: &str) -> Option<u64> {
    parse_u64(
        text.strip_suffix("kB")
            .or_else(|| text.strip_suffix("KB"))?,
    )
}

/// The first whitespace-separated word of `text`.
pub(crate) fn first_word(text: &str) -> &str {
    text.split_ascii_whitespace().next().unwrap_or("")
}

/// Splits off the first ASCII-whitespace-separated word of `text`: the word and what follows it.
/// `None` when `text` holds no word.
pub(crate) fn next_word(text: &str) -> Option<(&str, &str)> {
    let bytes = text.as_bytes();
    let start = bytes.iter().position(|byte| !byte.is_ascii_whitespace())?;
    let end = bytes
        .iter()
        .skip(start)
        .position(u8::is_ascii_whitespace)
        .map_or(bytes.len(), |length| start.saturating_add(length));
    Some((text.get(start..end)?, text.get(end..)?))
}

/// Whether `text` is a C identifier (`active_anon`, `DMA32`, `workingset_refault_anon`).
pub(crate) fn is_identifier(text: &str) -> bool {
    let mut bytes = text.bytes();
    matches!(bytes.next(), Some(first) if first.is_ascii_alphabetic() || first == b'_')
        && bytes.all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

/// Whether `text` is one or more decimal digits.
pub(crate) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Splits a kernel field list such as `gfp_mask=0xcc0(GFP_KERNEL), order=0` or
/// `constraint=CONSTRAINT_NONE,nodemask=0,2-3,global_oom` into `(key, value)` pairs.
///
/// Keys end at `=` or `:`; a bare key (`global_oom`) has an empty value. A comma starts a new
/// field only when a key follows it, so range lists (`nodemask=0,2-3`) stay whole. Spaces after
/// commas (hard-wrapped lines) are skipped. Text before the first key comes out with key `""`.
pub(crate) fn fields(text: &str) -> Fields<'_> {
    Fields { rest: text }
}

/// The iterator of [`fields`].
pub(crate) struct Fields<'a> {
    rest: &'a str,
}

impl<'a> Iterator for Fields<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.rest.trim_start_matches([',', ' ', '\t']);
        if text.is_empty() {
            self.rest = text;
            return None;
        }
        let (key, value_start) = match key_at(text) {
            Some((key, separator_len)) => (key, key.len().saturating_add(separator_len)),
            None => ("", 0),
        };
        let value_text = text.get(value_start..).unwrap_or("");
        let value_end = value_end(value_text);
        let value = value_text.get(..value_end).unwrap_or("");
        self.rest = value_text.get(value_end..).unwrap_or("");
        Some((key, value.trim()))
    }
}

/// If `text` starts with a key, the key and the length of its separator (`=`/`:` is 1, a bare
/// key ending at a comma, space or the end is 0).
fn key_at(text: &str) -> Option<(&str, usize)> {
    let key_len = text
        .bytes()
        .position(|byte| !(byte.is_ascii_alphanumeric() || byte == b'_'))
        .unwrap_or(text.len());
    let key = text.get(..key_len)?;
    if !is_identifier(key) {
        return None;
    }
    match text.as_bytes().get(key_len) {
        Some(b'=' | b':') => Some((key, 1)),
        None | Some(b',' | b' ' | b'\t') => Some((key, 0)),
        Some(_) => None,
    }
}

/// Where the value starting `text` ends: at the first comma followed by a key or by nothing.
fn value_end(text: &str) -> usize {
    let mut searched = 0;
    while let Some(offset) = text.get(searched..).and_then(|rest| rest.find(',')) {
        let comma = searched.saturating_add(offset);
        let after = text
            .get(comma.saturating_add(1)..)
            .unwrap_or("")
            .trim_start_matches([' ', '\t']);
        if after.is_empty() || key_at(after).is_some() {
            return comma;
        }
        searched = comma.saturating_add(1);
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_overflow_are_dropped() {
        assert_eq!(parse_u64("18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_u64("18446744073709551616"), None);
        assert_eq!(parse_u32("4294967294"), Some(4_294_967_294));
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_i32("-1000"), Some(-1000));
        assert_eq!(parse_i32("2147483648"), None);
        assert_eq!(parse_i32("-2147483648"), Some(i32::MIN));
        assert_eq!(parse_u64(""), None);
        assert_eq!(parse_u64("12a"), None);
    }

    #[test]
    fn next_word_skips_leading_space() {
        assert_eq!(next_word("   12  rest of it"), Some(("12", "  rest of it")));
        assert_eq!(next_word("last"), Some(("last", "")));
        assert_eq!(next_word("  \t "), None);
    }

    #[test]
    fn kb_value_needs_its_suffix() {
        assert_eq!(parse_kb("46592kB"), Some(46592));
        assert_eq!(parse_kb("108KB"), Some(108));
        assert_eq!(parse_kb("9317"), None);
        assert_eq!(parse_kb("kB"), None);
    }

    #[test]
    fn fields_keep_range_lists_whole() {
        let got: Vec<_> =
            fields("constraint=CONSTRAINT_NONE,nodemask=0,2-3,global_oom,pid=5").collect();
        assert_eq!(
            got,
            vec![
                ("constraint", "CONSTRAINT_NONE"),
                ("nodemask", "0,2-3"),
                ("global_oom", ""),
                ("pid", "5")
            ]
        );
    }

    #[test]
    fn fields_tolerate_spaces_after_commas_and_colon_keys() {
        let got: Vec<_> =
            fields("order:2, mode:0x2000d1(GFP_KERNEL|GFP_DMA), nodemask=(null),cpuset=/")
                .collect();
        assert_eq!(
            got,
            vec![
                ("order", "2"),
                ("mode", "0x2000d1(GFP_KERNEL|GFP_DMA)"),
                ("nodemask", "(null)"),
                ("cpuset", "/")
            ]
        );
    }

    #[test]
    fn fields_text_before_first_key_has_empty_key() {
        let got: Vec<_> = fields("(null),  order=0, oom_score_adj=0").collect();
        assert_eq!(
            got,
            vec![("", "(null)"), ("order", "0"), ("oom_score_adj", "0")]
        );
    }
}
