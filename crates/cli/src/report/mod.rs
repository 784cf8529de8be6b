//! The situation report: one self-contained HTML page (inline CSS and SVG,
//! no script, nothing fetched at view time) drawn from a view of the log
//! ([`LogView`]: the ledger as known at `--known-at`), the records in its
//! window, and the [`State`] at `--at`.
//!
//! This file gathers what the page shows (lanes of bars and marks, the
//! time axis, casualty series, map points) as plain data; `svg.rs` draws
//! the charts and `html.rs` lays out the page and escapes every string that
//! came from the log.

mod html;
mod svg;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use sijil_core::event::Event;
use sijil_core::export::{Exporter, LogView, Selection};
use sijil_core::projection::State;
use sijil_core::{Kind, Recorded, Registry};

/// Everything a report is drawn from.
pub struct Report<'a> {
    /// The log as known at `--known-at`.
    pub view: &'a dyn LogView,
    /// The records it draws, in log order: at least every current event in
    /// the window and every current casualty report
    /// (`LedgerView::report_positions`); each is filtered again here.
    pub records: &'a [Recorded],
    /// The registry as defined at `at` (names and places).
    pub registry_now: Registry,
    /// The state at `at`.
    pub state: &'a State,
    pub at: DateTime<Utc>,
    /// The zone times are shown in.
    pub zone: Tz,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Keep this area and the areas under it.
    pub area: Option<String>,
}

/// Current withdrawals by actor (both kinds require one): (start, areas),
/// in order of start.
pub(crate) type Withdrawals = HashMap<String, Vec<(DateTime<Utc>, Vec<String>)>>;

/// A durative event drawn as a bar in one lane.
#[derive(Debug, Clone)]
pub(crate) struct Bar<'a> {
    pub event: &'a Event,
    pub seq: u64,
    pub start: DateTime<Utc>,
    /// `None`: still in force as far as the log knows.
    pub end: Option<DateTime<Utc>>,
    /// The end was given as a date (`end` is then the next day's start).
    pub end_day: bool,
    /// The area is a crossing the event passes through (`via`).
    pub via: bool,
}

/// A point event drawn as a mark in one lane.
#[derive(Debug, Clone)]
pub(crate) struct Mark<'a> {
    pub event: &'a Event,
    pub seq: u64,
    pub at: DateTime<Utc>,
    /// The event's time is a day: the mark stands for the whole day.
    pub day_end: Option<DateTime<Utc>>,
}

/// One area's lane of the timeline.
#[derive(Debug, Clone)]
pub(crate) struct Lane<'a> {
    pub slug: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub bars: Vec<Bar<'a>>,
    pub marks: Vec<Mark<'a>>,
}

/// The time axis shared by the timeline and the casualty chart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Axis {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Axis {
    /// The fraction of the axis at `t` (may fall outside 0..=1).
    pub fn frac(&self, t: DateTime<Utc>) -> f64 {
        let span = (self.to - self.from).num_seconds().max(1) as f64;
        (t - self.from).num_seconds() as f64 / span
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        t >= self.from && t <= self.to
    }
}

/// One source's running casualty figures, one point per report.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub source: String,
    pub points: Vec<Point>,
}

/// A source's figures as of one report.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub at: DateTime<Utc>,
    pub killed: Option<u64>,
    pub wounded: Option<u64>,
    /// The day in the log's zone, when the report gave only a date.
    pub day: Option<String>,
}

/// An area placed on the map sketch.
#[derive(Debug, Clone)]
pub(crate) struct Place {
    pub slug: String,
    pub name: String,
    pub name_ar: Option<String>,
    pub lat: f64,
    pub lon: f64,
    pub incidents: u64,
    /// What is in force at `--at`, in legend order: ceasefire, curfew,
    /// evacuation, ultimatum (pending), deployment.
    pub in_force: Vec<&'static str>,
}

impl<'a> Report<'a> {
    /// The whole page.
    pub fn html(&self) -> String {
        html::page(self)
    }

    fn zone_of_log(&self) -> Tz {
        self.view.zone()
    }

    /// The registry used for names and places: as defined at `--at`, with
    /// areas defined only later taken from the latest definitions.
    fn registry(&self) -> &Registry {
        &self.registry_now
    }

    fn keeps_area(&self, slug: &str) -> bool {
        match &self.area {
            None => true,
            Some(a) => self.view.registry().is_within(slug, a),
        }
    }

    /// The current records, in valid-time order (then log order).
    fn current_in_valid_order(&self) -> Vec<&'a Recorded> {
        let zone = self.zone_of_log();
        let mut v: Vec<(Option<DateTime<Utc>>, u64, &'a Recorded)> = self
            .records
            .iter()
            .filter(|r| self.view.is_current(r))
            .map(|r| (r.event.at.map(|a| a.start(zone)), r.seq, r))
            .collect();
        v.sort_unstable_by_key(|&(start, seq, _)| (start, seq));
        v.into_iter().map(|(_, _, r)| r).collect()
    }

    /// The selection `sijil log` and `sijil export` would make.
    pub(crate) fn selection(&self) -> Selection {
        Selection { area: self.area.clone(), since: self.since, until: self.until, kinds: Vec::new() }
    }

    /// The lanes, one per area the report covers, in slug order (parents
    /// before the areas under them).
    pub(crate) fn lanes(&self) -> Vec<Lane<'a>> {
        let now = self.registry();
        let all = self.view.registry();
        let mut lanes: Vec<Lane<'a>> = all
            .areas()
            .filter(|d| self.keeps_area(&d.slug))
            .map(|d| {
                let d = now.area(&d.slug).unwrap_or(d);
                Lane {
                    slug: d.slug.clone(),
                    name: d.name.clone(),
                    name_ar: d.name_ar.clone(),
                    bars: Vec::new(),
                    marks: Vec::new(),
                }
            })
            .collect();
        let zone = self.zone_of_log();
        let by_slug: HashMap<String, usize> = lanes.iter().enumerate().map(|(i, l)| (l.slug.clone(), i)).collect();
        let withdrawals = self.withdrawals();
        for r in self.current_in_valid_order() {
            let e = &r.event;
            if e.kind.is_reference() || matches!(e.kind, Kind::Retraction | Kind::Ended) {
                continue;
            }
            let Some(at) = e.at else { continue };
            let start = at.start(zone);
            if e.kind.is_durative() {
                let ends = self.end_of(r, &withdrawals);
                let (end, end_day) = (ends.map(|(x, _)| x), ends.is_some_and(|(_, day)| day));
                // ended at or before its start (an end carried over to a
                // correction that starts later): in force at no time
                if end.is_some_and(|x| x <= start) {
                    continue;
                }
                let overlaps =
                    self.until.is_none_or(|u| start < u) && self.since.is_none_or(|s| end.is_none_or(|x| x > s));
                if !overlaps {
                    continue;
                }
                for (slugs, via) in [(&e.areas, false), (&e.via, true)] {
                    for a in slugs {
                        if let Some(&i) = by_slug.get(a) {
                            lanes[i].bars.push(Bar { event: e, seq: r.seq, start, end, end_day, via });
                        }
                    }
                }
            } else {
                if self.since.is_some_and(|s| start < s) || self.until.is_some_and(|u| start >= u) {
                    continue;
                }
                let day_end = at.is_day().then(|| at.end(zone));
                for a in &e.areas {
                    if let Some(&i) = by_slug.get(a) {
                        lanes[i].marks.push(Mark { event: e, seq: r.seq, at: start, day_end });
                    }
                }
            }
        }
        lanes
    }

    /// The current withdrawals by actor, each with its start and areas, in
    /// order of start: what ends deployments ([`Report::end_of`]).
    fn withdrawals(&self) -> Withdrawals {
        let mut by_actor: Withdrawals = HashMap::new();
        for w in self.view.withdrawals() {
            if let Some(t) = w.start {
                by_actor.entry(w.actor).or_default().push((t, w.areas));
            }
        }
        for list in by_actor.values_mut() {
            list.sort_by_key(|(t, _)| *t);
        }
        by_actor
    }

    /// When a durative event stops being in force: its deadline for an
    /// ultimatum, or an `ended` time before it (the state drops an ended
    /// ultimatum); else its `until` or `ended` time, or (for a deployment)
    /// the first withdrawal of the same actor from one of its areas, at or
    /// after its start.
    /// The flag says whether that end was given as a date.
    pub(crate) fn end_of(&self, r: &Recorded, withdrawals: &Withdrawals) -> Option<(DateTime<Utc>, bool)> {
        let zone = self.zone_of_log();
        let e = &r.event;
        let mut end = self.view.effective_end(r);
        if e.kind == Kind::Ultimatum {
            let deadline = e.deadline.map(|d| (d.end(zone), d.is_day()));
            return match (deadline, end) {
                (Some(d), Some(x)) => Some(d.min(x)),
                (d, x) => d.or(x),
            };
        }
        if e.kind == Kind::Deployment {
            let start = e.at.map(|a| a.start(zone));
            if let (Some(s), Some(list)) = (start, e.actor.as_deref().and_then(|a| withdrawals.get(a))) {
                let from = list.partition_point(|(t, _)| *t < s);
                // the list is in time order: the first from its areas ends it
                if let Some((t, _)) = list[from..].iter().find(|(_, areas)| areas.iter().any(|a| e.areas.contains(a))) {
                    end = Some(end.map_or((*t, false), |x| x.min((*t, false))));
                }
            }
        }
        end
    }

    /// The time axis: `--since`/`--until` when given, else from the first
    /// to the last time drawn, widened to take in `--at` when it is near,
    /// and rounded out to whole hours.
    pub(crate) fn axis(&self, lanes: &[Lane<'_>], series: &[Series]) -> Axis {
        let mut times: Vec<DateTime<Utc>> = Vec::new();
        for l in lanes {
            for b in &l.bars {
                times.push(b.start);
                times.extend(b.end);
            }
            for m in &l.marks {
                times.push(m.at);
                times.extend(m.day_end);
            }
        }
        for s in series {
            times.extend(s.points.iter().map(|p| p.at));
        }
        let lo = times.iter().min().copied().unwrap_or(self.at - Duration::hours(12));
        let hi = times.iter().max().copied().unwrap_or(self.at + Duration::hours(12));
        let (mut lo, mut hi) = (lo.min(hi - Duration::hours(1)), hi.max(lo + Duration::hours(1)));
        // take --at in unless it is far off (then the charts say so instead)
        let span = hi - lo;
        if self.at < lo && lo - self.at <= span {
            lo = self.at;
        }
        if self.at > hi && self.at - hi <= span {
            hi = self.at;
        }
        let hour = 3600;
        let floor = |t: DateTime<Utc>| DateTime::from_timestamp(t.timestamp().div_euclid(hour) * hour, 0).unwrap_or(t);
        let ceil = |t: DateTime<Utc>| {
            DateTime::from_timestamp((t.timestamp() + hour - 1).div_euclid(hour) * hour, 0).unwrap_or(t)
        };
        let mut from = self.since.unwrap_or_else(|| floor(lo));
        let mut to = self.until.unwrap_or_else(|| ceil(hi + Duration::minutes(30)));
        if to <= from {
            to = from + Duration::hours(1);
        }
        if from >= to {
            from = to - Duration::hours(1);
        }
        Axis { from, to }
    }

    /// Each source's running figures, from the casualties export.
    pub(crate) fn series(&self) -> Vec<Series> {
        let sel = Selection { area: self.area.clone(), since: None, until: None, kinds: Vec::new() };
        let cas = Exporter::new(self.view, sel).casualties(self.records);
        let mut out: Vec<Series> = Vec::new();
        for c in cas.claims {
            let i = match out.iter().position(|s| s.source == c.source) {
                Some(i) => i,
                None => {
                    out.push(Series { source: c.source.clone(), points: Vec::new() });
                    out.len() - 1
                }
            };
            out[i].points.push(Point {
                at: c.at,
                killed: c.source_killed,
                wounded: c.source_wounded,
                day: (c.precision == "day").then(|| c.date.clone()),
            });
        }
        out
    }

    /// The areas with coordinates of their own, with what is in force at
    /// `--at`; the second value names those without.
    pub(crate) fn places(&self) -> (Vec<Place>, Vec<String>) {
        let now = self.registry();
        let mut places = Vec::new();
        let mut unplaced = Vec::new();
        for d in self.view.registry().areas().filter(|d| self.keeps_area(&d.slug)) {
            let d = now.area(&d.slug).unwrap_or(d);
            let a = self.state.areas.get(&d.slug);
            let (Some(lat), Some(lon)) = (d.lat, d.lon) else {
                unplaced.push(d.name.clone());
                continue;
            };
            let mut in_force = Vec::new();
            if let Some(a) = a {
                for (k, word) in
                    [(Kind::Ceasefire, "ceasefire"), (Kind::Curfew, "curfew"), (Kind::Evacuation, "evacuation")]
                {
                    if a.active.iter().any(|x| x.kind == k) {
                        in_force.push(word);
                    }
                }
                if a.deadlines.iter().any(|d| d.status == "pending") {
                    in_force.push("ultimatum");
                }
                if !a.forces.is_empty() {
                    in_force.push("deployment");
                }
            }
            places.push(Place {
                slug: d.slug.clone(),
                name: d.name.clone(),
                name_ar: d.name_ar.clone(),
                lat,
                lon,
                incidents: a.map_or(0, |a| a.incidents),
                in_force,
            });
        }
        (places, unplaced)
    }

    /// An area's names as defined at `--at` (else its latest definition),
    /// or the slug when the log defines no such area.
    pub(crate) fn area_name(&self, slug: &str) -> (String, Option<String>) {
        match self.registry().area(slug).or_else(|| self.view.registry().area(slug)) {
            Some(d) => (d.name.clone(), d.name_ar.clone()),
            None => (slug.to_string(), None),
        }
    }

    /// An actor's names as defined at `--at` (else its latest definition).
    pub(crate) fn actor_name(&self, slug: &str) -> (String, Option<String>) {
        match self.registry().actor(slug).or_else(|| self.view.registry().actor(slug)) {
            Some(d) => (d.name.clone(), d.name_ar.clone()),
            None => (slug.to_string(), None),
        }
    }
}
