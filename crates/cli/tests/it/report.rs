//! `sijil report`: the demo's page is well formed, self-contained, and
//! holds the lanes, bars, lines, places and names it should; log text is
//! escaped; the timeline SVG matches its golden file; and, where Debian's
//! `chromium` is installed, a real browser parses the page into the DOM
//! these checks expect.

use std::path::Path;

use crate::support::{golden, TestEnv};

const AT: &str = "2026-01-09T05:00";

/// The demo's report at 05:00 in Damascus, as written with `-o`.
fn demo_report(env: &TestEnv, extra: &[&str]) -> String {
    let path = env.dir().join("report.html");
    let mut args = vec!["report", "--at", AT, "-o", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    env.run(&args).ok();
    std::fs::read_to_string(&path).expect("the report was written")
}

/// Checks that every tag is closed in order (void elements self-closed)
/// and that no `<` or `&` stands unescaped in text; returns the element
/// names in document order.
fn check_balanced(html: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = html.strip_prefix("<!DOCTYPE html>\n").expect("the page starts with a doctype");
    while let Some(i) = rest.find(['<', '&']) {
        let text = &rest[..i];
        assert!(!text.contains('>') || stack.last().is_some_and(|t| t == "style"), "a stray > in text: {text:?}");
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest.find(';').unwrap_or_else(|| panic!("an unescaped & near {:?}", &rest[..rest.len().min(40)]));
            let entity = &rest[1..end];
            assert!(
                ["amp", "lt", "gt", "quot", "#39"].contains(&entity),
                "unknown entity &{entity}; near {:?}",
                &rest[..rest.len().min(40)]
            );
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest.find('>').expect("a tag is closed");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        assert!(!tag.contains('<'), "a < inside a tag: {tag:?}");
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().unwrap_or_else(|| panic!("</{name}> closes nothing"));
            assert_eq!(open, name, "<{open}> is closed by </{name}>");
            continue;
        }
        let name: String = tag.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        assert!(!name.is_empty(), "not a tag: <{tag}>");
        // attribute values are quoted, with no raw < or > (checked above)
        assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes in <{tag}>");
        seen.push(name.clone());
        if !tag.ends_with('/') {
            assert!(
                !["meta", "br", "link", "img", "hr", "input"].contains(&name.as_str()),
                "<{name}> is not self-closed"
            );
            stack.push(name);
        }
    }
    assert!(rest.trim().is_empty(), "text after the last tag: {rest:?}");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    seen
}

/// The element `<svg id="ID" …>…</svg>` of the page.
fn svg_of<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!(r#"<svg id="{id}""#)).unwrap_or_else(|| panic!("no svg #{id}"));
    let end = start + html[start..].find("</svg>").unwrap() + "</svg>".len();
    &html[start..end]
}

/// The values of `attr` on elements whose opening tag contains `marker`.
fn attrs<'a>(html: &'a str, marker: &str, attr: &str) -> Vec<&'a str> {
    html.match_indices(marker)
        .filter_map(|(i, _)| {
            let tag = &html[i..i + html[i..].find('>').unwrap()];
            let at = tag.find(&format!(r#" {attr}=""#))? + attr.len() + 3;
            Some(&tag[at..at + tag[at..].find('"').unwrap()])
        })
        .collect()
}

#[test]
fn the_demo_report_is_well_formed_and_self_contained() {
    let env = TestEnv::aleppo();
    let html = demo_report(&env, &[]);
    let tags = check_balanced(&html);
    for t in ["html", "head", "style", "body", "svg", "table"] {
        assert!(tags.iter().any(|x| x == t), "no <{t}>");
    }
    assert_eq!(tags.iter().filter(|t| *t == "svg").count(), 3, "timeline, casualties and map");
    assert!(!tags.iter().any(|t| t == "script" || t == "link" || t == "img" || t == "iframe"), "{tags:?}");
    for never in ["http://", "https://", "url(", "@import", "src="] {
        assert!(!html.contains(never), "the page refers to {never:?}: it must need no network");
    }
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\""));
    assert!(html.contains(r#"<meta charset="utf-8"/>"#));
    assert!(html.contains(r#""Noto Naskh Arabic", "Amiri""#), "an Arabic-capable font stack");
    assert!(html.contains("@page { size: A4;") && html.contains("@media print"), "a print stylesheet for A4");
}

#[test]
fn the_timeline_has_a_lane_per_area_and_the_bars_of_the_night() {
    let env = TestEnv::aleppo();
    let html = demo_report(&env, &[]);
    let svg = svg_of(&html, "timeline");
    let lanes = attrs(svg, r#"<g class="lane""#, "data-area");
    assert_eq!(
        lanes,
        [
            "aleppo",
            "aleppo/al-awarid-crossing",
            "aleppo/ashrafiyeh",
            "aleppo/bani-zaid",
            "aleppo/sheikh-maqsoud",
            "aleppo/zuhour-street-crossing"
        ]
    );
    // per lane, the kinds of its bars
    let bars_in = |slug: &str| -> Vec<String> {
        let start = svg.find(&format!(r#"<g class="lane" data-area="{slug}""#)).unwrap();
        let end = svg[start + 1..].find(r#"<g class="lane""#).map_or(svg.len(), |i| start + 1 + i);
        attrs(&svg[start..end], r#"<g class="bar"#, "class").into_iter().map(str::to_string).collect()
    };
    assert_eq!(
        bars_in("aleppo/ashrafiyeh"),
        ["bar evacuation open", "bar curfew open", "bar deployment open", "bar ceasefire open", "bar ultimatum"]
    );
    assert_eq!(bars_in("aleppo/bani-zaid"), ["bar evacuation open", "bar ceasefire open", "bar ultimatum"]);
    assert_eq!(bars_in("aleppo/al-awarid-crossing"), ["bar evacuation open via"]);
    assert!(bars_in("aleppo").is_empty(), "nothing durative names the city itself");
    // the ultimatum window runs from 03:00 to its 09:00 deadline and says so
    assert!(svg.contains("ultimatum from 2026-01-09 03:00 until 2026-01-09 09:00"), "the window's tooltip");
    assert!(svg.contains("ultimatum → 09:00"), "the window's label");
    assert!(svg.contains("ceasefire from 2026-01-09 03:00 no end recorded"));
    // the red line at --at, inside the axis
    assert_eq!(attrs(svg, r#"<g class="at-line""#, "data-at"), ["2026-01-09T02:00:00Z"]);
    assert!(svg.contains("at 2026-01-09 05:00"));
    // marks by kind, and times in the log's zone
    for kind in ["shelling", "sniping", "armed_clash", "detention", "control_claim", "casualty_report"] {
        assert!(svg.contains(&format!(r#"data-kind="{kind}""#)), "a {kind} mark");
    }
    assert!(svg.contains(">Thu 8 Jan<") && svg.contains(">Fri 9 Jan<"), "day labels in Damascus");
    assert!(svg.contains(">Timeline by area, times in Asia/Damascus<"));
}

#[test]
fn the_casualty_chart_has_each_sources_lines() {
    let env = TestEnv::aleppo();
    let html = demo_report(&env, &[]);
    let svg = svg_of(&html, "casualties");
    let series = attrs(svg, r#"<g class="series""#, "data-source");
    assert_eq!(
        series,
        ["Aleppo Health Directorate", "SDF", "Aleppo Health Directorate", "SDF"],
        "killed, then wounded"
    );
    let measures = attrs(svg, r#"<g class="series""#, "data-measure");
    assert_eq!(measures, ["killed", "killed", "wounded", "wounded"]);
    // SDF's corrected figure (64 wounded, not 46) is the one drawn
    assert!(svg.contains("SDF: wounded 64 as of 2026-01-08 20:00"));
    assert!(!svg.contains("wounded 46"));
    assert!(svg.contains("Aleppo Health Directorate: killed 9 as of 2026-01-08 19:30"));
    assert!(svg.contains("SDF: killed 12 as of 2026-01-08 20:00"));
    assert_eq!(attrs(svg, r#"<g class="at-line""#, "data-at").len(), 2, "the --at line on both panels");
}

#[test]
fn the_map_places_the_four_areas_with_coordinates_in_english_and_arabic() {
    let env = TestEnv::aleppo();
    let html = demo_report(&env, &[]);
    let svg = svg_of(&html, "map");
    let places = attrs(svg, r#"<g class="place""#, "data-area");
    let mut sorted = places.clone();
    sorted.sort();
    assert_eq!(sorted, ["aleppo", "aleppo/ashrafiyeh", "aleppo/bani-zaid", "aleppo/sheikh-maqsoud"]);
    assert_eq!(attrs(svg, r#"<g class="place" data-area="aleppo/ashrafiyeh""#, "data-lat"), ["36.2215"]);
    assert_eq!(attrs(svg, r#"<g class="place" data-area="aleppo/ashrafiyeh""#, "data-lon"), ["37.147"]);
    assert_eq!(
        attrs(svg, r#"<g class="place" data-area="aleppo/ashrafiyeh""#, "data-in-force"),
        ["ceasefire curfew evacuation ultimatum deployment"]
    );
    assert_eq!(
        attrs(svg, r#"<g class="place" data-area="aleppo/bani-zaid""#, "data-in-force"),
        ["ceasefire evacuation ultimatum"]
    );
    for (en, ar) in
        [("Aleppo", "حلب"), ("Ashrafiyeh", "الأشرفية"), ("Sheikh Maqsoud", "الشيخ مقصود"), ("Bani Zaid", "بني زيد")]
    {
        assert!(svg.contains(&format!(">{en}</text>")), "{en} on the map");
        assert!(svg.contains(r#"lang="ar" x="#) && svg.contains(&format!(">{ar}</text>")), "{ar} on the map");
    }
    assert!(html.contains("Not on the map (no coordinates): <bdi>Al-Awarid crossing point</bdi>"));
    // Arabic runs elsewhere are isolated and marked
    assert!(html.contains(r#"<bdi class="ar" lang="ar" dir="rtl">الأشرفية</bdi>"#));
    assert!(html.contains(r#"<p dir="auto">"#), "notes take their direction from their text");
}

#[test]
fn the_situation_table_and_event_list_follow_the_state_and_the_log() {
    let env = TestEnv::aleppo();
    let html = demo_report(&env, &[]);
    let situation =
        &html[html.find(r#"<section id="situation">"#).unwrap()..html.find(r#"<section id="events">"#).unwrap()];
    assert!(situation.contains("ultimatum to <bdi>Syrian Democratic Forces</bdi>"), "{situation}");
    assert!(situation.contains("pending, 4h00 left"));
    let events = &html[html.find(r#"<section id="events">"#).unwrap()..];
    let seqs = attrs(events, "<tr data-seq=", "data-seq");
    // 50 events: 20 definitions, and SDF's report #38 replaced by its correction #50 (same valid time)
    assert_eq!(seqs.len(), 29, "{seqs:?}");
    assert!(!seqs.contains(&"38") && seqs.contains(&"50"), "{seqs:?}");
    assert!(events.contains("(a correction)"));
    assert!(events.contains("Syrian Civil Defence"));
}

#[test]
fn text_from_the_log_is_escaped() {
    let env = TestEnv::aleppo();
    env.append(
        r#"{"kind":"shelling","at":"2026-01-09T04:00","areas":["ashrafiyeh"],"note":"<script>alert(\"x\")</script> & 'q'","source":{"name":"Src <i>bold</i>"}}"#,
    );
    let html = demo_report(&env, &[]);
    check_balanced(&html);
    assert!(!html.contains("<script"), "a note became markup");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"));
    assert!(html.contains("Src &lt;i&gt;bold&lt;/i&gt;"), "the source is escaped in the list and the tooltips");
    assert!(!html.contains("<i>"));
}

/// A deployment whose end falls before its corrected start is in force at
/// no time, as `state` has it: no bar (it drew one ending before it began).
#[test]
fn a_span_ended_before_its_corrected_start_draws_no_bar() {
    let env = TestEnv::aleppo();
    env.import_text(
        r#"{"id":"00000000-0000-7000-8000-000000000901","kind":"deployment","at":"2026-01-09T01:00","until":"2026-01-09T09:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"S1"}
{"id":"00000000-0000-7000-8000-000000000902","kind":"ended","at":"2026-01-09T02:00","ends":"00000000-0000-7000-8000-000000000901","source":"S1"}
{"id":"00000000-0000-7000-8000-000000000903","kind":"deployment","at":"2026-01-09T04:00","until":"2026-01-09T09:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"S1","corrects":"00000000-0000-7000-8000-000000000901"}
"#,
    );
    let html = demo_report(&env, &[]);
    let svg = svg_of(&html, "timeline");
    assert!(!svg.contains(r#"data-seq="53""#), "a bar for a deployment in force at no time");
    let state = env.state(AT, &[]);
    assert!(
        !state["areas"]["aleppo/ashrafiyeh"]["forces"].to_string().contains("000000000903"),
        "state agrees: never present"
    );
}

/// A date is that day in the log's zone, whatever zone the page is shown in.
#[test]
fn a_date_keeps_its_day_when_the_page_is_in_another_zone() {
    let env = TestEnv::aleppo();
    let html = demo_report(&env, &["--tz", "Europe/London"]);
    assert!(html.contains("<title>#21 shelling 2026-01-08 (day) — "), "the day of #21 moved");
}

#[test]
fn a_source_written_in_arabic_is_marked_as_arabic() {
    let env = TestEnv::aleppo();
    env.append(r#"{"kind":"shelling","at":"2026-01-09T04:00","areas":["aleppo/ashrafiyeh"],"source":"تلفزيون سوريا"}"#);
    let html = demo_report(&env, &[]);
    check_balanced(&html);
    assert!(
        html.contains(r#"<bdi class="ar" lang="ar" dir="rtl">تلفزيون سوريا</bdi>"#),
        "the Arabic source is not marked"
    );
    // a source in Latin letters is not
    assert!(html.contains("<bdi>SOHR</bdi>"));
}

#[test]
fn area_and_window_flags_narrow_the_report() {
    let env = TestEnv::aleppo();
    let html =
        demo_report(&env, &["--area", "ashrafiyeh", "--since", "2026-01-08T18:00", "--until", "2026-01-09T10:00"]);
    check_balanced(&html);
    let svg = svg_of(&html, "timeline");
    assert_eq!(attrs(svg, r#"<g class="lane""#, "data-area"), ["aleppo/ashrafiyeh"]);
    // the evacuation began before --since and still shows, as it overlaps the window
    assert!(svg.contains(r#"<g class="bar evacuation open""#));
    assert!(!svg.contains("data-seq=\"27\""), "the 14:00 clash is before --since");
    assert!(html.contains("Charts from 2026-01-08 18:00 to 2026-01-09 10:00"));
    // the events without an area are counted in the window the page lists
    // (#23, #34 and #46 in the whole log; only #34 between 12:00 and 20:00)
    let whole = demo_report(&env, &[]);
    assert!(whole.contains("3 events name no area and appear only in the event list."));
    let window = demo_report(&env, &["--since", "2026-01-08T12:00", "--until", "2026-01-08T20:00"]);
    assert!(window.contains("1 event names no area and appears only in the event list."));
    // stdout when no -o, and --since after --until is refused
    let out = env.run(&["report", "--at", AT]).ok().stdout.clone();
    assert!(out.starts_with("<!DOCTYPE html>"));
    env.run(&["report", "--since", "2026-01-09", "--until", "2026-01-08"])
        .fails(2, "error: --since must be before --until\n");
}

#[test]
fn the_timeline_svg_of_the_demo_matches_its_golden_file() {
    let env = TestEnv::aleppo();
    let html = demo_report(&env, &[]);
    // one element per line, so that a change reads as a diff
    let svg = svg_of(&html, "timeline").replace("><", ">\n<") + "\n";
    golden("report-timeline.svg", &svg);
}

#[test]
fn a_headless_browser_reads_the_demo_into_the_expected_dom() {
    let chromium = Path::new("/usr/bin/chromium");
    if !chromium.exists() {
        eprintln!("SKIPPED: /usr/bin/chromium is absent; install Debian's chromium to run the browser check");
        return;
    }
    let env = TestEnv::aleppo();
    let _ = demo_report(&env, &[]);
    let page = env.dir().join("report.html");
    let profile = env.dir().join("chromium-profile");
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .env("HOME", env.dir())
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && dom.contains("</html>"),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // the browser's own serialisation: the structure survived its parser
    assert_eq!(dom.matches(r#"<g class="lane" data-area="#).count(), 6);
    assert_eq!(dom.matches(r#"<g class="bar ceasefire open""#).count(), 3);
    assert_eq!(dom.matches(r#"<g class="bar ultimatum""#).count(), 3);
    assert_eq!(dom.matches(r#"<g class="place" data-area="#).count(), 4);
    assert_eq!(dom.matches(r#"<g class="series" data-source="#).count(), 4);
    assert!(dom.contains(r#"<g class="at-line" data-at="2026-01-09T02:00:00Z">"#));
    assert!(dom.contains("الشيخ مقصود"));
    assert!(!dom.contains("<script"));
}

/// Names time-travel: at a moment before an area or actor was renamed,
/// every part of the page (situation table and event list) uses the names
/// of that moment, as `state` does, not the later ones.
#[test]
fn names_are_those_defined_at_the_moment_of_the_report() {
    let env = TestEnv::aleppo();
    env.run_stdin(
        &["import", "-"],
        r#"{"kind":"area","area":"aleppo/ashrafiyeh","at":"2026-01-10T00:00","name":"Renamed Later","name_ar":"اسم لاحق","parent":"aleppo","source":"G"}
{"kind":"actor","actor":"civil-defence","at":"2026-01-10T00:00","name":"Renamed Actor","source":"G"}
"#,
    )
    .code(0);
    assert_eq!(env.state(AT, &[])["areas"]["aleppo/ashrafiyeh"]["name"], "Ashrafiyeh");
    let html = demo_report(&env, &[]);
    assert!(!html.contains("Renamed Later"), "an area name from after --at");
    assert!(!html.contains("اسم لاحق"), "an Arabic area name from after --at");
    assert!(!html.contains("Renamed Actor"), "an actor name from after --at");
    assert!(html.contains("Syrian Civil Defence"));
}

/// An ultimatum ended before its deadline (withdrawn, or met) is dropped by
/// `state` from then on: its bar ends there too, still labelled with the
/// deadline; one not ended runs to its deadline.
#[test]
fn an_ultimatum_ended_before_its_deadline_ends_its_bar_there() {
    let env = TestEnv::aleppo();
    env.import_text(
        r#"{"id":"00000000-0000-7000-8000-000000000911","kind":"ultimatum","at":"2026-01-09T01:00","deadline":"2026-01-09T08:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","source":"S1"}
{"id":"00000000-0000-7000-8000-000000000912","kind":"ended","at":"2026-01-09T03:00","ends":"00000000-0000-7000-8000-000000000911","source":"S1"}
{"id":"00000000-0000-7000-8000-000000000913","kind":"ultimatum","at":"2026-01-09T01:00","deadline":"2026-01-09T08:00","areas":["aleppo/bani-zaid"],"actor":"sdf","source":"S1"}
"#,
    );
    let html = demo_report(&env, &[]);
    let svg = svg_of(&html, "timeline");
    let bar = |seq: &str| {
        let from = svg.find(&format!(r#"data-seq="{seq}""#)).unwrap_or_else(|| panic!("no bar #{seq}"));
        svg[from..from + svg[from..].find("</g>").unwrap_or(0)].to_string()
    };
    let (ended, open) = (bar("51"), bar("53"));
    assert!(ended.contains("until 2026-01-09 03:00"), "{ended}");
    assert!(open.contains("until 2026-01-09 08:00"), "{open}");
    // a label is drawn where the bar is wide enough for it: it names the deadline
    assert!(open.contains("ultimatum → 08:00"), "{open}");
    assert!(!ended.contains("ultimatum → 03:00"), "{ended}");
    let width = |b: &str| -> f64 {
        let w = &b[b.find("width=\"").map(|i| i + 7).unwrap_or(0)..];
        w[..w.find('"').unwrap_or(0)].parse().unwrap_or_default()
    };
    assert!(width(&ended) < width(&open) * 0.5, "{ended}\n{open}");
    let state = env.state(AT, &[]);
    assert!(!state.to_string().contains("000000000911"), "state agrees: dropped at 03:00");
    assert!(state.to_string().contains("000000000913"));
}
