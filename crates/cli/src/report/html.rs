//! The page around the charts: header, situation table, event list, the
//! stylesheet (screen and A4 print) and HTML escaping. The page is written
//! as well-formed XML-style HTML (void elements self-closed) so that tests
//! can check its structure without a browser.

use std::fmt::Write as _;

use chrono_tz::Tz;
use sijil_core::event::Event;
use sijil_core::export::Exporter;
use sijil_core::projection::AreaState;

use super::svg::{self, short, DURATIVE};
use super::Report;

/// Escapes text for HTML and SVG content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text from the log in its own isolated run, marked as Arabic when it is
/// written in Arabic (Arabic letters and no Latin ones), so that a reader's
/// font and direction follow it: sources and names are often Arabic.
fn bdi(text: &str) -> String {
    let arabic = |c: char| matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}');
    if text.chars().any(arabic) && !text.chars().any(|c| c.is_ascii_alphabetic()) {
        format!(r#"<bdi class="ar" lang="ar" dir="rtl">{}</bdi>"#, esc(text))
    } else {
        format!("<bdi>{}</bdi>", esc(text))
    }
}

/// A name with its Arabic beside it, each in its own isolated run.
fn names(name: &str, name_ar: Option<&str>) -> String {
    match name_ar {
        Some(ar) => format!(r#"<bdi>{}</bdi> <bdi class="ar" lang="ar" dir="rtl">{}</bdi>"#, esc(name), esc(ar)),
        None => bdi(name),
    }
}

const CSS: &str = r#"
:root { --ink: #1f2328; --muted: #57606a; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "DejaVu Sans", "Noto Naskh Arabic", "Amiri", Arial, sans-serif; color: var(--ink);
       margin: 0 auto; padding: 16px 24px 40px; max-width: 1180px; line-height: 1.4; font-size: 14px; }
.ar, [lang="ar"] { font-family: "Noto Naskh Arabic", "Amiri", "Noto Sans Arabic", "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 4px 0; }
h2 { font-size: 17px; margin: 26px 0 6px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
.meta { color: var(--muted); margin: 2px 0; }
.how { color: var(--muted); font-size: 12.5px; margin: 2px 0 6px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 12px; }
svg text { fill: var(--ink); }
svg .tick, svg .legend { fill: var(--muted); font-size: 11px; }
svg .day { fill: var(--ink); font-size: 11px; font-weight: bold; }
svg .lane-name, svg .place-name { font-size: 12.5px; font-weight: bold; }
svg .lane-name-ar, svg .place-name-ar { font-size: 13.5px; }
svg .bar-label { font-size: 10.5px; fill: #fff; }
svg .at-label { font-size: 11px; font-weight: bold; fill: #d32f2f; }
svg .value { font-size: 10.5px; }
svg .panel-title { font-weight: bold; font-size: 12.5px; }
#map { flex: 0 1 640px; max-width: 640px; }
.key { flex: 1 1 220px; }
.maprow { display: flex; gap: 18px; align-items: flex-start; flex-wrap: wrap; }
.key { font-size: 12.5px; }
.key span.sw { display: inline-block; width: 14px; height: 10px; margin-right: 5px; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 3px 6px; text-align: start; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: end; font-variant-numeric: tabular-nums; }
td.note { min-width: 300px; max-width: 460px; }
td.when { white-space: nowrap; }
.kind { white-space: nowrap; }
.quiet { color: var(--muted); }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5px; }
  h2 { break-after: avoid; }
  section.chart-section, .maprow { break-inside: avoid; }
  svg.chart { max-width: 100%; }
  #map { max-width: 120mm; }
  table { font-size: 9.5px; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// The whole page.
pub(crate) fn page(r: &Report<'_>) -> String {
    let zone = r.zone;
    let lanes = r.lanes();
    let series = r.series();
    let axis = r.axis(&lanes, &series);
    let (places, unplaced) = r.places();
    let offset = r.at.with_timezone(&zone).format("%:z");
    let known = crate::render::horizon(r.state.known_at.as_deref(), zone);
    let mut s = String::with_capacity(64 * 1024);
    s.push_str("<!DOCTYPE html>\n");
    s.push_str(r#"<html lang="en" dir="ltr"><head><meta charset="utf-8"/>"#);
    s.push_str(r#"<meta name="viewport" content="width=device-width, initial-scale=1"/>"#);
    let title = format!("Situation report at {} ({} {offset})", short(r.at, zone), zone.name());
    let _ = write!(s, "<title>{}</title>", esc(&title));
    let _ = write!(s, "<style>{CSS}</style></head>\n<body>\n");
    let _ = write!(s, "<header><h1>{}</h1>", esc(&title));
    let _ = write!(
        s,
        r#"<p class="meta">As known: {} (log position #{}). Times in {} (UTC{offset}).{}</p>"#,
        esc(&known),
        r.state.seq,
        esc(zone.name()),
        match &r.area {
            Some(a) => {
                let (n, ar) = r.area_name(a);
                format!(" Area: {} and the areas under it.", names(&n, ar.as_deref()))
            }
            None => String::new(),
        }
    );
    let _ = write!(
        s,
        r#"<p class="meta">Charts from {} to {}. Generated by sijil from the log; claims are attributed to their sources and never merged.</p></header>"#,
        short(axis.from, zone),
        short(axis.to, zone)
    );
    s.push('\n');

    // timeline
    s.push_str(r#"<section class="chart-section" id="timeline-section"><h2>Timeline</h2>"#);
    s.push_str(
        r#"<p class="how">One lane per area. Bars: what held for a span (an arrow: no end recorded, still in force as the log knows it; pale: an evacuation passing through a crossing). The ultimatum bar runs from its issue to its deadline. Marks: single incidents; a pale band means the source gave only the day. The red line is the moment of this report.</p>"#,
    );
    s.push_str(&svg::timeline(r, &lanes, &axis));
    // the events of the list that name no area (so no lane shows them)
    let listed = listed(r);
    let no_area = listed.iter().filter(|x| x.event.areas.is_empty() && x.event.kind != sijil_core::Kind::Ended).count();
    if no_area > 0 && r.area.is_none() {
        let _ = write!(
            s,
            r#"<p class="how">{}</p>"#,
            if no_area == 1 {
                "1 event names no area and appears only in the event list.".to_string()
            } else {
                format!("{no_area} events name no area and appear only in the event list.")
            }
        );
    }
    s.push_str("</section>\n");

    // casualties
    s.push_str(r#"<section class="chart-section" id="casualties-section"><h2>Casualty claims</h2>"#);
    s.push_str(r#"<p class="how">Each source's running figures as it reported them (a cumulative report replaces the source's figures, others add to them). Sources are shown side by side, never summed.</p>"#);
    s.push_str(&svg::casualties(r, &series, &axis));
    s.push_str("</section>\n");

    // map
    s.push_str(r#"<section class="chart-section" id="map-section"><h2>Map sketch</h2><div class="maprow">"#);
    s.push_str(&svg::map(&places));
    s.push_str(r#"<div class="key"><p>Areas at their recorded coordinates (no map tiles). The disc grows with the violent incidents recorded so far; red when there were any, grey when none.</p><p>Rings: what is in force at the moment of this report.</p>"#);
    for (k, c) in DURATIVE {
        let word = if k == "ultimatum" { "ultimatum pending" } else { k };
        let _ = write!(s, r#"<div><span class="sw" style="background:{c}"></span>{word}</div>"#);
    }
    if !unplaced.is_empty() {
        let list: Vec<String> = unplaced.iter().map(|n| bdi(n)).collect();
        let _ = write!(s, r#"<p class="quiet">Not on the map (no coordinates): {}.</p>"#, list.join(", "));
    }
    s.push_str("</div></div></section>\n");

    situation(&mut s, r);
    events(&mut s, r, &listed);
    let _ = write!(
        s,
        "<footer>sijil report · log position #{} · as known: {} · zone {}</footer>\n</body></html>\n",
        r.state.seq,
        esc(&known),
        esc(zone.name())
    );
    s
}

/// The rows of one area in the situation table: what, who, when, source.
fn area_rows(r: &Report<'_>, a: &AreaState) -> Vec<[String; 4]> {
    let zone = r.zone;
    let actor =
        |slug: Option<&str>| slug.map(|x| r.actor_name(x)).map_or(String::new(), |(n, ar)| names(&n, ar.as_deref()));
    let mut rows = Vec::new();
    for x in &a.active {
        let mut what = esc(x.kind.as_str());
        if !x.via.is_empty() {
            let via: Vec<String> = x.via.iter().map(|v| r.area_name(v).0).map(|n| esc(&n)).collect();
            what.push_str(&format!(" via {}", via.join(", ")));
        }
        let when = crate::render::span(x, zone, r.view.zone(), r.at);
        rows.push([what, actor(x.actor.as_deref()), when, bdi(&x.source)]);
    }
    for d in &a.deadlines {
        let status = crate::render::deadline_status(d, r.state.at);
        let target = d.target.as_deref().map(|t| format!(" to {}", actor(Some(t)))).unwrap_or_default();
        rows.push([
            format!("ultimatum{target}: {status}"),
            actor(d.actor.as_deref()),
            format!(
                "deadline {}",
                crate::render::end_moment(d.deadline, d.deadline_precision, zone, r.view.zone(), r.at)
            ),
            bdi(&d.source),
        ]);
    }
    for f in &a.forces {
        rows.push([
            "deployed".into(),
            actor(Some(&f.actor)),
            format!("since {}", crate::render::moment(f.since, f.precision, zone, r.view.zone(), r.at)),
            bdi(&f.sources.join("; ")),
        ]);
    }
    for c in &a.control {
        rows.push([
            format!("claims control: {}", esc(&c.extent.to_string())),
            actor(Some(&c.actor)),
            format!("claimed {}", crate::render::moment(c.at, c.precision, zone, r.view.zone(), r.at)),
            bdi(&c.source),
        ]);
    }
    rows
}

/// The situation table: `sijil state` at `--at`.
fn situation(s: &mut String, r: &Report<'_>) {
    let zone: Tz = r.zone;
    s.push_str(r#"<section id="situation"><h2>Situation</h2>"#);
    let _ = write!(
        s,
        r#"<p class="how">What <code>sijil state --at</code> shows for {}: per area, what is in force, ultimatums, forces and control claims.</p>"#,
        short(r.at, zone)
    );
    s.push_str(r#"<table class="situation"><thead><tr><th>Area</th><th>What</th><th>Who</th><th>When</th><th>Source</th></tr></thead><tbody>"#);
    let mut quiet = Vec::new();
    for (slug, a) in &r.state.areas {
        let rows = area_rows(r, a);
        let incidents = match a.incidents {
            0 => String::new(),
            1 => "<br/>1 incident".to_string(),
            n => format!("<br/>{n} incidents"),
        };
        if rows.is_empty() {
            quiet.push(format!("{}{}", names(&a.name, a.name_ar.as_deref()), incidents.replace("<br/>", " · ")));
            continue;
        }
        let n = rows.len();
        for (i, [what, who, when, source]) in rows.into_iter().enumerate() {
            s.push_str("<tr>");
            if i == 0 {
                let _ = write!(
                    s,
                    r#"<td rowspan="{n}" data-area="{}">{}<br/><code>{}</code>{incidents}</td>"#,
                    esc(slug),
                    names(&a.name, a.name_ar.as_deref()).replace("</bdi> <bdi", "</bdi><br/><bdi"),
                    esc(slug)
                );
            }
            let _ = write!(s, "<td>{what}</td><td>{who}</td><td>{when}</td><td>{source}</td></tr>");
        }
    }
    s.push_str("</tbody></table>");
    if !quiet.is_empty() {
        let _ = write!(s, r#"<p class="quiet">Nothing in force: {}.</p>"#, quiet.join("; "));
    }
    if r.state.casualties.is_empty() {
        s.push_str("<p>No casualty claims.</p>");
    } else {
        s.push_str(r#"<h3>Casualty claims at this moment, side by side</h3><table class="claims"><thead><tr><th>Source</th><th>Killed</th><th>Wounded</th><th>Civilian</th><th>As of</th><th>Areas</th></tr></thead><tbody>"#);
        for c in &r.state.casualties {
            let n = |v: Option<u64>| v.map_or("—".to_string(), |v| v.to_string());
            let areas: Vec<String> = c.areas.iter().map(|a| esc(&r.area_name(a).0)).collect();
            let _ = write!(
                s,
                r#"<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
                bdi(&c.source),
                n(c.killed),
                n(c.wounded),
                c.civilian.map_or("—", |b| if b { "yes" } else { "no" }),
                crate::render::moment(c.at, c.precision, zone, r.view.zone(), r.at),
                areas.join(", ")
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</section>\n");
}

/// A source: its name, a link when its URL is http(s), its publication time.
fn source(e: &Event) -> String {
    let mut out = bdi(&e.source.name);
    if let Some(url) = &e.source.url {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("https://") || lower.starts_with("http://") {
            // a link is followed only when clicked: nothing loads at view time
            let _ = write!(out, r#"<br/><a href="{}" rel="noopener noreferrer">link</a>"#, esc(url));
        } else {
            let _ = write!(out, "<br/><bdi>{}</bdi>", esc(url));
        }
    }
    if let Some(p) = &e.source.published_at {
        let _ = write!(out, "<br/>published {}", esc(&p.to_string()));
    }
    out
}

/// The events the list shows: every current event the selection keeps,
/// in valid time.
fn listed<'r>(r: &'r Report<'_>) -> Vec<&'r sijil_core::Recorded> {
    let exporter = Exporter::new(r.view, r.selection());
    let mut rows: Vec<&sijil_core::Recorded> = exporter.domain_events(r.records).collect();
    let log_zone = r.view.zone();
    rows.sort_by_cached_key(|x| (x.event.at.map(|a| a.start(log_zone)), x.seq));
    rows
}

/// The event list: `rows` ([`listed`]) as a table.
fn events(s: &mut String, r: &Report<'_>, rows: &[&sijil_core::Recorded]) {
    let zone = r.zone;
    let log_zone = r.view.zone();
    let _ = write!(
        s,
        r#"<section id="events"><h2>Events</h2><p class="how">{} current events in valid time (corrections in place of what they correct; retracted events left out). Times in {}.</p>"#,
        rows.len(),
        esc(zone.name())
    );
    s.push_str(r#"<table class="events"><thead><tr><th>#</th><th>Valid time</th><th>Kind</th><th>Areas</th><th>Actor</th><th>Note</th><th>Source</th></tr></thead><tbody>"#);
    for x in rows {
        let e = &x.event;
        let when = match e.at {
            Some(sijil_core::Time::Day(d)) => format!("{} (day)", d.format("%Y-%m-%d")),
            Some(t) => crate::render::short_under(t.start(log_zone), zone, r.at),
            None => "—".to_string(),
        };
        // an end or deadline given as a date is that day (it lasts the whole
        // of it), not the next day's midnight
        let end = |t: sijil_core::Time| match t {
            sijil_core::Time::Day(d) => format!("{} (day)", d.format("%Y-%m-%d")),
            t => crate::render::short_under(t.end(log_zone), zone, r.at),
        };
        let mut kind = esc(e.kind.as_str());
        let figures: Vec<String> = [("killed", e.killed), ("wounded", e.wounded), ("count", e.count)]
            .iter()
            .filter_map(|(w, n)| n.map(|n| format!("{w} {n}")))
            .collect();
        if !figures.is_empty() {
            kind.push_str(&format!("<br/>{}", figures.join(", ")));
        }
        if let Some(d) = e.deadline {
            kind.push_str(&format!("<br/>deadline {}", end(d)));
        }
        if let Some(u) = e.until {
            kind.push_str(&format!("<br/>until {}", end(u)));
        }
        if e.corrects.is_some() {
            kind.push_str("<br/>(a correction)");
        }
        let mut areas: Vec<String> =
            e.areas.iter().map(|a| r.area_name(a)).map(|(n, ar)| names(&n, ar.as_deref())).collect();
        if !e.via.is_empty() {
            let via: Vec<String> =
                e.via.iter().map(|a| r.area_name(a)).map(|(n, ar)| names(&n, ar.as_deref())).collect();
            areas.push(format!("via {}", via.join(", ")));
        }
        let actor =
            e.actor.as_deref().map(|a| r.actor_name(a)).map_or(String::new(), |(n, ar)| names(&n, ar.as_deref()));
        let mut note = String::new();
        for text in [e.note.as_deref(), e.quote.as_deref(), e.demand.as_deref()].into_iter().flatten() {
            let _ = write!(note, r#"<p dir="auto">{}</p>"#, esc(text));
        }
        let _ = write!(
            s,
            r#"<tr data-seq="{}" data-kind="{}"><td class="num">{}</td><td class="when">{}</td><td class="kind">{kind}</td><td>{}</td><td>{actor}</td><td class="note">{note}</td><td>{}</td></tr>"#,
            x.seq,
            e.kind,
            x.seq,
            when,
            areas.join("<br/>"),
            source(e)
        );
    }
    s.push_str("</tbody></table></section>\n");
}
