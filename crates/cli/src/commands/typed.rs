//! `sijil append KIND --flag …`: events typed as flags, one subcommand per
//! kind. Each builds the same JSON object a user would write and goes
//! through the same validation, so it stores exactly the same event.

use clap::{Args, Subcommand};
use serde_json::{Map, Value};

/// Fields every kind takes.
#[derive(Debug, Args)]
pub struct Common {
    /// When it happened or took effect: a time with offset, a local time
    /// in the zone ("2026-01-08 19:00"), a date, or `now`
    #[arg(long, value_name = "T")]
    pub at: Option<String>,

    /// Who reported it (the attribution shown everywhere)
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,

    /// Where the source published it
    #[arg(long, value_name = "URL")]
    pub source_url: Option<String>,

    /// When the source published it
    #[arg(long, value_name = "T")]
    pub published_at: Option<String>,

    /// Free text, any language
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,

    /// The event's id [default: a new UUID v7]
    #[arg(long, value_name = "UUID")]
    pub id: Option<String>,
}

/// Where and who, for the domain kinds.
#[derive(Debug, Args)]
pub struct Scope {
    /// Areas, comma-separated (`,` or `،`): slugs, short slugs or aliases in any script
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub areas: Vec<String>,

    /// Who did, declared or reported it (slug or alias)
    #[arg(long, value_name = "ID")]
    pub actor: Option<String>,

    /// At whom it is directed (slug or alias)
    #[arg(long, value_name = "ID")]
    pub target: Option<String>,

    /// The id of an earlier event this one replaces
    #[arg(long, value_name = "ID")]
    pub corrects: Option<String>,
}

/// An end of validity for lasting kinds.
#[derive(Debug, Args)]
pub struct Until {
    /// End of validity (exclusive); absent = open-ended
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
}

/// Figures for violent incidents.
#[derive(Debug, Args)]
pub struct Harm {
    /// People killed
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = figure)]
    pub killed: Option<u64>,

    /// People wounded
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = figure)]
    pub wounded: Option<u64>,
}

/// A figure typed as a flag: a whole number from 0 to the cap JSON input
/// has (a negative one reaches this parser rather than reading as an
/// unknown flag).
fn figure(text: &str) -> Result<u64, String> {
    let cap = sijil_core::validate::MAX_COUNT;
    text.trim()
        .parse::<u64>()
        .ok()
        .filter(|&n| n <= cap)
        .ok_or_else(|| format!("a figure is a whole number from 0 to {cap}, got {text}"))
}

/// A coordinate typed as a flag: a finite number (`nan` or `inf` would
/// become JSON `null`, which reads as absent, and be dropped unseen).
fn finite(text: &str) -> Result<f64, String> {
    text.trim().parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| format!("expected a number, got {text}"))
}

/// One subcommand per kind.
#[derive(Debug, Subcommand)]
pub enum Typed {
    /// Define or update an area of the gazetteer.
    ///
    /// An area event for a slug already defined replaces its whole
    /// definition (names, aliases, coordinates, type, parent): repeat what
    /// you want to keep. It applies from --at on; without --at, at every
    /// valid time. `sijil areas --format json` shows the current ones.
    ///
    /// Example:
    ///   sijil append area --area aleppo/bustan-al-basha \
    ///       --name "Bustan al-Basha" --name-ar "بستان الباشا" --parent aleppo \
    ///       --type neighbourhood --aliases "بستان الباشا,Bustan al-Pasha" \
    ///       --lat 36.2236 --lon 37.1586 --source gazetteer
    #[command(verbatim_doc_comment)]
    Area {
        /// The slug being defined (nested with "/")
        #[arg(long, value_name = "SLUG")]
        area: Option<String>,
        /// English name
        #[arg(long)]
        name: Option<String>,
        /// Arabic name
        #[arg(long)]
        name_ar: Option<String>,
        /// The area it lies in
        #[arg(long, value_name = "ID")]
        parent: Option<String>,
        /// Latitude, −90 to 90
        #[arg(long, allow_hyphen_values = true, value_parser = finite)]
        lat: Option<f64>,
        /// Longitude, −180 to 180
        #[arg(long, allow_hyphen_values = true, value_parser = finite)]
        lon: Option<f64>,
        /// Other names, comma-separated, any script
        #[arg(long, value_delimiter = ',')]
        aliases: Vec<String>,
        /// city, neighbourhood, crossing…
        #[arg(long = "type", value_name = "TYPE")]
        area_type: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Define or update an actor.
    ///
    /// An actor event for a slug already defined replaces its whole
    /// definition (names, aliases): repeat what you want to keep. It
    /// applies from --at on; without --at, at every valid time. `sijil
    /// actors --format json` shows the current ones.
    ///
    /// Example:
    ///   sijil append actor --actor sarc --name "Syrian Arab Red Crescent" \
    ///       --name-ar "الهلال الأحمر العربي السوري" \
    ///       --aliases "الهلال الأحمر,SARC" --source gazetteer
    #[command(verbatim_doc_comment)]
    Actor {
        /// The slug being defined
        #[arg(long, value_name = "SLUG")]
        actor: Option<String>,
        /// English name
        #[arg(long)]
        name: Option<String>,
        /// Arabic name
        #[arg(long)]
        name_ar: Option<String>,
        /// Other names, comma-separated, any script
        #[arg(long, value_delimiter = ',')]
        aliases: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A ceasefire declared over areas (in force from --at to --until).
    ///
    /// Example:
    ///   sijil append ceasefire --at "2026-01-09 03:00" \
    ///       --areas sheikh-maqsoud,ashrafiyeh,bani-zaid --actor syrian-mod \
    ///       --source "Syrian Ministry of Defence" \
    ///       --terms "armed groups leave by 09:00"
    #[command(verbatim_doc_comment)]
    Ceasefire {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        until: Until,
        /// Its terms, one flag each
        #[arg(long, value_name = "TEXT")]
        terms: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A curfew over areas.
    ///
    /// Example:
    ///   sijil append curfew --areas ashrafiyeh,sheikh-maqsoud \
    ///       --at "2026-01-08 19:00" --actor internal-security --source SANA
    #[command(verbatim_doc_comment)]
    Curfew {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        until: Until,
        #[command(flatten)]
        common: Common,
    },
    /// An ultimatum: a demand with a deadline (pending, then expired).
    ///
    /// Example:
    ///   sijil append ultimatum --at "2026-01-09 03:00" --deadline "2026-01-09 09:00" \
    ///       --areas sheikh-maqsoud --actor syrian-mod --target sdf \
    ///       --demand "leave the neighbourhoods" \
    ///       --source "Syrian Ministry of Defence"
    #[command(verbatim_doc_comment)]
    Ultimatum {
        #[command(flatten)]
        scope: Scope,
        /// When it expires
        #[arg(long, value_name = "T")]
        deadline: Option<String>,
        /// What is demanded
        #[arg(long, value_name = "TEXT")]
        demand: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Forces deployed into areas (present until a withdrawal by the same actor).
    ///
    /// Example:
    ///   sijil append deployment --at "2026-01-08 20:30" --areas ashrafiyeh \
    ///       --actor internal-security --source "Syrian Ministry of Interior"
    #[command(verbatim_doc_comment)]
    Deployment {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        until: Until,
        #[command(flatten)]
        common: Common,
    },
    /// Forces withdrawn from areas.
    ///
    /// Example:
    ///   sijil append withdrawal --at "2026-01-09 08:00" --areas sheikh-maqsoud \
    ///       --actor sdf --source SOHR
    #[command(verbatim_doc_comment)]
    Withdrawal {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        common: Common,
    },
    /// A claim of control over areas: full, partial or a percentage.
    ///
    /// Example:
    ///   sijil append control_claim --at "2026-01-08 21:30" --areas الأشرفية \
    ///       --actor internal-security --extent full --source SANA
    #[command(verbatim_doc_comment, name = "control_claim", alias = "control-claim")]
    ControlClaim {
        #[command(flatten)]
        scope: Scope,
        /// full, partial, or a percentage 0–100
        #[arg(long, allow_hyphen_values = true)]
        extent: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Shelling of areas.
    ///
    /// Example:
    ///   sijil append shelling --at 2026-01-08 --areas sheikh-maqsoud \
    ///       --actor syrian-army --target sdf --source "news report"
    #[command(verbatim_doc_comment)]
    Shelling {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        harm: Harm,
        #[command(flatten)]
        common: Common,
    },
    /// Sniper fire.
    ///
    /// Example:
    ///   sijil append sniping --at "2026-01-08 15:00" --areas aleppo --actor sdf \
    ///       --target civil-defence --wounded 1 \
    ///       --source "Ministry of Emergency and Disaster Management"
    #[command(verbatim_doc_comment)]
    Sniping {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        harm: Harm,
        #[command(flatten)]
        common: Common,
    },
    /// An armed clash.
    ///
    /// Example:
    ///   sijil append armed_clash --at "2026-01-08 12:00" --areas ashrafiyeh \
    ///       --actor syrian-army --target sdf --source SOHR
    #[command(verbatim_doc_comment, name = "armed_clash", alias = "armed-clash")]
    ArmedClash {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        harm: Harm,
        #[command(flatten)]
        common: Common,
    },
    /// An airstrike or drone strike.
    ///
    /// Example:
    ///   sijil append airstrike --at "2026-01-08 14:00" --areas sheikh-maqsoud \
    ///       --source SOHR
    #[command(verbatim_doc_comment)]
    Airstrike {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        harm: Harm,
        #[command(flatten)]
        common: Common,
    },
    /// Casualty figures from one source (the latest per source counts).
    ///
    /// Example:
    ///   sijil append casualty_report --at "2026-01-08 19:30" --areas aleppo \
    ///       --killed 9 --wounded 55 --civilian true --actor sdf \
    ///       --source "Aleppo Health Directorate"
    #[command(verbatim_doc_comment, name = "casualty_report", alias = "casualty-report")]
    CasualtyReport {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        harm: Harm,
        /// Whether the figures are of civilians (true or false)
        #[arg(long, value_name = "BOOL")]
        civilian: Option<bool>,
        /// Whether the figures are totals so far (true, the default) or new ones (false)
        #[arg(long, value_name = "BOOL")]
        cumulative: Option<bool>,
        #[command(flatten)]
        common: Common,
    },
    /// An evacuation from areas, through crossing points.
    ///
    /// Example:
    ///   sijil append evacuation --at "2026-01-08 08:00" \
    ///       --areas sheikh-maqsoud,ashrafiyeh \
    ///       --via al-awarid-crossing,zuhour-street-crossing --actor civil-defence \
    ///       --source "Syrian Civil Defence"
    #[command(verbatim_doc_comment)]
    Evacuation {
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        until: Until,
        /// Crossing points, comma-separated
        #[arg(long, value_name = "IDS", value_delimiter = ',')]
        via: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A detention.
    ///
    /// Example:
    ///   sijil append detention --at 2026-01-08 --areas الأشرفية \
    ///       --actor internal-security --target sdf --source SANA
    #[command(verbatim_doc_comment)]
    Detention {
        #[command(flatten)]
        scope: Scope,
        /// How many people
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = figure)]
        count: Option<u64>,
        #[command(flatten)]
        common: Common,
    },
    /// A statement.
    ///
    /// Example:
    ///   sijil append statement --at "2026-01-08 18:00" --actor us-envoy \
    ///       --quote "We urge all parties to exercise the utmost restraint" \
    ///       --source "Tom Barrack"
    #[command(verbatim_doc_comment)]
    Statement {
        #[command(flatten)]
        scope: Scope,
        /// What was said
        #[arg(long, value_name = "TEXT")]
        quote: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// A call on an actor's members to defect.
    ///
    /// Example:
    ///   sijil append defection_call --at "2026-01-08 20:00" \
    ///       --actor internal-security --target sdf --contact 0989551382 \
    ///       --source SANA
    #[command(verbatim_doc_comment, name = "defection_call", alias = "defection-call")]
    DefectionCall {
        #[command(flatten)]
        scope: Scope,
        /// How to get in touch
        #[arg(long, value_name = "TEXT")]
        contact: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// The end of a ceasefire, curfew, ultimatum, deployment or evacuation.
    ///
    /// Example:
    ///   sijil append ended --at "2026-01-09 06:00" \
    ///       --ends 01943a00-0000-7000-8000-000000000016 --source SANA
    #[command(verbatim_doc_comment)]
    Ended {
        /// The id of the event it ends
        #[arg(long, value_name = "ID")]
        ends: Option<String>,
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        common: Common,
    },
    /// The retraction of an event: from now on it counts at no valid time.
    ///
    /// Example:
    ///   sijil append retraction --at now \
    ///       --retracts 01943a00-0000-7000-8000-000000000017 --source "desk" \
    ///       --note "double-counted"
    #[command(verbatim_doc_comment)]
    Retraction {
        /// The id of the event it retracts
        #[arg(long, value_name = "ID")]
        retracts: Option<String>,
        #[command(flatten)]
        scope: Scope,
        #[command(flatten)]
        common: Common,
    },
}

/// Builds the JSON object of an event.
struct Obj(Map<String, Value>);

impl Obj {
    fn new(kind: &str) -> Obj {
        let mut m = Map::new();
        m.insert("kind".into(), Value::String(kind.into()));
        Obj(m)
    }
    fn s(&mut self, key: &str, v: Option<String>) -> &mut Obj {
        if let Some(v) = v {
            self.0.insert(key.into(), Value::String(v));
        }
        self
    }
    fn list(&mut self, key: &str, v: Vec<String>) -> &mut Obj {
        // names are split on the Arabic comma too, as typed on an Arabic keyboard
        let names = matches!(key, "areas" | "via" | "aliases");
        if !names {
            // free text (`--terms`, one flag each) goes in as typed, as in
            // JSON: not trimmed, and an empty one is refused by validation
            if !v.is_empty() {
                self.0.insert(key.into(), Value::Array(v.into_iter().map(Value::String).collect()));
            }
            return self;
        }
        let v: Vec<Value> = v
            .iter()
            .flat_map(|s| s.split(move |c| names && c == '\u{060C}'))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .map(Value::String)
            .collect();
        if !v.is_empty() {
            self.0.insert(key.into(), Value::Array(v));
        }
        self
    }
    fn n<T: Into<Value>>(&mut self, key: &str, v: Option<T>) -> &mut Obj {
        if let Some(v) = v {
            self.0.insert(key.into(), v.into());
        }
        self
    }
    fn common(&mut self, c: Common, now: &str) -> &mut Obj {
        let at = c.at.map(|t| if t.trim().eq_ignore_ascii_case("now") { now.to_string() } else { t });
        self.s("id", c.id).s("at", at).s("note", c.note);
        if let Some(name) = c.source {
            let mut src = Map::new();
            src.insert("name".into(), Value::String(name));
            if let Some(u) = c.source_url {
                src.insert("url".into(), Value::String(u));
            }
            if let Some(p) = c.published_at {
                src.insert("published_at".into(), Value::String(p));
            }
            self.0.insert("source".into(), Value::Object(src));
        }
        self
    }
    fn scope(&mut self, s: Scope) -> &mut Obj {
        self.list("areas", s.areas).s("actor", s.actor).s("target", s.target).s("corrects", s.corrects)
    }
    fn harm(&mut self, h: Harm) -> &mut Obj {
        self.n("killed", h.killed).n("wounded", h.wounded)
    }
}

impl Typed {
    /// The event as the JSON object the contract describes; `now` (RFC
    /// 3339) stands in for `--at now`.
    pub fn into_json(self, now: &str) -> Map<String, Value> {
        let mut o;
        match self {
            Typed::Area { area, name, name_ar, parent, lat, lon, aliases, area_type, common } => {
                o = Obj::new("area");
                o.s("area", area).s("name", name).s("name_ar", name_ar).s("parent", parent);
                o.n("lat", lat).n("lon", lon).list("aliases", aliases).s("type", area_type).common(common, now);
            }
            Typed::Actor { actor, name, name_ar, aliases, common } => {
                o = Obj::new("actor");
                o.s("actor", actor).s("name", name).s("name_ar", name_ar).list("aliases", aliases).common(common, now);
            }
            Typed::Ceasefire { scope, until, terms, common } => {
                o = Obj::new("ceasefire");
                o.scope(scope).s("until", until.until).list("terms", terms).common(common, now);
            }
            Typed::Curfew { scope, until, common } => {
                o = Obj::new("curfew");
                o.scope(scope).s("until", until.until).common(common, now);
            }
            Typed::Ultimatum { scope, deadline, demand, common } => {
                o = Obj::new("ultimatum");
                o.scope(scope).s("deadline", deadline).s("demand", demand).common(common, now);
            }
            Typed::Deployment { scope, until, common } => {
                o = Obj::new("deployment");
                o.scope(scope).s("until", until.until).common(common, now);
            }
            Typed::Withdrawal { scope, common } => {
                o = Obj::new("withdrawal");
                o.scope(scope).common(common, now);
            }
            Typed::ControlClaim { scope, extent, common } => {
                o = Obj::new("control_claim");
                let extent = extent.map(|x| match x.trim().trim_end_matches('%').parse::<f64>() {
                    // `nan` or `inf` would become null (absent): left as text, it is refused by name
                    Ok(p) if p.is_finite() => Value::from(p),
                    _ => Value::String(x),
                });
                o.scope(scope).n("extent", extent).common(common, now);
            }
            Typed::Shelling { scope, harm, common } => {
                o = Obj::new("shelling");
                o.scope(scope).harm(harm).common(common, now);
            }
            Typed::Sniping { scope, harm, common } => {
                o = Obj::new("sniping");
                o.scope(scope).harm(harm).common(common, now);
            }
            Typed::ArmedClash { scope, harm, common } => {
                o = Obj::new("armed_clash");
                o.scope(scope).harm(harm).common(common, now);
            }
            Typed::Airstrike { scope, harm, common } => {
                o = Obj::new("airstrike");
                o.scope(scope).harm(harm).common(common, now);
            }
            Typed::CasualtyReport { scope, harm, civilian, cumulative, common } => {
                o = Obj::new("casualty_report");
                o.scope(scope).harm(harm).n("civilian", civilian).n("cumulative", cumulative).common(common, now);
            }
            Typed::Evacuation { scope, until, via, common } => {
                o = Obj::new("evacuation");
                o.scope(scope).s("until", until.until).list("via", via).common(common, now);
            }
            Typed::Detention { scope, count, common } => {
                o = Obj::new("detention");
                o.scope(scope).n("count", count).common(common, now);
            }
            Typed::Statement { scope, quote, common } => {
                o = Obj::new("statement");
                o.scope(scope).s("quote", quote).common(common, now);
            }
            Typed::DefectionCall { scope, contact, common } => {
                o = Obj::new("defection_call");
                o.scope(scope).s("contact", contact).common(common, now);
            }
            Typed::Ended { ends, scope, common } => {
                o = Obj::new("ended");
                o.s("ends", ends).scope(scope).common(common, now);
            }
            Typed::Retraction { retracts, scope, common } => {
                o = Obj::new("retraction");
                o.s("retracts", retracts).scope(scope).common(common, now);
            }
        }
        o.0
    }
}
