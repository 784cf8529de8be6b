//! Output for people: tables with English and Arabic names side by side,
//! times in the log's zone with their offset.

use std::io::Write;

use chrono::{DateTime, Offset, Utc};
use chrono_tz::Tz;
use comfy_table::{presets, ColumnConstraint, ContentArrangement, Table, Width};
use sijil_core::projection::{AreaState, Standing, State};
use sijil_core::Recorded;

/// Output formats a command can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables for people (the default on a terminal).
    Table,
    /// JSON for scripts (the default when piped).
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// Shows an instant in `zone`: `2026-01-09 03:00 +03:00`.
/// "pending, 2h05 left" or "expired": the time left is rounded up to the
/// minute, so a deadline still pending never reads as "0h00 left".
pub fn deadline_status(d: &sijil_core::projection::Deadline, at: DateTime<Utc>) -> String {
    if d.status == "pending" {
        let mins = ((d.deadline - at).num_seconds().max(0) as u64).div_ceil(60);
        format!("pending, {}h{:02} left", mins / 60, mins % 60)
    } else {
        "expired".to_string()
    }
}

/// A read's horizon as JSON labels it (`#N` or an RFC 3339 UTC time),
/// for people: a time is shown in `zone`, to the microsecond it has.
pub fn horizon(label: Option<&str>, zone: Tz) -> String {
    match label {
        None => "everything recorded".to_string(),
        Some(l) => match DateTime::parse_from_rfc3339(l) {
            Ok(t) if t.timestamp_subsec_nanos() != 0 => {
                t.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S%.f %:z").to_string()
            }
            Ok(t) => local(t.with_timezone(&Utc), zone),
            Err(_) => l.to_string(),
        },
    }
}

pub fn local(t: DateTime<Utc>, zone: Tz) -> String {
    let l = t.with_timezone(&zone);
    if l.format("%S").to_string() == "00" {
        l.format("%Y-%m-%d %H:%M %:z").to_string()
    } else {
        l.format("%Y-%m-%d %H:%M:%S %:z").to_string()
    }
}

/// Shows an event's own time: a day stays a day.
pub fn event_time(t: &sijil_core::Time, zone: Tz) -> String {
    match t {
        sijil_core::Time::Day(d) => format!("{} (day)", d.format("%Y-%m-%d")),
        sijil_core::Time::Instant(i) => local(i.with_timezone(&Utc), zone),
    }
}

/// Free text for a table cell. A control character from a source's text
/// (the CR of a pasted Windows line, an escape sequence) would move the
/// cursor or restyle the terminal and garble the table: line breaks stay
/// line breaks, a tab is a space, any other control character shows as �.
/// The log and JSON keep the text as it is.
fn printable(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .map(|c| match c {
            '\n' | '\r' => '\n',
            '\t' => ' ',
            c if c.is_control() => '\u{FFFD}',
            c => c,
        })
        .collect()
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| w.0))
        .unwrap_or(120);
    t.set_width(width.max(60));
    t
}

/// English and Arabic names on one line, the Arabic in parentheses.
fn names(name: &str, name_ar: Option<&str>) -> String {
    match name_ar {
        Some(ar) => format!("{name} ({ar})"),
        None => name.to_string(),
    }
}

/// English and Arabic names on lines of their own, so that neither script
/// reorders the other.
pub fn stacked(name: &str, name_ar: Option<&str>) -> String {
    match name_ar {
        Some(ar) => format!("{name}\n{ar}"),
        None => name.to_string(),
    }
}

/// A short local time for table cells: `2026-01-09 03:00` (the header
/// names the zone and its offset).
fn short(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// A short local time for a cell of a table whose header names the zone
/// with its offset at `at`: `2026-01-09 03:00`, or, when `t` falls on the
/// other side of a clock change, with its own offset
/// (`2026-03-01 10:00 +00:00`), so that no time is read at the header's
/// offset when it had another.
pub fn short_under(t: DateTime<Utc>, zone: Tz, at: DateTime<Utc>) -> String {
    let local = t.with_timezone(&zone);
    if local.offset().fix() == at.with_timezone(&zone).offset().fix() {
        local.format("%Y-%m-%d %H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M %:z").to_string()
    }
}

/// A moment of the state at `at` for a table cell: a short local time
/// ([`short_under`]), or, when the event gave only a date (`precision`
/// `day`), that date (the log's day, never an invented midnight).
pub fn moment(t: DateTime<Utc>, precision: Option<&str>, zone: Tz, log_zone: Tz, at: DateTime<Utc>) -> String {
    match precision {
        Some("day") => format!("{} (day)", t.with_timezone(&log_zone).format("%Y-%m-%d")),
        _ => short_under(t, zone, at),
    }
}

/// The end of something at `at` for a table cell (an `until`, an `ended`
/// time or a deadline): a short local time, or, when the end was given as a
/// date (`precision` `day`, `t` then the next day's start), that date: the
/// day it lasts through, never the next day's midnight.
pub fn end_moment(t: DateTime<Utc>, precision: Option<&str>, zone: Tz, log_zone: Tz, at: DateTime<Utc>) -> String {
    match precision {
        Some("day") => format!("{} (day)", sijil_core::time::day_ending_at(t, log_zone).format("%Y-%m-%d")),
        _ => short_under(t, zone, at),
    }
}

/// When something in force at `at` holds, for a table cell: `since START`
/// or `START → END`, a day-precision start shown as its date (the log's
/// day, never an invented midnight).
pub fn span(x: &sijil_core::projection::Active, zone: Tz, log_zone: Tz, at: DateTime<Utc>) -> String {
    let start = moment(x.since, x.precision, zone, log_zone, at);
    match x.until {
        Some(u) => format!("{start} → {}", end_moment(u, x.until_precision, zone, log_zone, at)),
        None => format!("since {start}"),
    }
}

fn tail(slug: &str) -> &str {
    slug.rsplit('/').next().unwrap_or(slug)
}

/// The rows of one area: what is in force, deadlines, forces, control.
fn area_rows(a: &AreaState, state: &State, zone: Tz, log_zone: Tz) -> Vec<[String; 4]> {
    let mut rows = Vec::new();
    for x in &a.active {
        let mut what = x.kind.to_string();
        if !x.via.is_empty() {
            what.push_str(&format!(" via {}", x.via.iter().map(|v| tail(v)).collect::<Vec<_>>().join(", ")));
        }
        rows.push([
            what,
            x.actor.as_deref().unwrap_or_default().to_string(),
            span(x, zone, log_zone, state.at),
            printable(&x.source),
        ]);
    }
    for d in &a.deadlines {
        let status = deadline_status(d, state.at);
        let target = d.target.as_deref().map(|t| format!(" to {t}")).unwrap_or_default();
        rows.push([
            format!("ultimatum{target}: {status}"),
            d.actor.as_deref().unwrap_or_default().to_string(),
            format!("deadline {}", end_moment(d.deadline, d.deadline_precision, zone, log_zone, state.at)),
            printable(&d.source),
        ]);
    }
    for f in &a.forces {
        rows.push([
            "deployed".into(),
            f.actor.to_string(),
            format!("since {}", moment(f.since, f.precision, zone, log_zone, state.at)),
            printable(&f.sources.join("; ")),
        ]);
    }
    for c in &a.control {
        rows.push([
            format!("claims control: {}", c.extent),
            c.actor.to_string(),
            format!("claimed {}", moment(c.at, c.precision, zone, log_zone, state.at)),
            printable(&c.source),
        ]);
    }
    rows
}

/// The situation report: per area what is in force, deadlines, forces and
/// control claims; quiet areas on one line; then the casualty claims.
pub fn state_table(out: &mut dyn Write, state: &State, zone: Tz, log_zone: Tz) -> std::io::Result<()> {
    let known = horizon(state.known_at.as_deref(), zone);
    let offset = state.at.with_timezone(&zone).format("%:z");
    writeln!(
        out,
        "{}",
        crate::style::heading(&format!("Situation at {} ({} {offset})", short(state.at, zone), zone.name()))
    )?;
    writeln!(out, "As known: {known} (log position #{}); times in {} {offset}", state.seq, zone.name())?;
    let mut t = new_table();
    t.set_header(vec!["Area", "What", "Who", "When", "Source"]);
    let mut quiet = Vec::new();
    for (slug, a) in &state.areas {
        let rows = area_rows(a, state, zone, log_zone);
        let incidents = match a.incidents {
            0 => String::new(),
            1 => "\n1 incident".to_string(),
            n => format!("\n{n} incidents"),
        };
        let label = format!("{}\n{slug}{incidents}", printable(&stacked(&a.name, a.name_ar.as_deref())));
        if rows.is_empty() {
            quiet.push(if a.incidents > 0 {
                format!(
                    "{} ({} incident{})",
                    names(&a.name, a.name_ar.as_deref()),
                    a.incidents,
                    if a.incidents == 1 { "" } else { "s" }
                )
            } else {
                names(&a.name, a.name_ar.as_deref())
            });
            continue;
        }
        for (i, [what, who, when, source]) in rows.into_iter().enumerate() {
            let area = if i == 0 { label.clone() } else { String::new() };
            t.add_row(vec![area, what, who, when, source]);
        }
    }
    if t.row_count() > 0 {
        writeln!(out, "{t}")?;
    }
    if !quiet.is_empty() {
        writeln!(out, "Nothing in force: {}", printable(&quiet.join(", ")))?;
    }
    if state.casualties.is_empty() {
        writeln!(out, "No casualty claims.")?;
    } else {
        writeln!(out, "{}", crate::style::heading("Casualty claims, side by side (sources are never summed):"))?;
        let mut c = new_table();
        c.set_header(vec!["Source", "Killed", "Wounded", "Civilian", "As of", "Areas"]);
        for x in &state.casualties {
            let n = |v: Option<u64>| v.map_or("—".to_string(), |v| v.to_string());
            c.add_row(vec![
                printable(&x.source),
                n(x.killed),
                n(x.wounded),
                x.civilian.map_or("—", |b| if b { "yes" } else { "no" }).to_string(),
                moment(x.at, x.precision, zone, log_zone, state.at),
                x.areas.iter().map(|a| tail(a)).collect::<Vec<_>>().join(", "),
            ]);
        }
        writeln!(out, "{c}")?;
    }
    Ok(())
}

/// A plain table with a header row.
pub fn simple_table(
    out: &mut dyn Write,
    header: &[&str],
    rows: Vec<Vec<String>>,
) -> Result<(), crate::error::CliError> {
    let mut t = new_table();
    t.set_header(header.to_vec());
    // every cell may hold text from the log (a note, a source, a name)
    for r in rows {
        t.add_row(r.iter().map(|c| printable(c)).collect::<Vec<_>>());
    }
    writeln!(out, "{t}").map_err(crate::error::output)
}

/// The log as a table.
pub fn log_table(
    out: &mut dyn Write,
    rows: &[&Recorded],
    standing: &dyn Fn(&Recorded) -> Standing,
    zone: Tz,
) -> std::io::Result<()> {
    let mut t = new_table();
    t.set_header(vec!["#", "Valid time", "Kind", "Areas", "Actor", "Source", "Note", "Recorded"]);
    // a kind is never cut in two ("casualty_report", 15, and the padding)
    if let Some(c) = t.column_mut(2) {
        c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(17)));
    }
    for r in rows {
        let e = &r.event;
        let standing = standing(r);
        let mut note = e.note.clone().or_else(|| e.quote.clone()).unwrap_or_default();
        if let Some(by) = standing.corrected_by {
            note = format!("[corrected by {by}] {note}");
        }
        if let Some(by) = standing.retracted_by {
            note = format!("[retracted by {by}] {note}");
        }
        let what = match e.kind {
            sijil_core::Kind::Area => {
                format!(
                    "{} = {}",
                    e.area.as_deref().unwrap_or(""),
                    names(e.name.as_deref().unwrap_or(""), e.name_ar.as_deref())
                )
            }
            sijil_core::Kind::Actor => {
                format!(
                    "{} = {}",
                    e.actor.as_deref().unwrap_or(""),
                    names(e.name.as_deref().unwrap_or(""), e.name_ar.as_deref())
                )
            }
            _ => e.areas.join(", "),
        };
        let actor = if e.kind == sijil_core::Kind::Actor { String::new() } else { e.actor.clone().unwrap_or_default() };
        let mut kind = e.kind.to_string();
        let figures: Vec<String> = [("killed", e.killed), ("wounded", e.wounded), ("count", e.count)]
            .iter()
            .filter_map(|(w, n)| n.map(|n| format!("{w} {n}")))
            .collect();
        if !figures.is_empty() {
            kind = format!("{kind}\n{}", figures.join(", "));
        }
        if let Some(x) = e.extent {
            kind = format!("{kind}\nextent {x}");
        }
        t.add_row(vec![
            r.seq.to_string(),
            e.at.as_ref().map_or("—".to_string(), |a| event_time(a, zone)),
            kind,
            printable(&what),
            actor,
            printable(&e.source.name),
            printable(&note.chars().take(160).collect::<String>()),
            // with its offset: this table's header names no zone
            r.recorded_at.with_timezone(&zone).format("%Y-%m-%d %H:%M %:z").to_string(),
        ]);
    }
    writeln!(out, "{t}")
}

/// Phrases joined as a sentence does: "a", "a and b", "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}
