//! The report's three charts as inline SVG, written by hand: the timeline
//! (lanes of bars and marks), the casualty step lines, and the map sketch.
//! Every string from the log goes through [`esc`]; numbers are written with
//! one decimal so the output is stable for snapshot tests.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use sijil_core::Kind;

use super::html::esc;
use super::{Axis, Lane, Place, Report, Series};

/// Width of every chart's view box.
const W: f64 = 1100.0;
/// Left gutter of the timeline and casualty chart (lane labels).
const LEFT: f64 = 220.0;
const RIGHT: f64 = 24.0;

/// Colours of durative kinds, also used by the map's rings and the CSS.
pub(crate) const DURATIVE: [(&str, &str); 5] = [
    ("ceasefire", "#2e7d32"),
    ("curfew", "#6a1b9a"),
    ("evacuation", "#1565c0"),
    ("ultimatum", "#e65100"),
    ("deployment", "#6d4c41"),
];

/// Colours of the sources' lines, in first-seen order.
const PALETTE: [&str; 8] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f00"];

pub(crate) fn kind_colour(kind: &str) -> &'static str {
    match kind {
        "shelling" => "#c62828",
        "airstrike" => "#b71c1c",
        "sniping" => "#ad1457",
        "armed_clash" => "#d84315",
        "detention" => "#37474f",
        "casualty_report" => "#000000",
        "control_claim" => "#00838f",
        "withdrawal" => "#6d4c41",
        "statement" | "defection_call" => "#757575",
        other => DURATIVE.iter().find(|(k, _)| *k == other).map_or("#455a64", |(_, c)| c),
    }
}

/// The mark of a point kind, centred on (x, y).
fn symbol(kind: Kind, x: f64, y: f64) -> String {
    let c = kind_colour(kind.as_str());
    match kind {
        Kind::Shelling | Kind::Airstrike => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="5.5" fill="{c}"/>"#),
        Kind::Sniping => format!(
            r#"<path d="M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="{c}"/>"#,
            x,
            y - 6.0,
            x + 5.5,
            y + 4.5,
            x - 5.5,
            y + 4.5
        ),
        Kind::ArmedClash => format!(
            r#"<path d="M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="{c}"/>"#,
            x,
            y - 6.5,
            x + 6.5,
            y,
            x,
            y + 6.5,
            x - 6.5,
            y
        ),
        Kind::Detention => {
            format!(r#"<rect x="{:.1}" y="{:.1}" width="10" height="10" fill="{c}"/>"#, x - 5.0, y - 5.0)
        }
        Kind::CasualtyReport => format!(
            r#"<path d="M{:.1} {:.1}L{:.1} {:.1}M{:.1} {:.1}L{:.1} {:.1}" stroke="{c}" stroke-width="2.2"/>"#,
            x - 5.0,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0,
            y + 5.0,
            x + 5.0,
            y - 5.0
        ),
        Kind::ControlClaim => format!(
            r#"<path d="M{:.1} {:.1}V{:.1}M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" stroke="{c}" stroke-width="1.6" fill="{c}"/>"#,
            x,
            y + 6.0,
            y - 6.0,
            x,
            y - 6.0,
            x + 8.0,
            y - 3.0,
            x,
            y
        ),
        _ => format!(r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="none" stroke="{c}" stroke-width="1.6"/>"#),
    }
}

/// `HH:MM` in the zone.
fn hm(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%H:%M").to_string()
}

/// `2026-01-09 05:00` in the zone.
pub(crate) fn short(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// When event `e` began (`start`, its time on the axis), for a tooltip: a
/// date is that day in the log's zone, whatever zone the page shows; a
/// time at another offset than the page's (at `at`) shows its own.
fn began(e: &sijil_core::Event, start: DateTime<Utc>, zone: Tz, at: DateTime<Utc>) -> String {
    match e.at {
        Some(sijil_core::Time::Day(d)) => format!("{} (day)", d.format("%Y-%m-%d")),
        _ => crate::render::short_under(start, zone, at),
    }
}

/// Tick instants: whole local hours, a step giving at most ~12 ticks.
fn ticks(axis: &Axis, zone: Tz) -> Vec<DateTime<Utc>> {
    let hours = (axis.to - axis.from).num_minutes() as f64 / 60.0;
    let step = [1, 2, 3, 6, 12, 24, 48, 168, 336, 720].into_iter().find(|s| hours / *s as f64 <= 12.0).unwrap_or(1440);
    let first_day = axis.from.with_timezone(&zone).date_naive();
    let mut out = Vec::new();
    let mut k = 0i64;
    loop {
        let naive = first_day.and_time(NaiveTime::MIN) + Duration::hours(k * step);
        k += 1;
        let Some(t) = zone.from_local_datetime(&naive).earliest().map(|t| t.with_timezone(&Utc)) else { continue };
        if t > axis.to || k > 2000 {
            break;
        }
        if t >= axis.from {
            out.push(t);
        }
    }
    out
}

/// Maps instants to x in the plot area.
struct Xs {
    axis: Axis,
}

impl Xs {
    fn x(&self, t: DateTime<Utc>) -> f64 {
        LEFT + self.axis.frac(t).clamp(0.0, 1.0) * (W - LEFT - RIGHT)
    }
}

/// Grid lines and time labels over a plot `top`..`bottom`.
fn time_grid(s: &mut String, axis: &Axis, zone: Tz, top: f64, bottom: f64, labels_at: f64) {
    let xs = Xs { axis: *axis };
    let mut last_day = None;
    for t in ticks(axis, zone) {
        let x = xs.x(t);
        let local = t.with_timezone(&zone);
        let _ = write!(
            s,
            r##"<line class="grid" x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#d0d7de" stroke-width="1"/>"##
        );
        let _ = write!(
            s,
            r#"<text class="tick" x="{x:.1}" y="{labels_at:.1}" text-anchor="middle">{}</text>"#,
            hm(t, zone)
        );
        let day = local.date_naive();
        if last_day != Some(day) {
            let _ = write!(
                s,
                r#"<text class="day" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                labels_at - 14.0,
                local.format("%a %-d %b")
            );
            last_day = Some(day);
        }
        let _ = local.hour();
    }
}

/// The `--at` line over `top`..`bottom`, or an arrow at the edge when the
/// axis does not reach it.
fn at_line(s: &mut String, r: &Report<'_>, axis: &Axis, top: f64, bottom: f64) {
    let xs = Xs { axis: *axis };
    let label = format!("at {}", short(r.at, r.zone));
    if axis.contains(r.at) {
        let x = xs.x(r.at);
        let _ = write!(
            s,
            r##"<g class="at-line" data-at="{}"><line x1="{x:.1}" y1="{top:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#d32f2f" stroke-width="2"/><text x="{:.1}" y="{:.1}" fill="#d32f2f" class="at-label">{}</text></g>"##,
            sijil_core::time::utc_text(r.at),
            x + 4.0,
            top + 11.0,
            esc(&label)
        );
    } else {
        let (x, anchor, text) = if r.at < axis.from {
            (LEFT + 2.0, "start", format!("← {label} (before the axis)"))
        } else {
            (W - RIGHT - 2.0, "end", format!("{label} (after the axis) →"))
        };
        let _ = write!(
            s,
            r##"<g class="at-off" data-at="{}"><text x="{x:.1}" y="{:.1}" text-anchor="{anchor}" fill="#d32f2f" class="at-label">{}</text></g>"##,
            sijil_core::time::utc_text(r.at),
            top + 11.0,
            esc(&text)
        );
    }
}

/// A lane label: the English name, the Arabic name under it.
fn lane_label(s: &mut String, name: &str, name_ar: Option<&str>, y: f64) {
    let _ = write!(s, r#"<text class="lane-name" x="10" y="{:.1}">{}</text>"#, y + 17.0, esc(name));
    if let Some(ar) = name_ar {
        let _ = write!(
            s,
            r#"<text class="lane-name-ar ar" lang="ar" direction="rtl" x="{:.1}" y="{:.1}" text-anchor="start">{}</text>"#,
            LEFT - 12.0,
            y + 35.0,
            esc(ar)
        );
    }
}

/// The timeline: one lane per area.
pub(crate) fn timeline(r: &Report<'_>, lanes: &[Lane<'_>], axis: &Axis) -> String {
    const BAR: f64 = 15.0;
    const ROW: f64 = 19.0;
    const MARKS: f64 = 22.0;
    let xs = Xs { axis: *axis };
    let zone = r.zone;
    let header = 46.0;
    // pack each lane's bars into rows so that overlapping ones stay visible
    let mut packed: Vec<Vec<usize>> = Vec::new();
    let mut heights = Vec::new();
    for l in lanes {
        let mut rows: Vec<DateTime<Utc>> = Vec::new();
        let mut at_row = Vec::new();
        for b in &l.bars {
            let end = b.end.unwrap_or(axis.to).max(b.start + Duration::minutes(1));
            match rows.iter().position(|free| *free <= b.start) {
                Some(i) => {
                    rows[i] = end;
                    at_row.push(i);
                }
                None => {
                    rows.push(end);
                    at_row.push(rows.len() - 1);
                }
            }
        }
        heights.push((8.0 + MARKS + rows.len() as f64 * ROW + 6.0).max(48.0));
        packed.push(at_row);
    }
    let lanes_h: f64 = heights.iter().sum();
    let legend_h = 52.0;
    let h = header + lanes_h + legend_h;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="timeline" class="chart" viewBox="0 0 {W:.0} {h:.0}" role="img" aria-labelledby="timeline-title">"#
    );
    let _ = write!(s, r#"<title id="timeline-title">Timeline by area, times in {}</title>"#, esc(zone.name()));
    time_grid(&mut s, axis, zone, header - 4.0, header + lanes_h, header - 8.0);
    let mut y = header;
    for ((l, rows), lh) in lanes.iter().zip(&packed).zip(&heights) {
        let _ = write!(s, r#"<g class="lane" data-area="{}">"#, esc(&l.slug));
        let _ = write!(
            s,
            r##"<rect class="lane-bg" x="0" y="{y:.1}" width="{W:.0}" height="{lh:.1}" fill="none" stroke="#e3e7eb"/>"##
        );
        lane_label(&mut s, &l.name, l.name_ar.as_deref(), y);
        for m in &l.marks {
            let e = m.event;
            let x = xs.x(m.at);
            let my = y + 6.0 + MARKS / 2.0;
            let tip = format!("#{} {} {} — {}", m.seq, e.kind, began(e, m.at, zone, r.at), e.source.name);
            let _ = write!(s, r#"<g class="mark {}" data-kind="{}" data-seq="{}">"#, e.kind, e.kind, m.seq);
            let _ = write!(s, "<title>{}</title>", esc(&tip));
            let cx = match m.day_end {
                Some(end) => {
                    let x2 = xs.x(end);
                    let _ = write!(
                        s,
                        r#"<rect class="day-span" x="{x:.1}" y="{:.1}" width="{:.1}" height="6" fill="{}" opacity="0.25"/>"#,
                        my - 3.0,
                        (x2 - x).max(1.0),
                        kind_colour(e.kind.as_str())
                    );
                    (x + x2) / 2.0
                }
                None => x,
            };
            s.push_str(&symbol(e.kind, cx, my));
            s.push_str("</g>");
        }
        for (b, row) in l.bars.iter().zip(rows) {
            let e = b.event;
            let x1 = xs.x(b.start);
            let x2 = xs.x(b.end.unwrap_or(axis.to)).max(x1 + 2.0);
            let by = y + 6.0 + MARKS + *row as f64 * ROW;
            let colour = kind_colour(e.kind.as_str());
            let open = b.end.is_none() || b.end.is_some_and(|t| t > axis.to);
            let mut classes = format!("bar {}", e.kind);
            if open {
                classes.push_str(" open");
            }
            if b.via {
                classes.push_str(" via");
            }
            let until = match b.end {
                Some(t) => format!(
                    "until {}",
                    crate::render::end_moment(t, b.end_day.then_some("day"), zone, r.zone_of_log(), r.at)
                ),
                None => "no end recorded".to_string(),
            };
            let tip =
                format!("#{} {} from {} {} — {}", b.seq, e.kind, began(e, b.start, zone, r.at), until, e.source.name);
            let _ = write!(s, r#"<g class="{classes}" data-kind="{}" data-seq="{}">"#, e.kind, b.seq);
            let _ = write!(s, "<title>{}</title>", esc(&tip));
            let opacity = if b.via { "0.45" } else { "0.85" };
            let _ = write!(
                s,
                r#"<rect x="{x1:.1}" y="{by:.1}" width="{:.1}" height="{BAR:.1}" rx="2" fill="{colour}" opacity="{opacity}"/>"#,
                x2 - x1
            );
            if open {
                let _ = write!(
                    s,
                    r#"<path d="M{:.1} {:.1}L{:.1} {:.1}L{:.1} {:.1}Z" fill="{colour}"/>"#,
                    x2,
                    by - 2.0,
                    x2 + 7.0,
                    by + BAR / 2.0,
                    x2,
                    by + BAR + 2.0
                );
            }
            let mut label = e.kind.to_string();
            if e.kind == Kind::Ultimatum {
                // labelled with its deadline, even when an `ended` stopped the bar before it
                if let Some(d) = e.deadline {
                    label = match d {
                        // a deadline given as a date: that day, not its end's midnight
                        sijil_core::Time::Day(day) => format!("ultimatum → {} (day)", day.format("%-d %b")),
                        d => format!("ultimatum → {}", hm(d.end(r.zone_of_log()), zone)),
                    };
                }
            }
            if b.via {
                label.push_str(" (via)");
            }
            if x2 - x1 >= 7.0 * label.chars().count() as f64 {
                let _ = write!(
                    s,
                    r##"<text class="bar-label" x="{:.1}" y="{:.1}" fill="#ffffff">{}</text>"##,
                    x1 + 4.0,
                    by + BAR - 4.0,
                    esc(&label)
                );
            }
            s.push_str("</g>");
        }
        s.push_str("</g>");
        y += lh;
    }
    at_line(&mut s, r, axis, header - 4.0, header + lanes_h);
    // legend
    let mut lx = 10.0;
    let ly = header + lanes_h + 20.0;
    for (k, c) in DURATIVE {
        let _ = write!(
            s,
            r#"<rect x="{lx:.1}" y="{:.1}" width="18" height="10" fill="{c}"/><text class="legend" x="{:.1}" y="{ly:.1}">{k}</text>"#,
            ly - 9.0,
            lx + 22.0
        );
        lx += 30.0 + 7.0 * k.len() as f64;
    }
    // point kinds on a second row
    lx = 10.0;
    let ly = ly + 20.0;
    for k in [
        Kind::Shelling,
        Kind::Sniping,
        Kind::ArmedClash,
        Kind::Detention,
        Kind::ControlClaim,
        Kind::CasualtyReport,
        Kind::Statement,
    ] {
        s.push_str(&symbol(k, lx + 6.0, ly - 4.0));
        let _ = write!(s, r#"<text class="legend" x="{:.1}" y="{ly:.1}">{}</text>"#, lx + 16.0, k);
        lx += 26.0 + 7.0 * k.as_str().len() as f64;
    }
    s.push_str("</svg>");
    s
}

/// A round step for an axis from 0 to `max` with about five ticks.
fn nice_step(max: u64) -> u64 {
    let raw = (max.max(1) as f64 / 5.0).max(1.0);
    let mag = 10f64.powi(raw.log10().floor() as i32);
    let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    step as u64
}

/// Killed and wounded per source, as step lines over valid time.
pub(crate) fn casualties(r: &Report<'_>, series: &[Series], axis: &Axis) -> String {
    const PANEL: f64 = 150.0;
    const GAP: f64 = 34.0;
    let xs = Xs { axis: *axis };
    let top = 46.0;
    let legend_h = 18.0 * series.len().max(1) as f64 + 10.0;
    let h = top + 2.0 * PANEL + GAP + legend_h + 10.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="casualties" class="chart" viewBox="0 0 {W:.0} {h:.0}" role="img" aria-labelledby="casualties-title">"#
    );
    s.push_str(r#"<title id="casualties-title">Casualty claims per source over valid time</title>"#);
    let panels: [(&str, usize); 2] = [("killed", 1), ("wounded", 2)];
    for (i, (what, field)) in panels.iter().enumerate() {
        let y0 = top + i as f64 * (PANEL + GAP);
        let y1 = y0 + PANEL;
        let value = |p: &super::Point| if *field == 1 { p.killed } else { p.wounded };
        let max = series.iter().flat_map(|x| x.points.iter().filter_map(value)).max().unwrap_or(0);
        let step = nice_step(max);
        let top_value = (max.div_ceil(step).max(1)) * step;
        let y = |v: u64| y1 - v as f64 / top_value as f64 * (PANEL - 10.0);
        let _ = write!(s, r#"<g class="panel" data-measure="{what}">"#);
        time_grid(&mut s, axis, r.zone, y0, y1, if i == 0 { top - 8.0 } else { y0 - 4.0 });
        let mut v = 0;
        while v <= top_value {
            let _ = write!(
                s,
                r##"<line x1="{LEFT:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#eef1f4"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"##,
                y(v),
                W - RIGHT,
                y(v),
                LEFT - 6.0,
                y(v) + 4.0
            );
            v += step;
        }
        let _ = write!(s, r#"<text class="panel-title" x="10" y="{:.1}">{what}</text>"#, y0 + 16.0);
        let _ =
            write!(s, r##"<line x1="{LEFT:.1}" y1="{y1:.1}" x2="{:.1}" y2="{y1:.1}" stroke="#8c959f"/>"##, W - RIGHT);
        for (n, x) in series.iter().enumerate() {
            let colour = PALETTE[n % PALETTE.len()];
            // a report given as a date is as of that day in the log's zone
            let pts: Vec<(DateTime<Utc>, u64, String)> = x
                .points
                .iter()
                .filter_map(|p| {
                    let when = p
                        .day
                        .as_ref()
                        .map_or_else(|| crate::render::short_under(p.at, r.zone, r.at), |d| format!("{d} (day)"));
                    value(p).map(|v| (p.at, v, when))
                })
                .collect();
            if pts.is_empty() {
                continue;
            }
            // the figure in force when the axis starts, then each change
            let carried = pts.iter().rev().find(|p| p.0 < axis.from).map(|p| p.1);
            let mut d = String::new();
            let mut last: Option<f64> = None;
            if let Some(c) = carried {
                let _ = write!(d, "M{:.1} {:.1}", xs.x(axis.from), y(c));
                last = Some(y(c));
            }
            for (t, v, _) in pts.iter().filter(|p| axis.contains(p.0)) {
                let (px, py) = (xs.x(*t), y(*v));
                match last {
                    None => {
                        let _ = write!(d, "M{px:.1} {py:.1}");
                    }
                    Some(_) => {
                        let _ = write!(d, "H{px:.1}V{py:.1}");
                    }
                }
                last = Some(py);
            }
            if last.is_some() {
                let _ = write!(d, "H{:.1}", xs.x(axis.to));
            }
            let dash = if *field == 2 { r#" stroke-dasharray="6 3""# } else { "" };
            let _ = write!(
                s,
                r#"<g class="series" data-source="{}" data-measure="{what}"><path d="{d}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>"#,
                esc(&x.source)
            );
            for (t, v, when) in pts.iter().filter(|p| axis.contains(p.0)) {
                let (px, py) = (xs.x(*t), y(*v));
                let _ = write!(
                    s,
                    r#"<circle cx="{px:.1}" cy="{py:.1}" r="3.5" fill="{colour}"><title>{}</title></circle><text class="value" x="{:.1}" y="{:.1}" fill="{colour}">{v}</text>"#,
                    esc(&format!("{}: {what} {v} as of {when}", x.source)),
                    px + 5.0,
                    py - 5.0
                );
            }
            s.push_str("</g>");
        }
        at_line(&mut s, r, axis, y0, y1);
        s.push_str("</g>");
    }
    let ly = top + 2.0 * PANEL + GAP + 18.0;
    if series.is_empty() {
        let _ = write!(s, r#"<text class="legend" x="{LEFT:.1}" y="{ly:.1}">No casualty claims.</text>"#);
    }
    for (n, x) in series.iter().enumerate() {
        let colour = PALETTE[n % PALETTE.len()];
        let yy = ly + n as f64 * 18.0;
        let _ = write!(
            s,
            r#"<line x1="10" y1="{:.1}" x2="40" y2="{:.1}" stroke="{colour}" stroke-width="2.5"/><line x1="46" y1="{:.1}" x2="76" y2="{:.1}" stroke="{colour}" stroke-width="2.5" stroke-dasharray="6 3"/><text class="legend" x="84" y="{yy:.1}"><tspan dir="auto">{}</tspan> — killed (solid), wounded (dashed)</text>"#,
            yy - 4.0,
            yy - 4.0,
            yy - 4.0,
            yy - 4.0,
            esc(&x.source)
        );
    }
    s.push_str("</svg>");
    s
}

/// The map sketch: areas at their coordinates, sized by incidents, ringed
/// by what is in force at `--at`.
pub(crate) fn map(places: &[Place]) -> String {
    const MW: f64 = 640.0;
    const MH: f64 = 460.0;
    const PADX: f64 = 160.0;
    const PADY: f64 = 60.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg id="map" class="chart" viewBox="0 0 {MW:.0} {MH:.0}" role="img" aria-labelledby="map-title">"#
    );
    s.push_str(r#"<title id="map-title">Map sketch of the areas with coordinates (no tiles)</title>"#);
    let _ = write!(
        s,
        r##"<rect x="0.5" y="0.5" width="{:.0}" height="{:.0}" fill="#f7f9fa" stroke="#d0d7de"/>"##,
        MW - 1.0,
        MH - 1.0
    );
    if places.is_empty() {
        s.push_str(r#"<text class="legend" x="20" y="40">No area has coordinates.</text></svg>"#);
        return s;
    }
    let lat_c = places.iter().map(|p| p.lat).sum::<f64>() / places.len() as f64;
    let k = lat_c.to_radians().cos();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in places {
        x0 = x0.min(p.lon * k);
        x1 = x1.max(p.lon * k);
        y0 = y0.min(p.lat);
        y1 = y1.max(p.lat);
    }
    let (dx, dy) = ((x1 - x0).max(0.005), (y1 - y0).max(0.005));
    let scale = ((MW - 2.0 * PADX) / dx).min((MH - 2.0 * PADY - 30.0) / dy);
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let px = |lon: f64| MW / 2.0 + (lon * k - cx) * scale;
    let py = |lat: f64| (MH - 30.0) / 2.0 - (lat - cy) * scale;
    // larger discs first, so smaller ones stay on top
    let mut order: Vec<&Place> = places.iter().collect();
    order.sort_by(|a, b| b.incidents.cmp(&a.incidents).then(a.slug.cmp(&b.slug)));
    for p in order {
        let (x, y) = (px(p.lon), py(p.lat));
        let r = 7.0 + 4.0 * (p.incidents as f64).sqrt();
        let fill = if p.incidents > 0 { "#c62828" } else { "#90a4ae" };
        let _ = write!(
            s,
            r#"<g class="place" data-area="{}" data-lat="{}" data-lon="{}" data-incidents="{}" data-in-force="{}">"#,
            esc(&p.slug),
            p.lat,
            p.lon,
            p.incidents,
            p.in_force.join(" ")
        );
        let tip = format!(
            "{} — {} incident{}; in force: {}",
            p.name,
            p.incidents,
            if p.incidents == 1 { "" } else { "s" },
            if p.in_force.is_empty() { "nothing".to_string() } else { p.in_force.join(", ") }
        );
        let _ = write!(s, "<title>{}</title>", esc(&tip));
        let _ = write!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}" fill-opacity="0.55" stroke="#37474f"/>"##
        );
        for (i, kind) in p.in_force.iter().enumerate() {
            let c = kind_colour(kind);
            let _ = write!(
                s,
                r#"<circle class="ring {kind}" cx="{x:.1}" cy="{y:.1}" r="{:.1}" fill="none" stroke="{c}" stroke-width="3.5"/>"#,
                r + 4.0 + 4.5 * i as f64
            );
        }
        // labels beside the disc, away from the middle of the sketch
        let outer = r + 4.5 * p.in_force.len() as f64 + 4.0;
        let (lx, anchor) = if x < MW / 2.0 { (x - outer, "end") } else { (x + outer, "start") };
        let _ = write!(
            s,
            r#"<text class="place-name" x="{lx:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            y - 2.0,
            esc(&p.name)
        );
        if let Some(ar) = &p.name_ar {
            let _ = write!(
                s,
                r#"<text class="place-name-ar ar" lang="ar" x="{lx:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
                y + 15.0,
                esc(ar)
            );
        }
        s.push_str("</g>");
    }
    // scale bar: a round number of kilometres near a sixth of the width
    let px_per_km = scale / 111.32;
    let want = (MW / 6.0) / px_per_km;
    let km = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0]
        .into_iter()
        .rev()
        .find(|k| *k <= want)
        .unwrap_or(0.1);
    let bar = km * px_per_km;
    let by = MH - 18.0;
    let _ = write!(
        s,
        r##"<g class="scale"><path d="M16 {:.1}V{by:.1}H{:.1}V{:.1}" fill="none" stroke="#37474f" stroke-width="1.5"/><text class="legend" x="{:.1}" y="{:.1}">{km} km</text></g>"##,
        by - 5.0,
        16.0 + bar,
        by - 5.0,
        22.0 + bar,
        by
    );
    let _ = write!(
        s,
        r##"<g class="north"><path d="M{:.1} 18L{:.1} 38L{:.1} 32L{:.1} 38Z" fill="#37474f"/><text class="legend" x="{:.1}" y="52" text-anchor="middle">N</text></g>"##,
        MW - 24.0,
        MW - 31.0,
        MW - 24.0,
        MW - 17.0,
        MW - 24.0
    );
    s.push_str("</svg>");
    s
}
