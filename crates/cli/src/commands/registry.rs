//! `sijil areas` and `sijil actors`: the gazetteer and the actor list.

use std::io::Write;

use clap::Args;
use serde_json::json;

use crate::app::Globals;
use crate::error::{output, CliError};
use crate::render::{self, Format};

/// List the areas (the gazetteer).
///
/// Each area's slug, English and Arabic names, parent, type, coordinates
/// and aliases. Areas are events too: --at shows the gazetteer as it stood then, and
/// --known-at as the log knew it.
///
/// Examples:
///   sijil areas
///   sijil areas --format json | jq '.[] | select(.type == "crossing")'
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct AreasArgs {
    #[command(flatten)]
    pub view: RegistryView,
}

/// List the actors.
///
/// Each actor's slug, English and Arabic names, and aliases (any script;
/// each resolves wherever an actor is named).
///
/// Examples:
///   sijil actors
///   sijil actors --format json
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ActorsArgs {
    #[command(flatten)]
    pub view: RegistryView,
}

/// The moment and format of a registry listing.
#[derive(Debug, Args)]
pub struct RegistryView {
    /// Valid time [default: now]
    #[arg(long, value_name = "T")]
    pub at: Option<String>,

    /// Only what the log had recorded then: a time, or `#N`
    #[arg(long, value_name = "K")]
    pub known_at: Option<String>,

    /// Output format [default: table on a terminal, else json]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

fn registry_at(g: &Globals, view: &RegistryView) -> Result<(sijil_core::Registry, Format), CliError> {
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let at = session.at_or_now(view.at.as_deref(), now)?;
    let known_at = session.known_at(view.known_at.as_deref(), now)?;
    let ledger = session.ledger_for(known_at)?;
    Ok((ledger.registry_at(at, known_at), super::choose_format(view.format, Format::Json)))
}

pub fn run_areas(g: &Globals, args: AreasArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (registry, format) = registry_at(g, &args.view)?;
    let areas: Vec<_> = registry.areas().collect();
    match format {
        Format::Json => super::write_json(out, &areas),
        Format::Ndjson => {
            for a in areas {
                writeln!(out, "{}", json!(a)).map_err(output)?;
            }
            Ok(())
        }
        Format::Table => {
            let rows = areas
                .iter()
                .map(|a| {
                    let place = match (a.lat, a.lon) {
                        (Some(lat), Some(lon)) => format!("{lat:.4}, {lon:.4}"),
                        _ => String::new(),
                    };
                    vec![
                        a.slug.clone(),
                        render::stacked(&a.name, a.name_ar.as_deref()),
                        a.area_type.clone().unwrap_or_default(),
                        a.parent.clone().unwrap_or_default(),
                        place,
                        a.aliases.join("\n"),
                    ]
                })
                .collect();
            render::simple_table(out, &["Area", "Name", "Type", "Parent", "Lat, lon", "Aliases"], rows)
        }
    }
}

pub fn run_actors(g: &Globals, args: ActorsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (registry, format) = registry_at(g, &args.view)?;
    let actors: Vec<_> = registry.actors().collect();
    match format {
        Format::Json => super::write_json(out, &actors),
        Format::Ndjson => {
            for a in actors {
                writeln!(out, "{}", json!(a)).map_err(output)?;
            }
            Ok(())
        }
        Format::Table => {
            let rows = actors
                .iter()
                .map(|a| vec![a.slug.clone(), render::stacked(&a.name, a.name_ar.as_deref()), a.aliases.join("\n")])
                .collect();
            render::simple_table(out, &["Actor", "Name", "Aliases"], rows)
        }
    }
}
