//! Protocol timestamps (ms since the Unix epoch, UTC) to and from the dates
//! people type and read: `2024-11-30`, `2024-11-30T12:00:00Z`.
//!
//! Hand-written rather than a date crate: the CLI needs the proleptic
//! Gregorian calendar in UTC and nothing else (no time zones, no leap
//! seconds — the protocol has none either).

use baraza_protocol::time::civil_from_days;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;

/// Milliseconds in a day.
pub(crate) const DAY_MS: u64 = 86_400_000;

/// The current time in ms since the Unix epoch.
pub(crate) fn now_ms() -> anyhow::Result<u64> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    u64::try_from(since_epoch.as_millis()).context("the system clock is past the year 500 million")
}

/// `ms` as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub(crate) fn iso8601_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let sod = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}.{:03}Z",
        date_utc(ms),
        sod / 3600,
        sod / 60 % 60,
        sod % 60,
        ms % 1000
    )
}

/// The UTC day of `ms` as `YYYY-MM-DD`.
pub(crate) fn date_utc(ms: u64) -> String {
    let (year, month, day) = civil_from_days(ms / DAY_MS);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Parses `YYYY-MM-DD` (midnight UTC of that day) or
/// `YYYY-MM-DDTHH:MM:SS[.mmm]Z` into ms since the epoch.
pub(crate) fn parse_instant(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "{:?} is not a date: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)",
            text.chars().take(40).collect::<String>()
        )
    };
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-');
    let mut field = |digits: usize| {
        parts
            .next()
            .filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u64>().ok())
    };
    let (Some(year), Some(month), Some(day)) = (field(4), field(2), field(2)) else {
        return Err(bad());
    };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(format!("{text:?} is not a calendar date"));
    }
    let mut ms = days_from_civil(year, month, day) * DAY_MS;
    if let Some(time) = time {
        let time = time.strip_suffix('Z').ok_or_else(bad)?;
        let (hms, millis) = match time.split_once('.') {
            Some((hms, frac)) if frac.len() == 3 && frac.bytes().all(|b| b.is_ascii_digit()) => {
                (hms, frac.parse::<u64>().map_err(|_| bad())?)
            }
            Some(_) => return Err(bad()),
            None => (time, 0),
        };
        let fields: Vec<Option<u64>> = hms
            .split(':')
            .map(|p| {
                (p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())
                    .flatten()
            })
            .collect();
        let [Some(h), Some(m), Some(s)] = fields[..] else {
            return Err(bad());
        };
        if h > 23 || m > 59 || s > 59 {
            return Err(format!("{text:?} is not a time of day"));
        }
        ms += ((h * 60 + m) * 60 + s) * 1000 + millis;
    }
    Ok(ms)
}

fn is_leap(year: u64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (Howard Hinnant's
/// `days_from_civil`); dates before 1970 give 0.
fn days_from_civil(year: u64, month: u64, day: u64) -> u64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400; // [0, 399]
    let mp = if month > 2 { month - 3 } else { month + 9 }; // March = 0
    let doy = (153 * mp + 2) / 5 + day - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    (era * 146_097 + doe).saturating_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601_utc(1_709_208_296_789), "2024-02-29T12:04:56.789Z");
        assert_eq!(date_utc(1_735_689_599_999), "2024-12-31");
    }

    #[test]
    fn parses_dates_and_instants() {
        assert_eq!(parse_instant("2020-01-01"), Ok(1_577_836_800_000));
        assert_eq!(parse_instant("2024-02-01"), Ok(1_706_745_600_000));
        assert_eq!(
            parse_instant("2024-02-29T12:04:56.789Z"),
            Ok(1_709_208_296_789)
        );
        assert_eq!(parse_instant("2100-03-01"), Ok(4_107_542_400_000));
        for bad in [
            "2024-2-01",
            "2023-02-29",
            "2024-13-01",
            "2024-01-01T12:00",
            "2024-01-01T24:00:00Z",
            "yesterday",
            "",
        ] {
            assert!(parse_instant(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_round_trip_over_four_centuries() {
        for days in (0..146_097 * 2).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn civil_from_days_is_monotonic_over_four_centuries() {
        let mut previous = civil_from_days(0);
        for days in 1..146_097 {
            let date = civil_from_days(days);
            assert!(date > previous, "day {days}: {date:?} after {previous:?}");
            assert!((1..=12).contains(&date.1) && (1..=31).contains(&date.2));
            previous = date;
        }
    }
}
