//! The event model: what one validated, attributed fact looks like.
//!
//! An [`Event`] is the canonical form that is stored: areas and actors are
//! slugs (aliases were resolved when it was appended), local times carry the
//! offset they were resolved with, and the source is always an object. Its
//! JSON is the contract's input format, so a stored event can be read back
//! by `import` unchanged.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::time::Time;

/// Every kind of event, in the contract's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Area,
    Actor,
    Ceasefire,
    Curfew,
    Ultimatum,
    Deployment,
    Withdrawal,
    ControlClaim,
    Shelling,
    Sniping,
    ArmedClash,
    Airstrike,
    CasualtyReport,
    Evacuation,
    Detention,
    Statement,
    DefectionCall,
    Ended,
    Retraction,
}

impl Kind {
    /// All kinds, in the contract's order.
    pub const ALL: [Kind; 19] = [
        Kind::Area,
        Kind::Actor,
        Kind::Ceasefire,
        Kind::Curfew,
        Kind::Ultimatum,
        Kind::Deployment,
        Kind::Withdrawal,
        Kind::ControlClaim,
        Kind::Shelling,
        Kind::Sniping,
        Kind::ArmedClash,
        Kind::Airstrike,
        Kind::CasualtyReport,
        Kind::Evacuation,
        Kind::Detention,
        Kind::Statement,
        Kind::DefectionCall,
        Kind::Ended,
        Kind::Retraction,
    ];

    /// The name used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Area => "area",
            Kind::Actor => "actor",
            Kind::Ceasefire => "ceasefire",
            Kind::Curfew => "curfew",
            Kind::Ultimatum => "ultimatum",
            Kind::Deployment => "deployment",
            Kind::Withdrawal => "withdrawal",
            Kind::ControlClaim => "control_claim",
            Kind::Shelling => "shelling",
            Kind::Sniping => "sniping",
            Kind::ArmedClash => "armed_clash",
            Kind::Airstrike => "airstrike",
            Kind::CasualtyReport => "casualty_report",
            Kind::Evacuation => "evacuation",
            Kind::Detention => "detention",
            Kind::Statement => "statement",
            Kind::DefectionCall => "defection_call",
            Kind::Ended => "ended",
            Kind::Retraction => "retraction",
        }
    }

    /// Reads a kind name.
    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Kinds that hold for a span of valid time and that `ended` can end.
    pub fn is_durative(self) -> bool {
        matches!(self, Kind::Ceasefire | Kind::Curfew | Kind::Ultimatum | Kind::Deployment | Kind::Evacuation)
    }

    /// Kinds that take an `until`.
    pub fn takes_until(self) -> bool {
        self.is_durative() && self != Kind::Ultimatum
    }

    /// Violent incidents, counted per area in the state.
    pub fn is_violent(self) -> bool {
        matches!(self, Kind::Shelling | Kind::Sniping | Kind::ArmedClash | Kind::Airstrike)
    }

    /// The gazetteer and the actor list.
    pub fn is_reference(self) -> bool {
        matches!(self, Kind::Area | Kind::Actor)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who reported an event: the attribution every projection shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Time>,
}

/// How much of an area an actor claims to control.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Extent {
    /// `"full"` or `"partial"`.
    Word(ExtentWord),
    /// A percentage, 0 to 100.
    Percent(f64),
}

/// The named extents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtentWord {
    Full,
    Partial,
}

impl Extent {
    /// `true` when the claim is to the whole area (`full` or 100 %).
    pub fn is_full(&self) -> bool {
        match self {
            Extent::Word(ExtentWord::Full) => true,
            Extent::Word(ExtentWord::Partial) => false,
            Extent::Percent(p) => *p >= 100.0,
        }
    }
}

impl fmt::Display for Extent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Extent::Word(ExtentWord::Full) => f.write_str("full"),
            Extent::Word(ExtentWord::Partial) => f.write_str("partial"),
            Extent::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// One validated event in its canonical, stored form.
///
/// Fields that a kind does not use are `None` or empty; validation
/// ([`crate::validate`]) guarantees which are present for each kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub id: Uuid,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Time>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<String>,
    /// The actor who did, declared or reported it; for kind `actor`, the
    /// slug being defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    pub source: Source,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corrects: Option<Uuid>,

    // kind `area`
    /// The area slug being defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_ar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub area_type: Option<String>,

    // domain kinds
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub terms: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub demand: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extent: Option<Extent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub killed: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wounded: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub civilian: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cumulative: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracts: Option<Uuid>,
}

impl Event {
    /// A bare event of `kind`; the builder for tests and generators.
    pub fn new(id: Uuid, kind: Kind, source: &str) -> Event {
        Event {
            id,
            kind,
            at: None,
            until: None,
            areas: Vec::new(),
            actor: None,
            target: None,
            source: Source { name: source.to_string(), url: None, published_at: None },
            note: None,
            corrects: None,
            area: None,
            name: None,
            name_ar: None,
            parent: None,
            lat: None,
            lon: None,
            aliases: Vec::new(),
            area_type: None,
            terms: Vec::new(),
            deadline: None,
            demand: None,
            extent: None,
            killed: None,
            wounded: None,
            civilian: None,
            cumulative: None,
            via: Vec::new(),
            count: None,
            quote: None,
            contact: None,
            ends: None,
            retracts: None,
        }
    }

    /// The canonical JSON bytes: what is stored, hashed and compared to
    /// decide whether a repeated id is a duplicate or a conflict.
    pub fn canonical_json(&self) -> Vec<u8> {
        // Serializing a plain struct of strings, numbers and finite floats
        // cannot fail. Most events fit the first allocation.
        let mut out = Vec::with_capacity(512);
        match serde_json::to_writer(&mut out, self) {
            Ok(()) => out,
            Err(_) => Vec::new(),
        }
    }
}

/// An event as the log holds it: its position and when it was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    /// Log position, 1, 2, 3 … gap-free.
    pub seq: u64,
    /// Transaction time, UTC, never decreasing along the log.
    pub recorded_at: DateTime<Utc>,
    pub event: Event,
}
