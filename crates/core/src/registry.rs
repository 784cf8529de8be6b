//! The gazetteer and the actor list, built from `area` and `actor` events.
//!
//! Names resolve in this order: the exact slug, then an alias (any script,
//! Latin case ignored), then the English or Arabic name, then the last segment of a nested slug when only
//! one area ends that way (`ashrafiyeh` → `aleppo/ashrafiyeh`). A name that
//! resolves to nothing gets a "did you mean" from the closest slug or alias.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::event::{Event, Kind};

/// One area as its latest definition describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaDef {
    pub slug: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub parent: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub aliases: Vec<String>,
    #[serde(rename = "type")]
    pub area_type: Option<String>,
}

impl AreaDef {
    /// The definition an `area` event gives the area `slug`.
    fn of(slug: String, e: &Event) -> AreaDef {
        AreaDef {
            name: e.name.clone().unwrap_or_else(|| slug.clone()),
            slug,
            name_ar: e.name_ar.clone(),
            parent: e.parent.clone(),
            lat: e.lat,
            lon: e.lon,
            aliases: e.aliases.clone(),
            area_type: e.area_type.clone(),
        }
    }
}

/// Where a state read looks areas up: a [`Registry`], or only its areas
/// ([`AreaDefs`]).
pub(crate) trait Areas {
    fn area(&self, slug: &str) -> Option<&AreaDef>;
}

impl Areas for Registry {
    fn area(&self, slug: &str) -> Option<&AreaDef> {
        Registry::area(self, slug)
    }
}

/// The areas of a [`Registry`] without its indexes of names and aliases:
/// what a state read needs, for a fraction of the work. Applying the same
/// events in the same order gives the same definitions as the registry's
/// (`AreaDef::of` makes both).
#[derive(Debug, Default)]
pub(crate) struct AreaDefs(BTreeMap<String, AreaDef>);

impl AreaDefs {
    pub(crate) fn apply(&mut self, e: &Event) {
        if let (Kind::Area, Some(slug)) = (e.kind, &e.area) {
            self.0.insert(slug.clone(), AreaDef::of(slug.clone(), e));
        }
    }

    pub(crate) fn areas(&self) -> impl Iterator<Item = &AreaDef> {
        self.0.values()
    }
}

impl Areas for AreaDefs {
    fn area(&self, slug: &str) -> Option<&AreaDef> {
        self.0.get(slug)
    }
}

/// Whether area `slug` lies within `ancestor`, following each area's parent
/// as `now` defines it, or as `later` does when `now` does not define it.
pub(crate) fn within_at(now: &dyn Areas, later: &dyn Areas, slug: &str, ancestor: &str) -> bool {
    let mut cur = Some(slug.to_string());
    let mut steps = 0;
    while let Some(s) = cur {
        if s == ancestor {
            return true;
        }
        steps += 1;
        if steps > 64 {
            return false;
        }
        cur = now.area(&s).or_else(|| later.area(&s)).and_then(|a| a.parent.clone());
    }
    false
}

/// One actor as its latest definition describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActorDef {
    pub slug: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub aliases: Vec<String>,
}

/// Which list a name is looked up in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    Area,
    Actor,
}

impl Space {
    fn word(self) -> &'static str {
        match self {
            Space::Area => "area",
            Space::Actor => "actor",
        }
    }
}

/// Areas and actors, and the aliases that name them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    areas: BTreeMap<String, AreaDef>,
    actors: BTreeMap<String, ActorDef>,
    area_aliases: HashMap<String, String>,
    actor_aliases: HashMap<String, String>,
    /// Folded English and Arabic names → the slugs that bear them (sorted).
    area_names: HashMap<String, Vec<String>>,
    actor_names: HashMap<String, Vec<String>>,
    /// The last segment of each slug → the slugs ending so (sorted).
    area_ends: HashMap<String, Vec<String>>,
    actor_ends: HashMap<String, Vec<String>>,
}

/// Files `slug` under `key`, keeping each list sorted and without repeats.
fn file_under(map: &mut HashMap<String, Vec<String>>, key: String, slug: &str) {
    let slugs = map.entry(key).or_default();
    if let Err(i) = slugs.binary_search_by(|s| s.as_str().cmp(slug)) {
        slugs.insert(i, slug.to_string());
    }
}

/// Takes `slug` out from under `key`.
fn unfile(map: &mut HashMap<String, Vec<String>>, key: &str, slug: &str) {
    if let Some(slugs) = map.get_mut(key) {
        if let Ok(i) = slugs.binary_search_by(|s| s.as_str().cmp(slug)) {
            slugs.remove(i);
        }
        if slugs.is_empty() {
            map.remove(key);
        }
    }
}

/// The names a definition is found by (folded).
fn names_of<'a>(name: &'a str, name_ar: &'a Option<String>) -> impl Iterator<Item = String> + 'a {
    std::iter::once(fold(name)).chain(name_ar.as_deref().map(fold))
}

/// The last segment of a slug (`aleppo/ashrafiyeh` → `ashrafiyeh`).
fn last_segment(slug: &str) -> &str {
    slug.rsplit('/').next().unwrap_or(slug)
}

/// Normalises a name for alias matching: trimmed, Latin case folded.
pub fn fold(name: &str) -> String {
    name.trim().to_lowercase()
}

/// What [`Registry::encode`] writes first: the format of its bytes, then
/// the version of sijil that folded it, so that a cache is never read by
/// another version, whose rules for folding definitions may differ.
const REGISTRY_MAGIC: &[u8] = concat!("sijilR01 ", env!("CARGO_PKG_VERSION"), "\n").as_bytes();

impl Registry {
    /// The registry as bytes, for a store to keep as a cache of the log's
    /// `area` and `actor` events up to a position.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = REGISTRY_MAGIC.to_vec();
        // a registry is maps of strings: it always serializes
        out.extend(serde_json::to_vec(self).unwrap_or_default());
        out
    }

    /// Reads [`Registry::encode`]'s bytes; `None` for anything else (the
    /// caller then folds the definitions again).
    pub fn decode(bytes: &[u8]) -> Option<Registry> {
        serde_json::from_slice(bytes.strip_prefix(REGISTRY_MAGIC)?).ok()
    }

    /// Takes in an `area` or `actor` event; other kinds are ignored.
    pub fn apply(&mut self, e: &Event) {
        match e.kind {
            Kind::Area => {
                let Some(slug) = e.area.clone() else { return };
                if let Some(old) = self.areas.get(&slug) {
                    for a in &old.aliases {
                        self.area_aliases.remove(&fold(a));
                    }
                    for n in names_of(&old.name, &old.name_ar) {
                        unfile(&mut self.area_names, &n, &slug);
                    }
                } else {
                    file_under(&mut self.area_ends, last_segment(&slug).to_string(), &slug);
                }
                for a in &e.aliases {
                    self.area_aliases.insert(fold(a), slug.clone());
                }
                let def = AreaDef::of(slug.clone(), e);
                for n in names_of(&def.name, &def.name_ar) {
                    file_under(&mut self.area_names, n, &slug);
                }
                self.areas.insert(slug, def);
            }
            Kind::Actor => {
                let Some(slug) = e.actor.clone() else { return };
                if let Some(old) = self.actors.get(&slug) {
                    for a in &old.aliases {
                        self.actor_aliases.remove(&fold(a));
                    }
                    for n in names_of(&old.name, &old.name_ar) {
                        unfile(&mut self.actor_names, &n, &slug);
                    }
                } else {
                    file_under(&mut self.actor_ends, last_segment(&slug).to_string(), &slug);
                }
                for a in &e.aliases {
                    self.actor_aliases.insert(fold(a), slug.clone());
                }
                let def = ActorDef {
                    slug: slug.clone(),
                    name: e.name.clone().unwrap_or_else(|| slug.clone()),
                    name_ar: e.name_ar.clone(),
                    aliases: e.aliases.clone(),
                };
                for n in names_of(&def.name, &def.name_ar) {
                    file_under(&mut self.actor_names, n, &slug);
                }
                self.actors.insert(slug, def);
            }
            _ => {}
        }
    }

    /// What an `area` or `actor` event would drop of the definition it
    /// replaces (an update replaces the whole definition): aliases, the
    /// Arabic name, the coordinates, the parent, the type, each as a phrase
    /// for a note. Empty for a new slug, another kind, or an update that
    /// keeps everything.
    pub fn dropped_by(&self, e: &Event) -> Vec<String> {
        // the old aliases the new list leaves out (compared as names resolve)
        let left_out = |old: &[String], new: &[String]| -> Vec<String> {
            let new: Vec<String> = new.iter().map(|a| fold(a)).collect();
            old.iter().filter(|a| !new.contains(&fold(a))).map(|a| format!("{a:?}")).collect()
        };
        let mut out = Vec::new();
        let mut note_aliases = |gone: Vec<String>| {
            match gone.len() {
                0 => {}
                1 => out.push(format!("the alias {}", gone[0])),
                _ => out.push(format!("the aliases {}", gone.join(", "))),
            };
        };
        match e.kind {
            Kind::Area => {
                let Some(old) = e.area.as_deref().and_then(|s| self.areas.get(s)) else { return Vec::new() };
                note_aliases(left_out(&old.aliases, &e.aliases));
                if old.name_ar.is_some() && e.name_ar.is_none() {
                    out.push("its Arabic name".to_string());
                }
                if old.lat.is_some() && old.lon.is_some() && (e.lat.is_none() || e.lon.is_none()) {
                    out.push("its coordinates".to_string());
                }
                if old.parent.is_some() && e.parent.is_none() {
                    out.push("its parent".to_string());
                }
                if old.area_type.is_some() && e.area_type.is_none() {
                    out.push("its type".to_string());
                }
            }
            Kind::Actor => {
                let Some(old) = e.actor.as_deref().and_then(|s| self.actors.get(s)) else { return Vec::new() };
                note_aliases(left_out(&old.aliases, &e.aliases));
                if old.name_ar.is_some() && e.name_ar.is_none() {
                    out.push("its Arabic name".to_string());
                }
            }
            _ => {}
        }
        out
    }

    /// The area defined under `slug`.
    pub fn area(&self, slug: &str) -> Option<&AreaDef> {
        self.areas.get(slug)
    }

    /// The actor defined under `slug`.
    pub fn actor(&self, slug: &str) -> Option<&ActorDef> {
        self.actors.get(slug)
    }

    /// All areas, by slug.
    pub fn areas(&self) -> impl Iterator<Item = &AreaDef> {
        self.areas.values()
    }

    /// All actors, by slug.
    pub fn actors(&self) -> impl Iterator<Item = &ActorDef> {
        self.actors.values()
    }

    /// The slug that an alias names in `space`, if any.
    pub fn alias_owner(&self, space: Space, alias: &str) -> Option<&str> {
        let map = match space {
            Space::Area => &self.area_aliases,
            Space::Actor => &self.actor_aliases,
        };
        map.get(&fold(alias)).map(String::as_str)
    }

    /// `true` when `slug` is `ancestor` or lies under it.
    pub fn is_within(&self, slug: &str, ancestor: &str) -> bool {
        self.is_within_at(self, slug, ancestor)
    }

    /// [`Registry::is_within`] for this registry as it stood at some valid
    /// time, an area it does not define yet taken from `later` (the
    /// latest definitions): an area moved to another parent since is
    /// within the parent it had then.
    pub fn is_within_at(&self, later: &Registry, slug: &str, ancestor: &str) -> bool {
        within_at(self, later, slug, ancestor)
    }

    /// Resolves a slug, alias or unambiguous short slug to the slug.
    ///
    /// The error is one sentence, with a suggestion when one is close.
    pub fn resolve(&self, space: Space, name: &str) -> Result<String, String> {
        match self.find(space, name)? {
            Some(slug) => Ok(slug),
            None => Err(self.unknown(space, name)),
        }
    }

    /// [`Registry::resolve`] without the sentence for a name that names
    /// nothing (`None`), which costs a fuzzy search of every name: for
    /// callers that only ask whether a name is taken. An ambiguous name is
    /// still an error.
    pub fn find(&self, space: Space, name: &str) -> Result<Option<String>, String> {
        let (exists, aliases): (&dyn Fn(&str) -> bool, _) = match space {
            Space::Area => (&|s: &str| self.areas.contains_key(s), &self.area_aliases),
            Space::Actor => (&|s: &str| self.actors.contains_key(s), &self.actor_aliases),
        };
        let trimmed = name.trim();
        if exists(trimmed) {
            return Ok(Some(trimmed.to_string()));
        }
        let folded = fold(trimmed);
        if let Some(slug) = aliases.get(&folded) {
            return Ok(Some(slug.clone()));
        }
        // English and Arabic names, as the definitions hold them now; a name
        // that several definitions share names none of them.
        let (names, ends) = match space {
            Space::Area => (&self.area_names, &self.area_ends),
            Space::Actor => (&self.actor_names, &self.actor_ends),
        };
        let by_name: Vec<&String> = names.get(&folded).map(|v| v.iter().collect()).unwrap_or_default();
        match by_name.as_slice() {
            [one] => return Ok(Some((*one).clone())),
            [] => {}
            many => return Err(ambiguous(space, name, many)),
        }
        let short: Vec<&String> = ends.get(&folded).map(|v| v.iter().collect()).unwrap_or_default();
        match short.as_slice() {
            [one] => return Ok(Some((*one).clone())),
            [] => {}
            many => return Err(ambiguous(space, name, many)),
        }
        Ok(None)
    }

    /// The sentence for a name that names nothing, with the closest name
    /// when one is close.
    fn unknown(&self, space: Space, name: &str) -> String {
        let trimmed = name.trim();
        let slugs: Vec<&String> = match space {
            Space::Area => self.areas.keys().collect(),
            Space::Actor => self.actors.keys().collect(),
        };
        // (what to compare with, the slug it names)
        let mut named: Vec<(&str, &str)> = slugs.iter().map(|s| (s.as_str(), s.as_str())).collect();
        match space {
            Space::Area => {
                named.extend(self.areas.values().flat_map(|a| a.aliases.iter().map(|x| (x.as_str(), a.slug.as_str()))))
            }
            Space::Actor => {
                named.extend(self.actors.values().flat_map(|a| a.aliases.iter().map(|x| (x.as_str(), a.slug.as_str()))))
            }
        }
        // suggest an alias in the script it was typed in, else the slug
        let hint = closest(trimmed, named.iter().map(|(text, _)| *text))
            .map(|c| {
                let slug = named.iter().find(|(text, _)| *text == c).map_or(c, |(_, slug)| *slug);
                if trimmed.is_ascii() {
                    slug
                } else {
                    c
                }
            })
            .map(|c| format!(" — did you mean {c:?}?"))
            .unwrap_or_else(|| match space {
                Space::Area => " — register it first with an \"area\" event".to_string(),
                Space::Actor => " — register it first with an \"actor\" event".to_string(),
            });
        format!("unknown {} {name:?}{hint}", space.word())
    }
}

/// The sentence for a name that fits several slugs.
fn ambiguous(space: Space, name: &str, slugs: &[&String]) -> String {
    let list: Vec<String> = slugs.iter().map(|s| format!("{s:?}")).collect();
    format!("{} {name:?} is ambiguous; it could be {}", space.word(), list.join(" or "))
}

/// The candidate closest to `name`, when it is close enough to suggest.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = fold(name);
    candidates
        .into_iter()
        .map(|c| {
            let folded = fold(c);
            let whole = strsim::normalized_damerau_levenshtein(&name, &folded);
            let tail =
                folded.rsplit('/').next().map(|t| strsim::normalized_damerau_levenshtein(&name, t)).unwrap_or(0.0);
            (whole.max(tail), c)
        })
        .filter(|(score, _)| *score >= 0.6)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}
