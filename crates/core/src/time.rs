//! Times as users give them: an instant with its offset, or a calendar day.
//!
//! Precision is kept, not invented: `2026-01-09` stays a day and is never
//! silently turned into a midnight. To place a day on the timeline the
//! caller names the log's zone ([`Time::start`], [`Time::end`]); a local
//! date-time without an offset is resolved once, when it is parsed, in the
//! zone the caller passes, and stored with the offset that zone had then.

use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Earliest and latest years accepted in any time.
pub const MIN_YEAR: i32 = 1900;
/// See [`MIN_YEAR`].
pub const MAX_YEAR: i32 = 2200;

/// A valid-time value of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Time {
    /// A moment, with the offset it was given in.
    Instant(DateTime<FixedOffset>),
    /// A calendar day, in the log's zone.
    Day(NaiveDate),
}

/// Why a time string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("{0:?} is not a time; expected RFC 3339 (2026-01-09T03:00:00+03:00), a local date-time (2026-01-09T03:00) or a date (2026-01-09)")]
    Syntax(String),
    #[error("{0:?} is out of range; years {MIN_YEAR} to {MAX_YEAR} are accepted")]
    OutOfRange(String),
    #[error("{0:?} does not exist in {1} (the clocks skipped it)")]
    Nonexistent(String, String),
    #[error("{0:?} falls in a period when {1} kept local mean time; give the time with an explicit offset")]
    MeanTime(String, String),
    #[error("{0:?} has a 60th second; seconds run from 00 to 59")]
    LeapSecond(String),
}

impl Time {
    /// Reads a time; a local date-time is resolved in `zone`.
    ///
    /// A local time that a daylight-saving change makes ambiguous takes the
    /// earlier of its two readings.
    ///
    /// A 60th second (`12:34:60`) is refused: chrono would read it as a
    /// leap second, which most other tools reject, and a report of an event
    /// never needs one.
    pub fn parse(text: &str, zone: Tz) -> Result<Time, TimeError> {
        // RFC 3339 allows a lower-case `t` and `z`
        let mut upper = text.trim().to_string();
        if upper.len() > 10 && upper.as_bytes()[10] == b't' {
            upper.replace_range(10..11, "T");
        }
        if upper.ends_with('z') {
            upper.pop();
            upper.push('Z');
        }
        let s = upper.as_str();
        let syntax = || TimeError::Syntax(text.to_string());
        let t = if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
            Time::Instant(dt)
        } else if let Some(dt) = parse_offset_without_seconds(s) {
            Time::Instant(dt)
        } else if let Some(naive) = parse_local(s) {
            let local = match zone.from_local_datetime(&naive) {
                LocalResult::Single(t) => t,
                LocalResult::Ambiguous(a, _) => a,
                LocalResult::None => return Err(TimeError::Nonexistent(text.to_string(), zone.name().to_string())),
            };
            let fixed = local.fixed_offset();
            if fixed.offset().local_minus_utc() % 60 != 0 {
                // RFC 3339 offsets have no seconds: storing it would shift the time
                return Err(TimeError::MeanTime(text.to_string(), zone.name().to_string()));
            }
            Time::Instant(fixed)
        } else if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            if s.len() != 10 {
                return Err(syntax());
            }
            Time::Day(d)
        } else {
            return Err(syntax());
        };
        if let Time::Instant(dt) = t {
            if dt.timestamp_subsec_nanos() >= 1_000_000_000 {
                return Err(TimeError::LeapSecond(text.to_string()));
            }
        }
        let year = match t {
            Time::Instant(dt) => dt.year(),
            Time::Day(d) => d.year(),
        };
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(TimeError::OutOfRange(text.to_string()));
        }
        Ok(t)
    }

    /// The first instant this time covers (the day's midnight in `zone`).
    pub fn start(&self, zone: Tz) -> DateTime<Utc> {
        match self {
            Time::Instant(t) => t.with_timezone(&Utc),
            Time::Day(d) => day_start(*d, zone),
        }
    }

    /// The instant just after this time (for a day: the next midnight).
    ///
    /// Used for ends of intervals: `"until": "2026-01-09"` keeps the event in
    /// force for the whole of that day.
    pub fn end(&self, zone: Tz) -> DateTime<Utc> {
        match self {
            Time::Instant(t) => t.with_timezone(&Utc),
            Time::Day(d) => day_start(d.succ_opt().unwrap_or(*d), zone),
        }
    }

    /// `true` for a day-precision time.
    pub fn is_day(&self) -> bool {
        matches!(self, Time::Day(_))
    }

    /// The precision word used in outputs: `day` or `instant`.
    pub fn precision(&self) -> &'static str {
        match self {
            Time::Instant(_) => "instant",
            Time::Day(_) => "day",
        }
    }
}

fn day_start(d: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
    match zone.from_local_datetime(&midnight) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // A zone that skips midnight: the day starts at the first instant after
        // the gap, which may be an hour, a quarter of one, or three hours long
        LocalResult::None => first_instant_from(midnight, zone),
    }
}

/// The first instant whose local time in `zone` is `local` or later: where
/// a gap that holds `local` ends. Found by halving, to the second (zones
/// change their offsets on whole seconds); offsets are less than a day.
fn first_instant_from(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    let shown = |secs: i64| DateTime::from_timestamp(secs, 0).unwrap_or_default().with_timezone(&zone).naive_local();
    // a day either side: the zone's clock shows an earlier time, then a later one
    let (mut before, mut after) = (local.and_utc().timestamp() - 86_400, local.and_utc().timestamp() + 86_400);
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        if shown(mid) < local {
            before = mid;
        } else {
            after = mid;
        }
    }
    DateTime::from_timestamp(after, 0).unwrap_or_default()
}

fn parse_local(s: &str) -> Option<NaiveDateTime> {
    const FORMATS: [&str; 4] = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"];
    FORMATS.iter().find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// `2026-01-09T03:00+03:00`: RFC 3339 minus the seconds, as the contract's
/// own examples write it.
fn parse_offset_without_seconds(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.replacen(' ', "T", 1);
    ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%MZ"].iter().find_map(|f| {
        if f.ends_with('Z') {
            NaiveDateTime::parse_from_str(&s, f).ok().map(|n| Utc.from_utc_datetime(&n).fixed_offset())
        } else {
            DateTime::parse_from_str(&s, f).ok()
        }
    })
}

impl fmt::Display for Time {
    /// The canonical text: RFC 3339 with the original offset, or `YYYY-MM-DD`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Time::Instant(t) => f.write_str(&t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
            Time::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
        }
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Time {
    /// Stored times are canonical: never local, so no zone is needed.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if let Ok(t) = DateTime::parse_from_rfc3339(&s) {
            return Ok(Time::Instant(t));
        }
        NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Time::Day)
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a stored time")))
    }
}

/// The day that ends at `end` in `zone`: what an end given as a date
/// (placed by [`Time::end`] at the next day's start) reads as again.
pub fn day_ending_at(end: DateTime<Utc>, zone: Tz) -> NaiveDate {
    (end - chrono::Duration::nanoseconds(1)).with_timezone(&zone).date_naive()
}

/// Formats an instant the way every JSON output does: RFC 3339, UTC, `Z`.
pub fn utc_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Damascus;

    #[test]
    fn parses_each_form_and_keeps_precision() {
        let cases = [
            ("2026-01-09T03:00:00+03:00", "2026-01-09T03:00:00+03:00", "2026-01-09T00:00:00Z"),
            ("2026-01-09T03:00+03:00", "2026-01-09T03:00:00+03:00", "2026-01-09T00:00:00Z"),
            ("2026-01-09T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-09T00:00:00Z"),
            ("2026-01-09T03:00", "2026-01-09T03:00:00+03:00", "2026-01-09T00:00:00Z"),
            ("2026-01-09 03:00", "2026-01-09T03:00:00+03:00", "2026-01-09T00:00:00Z"),
            ("2026-01-09", "2026-01-09", "2026-01-08T21:00:00Z"),
        ];
        for (input, canonical, start) in cases {
            let t = Time::parse(input, Damascus).unwrap();
            assert_eq!(t.to_string(), canonical, "{input}");
            assert_eq!(utc_text(t.start(Damascus)), start, "{input}");
        }
    }

    #[test]
    fn a_day_ends_at_the_next_midnight_in_the_zone() {
        let t = Time::parse("2026-01-09", Damascus).unwrap();
        assert!(t.is_day());
        assert_eq!(utc_text(t.end(Damascus)), "2026-01-09T21:00:00Z");
        assert_eq!(utc_text(t.start(chrono_tz::UTC)), "2026-01-09T00:00:00Z");
    }

    /// A zone that skips a midnight: the day starts where the gap ends,
    /// however long the gap, and a date given as an end reads back as
    /// that date.
    #[test]
    fn a_day_after_a_skipped_midnight_starts_where_the_gap_ends() -> Result<(), Box<dyn std::error::Error>> {
        // (zone, day, its first instant in UTC)
        let cases = [
            ("Asia/Damascus", "2021-03-26", "2021-03-25T22:00:00Z"),
            ("Asia/Kathmandu", "1986-01-01", "1985-12-31T18:30:00Z"),
            ("Pacific/Rarotonga", "1979-10-28", "1979-10-28T10:00:00Z"),
            ("Antarctica/Casey", "2016-10-22", "2016-10-21T16:00:00Z"),
            ("Africa/Abidjan", "1912-01-01", "1912-01-01T00:16:08Z"),
        ];
        for (zone, day, first) in cases {
            let zone: Tz = zone.parse()?;
            let t = Time::parse(day, zone)?;
            assert_eq!(utc_text(t.start(zone)), first, "{zone} {day}");
            let before = NaiveDate::parse_from_str(day, "%Y-%m-%d")?.pred_opt().ok_or("no day before")?;
            assert_eq!(utc_text(Time::Day(before).end(zone)), first, "{zone} {before}");
            assert_eq!(day_ending_at(Time::Day(before).end(zone), zone), before, "{zone} {before}");
        }
        Ok(())
    }

    #[test]
    fn rejects_bad_times_with_a_reason() {
        for bad in ["2026-13-01", "yesterday", "2026-01-09T25:00", "2026-1-9", ""] {
            assert!(matches!(Time::parse(bad, Damascus), Err(TimeError::Syntax(_))), "{bad}");
        }
        assert!(matches!(Time::parse("1066-10-14", Damascus), Err(TimeError::OutOfRange(_))));
        for sixty in
            ["2026-01-09T12:34:60", "2026-01-09T12:34:60+03:00", "2016-12-31T23:59:60Z", "2026-01-09 23:59:60.5"]
        {
            assert!(matches!(Time::parse(sixty, Damascus), Err(TimeError::LeapSecond(_))), "{sixty}");
        }
        for lower in [
            "2026-01-09T02:00z",
            "2026-01-09T02:00:00z",
            "2026-01-09t02:00:00z",
            "2026-01-09t02:00z",
            "2026-01-09t05:00+03:00",
        ] {
            let t = Time::parse(lower, Damascus).unwrap_or_else(|e| panic!("{lower}: {e}"));
            assert_eq!(t.start(Damascus).to_rfc3339(), "2026-01-09T02:00:00+00:00", "{lower}");
        }
        assert!(matches!(Time::parse("2026-03-29T01:30", chrono_tz::Europe::London), Err(TimeError::Nonexistent(..))));
    }

    #[test]
    fn round_trips_through_serde() {
        for s in ["\"2026-01-09T03:00:00+03:00\"", "\"2026-01-09\""] {
            let t: Time = serde_json::from_str(s).unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), s);
        }
    }
}
