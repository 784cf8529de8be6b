//! Output for people: tables with English and Arabic names side by side,
//! times in the log's zone with their offset.

use std::io::Write;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use comfy_table::{presets, Cell, ContentArrangement, Table};
use sijil_core::projection::{AreaState, State};
use sijil_core::{Recorded, Timeline};

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

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        t.set_width(w);
    } else {
        t.set_width(120);
    }
    t
}

fn names(name: &str, name_ar: Option<&str>) -> String {
    match name_ar {
        // U+2067…U+2069 isolate the Arabic run so it does not reorder its neighbours
        Some(ar) => format!("{name} · \u{2067}{ar}\u{2069}"),
        None => name.to_string(),
    }
}

fn area_cells(slug: &str, a: &AreaState, state: &State, zone: Tz) -> Vec<Cell> {
    let mut in_force = Vec::new();
    for x in &a.active {
        let until = x.until.map(|u| format!(" until {}", local(u, zone))).unwrap_or_default();
        let actor = x.actor.as_deref().unwrap_or("?");
        let via = if x.via.is_empty() { String::new() } else { format!(" via {}", x.via.join(", ")) };
        in_force.push(format!("{} by {actor} since {}{until}{via} [{}]", x.kind, local(x.since, zone), x.source));
    }
    for d in &a.deadlines {
        let left = if d.status == "pending" {
            let mins = (d.deadline - state.at).num_minutes();
            format!(", {}h{:02} left", mins / 60, mins % 60)
        } else {
            String::new()
        };
        in_force.push(format!(
            "ultimatum by {} to {}: {} at {}{left} [{}]",
            d.actor.as_deref().unwrap_or("?"),
            d.target.as_deref().unwrap_or("?"),
            d.status,
            local(d.deadline, zone),
            d.source
        ));
    }
    let forces: Vec<String> = a
        .forces
        .iter()
        .map(|f| format!("{} since {} [{}]", f.actor, local(f.since, zone), f.sources.join(", ")))
        .collect();
    let control: Vec<String> =
        a.control.iter().map(|c| format!("{}: {} ({}) [{}]", c.actor, c.extent, local(c.at, zone), c.source)).collect();
    vec![
        Cell::new(format!("{}\n{slug}", names(&a.name, a.name_ar.as_deref()))),
        Cell::new(if in_force.is_empty() { "—".to_string() } else { in_force.join("\n") }),
        Cell::new(if forces.is_empty() { "—".to_string() } else { forces.join("\n") }),
        Cell::new(if control.is_empty() { "—".to_string() } else { control.join("\n") }),
        Cell::new(a.incidents),
    ]
}

/// The situation report: one row per area, then the casualty claims.
pub fn state_table(out: &mut dyn Write, state: &State, zone: Tz) -> std::io::Result<()> {
    let known = state.known_at.as_deref().unwrap_or("everything recorded");
    writeln!(
        out,
        "Situation at {} ({}) · as known: {known} · log position #{}",
        local(state.at, zone),
        zone.name(),
        state.seq
    )?;
    let mut t = new_table();
    t.set_header(vec!["Area", "In force / deadlines", "Forces present", "Control claimed", "Incidents"]);
    for (slug, a) in &state.areas {
        t.add_row(area_cells(slug, a, state, zone));
    }
    writeln!(out, "{t}")?;
    if !state.casualties.is_empty() {
        writeln!(out, "Casualty claims, side by side (never summed):")?;
        let mut c = new_table();
        c.set_header(vec!["Source", "Killed", "Wounded", "Civilian", "As of", "Areas"]);
        for x in &state.casualties {
            let n = |v: Option<u64>| v.map_or("—".to_string(), |v| v.to_string());
            c.add_row(vec![
                x.source.clone(),
                n(x.killed),
                n(x.wounded),
                x.civilian.map_or("—", |b| if b { "yes" } else { "no" }).to_string(),
                local(x.at, zone),
                x.areas.join(", "),
            ]);
        }
        writeln!(out, "{c}")?;
    }
    Ok(())
}

/// The log as a table.
pub fn log_table(out: &mut dyn Write, rows: &[&Recorded], timeline: &Timeline, zone: Tz) -> std::io::Result<()> {
    let mut t = new_table();
    t.set_header(vec!["#", "Valid time", "Kind", "Areas", "Actor", "Source", "Note"]);
    for r in rows {
        let e = &r.event;
        let standing = timeline.standing(&e.id);
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
        t.add_row(vec![
            r.seq.to_string(),
            e.at.as_ref().map_or("—".to_string(), |a| event_time(a, zone)),
            e.kind.to_string(),
            what,
            actor,
            e.source.name.clone(),
            note.chars().take(160).collect(),
        ]);
    }
    writeln!(out, "{t}")
}
