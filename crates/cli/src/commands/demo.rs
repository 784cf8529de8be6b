//! `sijil demo`: the Aleppo scenario of 8–9 January 2026.

use std::io::Write;

use clap::Args;
use sijil_core::{KnownAt, StateQuery};
use sijil_store::Store;

use crate::app::{admit_lines, parse_zone, Globals};
use crate::error::{output, CliError};
use crate::render::{local, state_table};

/// The bundled scenario: the events of one news article, in the contract's
/// NDJSON format (also at examples/aleppo-2026-01-08.ndjson).
pub const SCENARIO: &str = include_str!("../../../../examples/aleppo-2026-01-08.ndjson");
/// The zone the scenario's desk works in.
pub const SCENARIO_ZONE: &str = "Asia/Damascus";

/// The moments the demo shows, with what each should make visible.
const MOMENTS: [(&str, &str); 3] = [
    (
        "2026-01-08T22:00:00+03:00",
        "Thursday night, before the ceasefire: a curfew over several neighbourhoods, among them the two \
         Kurdish-majority ones, internal security deployed, control claimed, both sides' casualty figures \
         side by side.",
    ),
    (
        "2026-01-09T05:00:00+03:00",
        "Inside the window: the Ministry of Defence ceasefire is in force since 03:00 and its \
         ultimatum to the SDF is pending until 09:00.",
    ),
    (
        "2026-01-09T10:00:00+03:00",
        "After the deadline: the ultimatum has expired. The log records no end to the ceasefire, the \
         curfew or the evacuation, so they are shown in force: the report says nothing of what came after.",
    ),
];

/// Tell the Aleppo story of 8–9 January 2026 from a fresh log.
///
/// Loads the bundled scenario and shows the state at the moments that tell
/// its story: before the ceasefire, inside the 03:00–09:00 window, after
/// the deadline, and one correction seen on both time axes.
///
/// The log is a new temporary folder unless --db names a path; a log that
/// already holds events is refused. The folder is kept so you can explore
/// it afterwards with the commands the demo prints.
///
/// Examples:
///   sijil demo
///   sijil demo --db ./aleppo.sijil
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct DemoArgs {}

pub fn run(g: &Globals, _args: DemoArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let path = match &g.db_flag {
        Some(p) => p.clone(),
        None => tempfile::Builder::new()
            .prefix("sijil-demo-")
            .tempdir()
            .map_err(|e| CliError::runtime(format!("cannot create a temporary folder: {e}")))?
            .keep(),
    };
    let store = match Store::open(&path) {
        Ok(s) => {
            let head = s.head()?.seq;
            if head > 0 {
                return Err(CliError::input(format!(
                    "the log at {} already holds {head} events; the demo needs a new or empty log",
                    path.display()
                ))
                .hint("run `sijil demo` without --db to use a temporary folder"));
            }
            // the scenario's local times and dates are Aleppo's
            if s.zone() != SCENARIO_ZONE {
                return Err(CliError::input(format!(
                    "the log at {} is in {}; the demo's times and dates are in {SCENARIO_ZONE}",
                    path.display(),
                    s.zone()
                ))
                .hint(format!(
                    "give the demo a new folder, or create this log with `sijil init --tz {SCENARIO_ZONE}`"
                )));
            }
            s
        }
        // a missing path or an empty folder
        Err(sijil_store::OpenError::Missing(_)) => Store::create(&path, SCENARIO_ZONE)?,
        Err(e) => return Err(e.into()),
    };
    let log_zone = parse_zone(store.zone())?;
    let zone = g.tz.unwrap_or(log_zone);
    let mut ctx = sijil_core::Context::new(log_zone);
    let batch =
        admit_lines(&mut ctx, &sijil_core::NoLookup, SCENARIO.lines().enumerate().map(|(i, l)| (i + 1, Ok(l))))?;
    if !batch.errors.is_empty() {
        return Err(batch.into_error("the bundled scenario"));
    }
    let done = store.append(&batch.events, (g.clock)(), None)?;
    let w = |out: &mut dyn Write, s: String| writeln!(out, "{s}").map_err(output);

    let mut timeline = sijil_core::Timeline::new(log_zone);
    for r in store.scan(u64::MAX) {
        timeline.apply(r?);
    }
    let definitions = timeline.records().iter().filter(|r| r.event.kind.is_reference()).count();
    w(out, "sijil demo — Aleppo, 8–9 January 2026".into())?;
    w(
        out,
        format!(
            "Recorded {} events into the log at {}:\n\
             the {definitions} areas and actors of the gazetteer, then {} events from one news report (SANA, the\n\
             Ministry of Defence, SOHR, the SDF, the Aleppo health directorate, the Ministry of Emergency…),\n\
             the last of them a correction of a figure first mis-typed.\n\
             The report gives the hour only for the ceasefire (03:00) and its deadline (09:00); the other\n\
             hours are the desk's estimates, which keep the report's order. Times are shown in {}.\n",
            done.last,
            path.display(),
            done.last as usize - definitions,
            zone.name()
        ),
    )?;
    for (i, (moment, story)) in MOMENTS.iter().enumerate() {
        let at =
            sijil_core::Time::parse(moment, log_zone).map_err(|e| CliError::runtime(e.to_string()))?.start(log_zone);
        w(out, format!("── {}. {} ──", i + 1, local(at, zone)))?;
        w(out, format!("{story}\n"))?;
        let state = timeline.state(&StateQuery { at, known_at: KnownAt::All, area: None });
        state_table(out, &state, zone, log_zone).map_err(output)?;
        w(out, String::new())?;
    }

    // corrections apply from when they are recorded: show the log before the last one
    if let Some(fix) = timeline.records().iter().rev().find(|r| r.event.corrects.is_some()) {
        let before = fix.seq - 1;
        let mut earlier = sijil_core::Timeline::new(log_zone);
        for r in timeline.records().iter().take_while(|r| r.seq <= before) {
            earlier.apply(r.clone());
        }
        let at = timeline.records().iter().filter_map(|r| r.event.at.map(|t| t.start(log_zone))).max();
        if let Some(at) = at {
            let show = |t: &sijil_core::Timeline, known_at| {
                let s = t.state(&StateQuery { at, known_at, area: None });
                s.casualties
                    .iter()
                    .map(|c| {
                        format!(
                            "  {:<28} killed {:>4}  wounded {:>4}",
                            c.source,
                            c.killed.map_or("—".into(), |v| v.to_string()),
                            c.wounded.map_or("—".into(), |v| v.to_string())
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            w(
                out,
                format!(
                    "── Time travel on the second axis: event #{} corrects #{} ──",
                    fix.seq,
                    corrected_seq(&timeline, fix)
                ),
            )?;
            w(
                out,
                "A correction applies from when it is recorded: before it the log held the mis-typed figure."
                    .to_string(),
            )?;
            w(
                out,
                format!(
                    "As the log knew it after #{before} (--known-at '#{before}'):\n{}",
                    show(&earlier, KnownAt::Seq(before))
                ),
            )?;
            w(out, format!("As it knows it now:\n{}\n", show(&timeline, KnownAt::All)))?;
        }
    }

    let v = store.verify(|_| {})?;
    let sound = v.first_bad.is_none();
    w(
        out,
        format!(
            "verify: {} — {} records, head #{} {}",
            if sound { "the log is sound" } else { "the log is damaged" },
            v.records,
            v.head.seq,
            sijil_store::record::hex(&v.head.hash)
        ),
    )?;
    let db = shell_quote(&path.display().to_string());
    w(out, "\nExplore it:".into())?;
    w(out, format!("  sijil --db {db} state --at 2026-01-09T05:00"))?;
    w(out, format!("  sijil --db {db} state --at 2026-01-09T10:00 --known-at '#49' --format json"))?;
    w(out, format!("  sijil --db {db} log --kind casualty_report"))?;
    if !sound {
        return Err(CliError::runtime("the demo log failed verification"));
    }
    Ok(())
}

fn corrected_seq(t: &sijil_core::Timeline, fix: &sijil_core::Recorded) -> u64 {
    fix.event.corrects.and_then(|id| t.get(&id)).map_or(0, |r| r.seq)
}

fn shell_quote(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
