//! `sijil show`: one event and what became of it.

use std::io::Write;

use clap::Args;
use serde_json::{json, Value};
use sijil_core::{KnownAt, Recorded, Timeline};
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

fn find<'t>(timeline: &'t Timeline, text: &str) -> Result<&'t Recorded, CliError> {
    let t = text.trim();
    let found = if let Some(n) = t.strip_prefix('#') {
        let n: u64 =
            n.parse().map_err(|_| CliError::input(format!("{text:?} is not a log position; write #N, like #38")))?;
        timeline.records().iter().find(|r| r.seq == n)
    } else {
        let id = Uuid::parse_str(t).map_err(|_| {
            CliError::input(format!("{text:?} is not an event id (a UUID) or a log position (#N)"))
                .hint("`sijil log` lists events with their ids and positions")
        })?;
        timeline.get(&id)
    };
    found.ok_or_else(|| CliError::input(format!("no event {t} is in the log")))
}

pub fn run(g: &Globals, args: ShowArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let known_at: KnownAt = session.known_at(args.known_at.as_deref(), now)?;
    let timeline = session.timeline(known_at)?;
    let r = find(&timeline, &args.id)?;
    let e = &r.event;
    let standing = timeline.standing(&e.id);
    let by = |id: Option<Uuid>| id.and_then(|id| timeline.get(&id));
    let replaced = e.corrects.and_then(|id| timeline.get(&id));
    let corrected_by = by(standing.corrected_by);
    let retracted_by = by(standing.retracted_by);
    let ended_by = timeline.enders(&e.id);
    match super::choose_format(args.format, Format::Json) {
        Format::Json | Format::Ndjson => {
            let v = json!({
                "event": e,
                "seq": r.seq,
                "recorded_at": sijil_core::time::utc_text(r.recorded_at),
                "replaces": replaced.map(brief),
                "corrected_by": corrected_by.map(brief),
                "retracted_by": retracted_by.map(brief),
                "ended_by": ended_by.iter().map(|x| brief(x)).collect::<Vec<_>>(),
            });
            super::write_json(out, &v)
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
            for x in ended_by {
                rows.push(vec!["ended by".into(), line(x)]);
            }
            render::simple_table(out, &["Field", "Value"], rows).map(|_| ()).and_then(|_| {
                if standing.corrected_by.is_some() || standing.retracted_by.is_some() {
                    writeln!(
                        out,
                        "This event no longer counts: see the {} above.",
                        if standing.retracted_by.is_some() { "retraction" } else { "correction" }
                    )
                    .map_err(output)
                } else {
                    Ok(())
                }
            })
        }
    }
}
