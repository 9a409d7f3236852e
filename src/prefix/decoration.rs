//! What authors, terminals and web pages put around a log line that is not the kernel's:
//! colors, display-wrap marks, quote markers, line numbers, table rows and code fences.

use std::borrow::Cow;

use super::strip_separator;

/// `↪` (U+21AA), which pages that reflow logs put where they wrapped a line.
pub(super) const DISPLAY_WRAP_MARK: char = '\u{21aa}';

/// `raw` without terminal color sequences (`ESC [ ... m` and the other CSI sequences): what
/// `dmesg --color=always` or `journalctl` to a terminal leave in a saved or `script`-recorded
/// log. The kernel never prints an ESC byte itself (/dev/kmsg escapes it), so none is text.
pub(super) fn strip_terminal_colors(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\u{1b}') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        if chars.next_if_eq(&'[').is_some() {
            // Parameter and intermediate bytes, then one final byte in `@`..=`~`.
            while chars.next_if(|p| matches!(p, ' '..='?')).is_some() {}
            chars.next_if(|f| matches!(f, '@'..='~'));
        }
    }
    Cow::Owned(out)
}

/// Removes what sits around a physical line but is not the kernel's: a byte-order mark,
/// `\r`, trailing whitespace, a tmux copy-mode position marker `   [7/972]` (corpus 009) and
/// the empty cells a page rendered as a table leaves after each line (`text | |`).
pub(super) fn strip_transport_artefacts(raw: &str) -> &str {
    let line = raw.strip_prefix('\u{feff}').unwrap_or(raw).trim_end();
    let line = strip_empty_cells(line);
    strip_tmux_marker(line).unwrap_or(line)
}

/// `line` without trailing empty table cells, each a space and a `|`: a gist or wiki page
/// converted to text puts its line-number and blame columns after the line as ` | |`. No
/// kernel line ends in ` |` (a gfp flag list's `|` has no space before it), and a row that
/// starts with `|` is a whole table row, which [`super::split_prefix`]'s table layer reads.
fn strip_empty_cells(line: &str) -> &str {
    if line.starts_with('|') {
        return line;
    }
    let mut rest = line;
    while let Some(before) = rest.strip_suffix(" |") {
        rest = before.trim_end_matches(' ');
    }
    rest
}

/// `line` without a trailing `[N/M]` that follows a run of at least two spaces (a single
/// space could be the kernel's own `... [1/2]`).
fn strip_tmux_marker(line: &str) -> Option<&str> {
    let body = line.strip_suffix(']')?;
    let open = body.rfind('[')?;
    let (position, total) = body.get(open + 1..)?.split_once('/')?;
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(position) || !all_digits(total) {
        return None;
    }
    let before = body.get(..open)?;
    let kept = before.trim_end_matches(' ');
    (before.len() - kept.len() >= 2).then(|| kept.trim_end())
}

/// Strips e-mail quote markers (`>`, `>>>`, `> > `) and counts them into `depth`.
pub(super) fn strip_quotes<'a>(line: &'a str, depth: &mut u8) -> &'a str {
    let mut rest = line;
    while let Some(after) = rest.strip_prefix('>') {
        *depth = depth.saturating_add(1);
        rest = match after.strip_prefix(' ') {
            Some(spaced) if spaced.starts_with('>') => spaced,
            _ => after,
        };
    }
    if *depth > 0 {
        strip_separator(rest)
    } else {
        rest
    }
}

/// A Markdown table's header separator row (`-- | -- | --`, Kibana export in corpus 027) or
/// a code fence: not a log line, and read as a blank line so that it never glues two rows
/// together.
pub(super) fn is_table_separator(s: &str) -> bool {
    let trimmed = s.trim_start();
    // A Markdown code fence (```` ``` ````, ```` ```text ````, `~~~`) around a pasted log, an
    // author's elision mark alone on its line (`...`, `[…]`) and grep's `--` between
    // context groups carry no kernel text either; read as text they would be joined to the
    // line before.
    if trimmed.starts_with("```") || trimmed.starts_with("~~~") || is_elision_mark(trimmed) {
        return true;
    }
    trimmed.starts_with(['-', '|', ':'])
        && trimmed.contains('|')
        && trimmed.contains("--")
        && trimmed
            .bytes()
            .all(|b| matches!(b, b'-' | b'|' | b':' | b' ' | b'\t'))
}

/// `...`, `…`, `[...]`, `(…)`, `--`, and the same around a word that says so
/// (`(...snipped...)`, `<snip>`, `[...cut...]`): a line that stands for lines left out.
fn is_elision_mark(s: &str) -> bool {
    const WORDS: [&str; 7] = [
        "snip", "snipped", "cut", "omitted", "trimmed", "skipped", "elided",
    ];
    let s = s.trim_end();
    let bracketed = s
        .strip_prefix(['[', '(', '<'])
        .and_then(|rest| rest.strip_suffix([']', ')', '>']));
    let inner = bracketed.unwrap_or(s);
    let dots = |c: char| c == '.' || c == '…';
    if s == "--"
        || (!inner.is_empty()
            && inner.chars().all(dots)
            && (inner.contains('…') || inner.len() >= 3))
    {
        return true;
    }
    // A word alone is text; a word inside brackets or dots marks the gap.
    let word = inner.trim_matches(|c: char| dots(c) || c == ' ');
    let marked = bracketed.is_some() || word.len() < inner.len();
    marked && WORDS.contains(&word.to_ascii_lowercase().as_str())
}
