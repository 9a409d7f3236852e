//! Where the clocks printed in line prefixes are read: dates in any locale's month names,
//! fractions of a second, UTC offsets and dmesg uptime stamps.

use super::cursor::Cursor;
use super::WallTime;

/// Month abbreviations (and the few full names locales print) mapped to month numbers.
/// English first (C locale, rsyslog, Kibana), then German, French and Spanish: the locales
/// `dmesg -T` and `journalctl` were seen printing in pasted logs. Compared case-insensitively,
/// without a trailing `.` (French `févr.`).
const MONTH_NAMES: [(&str, u8); 33] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("jän", 1),
    ("mär", 3),
    ("mrz", 3),
    ("mai", 5),
    ("okt", 10),
    ("dez", 12),
    ("janv", 1),
    ("févr", 2),
    ("fév", 2),
    ("mars", 3),
    ("avr", 4),
    ("avril", 4),
    ("juin", 6),
    ("juil", 7),
    ("août", 8),
    ("sept", 9),
    ("déc", 12),
    ("ene", 1),
    ("abr", 4),
    ("ago", 8),
    ("dic", 12),
];

/// 一 to 十: the numerals of the Chinese month names (`六月`, journalctl in some Chinese
/// locales prints `六` alone).
const CHINESE_DIGITS: [char; 10] = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/// The month a Chinese numeral names: `一` 1 to `九` 9, `十` 10, `十一` 11, `十二` 12.
fn chinese_month(numeral: &str) -> Option<u8> {
    let value = |c: char| {
        CHINESE_DIGITS
            .iter()
            .position(|d| *d == c)
            .map(|i| i as u8 + 1)
    };
    let mut chars = numeral.chars();
    match (chars.next(), chars.next(), chars.next()) {
        (Some(c), None, None) => value(c),
        (Some('十'), Some(c), None) => value(c).map(|v| 10 + v).filter(|m| *m <= 12),
        _ => None,
    }
}

/// The month number (1-12) a month name stands for, or `None` for a name not in
/// [`MONTH_NAMES`] (then the caller keeps the prefix but reports no wall time). Chinese,
/// Japanese and Korean locales number their months (`9月`, `12월`).
pub(super) fn month_number(name: &str) -> Option<u8> {
    if let Some(number) = name.strip_suffix(['月', '월']) {
        return number.parse().ok().filter(|month| (1..=12).contains(month));
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    // Lower-casing allocates; only names with non-ASCII letters (`MÄR`) need it.
    let lowered;
    let name = if name.is_ascii() {
        name
    } else {
        lowered = name.to_lowercase();
        lowered.as_str()
    };
    MONTH_NAMES
        .iter()
        .find_map(|&(known, number)| known.eq_ignore_ascii_case(name).then_some(number))
}

/// Nanoseconds from the digits after a decimal point (`029` → 29 000 000). Digits beyond
/// the ninth are ignored; `None` when `digits` holds anything but ASCII digits.
pub(super) fn nanoseconds(digits: &str) -> Option<u32> {
    let mut value: u32 = 0;
    let mut scale: u32 = 1_000_000_000;
    for byte in digits.bytes() {
        let digit = char::from(byte).to_digit(10)?;
        if scale > 1 {
            scale /= 10;
            value = value.saturating_add(digit.saturating_mul(scale));
        }
    }
    Some(value)
}

/// Minutes east of UTC from `Z`, `+02:00` or `+0200`; `None` for anything else or an
/// offset of a day or more.
pub(super) fn utc_offset_minutes(zone: &str) -> Option<i32> {
    if zone == "Z" {
        return Some(0);
    }
    let sign = match zone.get(..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let mut cursor = Cursor::new(zone.get(1..)?);
    let hours: i32 = cursor.digits(2, 2)?.parse().ok()?;
    cursor.skip(":");
    let minutes: i32 = cursor.digits(2, 2)?.parse().ok()?;
    let whole = cursor.rest().is_empty() && hours < 24 && minutes < 60;
    whole.then_some(sign * (hours * 60 + minutes))
}

/// The fields of a printed date as read, before they are checked.
#[derive(Debug, Default, Clone, Copy)]
struct DateFields<'a> {
    year: Option<&'a str>,
    /// `None` for a month name no table knows, or a number that is no month.
    month: Option<u8>,
    day: &'a str,
    hour: &'a str,
    minute: &'a str,
    second: &'a str,
    /// Digits after the seconds' decimal point.
    fraction: Option<&'a str>,
    /// `Z`, `+02:00`, `+0200`.
    zone: Option<&'a str>,
}

impl DateFields<'_> {
    /// The wall time these fields spell, or `None` when one is out of range (month 0 or 13,
    /// hour 24, ...) or unknown: a prefix is never turned into a time it did not say.
    fn wall_time(&self) -> Option<WallTime> {
        let year = match self.year {
            Some(year) => Some(year.parse::<i32>().ok()?),
            None => None,
        };
        let nanosecond = match self.fraction {
            Some(fraction) => nanoseconds(fraction)?,
            None => 0,
        };
        let utc_offset_minutes = match self.zone {
            Some(zone) => Some(utc_offset_minutes(zone)?),
            None => None,
        };
        let wall = WallTime {
            year,
            month: self.month?,
            day: self.day.parse().ok()?,
            hour: self.hour.parse().ok()?,
            minute: self.minute.parse().ok()?,
            second: self.second.parse().ok()?,
            nanosecond,
            utc_offset_minutes,
        };
        let in_range = (1..=12).contains(&wall.month)
            && (1..=31).contains(&wall.day)
            && wall.hour <= 23
            && wall.minute <= 59
            && wall.second <= 60;
        in_range.then_some(wall)
    }
}

/// What a date reader found: the wall time (`None` when the date is well formed but names
/// an unknown month or an impossible value) and the text after the date.
pub(super) type Dated<'a> = (Option<WallTime>, &'a str);

/// Reads `H:MM:SS` or `HH:MM:SS`, then a fraction after any of `marks` (`.`, `,`).
fn time_of_day<'a>(
    cursor: &mut Cursor<'a>,
    fields: &mut DateFields<'a>,
    marks: &[&str],
) -> Option<()> {
    fields.hour = cursor.digits(1, 2)?;
    cursor.tag(":")?;
    fields.minute = cursor.digits(2, 2)?;
    cursor.tag(":")?;
    fields.second = cursor.digits(2, 2)?;
    if marks.iter().any(|mark| cursor.skip(mark)) {
        fields.fraction = Some(cursor.digits(1, usize::MAX)?);
    }
    Some(())
}

/// Reads a month name of `min..=max` letters and an optional `.`, or a numbered month
/// (`9月`, padded to ` 9月` by Japanese and Korean locales); the month number when
/// [`month_number`] knows the name.
fn month_name(cursor: &mut Cursor<'_>, min: usize, max: usize) -> Option<Option<u8>> {
    let mut chinese = *cursor;
    if let Some(numeral) = chinese.run(1, 3, |c| CHINESE_DIGITS.contains(&c)) {
        chinese.skip("月");
        *cursor = chinese;
        return Some(chinese_month(numeral));
    }
    if let Some(name) = cursor.run(min, max, char::is_alphabetic) {
        cursor.skip(".");
        return Some(month_number(name));
    }
    let mut numbered = *cursor;
    numbered.skip(" ");
    let start = numbered;
    numbered.digits(1, 2)?;
    if !numbered.skip("月") {
        numbered.tag("월")?;
    }
    let name = numbered.since(start)?;
    *cursor = numbered;
    Some(month_number(name))
}

/// Reads `YYYY-MM-DD` into `fields`.
fn calendar_date<'a>(cursor: &mut Cursor<'a>, fields: &mut DateFields<'a>) -> Option<()> {
    fields.year = Some(cursor.digits(4, 4)?);
    cursor.tag("-")?;
    fields.month = cursor.digits(2, 2)?.parse().ok();
    cursor.tag("-")?;
    fields.day = cursor.digits(2, 2)?;
    Some(())
}

/// RFC 3164 syslog and journalctl short: `Oct 12 19:00:20 `, `Jan  5 ...`, an optional
/// fraction (`-o short-precise`), month names in any locale, and the spaces after it.
pub(super) fn syslog_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    let mut fields = DateFields {
        month: month_name(&mut cursor, 3, 5)?,
        ..DateFields::default()
    };
    cursor.spaces(1, 2)?;
    fields.day = cursor.digits(1, 2)?;
    cursor.tag(" ")?;
    time_of_day(&mut cursor, &mut fields, &["."])?;
    cursor.spaces(1, usize::MAX)?;
    Some((fields.wall_time(), cursor.rest()))
}

/// A time of day alone, `12:00:52 ` (a syslog or journalctl line whose date a paste cut, a
/// `ts '%H:%M:%S'` stamp): no wall time, since the day is not known.
pub(super) fn time_only_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    time_of_day(&mut cursor, &mut DateFields::default(), &["."])?;
    cursor.spaces(1, usize::MAX)?;
    Some((None, cursor.rest()))
}

/// journalctl `-o short-unix`: seconds since the epoch with microseconds, `1787068905.416344 `.
/// The wall time is left out (the calendar arithmetic lives with the encoder); the date is
/// read so the host and tag after it are.
pub(super) fn unix_epoch_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    cursor.digits(9, 11)?;
    cursor.tag(".")?;
    cursor.digits(6, 6)?;
    cursor.spaces(1, usize::MAX)?;
    Some((None, cursor.rest()))
}

/// Reads `YYYY-MM-DDTHH:MM:SS`, a fraction after `mark` and a UTC offset (`Z`, `+02:00`,
/// `+0200`, or none).
fn iso_date<'a>(cursor: &mut Cursor<'a>, mark: &str) -> Option<DateFields<'a>> {
    let mut fields = DateFields::default();
    calendar_date(cursor, &mut fields)?;
    cursor.tag("T")?;
    time_of_day(cursor, &mut fields, &[mark])?;
    let zone = cursor.run(0, 6, |c| {
        matches!(c, 'Z' | '+' | '-' | ':') || c.is_ascii_digit()
    })?;
    fields.zone = Some(zone).filter(|zone| !zone.is_empty());
    Some(fields)
}

/// RFC 3339 syslog (rsyslog high precision) and journalctl `-o short-iso`:
/// `2024-07-20T19:51:03.968678+02:00 `, `...T19:51:03+0200 `, `...Z `.
pub(super) fn rfc3339_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    let fields = iso_date(&mut cursor, ".")?;
    cursor.spaces(1, usize::MAX)?;
    Some((fields.wall_time(), cursor.rest()))
}

/// An RFC 3339 time in brackets closed by `]: `, as `talosctl dmesg` prints a record's time:
/// `[2021-11-10T10:09:37.662764956Z]: `. Returns what follows.
pub(super) fn bracketed_rfc3339_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    cursor.tag("[")?;
    let fields = iso_date(&mut cursor, ".")?;
    cursor.tag("]:")?;
    cursor.skip(" ");
    Some((fields.wall_time(), cursor.rest()))
}

/// `dmesg --time-format=iso`: `2021-09-11T12:24:42,519080+02:00`. The comma before the
/// microseconds tells it from RFC 3339 syslog, and no host or tag follows it: the kernel
/// text does. Returns what follows the date (its separator space included).
pub(super) fn dmesg_iso_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    let fields = iso_date(&mut cursor, ",")?;
    fields.fraction?;
    Some((fields.wall_time(), cursor.rest()))
}

/// journalctl `-o short-full`: `Sat 2021-09-11 12:24:42 CEST `. The zone is a name
/// (`CEST`, `UTC`), which says no offset, so none is read.
pub(super) fn weekday_iso_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    cursor.run(1, 16, char::is_alphabetic)?;
    cursor.tag(" ")?;
    let mut fields = DateFields::default();
    calendar_date(&mut cursor, &mut fields)?;
    cursor.tag(" ")?;
    time_of_day(&mut cursor, &mut fields, &["."])?;
    cursor.tag(" ")?;
    cursor.run(1, 32, |c| !c.is_whitespace())?;
    cursor.spaces(1, usize::MAX)?;
    Some((fields.wall_time(), cursor.rest()))
}

/// C `ctime`'s `Sat Sep 11 12:24:42 2021`, `Thu Dec  7 ...`, in any locale (`Di Aug 12 ...`,
/// `mar. août 12 ...`, `六 9月 11 ...`): the day name is any word, the month name goes
/// through [`month_number`]. Locales whose date puts the day first (`dim. 19 avril ...`,
/// seen from `dmesg -T` under `fr_FR`) are read too.
fn ctime_fields<'a>(cursor: &mut Cursor<'a>) -> Option<DateFields<'a>> {
    let word = |c: char| !c.is_whitespace() && c != '[' && c != ']';
    cursor.run(1, 16, word)?;
    cursor.spaces(1, 2)?;
    let mut fields = DateFields::default();
    let mut day_first = *cursor;
    let mut read_day_first = || {
        let day = day_first.digits(1, 2)?;
        day_first.skip(".");
        day_first.spaces(1, 2)?;
        Some((
            day,
            day_first.run(1, 16, |c| c.is_alphabetic() || c == '.')?,
        ))
    };
    match read_day_first() {
        Some((day, month)) => {
            (fields.day, fields.month) = (day, month_number(month));
            *cursor = day_first;
        }
        // `Sat Sep 11`, and numbered months, which are digits too (`六 9月 11`).
        None => {
            fields.month = month_number(cursor.run(1, 16, word)?);
            cursor.spaces(1, 2)?;
            fields.day = cursor.digits(1, 2)?;
        }
    }
    cursor.tag(" ")?;
    time_of_day(cursor, &mut fields, &[])?;
    cursor.tag(" ")?;
    fields.year = Some(cursor.digits(4, 4)?);
    Some(fields)
}

/// OpenWrt `logread`: a [`ctime_fields`] date and the spaces after it.
pub(super) fn ctime_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    let fields = ctime_fields(&mut cursor)?;
    cursor.spaces(1, usize::MAX)?;
    Some((fields.wall_time(), cursor.rest()))
}

/// A `dmesg -T` stamp whose `[` a copy lost (a selection started one character late):
/// `Thu May 23 18:40:42 2024] text`. Returns what follows the `]`.
pub(super) fn human_stamp_without_bracket(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    let fields = ctime_fields(&mut cursor)?;
    cursor.tag("]")?;
    Some((fields.wall_time(), cursor.rest()))
}

/// `dmesg -T`: `[Sat Sep 11 12:24:42 2021]` (see [`ctime_fields`]), with `-d` also
/// `[Sat Sep 11 12:24:42 2021 <    0.000034>]`.
pub(super) fn human_stamp(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    cursor.tag("[")?;
    let fields = ctime_fields(&mut cursor)?;
    skip_delta(&mut cursor);
    cursor.tag("]")?;
    Some((fields.wall_time(), cursor.rest()))
}

/// `dmesg -d`'s time since the previous line, `<    0.000034>`.
fn delta(cursor: &mut Cursor<'_>) -> Option<()> {
    cursor.tag("<")?;
    cursor.skip_spaces();
    if !cursor.skip("+") {
        cursor.skip("-");
    }
    cursor.digits(1, usize::MAX)?;
    cursor.tag(".")?;
    cursor.digits(1, usize::MAX)?;
    cursor.tag(">")?;
    Some(())
}

/// Consumes ` <    0.000034>` after a stamp's time when it is there.
fn skip_delta(cursor: &mut Cursor<'_>) {
    let mut probe = *cursor;
    if probe.tag(" ").and_then(|()| delta(&mut probe)).is_some() {
        *cursor = probe;
    }
}

/// `dmesg -e` / `-H` stamps and `dmesg --time-format=delta`'s: `[Sep11 12:24]` or
/// `[Sep 7 12:24]` (printed when the minute changes), `[  +0.000003]` (time since the
/// previous line), `[<    0.000034>]`. None says an uptime or a whole wall time; returns what
/// follows the `]`.
pub(super) fn relative_stamp(line: &str) -> Option<&str> {
    let mut cursor = Cursor::new(line);
    cursor.tag("[")?;
    let mut delta_only = cursor;
    if delta(&mut delta_only).is_some() {
        cursor = delta_only;
    } else {
        cursor.skip_spaces();
        if cursor.skip("+") || cursor.skip("-") {
            cursor.digits(1, usize::MAX)?;
            cursor.tag(".")?;
            cursor.digits(1, usize::MAX)?;
        } else {
            month_and_day(&mut cursor)?;
            cursor.tag(" ")?;
            cursor.digits(1, 2)?;
            cursor.tag(":")?;
            cursor.digits(2, 2)?;
        }
    }
    cursor.tag("]")?;
    Some(cursor.rest())
}

/// `strftime("%b%e")`: a month name with the day glued on (`Sep11`, `9月11`) or after a
/// space (`Sep 7`).
fn month_and_day(cursor: &mut Cursor<'_>) -> Option<()> {
    let word = cursor.run(1, 16, |c| !c.is_whitespace() && c != ']')?;
    let month = word.trim_end_matches(|c: char| c.is_ascii_digit());
    let day_digits = word.len() - month.len();
    if month.is_empty() || day_digits > 2 {
        return None;
    }
    if day_digits == 0 {
        cursor.tag(" ")?;
        cursor.digits(1, 1)?;
    }
    Some(())
}

/// Kibana's date cell: `Jun 25, 2021 @ 12:42:13.029`.
pub(super) fn kibana_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    let mut fields = DateFields {
        month: month_name(&mut cursor, 3, 9)?,
        ..DateFields::default()
    };
    cursor.tag(" ")?;
    fields.day = cursor.digits(1, 2)?;
    cursor.tag(", ")?;
    fields.year = Some(cursor.digits(4, 4)?);
    cursor.tag(" @ ")?;
    time_of_day(&mut cursor, &mut fields, &["."])?;
    Some((fields.wall_time(), cursor.rest()))
}

/// The Android vendor kernel log's `07-13 08:41:51.341 ` (no year; milliseconds required)
/// and the spaces after it.
pub(super) fn android_date(line: &str) -> Option<Dated<'_>> {
    let mut cursor = Cursor::new(line);
    let mut fields = DateFields {
        month: cursor.digits(2, 2)?.parse().ok(),
        ..DateFields::default()
    };
    cursor.tag("-")?;
    fields.day = cursor.digits(2, 2)?;
    cursor.tag(" ")?;
    time_of_day(&mut cursor, &mut fields, &["."])?;
    fields.fraction?;
    cursor.spaces(1, usize::MAX)?;
    Some((fields.wall_time(), cursor.rest()))
}

/// What a dmesg uptime stamp said.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct UptimeStamp {
    /// Seconds since boot; `None` only when the digits overflow an `f64`.
    pub seconds: Option<f64>,
    /// The Android vendor form `[309805.658142s]`, which is glued to the text with no
    /// separator space.
    pub vendor_form: bool,
}

/// Reads `[  123.456789]` (any padding), with `dmesg -d` `[  123.456789 <    0.000034>]`, or
/// the Android `[309805.658142s]` at the start of `line`; returns the stamp and what follows
/// the closing `]`.
pub(super) fn uptime_stamp(line: &str) -> Option<(UptimeStamp, &str)> {
    let mut cursor = Cursor::new(line);
    cursor.tag("[")?;
    cursor.skip_spaces();
    let number_start = cursor;
    cursor.digits(1, usize::MAX)?;
    cursor.tag(".")?;
    cursor.digits(1, usize::MAX)?;
    let number = cursor.since(number_start)?;
    let vendor_form = cursor.skip("s");
    skip_delta(&mut cursor);
    cursor.tag("]")?;
    let seconds = number.parse::<f64>().ok().filter(|s| s.is_finite());
    let stamp = UptimeStamp {
        seconds,
        vendor_form,
    };
    Some((stamp, cursor.rest()))
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn month_names_in_english_german_french_spanish() {
        assert_eq!(month_number("Sep"), Some(9));
        assert_eq!(month_number("DEC"), Some(12));
        assert_eq!(month_number("Mär"), Some(3));
        assert_eq!(month_number("MÄR"), Some(3));
        assert_eq!(month_number("Okt"), Some(10));
        assert_eq!(month_number("Dez"), Some(12));
        assert_eq!(month_number("août"), Some(8));
        assert_eq!(month_number("févr."), Some(2));
        assert_eq!(month_number("juil."), Some(7));
        assert_eq!(month_number("ene"), Some(1));
        assert_eq!(month_number("dic"), Some(12));
    }

    #[test]
    fn numbered_months_of_cjk_locales() {
        assert_eq!(month_number("9月"), Some(9));
        assert_eq!(month_number("12月"), Some(12));
        assert_eq!(month_number("3월"), Some(3));
        assert_eq!(month_number("13月"), None);
        assert_eq!(month_number("0月"), None);
        assert_eq!(month_number("月"), None);
    }

    #[test]
    fn chinese_numeral_months() {
        assert_eq!(chinese_month("六"), Some(6));
        assert_eq!(chinese_month("十"), Some(10));
        assert_eq!(chinese_month("十二"), Some(12));
        assert_eq!(chinese_month("十三"), None);
        assert_eq!(chinese_month("二十"), None);
        let (wall, rest) = syslog_date("六  20 15:44:27 host kernel: x").unwrap();
        assert_eq!(wall.map(|w| (w.month, w.day)), Some((6, 20)));
        assert_eq!(rest, "host kernel: x");
        assert!(syslog_date("十二月 3 01:02:03 host kernel: x").is_some());
    }

    #[test]
    fn unknown_month_name_is_none() {
        assert_eq!(month_number("Foo"), None);
        assert_eq!(month_number(""), None);
    }

    #[test]
    fn fraction_digits_scale_to_nanoseconds() {
        assert_eq!(nanoseconds("029"), Some(29_000_000));
        assert_eq!(nanoseconds("968678"), Some(968_678_000));
        assert_eq!(nanoseconds("1234567891234"), Some(123_456_789));
        assert_eq!(nanoseconds(""), Some(0));
        assert_eq!(nanoseconds("12a"), None);
    }

    #[test]
    fn utc_offsets_with_and_without_colon() {
        assert_eq!(utc_offset_minutes("Z"), Some(0));
        assert_eq!(utc_offset_minutes("+02:00"), Some(120));
        assert_eq!(utc_offset_minutes("+0200"), Some(120));
        assert_eq!(utc_offset_minutes("-05:30"), Some(-330));
        assert_eq!(utc_offset_minutes("+25:00"), None);
        assert_eq!(utc_offset_minutes("+2"), None);
        assert_eq!(utc_offset_minutes("+02:000"), None);
        assert_eq!(utc_offset_minutes("02:00"), None);
    }

    #[test]
    fn wall_time_rejects_month_zero_and_hour_24() {
        assert_eq!(
            android_date("00-13 08:41:51.341 <").map(|d| d.0),
            Some(None)
        );
        assert_eq!(
            android_date("07-13 24:41:51.341 <").map(|d| d.0),
            Some(None)
        );
        assert_eq!(
            android_date("07-32 08:41:51.341 <").map(|d| d.0),
            Some(None)
        );
        let (wall, rest) = android_date("07-13 08:41:51.341 <4>").unwrap();
        let wall = wall.unwrap();
        assert_eq!(
            (wall.month, wall.day, wall.hour, wall.nanosecond),
            (7, 13, 8, 341_000_000)
        );
        assert_eq!(wall.year, None);
        assert_eq!(rest, "<4>");
    }

    #[test]
    fn android_date_needs_milliseconds() {
        assert_eq!(android_date("07-13 08:41:51 <4>"), None);
    }

    #[test]
    fn syslog_date_padded_day_and_fraction() {
        let (wall, rest) = syslog_date("Jan  5 02:12:02 host kernel: x").unwrap();
        let wall = wall.unwrap();
        assert_eq!((wall.month, wall.day, wall.hour, wall.second), (1, 5, 2, 2));
        assert_eq!(rest, "host kernel: x");
        let (wall, _) = syslog_date("Oct 12 19:00:20.123456 host kernel: x").unwrap();
        assert_eq!(wall.unwrap().nanosecond, 123_456_000);
        assert_eq!(syslog_date("Node 0 DMA free:15516kB"), None);
        assert_eq!(syslog_date("Jan  5 02:12:02"), None);
    }

    #[test]
    fn syslog_date_with_numbered_month_padded_or_not() {
        let (wall, rest) = syslog_date("9月 11 12:24:42 localhost kernel: x").unwrap();
        assert_eq!(wall.map(|w| (w.month, w.day)), Some((9, 11)));
        assert_eq!(rest, "localhost kernel: x");
        let (wall, rest) = syslog_date(" 9月 11 12:24:42 localhost kernel: x").unwrap();
        assert_eq!(wall.map(|w| w.month), Some(9));
        assert_eq!(rest, "localhost kernel: x");
        assert_eq!(
            syslog_date("12월 07 00:05:15 h k: x")
                .unwrap()
                .0
                .unwrap()
                .month,
            12
        );
        assert_eq!(syslog_date("5384 pages in swap cache"), None);
        assert_eq!(syslog_date(" 9 pages"), None);
    }

    #[test]
    fn dmesg_iso_date_needs_comma_fraction() {
        let (wall, rest) = dmesg_iso_date("2021-09-11T12:24:42,519080+02:00 x").unwrap();
        let wall = wall.unwrap();
        assert_eq!(
            (
                wall.year,
                wall.hour,
                wall.nanosecond,
                wall.utc_offset_minutes
            ),
            (Some(2021), 12, 519_080_000, Some(120))
        );
        assert_eq!(rest, " x");
        assert_eq!(dmesg_iso_date("2021-09-11T12:24:42+02:00 x"), None);
        assert_eq!(dmesg_iso_date("2021-09-11T12:24:42.519080+02:00 x"), None);
        assert_eq!(rfc3339_date("2021-09-11T12:24:42,519080+02:00 x"), None);
    }

    #[test]
    fn weekday_iso_date_skips_zone_name() {
        let (wall, rest) = weekday_iso_date("Sat 2021-09-11 12:24:42 CEST host kernel: x").unwrap();
        let wall = wall.unwrap();
        assert_eq!(
            (wall.year, wall.month, wall.day, wall.utc_offset_minutes),
            (Some(2021), 9, 11, None)
        );
        assert_eq!(rest, "host kernel: x");
        assert_eq!(weekday_iso_date("Sat 2021-09-11 12:24:42"), None);
        assert_eq!(weekday_iso_date("Node 0 DMA free:15516kB"), None);
    }

    #[test]
    fn ctime_date_with_padded_day() {
        let (wall, rest) = ctime_date("Thu Dec  7 00:05:15 2017 kern.warn kernel: x").unwrap();
        assert_eq!(
            wall.map(|w| (w.year, w.month, w.day)),
            Some((Some(2017), 12, 7))
        );
        assert_eq!(rest, "kern.warn kernel: x");
        assert_eq!(ctime_date("Sat Sep 11 12:24:42 2021"), None);
    }

    #[test]
    fn rfc3339_zone_forms() {
        let read = |s| rfc3339_date(s).unwrap().0.unwrap().utc_offset_minutes;
        assert_eq!(read("2024-07-20T19:51:03.968678+02:00 h"), Some(120));
        assert_eq!(read("2024-07-20T19:51:03+0200 h"), Some(120));
        assert_eq!(read("2024-07-20T19:51:03Z h"), Some(0));
        assert_eq!(read("2024-07-20T19:51:03.5 h"), None);
        assert_eq!(
            rfc3339_date("2024-07-20T19:51:03+2 h").map(|d| d.0),
            Some(None)
        );
        assert_eq!(rfc3339_date("2024-07-20 19:51:03 h"), None);
    }

    #[test]
    fn human_stamp_day_before_month_in_french() {
        let (wall, rest) = human_stamp("[dim. 19 avril 18:03:30 2026] oom-kill:x").unwrap();
        let wall = wall.unwrap();
        assert_eq!((wall.month, wall.day, wall.hour), (4, 19, 18));
        assert_eq!(rest, " oom-kill:x");
    }

    #[test]
    fn human_stamp_any_day_word_and_unknown_month() {
        let (wall, rest) = human_stamp("[Thu Dec  7 00:05:15 2017] x").unwrap();
        assert_eq!(wall.unwrap().day, 7);
        assert_eq!(rest, " x");
        let (wall, rest) = human_stamp("[Xyz Foo 12 03:54:03 2025] x").unwrap();
        assert_eq!(wall, None);
        assert_eq!(rest, " x");
        assert_eq!(human_stamp("[  pid  ]   uid"), None);
        assert_eq!(human_stamp("[Sat Sep 11 12:24:42 2021"), None);
    }

    #[test]
    fn human_stamp_with_delta() {
        let (wall, rest) = human_stamp("[Sat Sep 11 12:24:42 2021 <    0.000034>] x").unwrap();
        assert_eq!(wall.unwrap().second, 42);
        assert_eq!(rest, " x");
        assert_eq!(
            human_stamp("[Sat Sep 11 12:24:42 2021 <    0.000034] x"),
            None
        );
    }

    #[test]
    fn relative_stamps_minute_delta_and_delta_only() {
        for (line, rest) in [
            ("[Sep11 12:24] x", " x"),
            ("[Sep 7 12:24] x", " x"),
            ("[9月11 12:24] x", " x"),
            ("[  +0.000003] x", " x"),
            ("[ +12.345678] x", " x"),
            ("[+123.456789] x", " x"),
            ("[  -0.000010] x", " x"),
            ("[<    0.000034>] x", " x"),
            ("[<   -0.000034>]", ""),
        ] {
            assert_eq!(relative_stamp(line), Some(rest), "{line}");
        }
    }

    #[test]
    fn relative_stamp_refuses_task_rows_and_bracketed_words() {
        for line in [
            "[  pid  ]   uid  tgid",
            "[ 1912]     0  1912",
            "[12:24] x",
            "[Sep123 12:24] x",
            "[Sep 17 12:24] x",
            "[Sep11 12:24:42] x",
            "[  +0.] x",
            "[<0.5] x",
            "[drm] x",
            "[",
        ] {
            assert_eq!(relative_stamp(line), None, "{line}");
        }
    }

    #[test]
    fn kibana_date_cell() {
        let (wall, rest) = kibana_date("Jun 25, 2021 @ 12:42:13.029 | kernel").unwrap();
        let wall = wall.unwrap();
        assert_eq!(
            (wall.year, wall.month, wall.nanosecond),
            (Some(2021), 6, 29_000_000)
        );
        assert_eq!(rest, " | kernel");
    }

    #[test]
    fn uptime_stamp_padded_unpadded_and_vendor() {
        let (stamp, rest) = uptime_stamp("[  123.456789] x").unwrap();
        assert_eq!(stamp.seconds, Some(123.456789));
        assert!(!stamp.vendor_form);
        assert_eq!(rest, " x");
        let (stamp, rest) = uptime_stamp("[309805.658142s][pid:1]").unwrap();
        assert_eq!(stamp.seconds, Some(309805.658142));
        assert!(stamp.vendor_form);
        assert_eq!(rest, "[pid:1]");
    }

    #[test]
    fn uptime_stamp_with_show_delta() {
        let (stamp, rest) = uptime_stamp("[ 2786.519080 <    0.000034>] x").unwrap();
        assert_eq!(stamp.seconds, Some(2786.51908));
        assert_eq!(rest, " x");
        assert_eq!(uptime_stamp("[ 2786.519080 <0.5] x"), None);
    }

    #[test]
    fn uptime_stamp_refuses_task_rows_and_halves() {
        assert_eq!(uptime_stamp("[  12041]  1000 12041"), None);
        assert_eq!(uptime_stamp("[  pid  ]"), None);
        assert_eq!(uptime_stamp("[123.]"), None);
        assert_eq!(uptime_stamp("[.5]"), None);
        assert_eq!(uptime_stamp("[123.456"), None);
        assert_eq!(uptime_stamp("["), None);
    }

    #[test]
    fn uptime_stamp_with_overlong_digits_has_no_seconds() {
        let line = format!("[{}.1] x", "9".repeat(400));
        let (stamp, rest) = uptime_stamp(&line).unwrap();
        assert_eq!(stamp.seconds, None);
        assert_eq!(rest, " x");
    }
}
