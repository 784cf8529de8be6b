//! `sijil show`: one event and what became of it.

use std::io::Write;

use clap::Args;
use serde_json::{json, Value};
use sijil_core::{KnownAt, Ledger, Recorded};
use uuid::Uuid;

use crate::app::Globals;
use crate::error::{output, CliError};
use crate::render::{self, Format};

/// Show one event and what became of it.
///
/// Its fields, position and recording time; the event it replaced, the
/// correction that replaced it, the retraction that withdrew it, the
/// events that ended it, and when each was recorded.
///
/// Examples:
///   sijil show 01943a00-0000-7000-8000-000000000019
///   sijil show '#38' --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ShowArgs {
    /// The event's id, or `#N` for the event at log position N
    #[arg(value_name = "ID")]
    pub id: String,

    /// Only what the log had recorded then: a time, or `#N`
    #[arg(long, value_name = "K")]
    pub known_at: Option<String>,

    /// Output format [default: table on a terminal, else json]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

fn brief(r: &Recorded) -> Value {
    json!({"id": r.event.id, "kind": r.event.kind, "seq": r.seq, "recorded_at": sijil_core::time::utc_text(r.recorded_at)})
}

/// The position `text` names (`#N` or an event id), if the log held it at `known_at`.
fn find(ledger: &mut Ledger, text: &str, known_at: KnownAt, zone: chrono_tz::Tz) -> Result<u64, CliError> {
    let t = text.trim();
    let found = if let Some(n) = t.strip_prefix('#') {
        let n: u64 =
            n.parse().map_err(|_| CliError::input(format!("{text:?} is not a log position; write #N, like #38")))?;
        (n >= 1 && n <= ledger.horizon(known_at)).then_some(n)
    } else {
        let id = Uuid::parse_str(t).map_err(|_| {
            CliError::input(format!("{text:?} is not an event id (a UUID) or a log position (#N)"))
                .hint("`sijil log --format json` lists events with their ids and positions")
        })?;
        ledger.position(&id, known_at)
    };
    found.ok_or_else(|| match known_at.label() {
        None => CliError::input(format!("no event {t} is in the log")),
        Some(k) => {
            CliError::input(format!("no event {t} was in the log as known at {}", render::horizon(Some(&k), zone)))
                .hint("drop --known-at to look at everything the log holds now")
        }
    })
}

pub fn run(g: &Globals, args: ShowArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let known_at: KnownAt = session.known_at(args.known_at.as_deref(), now)?;
    // the ledger says which records are related; the store gives them
    let mut ledger = session.ledger_for(known_at)?;
    let seq = find(&mut ledger, &args.id, known_at, session.zone)?;
    let record = |n: u64| -> Result<Recorded, CliError> {
        match session.store.scan_from(n, n).next() {
            Some(r) => Ok(r?),
            None => Err(CliError::runtime(format!("record #{n} is missing from the log"))
                .hint("run `sijil verify` to check the whole log")),
        }
    };
    let r = record(seq)?;
    let e = &r.event;
    let (corrected_at, retracted_at) = ledger.standing_at(seq, known_at);
    let replaced = ledger.replaces(seq).map(record).transpose()?;
    let corrected_by = corrected_at.map(record).transpose()?;
    let retracted_by = retracted_at.map(record).transpose()?;
    // the `ended` events that end it: those naming it or an earlier version
    // of it (an end carries over to corrections), still standing themselves
    let mut enders = Vec::new();
    let mut version = Some(seq);
    while let Some(v) = version {
        enders.extend(ledger.enders_of(v, known_at));
        // a correction comes after what it corrects: the walk ends
        version = ledger.replaces(v).filter(|&earlier| earlier < v);
    }
    enders.retain(|&x| ledger.standing_at(x, known_at) == (None, None));
    enders.sort_unstable();
    enders.dedup();
    let ended_by = enders.into_iter().map(record).collect::<Result<Vec<_>, _>>()?;
    let (replaced, corrected_by, retracted_by) = (replaced.as_ref(), corrected_by.as_ref(), retracted_by.as_ref());
    let format = super::choose_format(args.format, Format::Json);
    match format {
        Format::Json | Format::Ndjson => {
            let v = json!({
                "event": e,
                "seq": r.seq,
                "recorded_at": sijil_core::time::utc_text(r.recorded_at),
                "replaces": replaced.map(brief),
                "corrected_by": corrected_by.map(brief),
                "retracted_by": retracted_by.map(brief),
                "ended_by": ended_by.iter().map(brief).collect::<Vec<_>>(),
            });
            super::write_object(out, &v, format)
        }
        Format::Table => {
            let zone = session.zone;
            let mut rows: Vec<Vec<String>> = Vec::new();
            let fields = serde_json::to_value(e).unwrap_or(Value::Null);
            if let Value::Object(map) = fields {
                for (k, v) in map {
                    let text = match v {
                        Value::String(s) => s,
                        Value::Array(items) => items
                            .iter()
                            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join("\n"),
                        Value::Object(o) => o
                            .iter()
                            .map(|(k, v)| format!("{k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                            .collect::<Vec<_>>()
                            .join("\n"),
                        other => other.to_string(),
                    };
                    rows.push(vec![k, text]);
                }
            }
            rows.push(vec!["position".into(), format!("#{}", r.seq)]);
            rows.push(vec!["recorded".into(), render::local(r.recorded_at, zone)]);
            let line = |x: &Recorded| {
                format!("{} #{} ({}, recorded {})", x.event.id, x.seq, x.event.kind, render::local(x.recorded_at, zone))
            };
            if let Some(x) = replaced {
                rows.push(vec!["replaces".into(), line(x)]);
            }
            if let Some(x) = corrected_by {
                rows.push(vec!["corrected by".into(), line(x)]);
            }
            if let Some(x) = retracted_by {
                rows.push(vec!["retracted by".into(), line(x)]);
            }
            for x in &ended_by {
                rows.push(vec!["ended by".into(), line(x)]);
            }
            render::simple_table(out, &["Field", "Value"], rows).map(|_| ()).and_then(|_| {
                if corrected_by.is_some() || retracted_by.is_some() {
                    writeln!(
                        out,
                        "This event no longer counts: see the {} above.",
                        if retracted_by.is_some() { "retraction" } else { "correction" }
                    )
                    .map_err(output)
                } else {
                    Ok(())
                }
            })
        }
    }
}
