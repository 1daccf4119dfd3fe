//! Dates from front matter: `YYYY-MM-DD` or RFC 3339, formatted with strftime patterns.

use jiff::civil::{Date, DateTime};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime as Zoned};

/// A front-matter date, as precise as the writer gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum PostDate {
    /// `2024-05-01`
    Day(Date),
    /// `2024-05-01T09:30:00` (no offset)
    Local(DateTime),
    /// `2024-05-01T09:30:00+02:00` / `…Z`
    Instant(Zoned),
}

/// Parses a date or RFC 3339 date-time; `None` when it is neither.
pub fn parse(text: &str) -> Option<PostDate> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        // Keep the writer's own offset for formatting.
        let offset = trailing_offset(text).unwrap_or(Offset::UTC);
        return Some(PostDate::Instant(
            ts.to_zoned_datetime(TimeZone::fixed(offset)),
        ));
    }
    if let Ok(dt) = text.parse::<DateTime>()
        && text.len() > 10
    {
        return Some(PostDate::Local(dt));
    }
    text.parse::<Date>().ok().map(PostDate::Day)
}

/// Why text that starts like a date (`2026-02-30`, `2026-13-01T09:00:00Z`) is not one: the
/// month has fewer days, or there is no such month. `None` when it does not start like a
/// date at all, or its day exists (the rest is what is wrong then).
pub fn not_a_day(text: &str) -> Option<String> {
    let day = text.trim().get(..10)?;
    let shape = day.bytes().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if !shape {
        return None;
    }
    let year: i16 = day[..4].parse().ok()?;
    let month: i8 = day[5..7].parse().ok()?;
    let number: i8 = day[8..].parse().ok()?;
    if !(1..=12).contains(&month) {
        return Some(format!("there is no month {month} (months are 01 to 12)"));
    }
    let first = Date::new(year, month, 1).ok()?;
    let days = first.days_in_month();
    (number == 0 || number > days)
        .then(|| format!("{} {year} has {days} days", first.strftime("%B")))
}

/// The `+HH:MM` / `-HH:MM` at the end of an RFC 3339 date-time (`Z` is UTC).
fn trailing_offset(text: &str) -> Option<Offset> {
    let tail = text.get(text.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = tail.get(1..3)?.parse().ok()?;
    let minutes: i32 = tail.get(4..6)?.parse().ok()?;
    Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()
}

/// Formats a date with a strftime pattern (`%B %-d, %Y`); `None` if the pattern is invalid.
pub fn format(date: &PostDate, pattern: &str) -> Option<String> {
    use std::fmt::Write;
    let mut out = String::new();
    let ok = match date {
        PostDate::Day(d) => write!(out, "{}", d.strftime(pattern)),
        PostDate::Local(dt) => write!(out, "{}", dt.strftime(pattern)),
        PostDate::Instant(z) => write!(out, "{}", z.strftime(pattern)),
    };
    ok.ok().map(|()| out)
}

/// The calendar day of a date, as `YYYY-MM-DD`.
pub fn day(date: &PostDate) -> String {
    match date {
        PostDate::Day(d) => d.to_string(),
        PostDate::Local(dt) => dt.date().to_string(),
        PostDate::Instant(z) => z.date().to_string(),
    }
}

/// Today's date in the local time zone, as `YYYY-MM-DD`.
pub fn today() -> String {
    Zoned::now().date().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_why_a_date_shaped_text_is_no_day() {
        assert_eq!(
            not_a_day("2026-02-30").as_deref(),
            Some("February 2026 has 28 days")
        );
        assert_eq!(
            not_a_day("2024-02-30").as_deref(),
            Some("February 2024 has 29 days")
        );
        assert_eq!(
            not_a_day("2026-04-31T09:00:00Z").as_deref(),
            Some("April 2026 has 30 days")
        );
        assert_eq!(
            not_a_day("2026-13-01").as_deref(),
            Some("there is no month 13 (months are 01 to 12)")
        );
        assert_eq!(not_a_day("03/12/2026"), None);
        assert_eq!(not_a_day("2026-02-28"), None);
        assert_eq!(not_a_day("2026-02-28T25:00:00Z"), None, "the day is fine");
    }

    #[test]
    fn parses_days_and_rfc3339() {
        assert!(matches!(parse("2024-05-01"), Some(PostDate::Day(_))));
        assert!(matches!(
            parse("2024-05-01T09:30:00Z"),
            Some(PostDate::Instant(_))
        ));
        assert!(matches!(
            parse("2024-05-01T09:30:00+02:00"),
            Some(PostDate::Instant(_))
        ));
        assert!(matches!(
            parse("2024-05-01T09:30:00"),
            Some(PostDate::Local(_))
        ));
        assert_eq!(parse("tomorrow"), None);
        assert_eq!(parse("2024-13-01"), None);
    }

    #[test]
    fn formats_with_strftime() {
        let d = parse("2024-05-01").unwrap();
        assert_eq!(format(&d, "%B %-d, %Y").as_deref(), Some("May 1, 2024"));
        let z = parse("2024-05-01T23:30:00+02:00").unwrap();
        assert_eq!(
            format(&z, "%Y-%m-%d %H:%M").as_deref(),
            Some("2024-05-01 23:30")
        );
        assert_eq!(day(&z), "2024-05-01");
    }
}
