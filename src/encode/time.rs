//! Where a log prefix's wall-clock time becomes an RFC 3339 UTC timestamp.

use crate::prefix::WallTime;

/// Seconds in a day.
const DAY_S: i64 = 86_400;

/// `wall` as RFC 3339 in UTC, e.g. `2021-09-11T12:24:42Z` or `2024-07-20T17:51:03.968678Z`.
///
/// - A time without `utc_offset_minutes` is taken as UTC: prefixes without an offset (dmesg -T,
///   RFC 3164 syslog) print the host's local time, which the log does not name.
/// - A time with an offset is moved to UTC, crossing day, month and year boundaries as needed.
/// - Fractional seconds are written when `nanosecond` is non-zero, without trailing zeros.
/// - `None` when the year is unknown (RFC 3164 syslog, journald short output), or when a field
///   is out of range (month 13, 30 February, second 60, an offset of a day or more), or when the
///   UTC year falls outside 0000–9999, which RFC 3339 cannot write.
pub fn rfc3339_utc(wall: &WallTime) -> Option<String> {
    let year = i64::from(wall.year?);
    let valid = (0..=9999).contains(&year)
        && (1..=12).contains(&wall.month)
        && wall.day >= 1
        && wall.day <= days_in_month(year, wall.month)
        && wall.hour < 24
        && wall.minute < 60
        && wall.second < 60
        && wall.nanosecond < 1_000_000_000;
    let offset_minutes = i64::from(wall.utc_offset_minutes.unwrap_or(0));
    if !valid || offset_minutes.abs() >= 24 * 60 {
        return None;
    }
    let local_s = days_from_civil(year, wall.month, wall.day) * DAY_S
        + i64::from(wall.hour) * 3600
        + i64::from(wall.minute) * 60
        + i64::from(wall.second);
    let utc_s = local_s - offset_minutes * 60;
    let (utc_year, month, day) = civil_from_days(utc_s.div_euclid(DAY_S));
    if !(0..=9999).contains(&utc_year) {
        return None;
    }
    let second_of_day = utc_s.rem_euclid(DAY_S);
    let fraction = if wall.nanosecond == 0 {
        String::new()
    } else {
        let digits = format!("{:09}", wall.nanosecond);
        format!(".{}", digits.trim_end_matches('0'))
    };
    Some(format!(
        "{utc_year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{fraction}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
    ))
}

/// Nanoseconds since the Unix epoch of a timestamp as [`rfc3339_utc`] writes it
/// (`YYYY-MM-DDTHH:MM:SS[.fraction]Z`); `None` for any other text, or before 1970 (the
/// OpenTelemetry log data model's time is unsigned).
pub fn unix_nanos_of_rfc3339_utc(text: &str) -> Option<u64> {
    let (date_time, fraction) = match text.strip_suffix('Z')?.split_once('.') {
        Some((date_time, fraction)) => (date_time, Some(fraction)),
        None => (text.strip_suffix('Z')?, None),
    };
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = date_time.get(range)?;
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())?
    };
    let shape_ok = date_time.len() == 19
        && date_time
            .as_bytes()
            .iter()
            .enumerate()
            .all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                10 => *b == b'T',
                13 | 16 => *b == b':',
                _ => b.is_ascii_digit(),
            });
    if !shape_ok {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    let month = u8::try_from(month).ok().filter(|m| (1..=12).contains(m))?;
    let day = u8::try_from(day)
        .ok()
        .filter(|d| *d >= 1 && *d <= days_in_month(year, month))?;
    if hour >= 24 || minute >= 60 || second >= 60 {
        return None;
    }
    let nanos = match fraction {
        Some(digits)
            if (1..=9).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) =>
        {
            format!("{digits:0<9}").parse::<u64>().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    let seconds = days_from_civil(year, month, day) * DAY_S + hour * 3600 + minute * 60 + second;
    u64::try_from(seconds)
        .ok()?
        .checked_mul(1_000_000_000)?
        .checked_add(nanos)
}

/// Whether `year` of the proleptic Gregorian calendar has a 29 February.
fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1–12) of `year`; 0 for a month out of range.
fn days_in_month(year: i64, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to the given valid date (Hinnant's `days_from_civil`: eras of 400 years
/// make the leap-year rule exact without tables). Negative before 1970.
fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let (month, day) = (i64::from(month), i64::from(day));
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01: the inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both are in range by construction (day 1–31, month 1–12).
    (
        year,
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_nanos_reads_what_rfc3339_utc_writes() {
        let wall = WallTime {
            year: Some(2024),
            month: 7,
            day: 20,
            hour: 17,
            minute: 51,
            second: 3,
            nanosecond: 968_678_000,
            utc_offset_minutes: None,
        };
        let text = rfc3339_utc(&wall).unwrap();
        // date -u -d 2024-07-20T17:51:03Z +%s: 1721497863
        assert_eq!(
            unix_nanos_of_rfc3339_utc(&text),
            Some(1_721_497_863_968_678_000)
        );
        assert_eq!(unix_nanos_of_rfc3339_utc("1970-01-01T00:00:00Z"), Some(0));
        for bad in [
            "1969-12-31T23:59:59Z",
            "2024-02-30T00:00:00Z",
            "2024-07-20T17:51:03",
            "2024-07-20T17:51:03.Z",
            "2024-07-20 17:51:03Z",
            "2024-07-20T17:51:03.1234567890Z",
            "",
        ] {
            assert_eq!(unix_nanos_of_rfc3339_utc(bad), None, "{bad}");
        }
    }

    fn wall(year: Option<i32>, month: u8, day: u8, hms: (u8, u8, u8)) -> WallTime {
        WallTime {
            year,
            month,
            day,
            hour: hms.0,
            minute: hms.1,
            second: hms.2,
            nanosecond: 0,
            utc_offset_minutes: None,
        }
    }

    #[test]
    fn dmesg_t_time_without_offset_is_taken_as_utc() {
        let time = wall(Some(2021), 9, 11, (12, 24, 42));
        assert_eq!(rfc3339_utc(&time).as_deref(), Some("2021-09-11T12:24:42Z"));
    }

    #[test]
    fn syslog_time_without_year_is_omitted() {
        let time = wall(None, 9, 11, (12, 24, 42));
        assert_eq!(rfc3339_utc(&time), None);
    }

    #[test]
    fn rsyslog_positive_offset_moves_back_to_utc_with_microseconds() {
        // 015: `2024-07-20T19:51:03.968678+02:00`.
        let time = WallTime {
            nanosecond: 968_678_000,
            utc_offset_minutes: Some(120),
            ..wall(Some(2024), 7, 20, (19, 51, 3))
        };
        assert_eq!(
            rfc3339_utc(&time).as_deref(),
            Some("2024-07-20T17:51:03.968678Z")
        );
    }

    #[test]
    fn negative_offset_crosses_new_year() {
        let time = WallTime {
            utc_offset_minutes: Some(-(5 * 60 + 30)),
            ..wall(Some(2023), 12, 31, (20, 0, 0))
        };
        assert_eq!(rfc3339_utc(&time).as_deref(), Some("2024-01-01T01:30:00Z"));
    }

    #[test]
    fn positive_offset_crosses_back_into_leap_day() {
        let time = WallTime {
            utc_offset_minutes: Some(9 * 60),
            ..wall(Some(2024), 3, 1, (3, 0, 0))
        };
        assert_eq!(rfc3339_utc(&time).as_deref(), Some("2024-02-29T18:00:00Z"));
    }

    #[test]
    fn milliseconds_keep_leading_zeros() {
        // 027: Kibana's `12:42:13.029`.
        let time = WallTime {
            nanosecond: 29_000_000,
            ..wall(Some(2021), 6, 25, (12, 42, 13))
        };
        assert_eq!(
            rfc3339_utc(&time).as_deref(),
            Some("2021-06-25T12:42:13.029Z")
        );
    }

    #[test]
    fn nanoseconds_are_written_in_full() {
        let time = WallTime {
            nanosecond: 1,
            ..wall(Some(1970), 1, 1, (0, 0, 0))
        };
        assert_eq!(
            rfc3339_utc(&time).as_deref(),
            Some("1970-01-01T00:00:00.000000001Z")
        );
    }

    #[test]
    fn impossible_dates_are_omitted() {
        assert_eq!(rfc3339_utc(&wall(Some(2023), 2, 29, (0, 0, 0))), None);
        assert_eq!(rfc3339_utc(&wall(Some(2023), 13, 1, (0, 0, 0))), None);
        assert_eq!(rfc3339_utc(&wall(Some(2023), 0, 1, (0, 0, 0))), None);
        assert_eq!(rfc3339_utc(&wall(Some(2023), 4, 31, (0, 0, 0))), None);
        assert_eq!(rfc3339_utc(&wall(Some(2023), 4, 30, (24, 0, 0))), None);
        assert_eq!(rfc3339_utc(&wall(Some(2023), 4, 30, (0, 0, 60))), None);
        let too_precise = WallTime {
            nanosecond: 1_000_000_000,
            ..wall(Some(2023), 4, 30, (0, 0, 0))
        };
        assert_eq!(rfc3339_utc(&too_precise), None);
    }

    #[test]
    fn century_leap_rules_hold() {
        assert!(rfc3339_utc(&wall(Some(2000), 2, 29, (0, 0, 0))).is_some());
        assert_eq!(rfc3339_utc(&wall(Some(2100), 2, 29, (0, 0, 0))), None);
    }

    #[test]
    fn offsets_of_a_day_or_more_are_omitted() {
        let time = WallTime {
            utc_offset_minutes: Some(24 * 60),
            ..wall(Some(2023), 6, 1, (0, 0, 0))
        };
        assert_eq!(rfc3339_utc(&time), None);
    }

    #[test]
    fn years_rfc3339_cannot_write_are_omitted() {
        assert_eq!(rfc3339_utc(&wall(Some(-1), 1, 1, (0, 0, 0))), None);
        assert_eq!(rfc3339_utc(&wall(Some(10_000), 1, 1, (0, 0, 0))), None);
        let before_year_zero = WallTime {
            utc_offset_minutes: Some(60),
            ..wall(Some(0), 1, 1, (0, 30, 0))
        };
        assert_eq!(rfc3339_utc(&before_year_zero), None);
        let extreme = wall(Some(i32::MAX), 12, 31, (23, 59, 59));
        assert_eq!(rfc3339_utc(&extreme), None);
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        let mut days = days_from_civil(1600, 1, 1);
        for year in 1600..2000 {
            for month in 1..=12 {
                for day in 1..=days_in_month(year, month) {
                    assert_eq!(days_from_civil(year, month, day), days);
                    assert_eq!(civil_from_days(days), (year, month, day));
                    days += 1;
                }
            }
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
    }
}
