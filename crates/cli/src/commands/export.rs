//! `sijil export`: the log and its projections in the formats other tools
//! read. The mapping lives in `sijil_core::export`; this file checks the
//! flags, picks the writer and writes, streaming, to standard output or
//! atomically to a file.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::{Args, ValueEnum};
use serde::Serialize;
use sijil_core::export::{ActorTypes, Exporter, LogView, Selection, ACLED_COLUMNS, CLAIM_COLUMNS, HXL_TAGS};
use sijil_core::{Kind, Recorded, Space, StateQuery};
use sijil_store::{Batch, ReadError, Store};
use uuid::Uuid;

use crate::app::Globals;
use crate::error::{output, CliError};

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Projection {
    /// Every current event, as a fresh log imports it (ndjson), or with its
    /// seq, recorded_at and the ids it replaced (json).
    Events,
    /// Exactly what `sijil state --format json` prints.
    State,
    /// ACLED's 31 columns, one row per event and area.
    Acled,
    /// The ACLED rows under a second header line of HXL hashtags, for HDX.
    Hxl,
    /// A GeoJSON FeatureCollection: events (--layer events) or areas at --at (--layer areas).
    Geojson,
    /// Every casualty claim, with the low and high figures across sources.
    Casualties,
}

/// How to write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Ndjson,
    Json,
    Csv,
    Geojson,
}

/// The two layers of the GeoJSON export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Layer {
    /// One Feature per event and area.
    Events,
    /// One Feature per area, with its state at --at.
    Areas,
}

impl Projection {
    fn name(self) -> &'static str {
        match self {
            Projection::Events => "events",
            Projection::State => "state",
            Projection::Acled => "acled",
            Projection::Hxl => "hxl",
            Projection::Geojson => "geojson",
            Projection::Casualties => "casualties",
        }
    }

    /// Its formats, the default first.
    fn formats(self) -> &'static [ExportFormat] {
        match self {
            Projection::Events => &[ExportFormat::Ndjson, ExportFormat::Json],
            Projection::State => &[ExportFormat::Json],
            Projection::Acled | Projection::Hxl => &[ExportFormat::Csv],
            Projection::Geojson => &[ExportFormat::Geojson],
            Projection::Casualties => &[ExportFormat::Csv, ExportFormat::Json],
        }
    }
}

impl ExportFormat {
    fn name(self) -> &'static str {
        match self {
            ExportFormat::Ndjson => "ndjson",
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Geojson => "geojson",
        }
    }
}

/// Export the log or a projection for other tools: spreadsheets, GIS, ACLED, HDX.
///
/// PROJECTION    --format             holds
///   events      ndjson (default),    every current event (corrections and retractions
///               json                 resolved), in log order; ndjson re-imports into a
///                                    fresh log, json adds seq, recorded_at, replaces
///   state       json                 exactly what `sijil state --format json` prints
///   acled       csv                  ACLED's 31 columns, one row per event and area
///   hxl         csv                  the same rows with a line of HXL hashtags, for HDX
///   geojson     geojson              RFC 7946 points, [lon, lat]: one per event and area
///                                    (--layer events), or each area's state at --at
///                                    (--layer areas)
///   casualties  csv (default), json  every casualty claim, with the low and high figures
///                                    across sources at each moment
///
/// Everything is read as the log knew it at --known-at. Output goes to
/// standard output, or with -o to FILE: written to a temporary file in the
/// same folder, synced, then renamed, so FILE is never left half written.
/// What acled and hxl leave out (statements, casualty reports) and what
/// geojson cannot place (no coordinates) is counted on standard error.
/// docs/export.md describes every column and mapping.
///
/// Examples:
///   sijil export events -o backup.ndjson
///   sijil export acled --since 2026-01-08 --until 2026-01-10 -o aleppo-acled.csv
///   sijil export hxl --state-actor syrian-army --state-actor internal-security \
///       -o hdx.csv
///   sijil export geojson --layer areas --at 2026-01-09T05:00 -o areas.geojson
///   sijil export state --at 2026-01-09T05:00 --known-at '#49'
///   sijil export casualties --format json --area sheikh-maqsoud
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// What to export
    #[arg(value_enum, value_name = "PROJECTION")]
    pub projection: Projection,

    /// How to write it [default: the projection's first format]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ExportFormat>,

    /// Valid time, for state and the geojson areas layer [default: now]
    #[arg(long, value_name = "T")]
    pub at: Option<String>,

    /// Only what the log had recorded then: a time, or `#N`
    #[arg(long, value_name = "K")]
    pub known_at: Option<String>,

    /// Only this area and the areas under it (slug, alias or name)
    #[arg(long, value_name = "ID")]
    pub area: Option<String>,

    /// Only events whose valid time is at or after T
    #[arg(long, value_name = "T")]
    pub since: Option<String>,

    /// Only events whose valid time is before T
    #[arg(long, value_name = "T")]
    pub until: Option<String>,

    /// Only events of this kind (repeat for several)
    #[arg(long, value_name = "K", value_parser = crate::app::KindName)]
    pub kind: Vec<String>,

    /// The geojson layer [default: events]
    #[arg(long, value_enum, value_name = "LAYER")]
    pub layer: Option<Layer>,

    /// acled, hxl: count this actor as state forces (repeat; replaces the
    /// guess from actor names)
    #[arg(long, value_name = "ACTOR")]
    pub state_actor: Vec<String>,

    /// acled, hxl: count this actor as civilians (repeat; replaces the
    /// guess from actor names)
    #[arg(long, value_name = "ACTOR")]
    pub civilian_actor: Vec<String>,

    /// Write to FILE (atomically) instead of standard output (`-` is standard output)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The flags that select or place what is exported, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    At,
    KnownAt,
    Area,
    Since,
    Until,
    Kind,
    ActorTypes,
}

impl Flag {
    fn name(self) -> &'static str {
        match self {
            Flag::At => "--at",
            Flag::KnownAt => "--known-at",
            Flag::Area => "--area",
            Flag::Since => "--since",
            Flag::Until => "--until",
            Flag::Kind => "--kind",
            Flag::ActorTypes => "--state-actor and --civilian-actor",
        }
    }
}

/// The checked request: which projection, format and layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plan {
    projection: Projection,
    format: ExportFormat,
    layer: Layer,
}

impl Plan {
    /// The flags that mean something for this projection and layer.
    fn takes(&self) -> &'static [Flag] {
        use Flag::*;
        match (self.projection, self.layer) {
            (Projection::State, _) | (Projection::Geojson, Layer::Areas) => &[At, KnownAt, Area],
            (Projection::Acled | Projection::Hxl, _) => &[KnownAt, Area, Since, Until, Kind, ActorTypes],
            (Projection::Casualties, _) => &[KnownAt, Area, Since, Until],
            (Projection::Events | Projection::Geojson, _) => &[KnownAt, Area, Since, Until, Kind],
        }
    }
}

/// Checks the combination of projection, format, layer and flags.
fn plan(args: &ExportArgs) -> Result<Plan, CliError> {
    let p = args.projection;
    let formats = p.formats();
    let format = args.format.unwrap_or(formats[0]);
    if !formats.contains(&format) {
        let list: Vec<&str> = formats.iter().map(|f| f.name()).collect();
        let valid = match list.as_slice() {
            [one] => format!("only as {one}"),
            [a, b] => format!("as {a} or {b}"),
            _ => format!("as one of {}", list.join(", ")),
        };
        return Err(CliError::input(format!("the {} projection is written {valid}, not {}", p.name(), format.name()))
            .hint(format!("use --format {}", formats[0].name())));
    }
    if args.layer.is_some() && p != Projection::Geojson {
        return Err(CliError::input(format!("--layer applies to the geojson projection only, not to {}", p.name())));
    }
    let plan = Plan { projection: p, format, layer: args.layer.unwrap_or(Layer::Events) };
    let given = [
        (Flag::At, args.at.is_some()),
        (Flag::KnownAt, args.known_at.is_some()),
        (Flag::Area, args.area.is_some()),
        (Flag::Since, args.since.is_some()),
        (Flag::Until, args.until.is_some()),
        (Flag::Kind, !args.kind.is_empty()),
        (Flag::ActorTypes, !args.state_actor.is_empty() || !args.civilian_actor.is_empty()),
    ];
    let takes = plan.takes();
    for (flag, set) in given {
        if set && !takes.contains(&flag) {
            let what = match (p, plan.layer) {
                (Projection::Geojson, Layer::Areas) => "the geojson areas layer".to_string(),
                (Projection::Geojson, Layer::Events) => "the geojson events layer".to_string(),
                _ => format!("the {} projection", p.name()),
            };
            let list: Vec<&str> = takes.iter().map(|f| f.name()).collect();
            let mut err =
                CliError::input(format!("{} does not apply to {what}; it takes {}", flag.name(), list.join(", ")));
            if flag == Flag::At && p != Projection::State {
                err = err.hint(
                    "--at picks a moment for state and the areas layer; pick events by time with --since and --until",
                );
            }
            return Err(err);
        }
    }
    Ok(plan)
}

pub fn run(g: &Globals, args: ExportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    if let Some(path) = args.output.as_ref().filter(|p| p.as_os_str() != "-") {
        outside_log(path, &g.db_path()?)?;
    }
    let plan = plan(&args)?;
    let session = g.open()?;
    let now = g.now(session.zone)?;
    let kinds = crate::app::parse_kinds(&args.kind)?;
    let at = session.at_or_now(args.at.as_deref(), now)?;
    let (since, until) = session.window(args.since.as_deref(), args.until.as_deref(), now)?;
    let known_at = session.known_at(args.known_at.as_deref(), now)?;
    // the ledger answers what each export asks of the whole log; the records
    // themselves are streamed from the log as they are written
    let mut ledger = session.ledger_for(known_at)?;
    let view = ledger.view(known_at);
    let registry = view.registry();
    let area = session.area_in(|| registry, args.area.as_deref())?;
    let resolve = |flag: &str, names: &[String]| -> Result<Vec<String>, CliError> {
        names
            .iter()
            .map(|n| registry.resolve(Space::Actor, n).map_err(|m| CliError::input(format!("{flag}: {m}"))))
            .collect()
    };
    let state_actors = resolve("--state-actor", &args.state_actor)?;
    let civilian_actors = resolve("--civilian-actor", &args.civilian_actor)?;
    if let Some(both) = state_actors.iter().find(|a| civilian_actors.contains(a)) {
        return Err(CliError::input(format!(
            "{both} is given as both --state-actor and --civilian-actor; an actor has one type"
        )));
    }

    let exporter = Exporter::new(&view, Selection { area: area.clone(), since, until, kinds });
    let records = Records { store: &session.store, upto: view.horizon(), failed: RefCell::new(None) };
    let job = Job { plan, exporter: &exporter, records: &records, at, known_at, area, state_actors, civilian_actors };
    match args.output.as_ref().filter(|p| p.as_os_str() != "-") {
        None => {
            let mut w = BufWriter::with_capacity(1 << 16, out);
            let written = job.write(&mut w).and_then(|n| w.flush().map(|()| n));
            // a record the log could not give is the error to report, even
            // when the write stopped on something else after it
            records.check()?;
            written.map_err(output)?.print();
            Ok(())
        }
        Some(path) => {
            let cannot = |e: io::Error| CliError::runtime(format!("cannot write {}: {e}", path.display()));
            let mut file = AtomicFile::create(path).map_err(cannot)?;
            let written = {
                let mut w = BufWriter::with_capacity(1 << 16, &mut file);
                job.write(&mut w).and_then(|n| w.flush().map(|()| n))
            };
            // nothing is left under the name unless every record was read
            records.check()?;
            let notes = written.map_err(cannot)?;
            file.commit().map_err(cannot)?;
            notes.print();
            Ok(())
        }
    }
}

/// The records of the log up to the export's horizon, read as they are
/// needed. A record that cannot be read ends the stream; [`Records::check`]
/// then reports it, so an export is never taken for whole when it is not.
struct Records<'a> {
    store: &'a Store,
    upto: u64,
    failed: RefCell<Option<ReadError>>,
}

impl Records<'_> {
    /// Every record up to the horizon, in log order, each lent from the
    /// batch it was decoded in.
    fn stream(&self) -> impl Iterator<Item = Lent> + '_ {
        self.store.scan(self.upto).batches().map_while(|b| b.map_err(|e| self.fail(e)).ok()).flat_map(|b| {
            let b = Rc::new(b);
            (0..b.records().len()).map(move |i| Lent(Rc::clone(&b), i))
        })
    }

    /// The records at `positions` (ascending); none once a read has failed.
    fn fetch(&self, positions: &[u64]) -> Vec<Recorded> {
        if self.failed.borrow().is_some() {
            return Vec::new();
        }
        self.store.fetch(positions).map_err(|e| self.fail(e)).unwrap_or_default()
    }

    fn fail(&self, e: ReadError) {
        self.failed.borrow_mut().get_or_insert(e);
    }

    fn check(&self) -> Result<(), CliError> {
        match self.failed.borrow_mut().take() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

/// A record of a batch read from the log: the batch goes back to be freed
/// on the thread that decoded it once its last record is done with.
struct Lent(Rc<Batch>, usize);

impl Borrow<Recorded> for Lent {
    fn borrow(&self) -> &Recorded {
        &self.0.records()[self.1]
    }
}

impl std::ops::Deref for Lent {
    type Target = Recorded;

    fn deref(&self) -> &Recorded {
        self.borrow()
    }
}

/// How many records an ACLED export reads back at once to write the rows
/// of its incidents, in their (valid-time) order.
const WINDOW: usize = 65_536;

/// What to tell the user on stderr once the export is written.
#[derive(Debug, Default)]
struct Notes(Vec<String>);

impl Notes {
    fn print(&self) {
        for n in &self.0 {
            eprintln!("{n}");
        }
    }
}

/// One export, ready to write.
struct Job<'a> {
    plan: Plan,
    exporter: &'a Exporter<'a>,
    records: &'a Records<'a>,
    at: chrono::DateTime<chrono::Utc>,
    known_at: sijil_core::KnownAt,
    area: Option<String>,
    state_actors: Vec<String>,
    civilian_actors: Vec<String>,
}

impl Job<'_> {
    fn write(&self, w: &mut dyn Write) -> io::Result<Notes> {
        let ex = self.exporter;
        let mut notes = Notes::default();
        match (self.plan.projection, self.plan.format) {
            (Projection::Events, ExportFormat::Ndjson) => {
                for x in ex.events(self.records.stream()) {
                    serde_json::to_writer(&mut *w, &x.to_json(false))?;
                    w.write_all(b"\n")?;
                }
            }
            (Projection::Events, _) => {
                json_array(w, ex.events(self.records.stream()).map(|x| x.to_json(true)))?;
                w.write_all(b"\n")?;
            }
            (Projection::State, _) => {
                let state =
                    ex.log().state(&StateQuery { at: self.at, known_at: self.known_at, area: self.area.clone() });
                serde_json::to_writer_pretty(&mut *w, &state)?;
                w.write_all(b"\n")?;
            }
            (Projection::Acled | Projection::Hxl, _) => {
                let acled = ex.acled_plan(self.records.stream());
                let types = self.actor_types(&acled.actors, &mut notes);
                let mut csv = csv::Writer::from_writer(&mut *w);
                csv.write_record(ACLED_COLUMNS).map_err(csv_io)?;
                if self.plan.projection == Projection::Hxl {
                    csv.write_record(HXL_TAGS).map_err(csv_io)?;
                }
                // the incidents in their order, their reports read back a
                // window at a time
                let mut groups = acled.groups.as_slice();
                while !groups.is_empty() {
                    let mut take = 0;
                    let mut size = 0;
                    while take < groups.len() && (take == 0 || size + groups[take].len() <= WINDOW) {
                        size += groups[take].len();
                        take += 1;
                    }
                    let (window, rest) = groups.split_at(take);
                    groups = rest;
                    let mut positions: Vec<u64> = window.iter().flatten().copied().collect();
                    positions.sort_unstable();
                    positions.dedup();
                    let fetched = self.records.fetch(&positions);
                    if fetched.len() != positions.len() {
                        break;
                    }
                    for g in window {
                        let members: Vec<&Recorded> =
                            g.iter().filter_map(|s| positions.binary_search(s).ok().map(|i| &fetched[i])).collect();
                        for row in ex.acled_group(&members, &types) {
                            csv.write_record(row.record()).map_err(csv_io)?;
                        }
                    }
                }
                csv.flush()?;
                let left_out = acled.left_out;
                if left_out.total() > 0 {
                    notes.0.insert(
                        0,
                        format!(
                            "left out {} and {}, which ACLED does not code as events",
                            count(left_out.statements, "statement"),
                            count(left_out.casualty_reports, "casualty report"),
                        ),
                    );
                }
            }
            (Projection::Geojson, _) if self.plan.layer == Layer::Areas => {
                let (features, left_out) = ex.area_features(self.at, self.known_at);
                feature_collection(w, "sijil-areas", features.into_iter())?;
                if left_out > 0 {
                    notes.0.push(format!("left out {} without coordinates", count(left_out, "area")));
                }
            }
            (Projection::Geojson, _) => {
                let mut unplaced = 0;
                let features = ex.domain_events(self.records.stream()).flat_map(|r| {
                    let f = ex.event_features(&r);
                    // an event kept only for passing through the area
                    // (`via`) has no area of its own in it: nothing to place,
                    // and no coordinates missing
                    let e = &r.event;
                    let placeable = e.areas.is_empty() || e.areas.iter().any(|a| ex.selects_area(a));
                    if f.is_empty() && e.kind != Kind::Ended && placeable {
                        unplaced += 1;
                    }
                    f
                });
                feature_collection(w, "sijil-events", features)?;
                if unplaced > 0 {
                    notes.0.push(format!(
                        "left out {} without coordinates (no area, or no coordinates for it or its ancestors)",
                        count(unplaced, "event")
                    ));
                }
            }
            (Projection::Casualties, ExportFormat::Csv) => {
                let c = ex.casualties(self.records.stream());
                let mut csv = csv::Writer::from_writer(&mut *w);
                csv.write_record(CLAIM_COLUMNS).map_err(csv_io)?;
                for claim in &c.claims {
                    csv.write_record(claim.record()).map_err(csv_io)?;
                }
                csv.flush()?;
            }
            (Projection::Casualties, _) => {
                let c = ex.casualties(self.records.stream());
                w.write_all(b"{\n\"claims\": ")?;
                json_array(w, c.claims.iter().map(to_value))?;
                w.write_all(b",\n\"moments\": ")?;
                json_array(w, c.moments.iter().map(to_value))?;
                w.write_all(b"}\n")?;
            }
        }
        Ok(notes)
    }

    /// The actor types for ACLED: the flags where given, else the guess
    /// from names (noted on stderr, for the actors that appear: `used`,
    /// sorted).
    fn actor_types(&self, used: &[String], notes: &mut Notes) -> ActorTypes {
        let mut types = self.exporter.guess_actor_types();
        // an actor named in a flag has that type, whatever its names suggest:
        // `--state-actor civil-defence` must not leave it guessed a civilian
        for a in &self.state_actors {
            types.civilian.remove(a);
        }
        for a in &self.civilian_actors {
            types.state.remove(a);
        }
        let mut guessed = Vec::new();
        for (flags, set, word, flag) in [
            (&self.state_actors, &mut types.state, "state forces", "--state-actor"),
            (&self.civilian_actors, &mut types.civilian, "civilians", "--civilian-actor"),
        ] {
            if flags.is_empty() {
                let list: Vec<&str> = used.iter().map(String::as_str).filter(|a| set.contains(*a)).collect();
                if !list.is_empty() {
                    guessed.push(format!("{} as {word} (change with {flag})", list.join(", ")));
                }
            } else {
                *set = flags.iter().cloned().collect();
            }
        }
        if !guessed.is_empty() {
            notes.0.push(format!("from their names, read {}", guessed.join("; ")));
        }
        types
    }
}

fn to_value(v: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// A JSON array written one element per line, as the elements come.
fn json_array(w: &mut dyn Write, items: impl Iterator<Item = serde_json::Value>) -> io::Result<()> {
    w.write_all(b"[")?;
    let mut first = true;
    for item in items {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        first = false;
        serde_json::to_writer(&mut *w, &item)?;
    }
    w.write_all(if first { b"]" } else { b"\n]" })
}

/// A GeoJSON FeatureCollection, one Feature per line.
fn feature_collection(
    w: &mut dyn Write,
    name: &str,
    features: impl Iterator<Item = serde_json::Value>,
) -> io::Result<()> {
    write!(w, "{{\"type\":\"FeatureCollection\",\"name\":{},\"features\":", serde_json::json!(name))?;
    json_array(w, features)?;
    w.write_all(b"}\n")
}

/// Whether a path ends in a separator (`out/`), which names a folder.
fn names_a_folder(path: &Path) -> bool {
    path.as_os_str().as_encoded_bytes().last().is_some_and(|&b| std::path::is_separator(b as char))
}

/// A file that appears under its name only once it is whole: written to a
/// temporary file beside it (created like any new file, so the user's umask
/// applies), synced, then renamed over the name.
pub(crate) struct AtomicFile {
    file: Option<File>,
    /// The temporary file renamed over the target at commit (empty when
    /// writing straight into the target).
    tmp: PathBuf,
    target: PathBuf,
}

impl AtomicFile {
    /// A file written beside `target` and renamed over it at commit. A
    /// symbolic link is followed (its target is replaced, the link kept);
    /// a named pipe, device or socket is written straight into, since it
    /// cannot be replaced by renaming.
    pub(crate) fn create(target: &Path) -> io::Result<AtomicFile> {
        match std::fs::metadata(target) {
            // opened by its own name: `/dev/stdout` is a link to a pipe
            // (`pipe:[N]`) that no path reaches once followed
            Ok(m) if !m.is_file() && !m.is_dir() => {
                let file = OpenOptions::new().write(true).open(target)?;
                return Ok(AtomicFile { file: Some(file), tmp: PathBuf::new(), target: target.to_path_buf() });
            }
            Ok(m) if m.is_dir() => return Err(io::Error::other("it is a folder; name a file in it")),
            // `-o sub/` names a folder; one that does not exist is said so
            // now, not after the export was written beside it
            Err(e) if e.kind() == io::ErrorKind::NotFound && names_a_folder(target) => {
                return Err(io::Error::other(format!("the folder {} does not exist", target.display())))
            }
            _ => {}
        }
        let target = follow_links(target)?;
        let name =
            target.file_name().ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(io::Error::other(format!("{} is not a folder", dir.display()))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(io::Error::other(format!("the folder {} does not exist", dir.display())))
            }
            Err(e) => return Err(e),
        }
        let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), Uuid::now_v7().simple()));
        let file = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        Ok(AtomicFile { file: Some(file), tmp, target })
    }

    pub(crate) fn commit(mut self) -> io::Result<()> {
        if self.tmp.as_os_str().is_empty() {
            // written straight into a pipe or device
            return match self.file.take() {
                Some(mut f) => f.flush(),
                None => Ok(()),
            };
        }
        if let Some(f) = self.file.take() {
            f.sync_all()?;
        }
        std::fs::rename(&self.tmp, &self.target)?;
        // the rename is durable once the folder is synced
        #[cfg(unix)]
        {
            let dir = self.target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            File::open(dir)?.sync_all()?;
        }
        self.tmp = PathBuf::new();
        Ok(())
    }
}

/// Refuses an output path inside the log's own folder: writing there
/// would replace one of the store's files.
pub(crate) fn outside_log(output: &Path, log: &Path) -> Result<(), CliError> {
    let Ok(log) = std::fs::canonicalize(log) else { return Ok(()) };
    let Ok(target) = follow_links(output) else { return Ok(()) };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let inside = |p: &Path| std::fs::canonicalize(p).is_ok_and(|p| p.starts_with(&log));
    if std::fs::canonicalize(&target).is_ok_and(|t| t == log) {
        return Err(CliError::input(format!(
            "{} is the log's folder; write the output somewhere else",
            output.display()
        )));
    }
    if inside(&target) || inside(&dir) {
        return Err(CliError::input(format!(
            "{} is inside the log's folder {}; write the output somewhere else",
            output.display(),
            log.display()
        )));
    }
    Ok(())
}

/// The path a chain of symbolic links ends at (the path itself when it is
/// none); a link may point at a file not made yet.
fn follow_links(path: &Path) -> io::Result<PathBuf> {
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&at)?;
                at = match at.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(at),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("the file is already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(args: &[&str]) -> ExportArgs {
        #[derive(Parser)]
        struct Wrap {
            #[command(flatten)]
            args: ExportArgs,
        }
        Wrap::parse_from(std::iter::once("export").chain(args.iter().copied())).args
    }

    #[test]
    fn formats_and_flags_are_checked_per_projection() {
        let ok = |a: &[&str]| plan(&parse(a)).map(|p| (p.format, p.layer)).map_err(|e| e.message);
        assert_eq!(ok(&["events"]), Ok((ExportFormat::Ndjson, Layer::Events)));
        assert_eq!(ok(&["casualties", "--format", "json"]), Ok((ExportFormat::Json, Layer::Events)));
        assert_eq!(
            ok(&["geojson", "--layer", "areas", "--at", "2026-01-09"]),
            Ok((ExportFormat::Geojson, Layer::Areas))
        );
        assert_eq!(
            ok(&["acled", "--format", "json"]),
            Err("the acled projection is written only as csv, not json".to_string())
        );
        assert_eq!(
            ok(&["events", "--format", "csv"]),
            Err("the events projection is written as ndjson or json, not csv".to_string())
        );
        assert_eq!(
            ok(&["events", "--at", "2026-01-09"]),
            Err("--at does not apply to the events projection; it takes --known-at, --area, --since, --until, --kind"
                .to_string())
        );
        assert_eq!(
            ok(&["geojson", "--layer", "areas", "--since", "2026-01-09"]),
            Err("--since does not apply to the geojson areas layer; it takes --at, --known-at, --area".to_string())
        );
        assert_eq!(
            ok(&["state", "--layer", "areas"]),
            Err("--layer applies to the geojson projection only, not to state".to_string())
        );
        assert!(ok(&["casualties", "--kind", "shelling"]).is_err());
        assert!(ok(&["events", "--state-actor", "sdf"]).is_err());
        assert!(ok(&["hxl", "--state-actor", "sdf", "--kind", "shelling"]).is_ok());
    }

    #[test]
    fn an_atomic_file_appears_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.csv");
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"half").unwrap();
        assert!(!target.exists(), "nothing under the name before the commit");
        drop(f);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "an abandoned file leaves nothing behind");

        std::fs::write(&target, "old").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
