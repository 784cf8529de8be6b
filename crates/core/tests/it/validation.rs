//! Validation, one line at a time: each case learns some lines into a
//! context built on the fixture registry, admits one more line and expects
//! either the exact canonical JSON that would be stored, a duplicate, or the
//! exact sentence of the rejection.

use serde_json::{Map, Value};
use std::collections::HashMap;

use sijil_core::{Admitted, Context, Event, Lookup, Registry, Rejection, Summary};
use uuid::Uuid;

use crate::support::{admit_new, context, id, REGISTRY, ZONE};

/// The id given to the admitted line when it names none.
const FRESH: &str = "00000000-0000-0000-0000-00000000f00d";

/// What admitting a line should give.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// A new event whose canonical JSON is exactly this.
    Stored(String),
    /// A repeat of the event with this id.
    Duplicate(String),
}

type Expected = Result<Outcome, Rejection>;

fn stored(canonical: &str) -> Expected {
    Ok(Outcome::Stored(canonical.to_string()))
}

fn duplicate(id: &str) -> Expected {
    Ok(Outcome::Duplicate(id.to_string()))
}

fn invalid(sentence: &str) -> Expected {
    Err(Rejection::Invalid(sentence.to_string()))
}

fn conflict(sentence: &str) -> Expected {
    Err(Rejection::Conflict(sentence.to_string()))
}

/// `(name, lines learned first, line admitted, expected outcome)`.
type Case = (String, Vec<&'static str>, String, Expected);

const KNOWN_KINDS: &str = "area, actor, ceasefire, curfew, ultimatum, deployment, withdrawal, control_claim, shelling, sniping, armed_clash, airstrike, casualty_report, evacuation, detention, statement, defection_call, ended, retraction";

const MISSING_SOURCE: &str =
    r#"missing "source": who reported it, as a name ("SANA") or {"name": …, "url": …, "published_at": …}"#;

/// A ceasefire at position 11 (id `…011`) that later lines can end,
/// correct or retract.
const CEASEFIRE_11: &str = r#"{"kind":"ceasefire","at":"2026-01-09T03:00","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","source":"SANA"}"#;
/// A shelling at position 11.
const SHELLING_11: &str =
    r#"{"kind":"shelling","at":"2026-01-09T01:00","areas":["aleppo/ashrafiyeh"],"source":"SANA"}"#;
/// A shelling at position 12 that corrects position 11.
const CORRECTION_12: &str = r#"{"kind":"shelling","at":"2026-01-09T01:30","areas":["aleppo/ashrafiyeh"],"corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#;
/// A retraction at position 12 of position 11.
const RETRACTION_12: &str = r#"{"kind":"retraction","at":"2026-01-09T05:00","retracts":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#;
/// An event with an id of its own, learned before a repeat of it.
const WITH_ID: &str = r#"{"id":"0194a3b2-7c00-7000-8000-000000000001","kind":"shelling","at":"2026-01-09T03:00","areas":["الأشرفية"],"actor":"قسد","note":"قصف على الأشرفية","source":"SANA"}"#;

/// `(kind, a valid line, its canonical JSON, [(required field, the sentence
/// when it is left out)])`; a field `a+b` leaves out both.
type KindCase = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static str)]);

/// Every kind once, valid, with its canonical form, and without each of its
/// required fields in turn. All are admitted after [`CEASEFIRE_11`].
const EVERY_KIND: &[KindCase] = &[
    (
        "area",
        r#"{"kind":"area","area":"aleppo/midan","name":"Midan","name_ar":"الميدان","lat":36.2,"lon":37.16,"aliases":["Al-Midan"],"type":"neighbourhood","source":"gazetteer"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"area","source":{"name":"gazetteer"},"area":"aleppo/midan","name":"Midan","name_ar":"الميدان","parent":"aleppo","lat":36.2,"lon":37.16,"aliases":["Al-Midan"],"type":"neighbourhood"}"#,
        &[
            ("area", r#"missing "area": the slug of the area being defined"#),
            ("name", r#"missing "name": the English name"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "actor",
        r#"{"kind":"actor","actor":"ypg","name":"People's Protection Units","name_ar":"وحدات حماية الشعب","aliases":["YPG"],"source":"gazetteer"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"actor","actor":"ypg","source":{"name":"gazetteer"},"name":"People's Protection Units","name_ar":"وحدات حماية الشعب","aliases":["YPG"]}"#,
        &[
            ("actor", r#"missing "actor": the slug of the actor being defined"#),
            ("name", r#"missing "name": the English name"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "ceasefire",
        r#"{"kind":"ceasefire","at":"2026-01-09T03:00","until":"2026-01-10","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","target":"sdf","terms":["no heavy weapons"],"note":"وقف إطلاق النار","source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"ceasefire","at":"2026-01-09T03:00:00+03:00","until":"2026-01-10","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","target":"sdf","source":{"name":"SANA"},"note":"وقف إطلاق النار","terms":["no heavy weapons"]}"#,
        &[
            ("at", r#"missing "at": a ceasefire needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a ceasefire needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": a ceasefire needs the actor who declared it"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "curfew",
        r#"{"kind":"curfew","at":"2026-01-09T18:00","until":"2026-01-10T06:00","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"Aleppo Governorate"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"curfew","at":"2026-01-09T18:00:00+03:00","until":"2026-01-10T06:00:00+03:00","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":{"name":"Aleppo Governorate"}}"#,
        &[
            ("at", r#"missing "at": a curfew needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a curfew needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": a curfew needs the actor who declared it"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "ultimatum",
        r#"{"kind":"ultimatum","at":"2026-01-09T03:00","deadline":"2026-01-09T12:00","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","target":"sdf","demand":"hand over the heavy weapons","source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"ultimatum","at":"2026-01-09T03:00:00+03:00","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","target":"sdf","source":{"name":"SANA"},"deadline":"2026-01-09T12:00:00+03:00","demand":"hand over the heavy weapons"}"#,
        &[
            ("at", r#"missing "at": an ultimatum needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": an ultimatum needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": an ultimatum needs the actor who declared it"#),
            ("deadline", r#"missing "deadline": an ultimatum needs the time it expires"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "deployment",
        r#"{"kind":"deployment","at":"2026-01-10T08:00","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"deployment","at":"2026-01-10T08:00:00+03:00","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":{"name":"SANA"}}"#,
        &[
            ("at", r#"missing "at": a deployment needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a deployment needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": a deployment needs the actor who moved"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "withdrawal",
        r#"{"kind":"withdrawal","at":"2026-01-10T08:00","areas":["aleppo/sheikh-maqsoud"],"actor":"sdf","source":"Hawar"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"withdrawal","at":"2026-01-10T08:00:00+03:00","areas":["aleppo/sheikh-maqsoud"],"actor":"sdf","source":{"name":"Hawar"}}"#,
        &[
            ("at", r#"missing "at": a withdrawal needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a withdrawal needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": a withdrawal needs the actor who moved"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "control_claim",
        r#"{"kind":"control_claim","at":"2026-01-10T09:00","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","extent":"partial","source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"control_claim","at":"2026-01-10T09:00:00+03:00","areas":["aleppo/ashrafiyeh"],"actor":"syrian-army","source":{"name":"SANA"},"extent":"partial"}"#,
        &[
            ("at", r#"missing "at": a control_claim needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a control_claim needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": a control_claim needs the actor who claims control"#),
            ("extent", r#"missing "extent": a control_claim needs "full", "partial" or a percentage from 0 to 100"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "shelling",
        r#"{"kind":"shelling","at":"2026-01-08T22:15","areas":["aleppo/ashrafiyeh"],"actor":"sdf","target":"syrian-army","killed":2,"wounded":7,"source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-08T22:15:00+03:00","areas":["aleppo/ashrafiyeh"],"actor":"sdf","target":"syrian-army","source":{"name":"SANA"},"killed":2,"wounded":7}"#,
        &[
            ("at", r#"missing "at": a shelling needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a shelling needs the list of areas where it happened"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "sniping",
        r#"{"kind":"sniping","at":"2026-01-09T07:40","areas":["aleppo/sheikh-maqsoud"],"wounded":1,"source":"Hawar"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09T07:40:00+03:00","areas":["aleppo/sheikh-maqsoud"],"source":{"name":"Hawar"},"wounded":1}"#,
        &[
            ("at", r#"missing "at": a sniping needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a sniping needs the list of areas where it happened"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "armed_clash",
        r#"{"kind":"armed_clash","at":"2026-01-09","areas":["aleppo/sheikh-maqsoud","aleppo/ashrafiyeh"],"source":"SOHR"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"armed_clash","at":"2026-01-09","areas":["aleppo/sheikh-maqsoud","aleppo/ashrafiyeh"],"source":{"name":"SOHR"}}"#,
        &[
            ("at", r#"missing "at": an armed_clash needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": an armed_clash needs the list of areas where it happened"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "airstrike",
        r#"{"kind":"airstrike","at":"2026-01-09T00:00:00Z","areas":["aleppo/bani-zaid"],"actor":"syrian-army","source":"SOHR"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"airstrike","at":"2026-01-09T00:00:00Z","areas":["aleppo/bani-zaid"],"actor":"syrian-army","source":{"name":"SOHR"}}"#,
        &[
            ("at", r#"missing "at": an airstrike needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": an airstrike needs the list of areas where it happened"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "casualty_report",
        r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo/sheikh-maqsoud"],"killed":9,"wounded":55,"civilian":true,"cumulative":true,"actor":"syrian-army","source":{"name":"SOHR","url":"https://www.syriahr.com/en/","published_at":"2026-01-09T20:00"}}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"casualty_report","at":"2026-01-09","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-army","source":{"name":"SOHR","url":"https://www.syriahr.com/en/","published_at":"2026-01-09T20:00:00+03:00"},"killed":9,"wounded":55,"civilian":true,"cumulative":true}"#,
        &[
            ("at", r#"missing "at": a casualty_report needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a casualty_report needs the list of areas where it happened"#),
            ("killed+wounded", r#"a casualty_report needs "killed", "wounded" or both"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "evacuation",
        r#"{"kind":"evacuation","at":"2026-01-09T10:00","areas":["الشيخ مقصود"],"via":["aleppo/al-awarid-crossing"],"actor":"civil-defence","source":"Syrian Civil Defence"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"evacuation","at":"2026-01-09T10:00:00+03:00","areas":["aleppo/sheikh-maqsoud"],"actor":"civil-defence","source":{"name":"Syrian Civil Defence"},"via":["aleppo/al-awarid-crossing"]}"#,
        &[
            ("at", r#"missing "at": an evacuation needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": an evacuation needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": an evacuation needs the actor who conducts it"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "detention",
        r#"{"kind":"detention","at":"2026-01-09T11:00","areas":["aleppo/bani-zaid"],"actor":"internal-security","target":"sdf","count":12,"source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"detention","at":"2026-01-09T11:00:00+03:00","areas":["aleppo/bani-zaid"],"actor":"internal-security","target":"sdf","source":{"name":"SANA"},"count":12}"#,
        &[
            ("at", r#"missing "at": a detention needs the time it happened or took effect"#),
            ("areas", r#"missing "areas": a detention needs the list of areas where it happened"#),
            ("actor", r#"missing "actor": a detention needs the actor who detained"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "statement",
        r#"{"kind":"statement","at":"2026-01-09T12:00","actor":"قسد","quote":"لن ننسحب","source":"Hawar"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"statement","at":"2026-01-09T12:00:00+03:00","actor":"sdf","source":{"name":"Hawar"},"quote":"لن ننسحب"}"#,
        &[
            ("at", r#"missing "at": a statement needs the time it happened or took effect"#),
            ("actor", r#"missing "actor": a statement needs the actor who made it"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "defection_call",
        r#"{"kind":"defection_call","at":"2026-01-09T13:00","actor":"syrian-mod","target":"sdf","contact":"+963 11 000 0000","source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"defection_call","at":"2026-01-09T13:00:00+03:00","actor":"syrian-mod","target":"sdf","source":{"name":"SANA"},"contact":"+963 11 000 0000"}"#,
        &[
            ("at", r#"missing "at": a defection_call needs the time it happened or took effect"#),
            ("actor", r#"missing "actor": a defection_call needs the actor who issued it"#),
            ("target", r#"missing "target": a defection_call needs the actor whose members are called on"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "ended",
        r#"{"kind":"ended","at":"2026-01-10T00:00","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"ended","at":"2026-01-10T00:00:00+03:00","source":{"name":"SANA"},"ends":"00000000-0000-0000-0000-000000000011"}"#,
        &[
            ("at", r#"missing "at": an ended needs the time it happened or took effect"#),
            ("ends", r#"missing "ends": an ended event needs the id of the event it ends"#),
            ("source", MISSING_SOURCE),
        ],
    ),
    (
        "retraction",
        r#"{"kind":"retraction","at":"2026-01-10T00:00","retracts":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
        r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"retraction","at":"2026-01-10T00:00:00+03:00","source":{"name":"SANA"},"retracts":"00000000-0000-0000-0000-000000000011"}"#,
        &[
            ("at", r#"missing "at": a retraction needs the time it happened or took effect"#),
            ("retracts", r#"missing "retracts": a retraction needs the id of the event it retracts"#),
            ("source", MISSING_SOURCE),
        ],
    ),
];

/// `line` without the fields named in `fields` (joined by `+`).
fn without(line: &str, fields: &str) -> String {
    let mut map: Map<String, Value> = serde_json::from_str(line).expect("a fixture line is a JSON object");
    for field in fields.split('+') {
        assert!(map.remove(field).is_some(), "{field:?} is not in {line}");
    }
    Value::Object(map).to_string()
}

/// Every kind valid once, and missing each of its required fields.
fn every_kind_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (kind, line, canonical, required) in EVERY_KIND {
        cases.push((format!("{kind}: valid"), vec![CEASEFIRE_11], line.to_string(), stored(canonical)));
        for (fields, sentence) in *required {
            cases.push((
                format!("{kind}: without {fields}"),
                vec![CEASEFIRE_11],
                without(line, fields),
                invalid(sentence),
            ));
        }
    }
    cases
}

/// The hand-written cases: one rule each.
fn rule_cases() -> Vec<Case> {
    let c = |name: &str, before: &[&'static str], line: &str, want: Expected| -> Case {
        (name.to_string(), before.to_vec(), line.to_string(), want)
    };
    vec![
        // ── kind ────────────────────────────────────────────────────────
        c(
            "unknown kind, close to a known one",
            &[],
            r#"{"kind":"cesefire","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":"SANA"}"#,
            invalid(&format!(r#"unknown kind "cesefire" (did you mean "ceasefire"?); known kinds: {KNOWN_KINDS}"#)),
        ),
        c(
            "unknown kind, close to nothing",
            &[],
            r#"{"kind":"rumour","at":"2026-01-09","areas":["aleppo"],"source":"SANA"}"#,
            invalid(&format!(r#"unknown kind "rumour"; known kinds: {KNOWN_KINDS}"#)),
        ),
        c(
            "no kind",
            &[],
            r#"{"at":"2026-01-09","areas":["aleppo"],"source":"SANA"}"#,
            invalid(&format!(r#"missing "kind"; known kinds: {KNOWN_KINDS}"#)),
        ),
        c(
            "kind not a string",
            &[],
            r#"{"kind":7,"at":"2026-01-09","source":"SANA"}"#,
            invalid(r#""kind": expected a string, got a number"#),
        ),
        // ── fields ──────────────────────────────────────────────────────
        c(
            "unknown field with a hint",
            &[],
            r#"{"kind":"ceasefire","at":"2026-01-09","areas":["aleppo"],"actr":"sdf","source":"SANA"}"#,
            invalid(
                r#"unknown field "actr" for kind "ceasefire" (did you mean "actor"?); its fields are: id, kind, at, source, note, areas, actor, target, corrects, until, terms"#,
            ),
        ),
        c(
            "unknown field without a hint",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"colour":"red","source":"SANA"}"#,
            invalid(
                r#"unknown field "colour" for kind "shelling"; its fields are: id, kind, at, source, note, areas, actor, target, corrects, killed, wounded"#,
            ),
        ),
        c(
            "until on a kind that does not last",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09T03:00","until":"2026-01-09T04:00","areas":["aleppo"],"source":"SANA"}"#,
            invalid(
                r#"unknown field "until" for kind "shelling" (a shelling does not last, so it takes no "until"); its fields are: id, kind, at, source, note, areas, actor, target, corrects, killed, wounded"#,
            ),
        ),
        c(
            "until on an ultimatum",
            &[],
            r#"{"kind":"ultimatum","at":"2026-01-09T03:00","until":"2026-01-09T04:00","deadline":"2026-01-09T04:00","areas":["aleppo"],"actor":"syrian-mod","source":"SANA"}"#,
            invalid(
                r#"unknown field "until" for kind "ultimatum" (an ultimatum takes "deadline"); its fields are: id, kind, at, source, note, areas, actor, target, corrects, deadline, demand"#,
            ),
        ),
        // ── until and deadline ──────────────────────────────────────────
        c(
            "until before at",
            &[],
            r#"{"kind":"curfew","at":"2026-01-09T03:00","until":"2026-01-09T02:00","areas":["aleppo"],"actor":"internal-security","source":"SANA"}"#,
            invalid(r#""until" (2026-01-09T02:00) is before "at" (2026-01-09T03:00)"#),
        ),
        c(
            "until the same moment as at, written differently",
            &[],
            r#"{"kind":"curfew","at":"2026-01-09T03:00","until":"2026-01-09T00:00:00Z","areas":["aleppo"],"actor":"internal-security","source":"SANA"}"#,
            invalid(
                r#""until" (2026-01-09T00:00:00Z) is the same moment as "at" (2026-01-09T03:00); it must be later"#,
            ),
        ),
        c(
            "a day until on the day of at lasts that whole day",
            &[],
            r#"{"kind":"curfew","at":"2026-01-09","until":"2026-01-09","areas":["aleppo"],"actor":"internal-security","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"curfew","at":"2026-01-09","until":"2026-01-09","areas":["aleppo"],"actor":"internal-security","source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "a day until before the day of an instant at",
            &[],
            r#"{"kind":"curfew","at":"2026-01-09T03:00","until":"2026-01-08","areas":["aleppo"],"actor":"internal-security","source":"SANA"}"#,
            invalid(r#""until" (2026-01-08) is before "at" (2026-01-09T03:00)"#),
        ),
        c(
            "ultimatum deadline before at",
            &[],
            r#"{"kind":"ultimatum","at":"2026-01-09T03:00","deadline":"2026-01-09T01:00","areas":["aleppo"],"actor":"syrian-mod","source":"SANA"}"#,
            invalid(r#""deadline" (2026-01-09T01:00) is before "at" (2026-01-09T03:00)"#),
        ),
        c(
            "ultimatum deadline at the moment of at",
            &[],
            r#"{"kind":"ultimatum","at":"2026-01-09T03:00","deadline":"2026-01-09T03:00:00+03:00","areas":["aleppo"],"actor":"syrian-mod","source":"SANA"}"#,
            invalid(
                r#""deadline" (2026-01-09T03:00:00+03:00) is the same moment as "at" (2026-01-09T03:00); it must be later"#,
            ),
        ),
        // ── counts ──────────────────────────────────────────────────────
        c(
            "killed negative",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"killed":-1,"source":"SANA"}"#,
            invalid(r#""killed": expected a whole number from 0 to 1000000, got -1"#),
        ),
        c(
            "killed too large",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"killed":1000001,"source":"SANA"}"#,
            invalid(r#""killed": expected a whole number from 0 to 1000000, got 1000001"#),
        ),
        c(
            "killed a fraction",
            &[],
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":2.5,"source":"SANA"}"#,
            invalid(r#""killed": expected a whole number from 0 to 1000000, got 2.5"#),
        ),
        c(
            "killed not a number",
            &[],
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":"3","source":"SANA"}"#,
            invalid(r#""killed": expected a whole number, got a string"#),
        ),
        c(
            "wounded at the limit, killed zero",
            &[],
            r#"{"kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"killed":0,"wounded":1000000,"cumulative":false,"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"casualty_report","at":"2026-01-09","areas":["aleppo"],"source":{"name":"SANA"},"killed":0,"wounded":1000000,"cumulative":false}"#,
            ),
        ),
        // ── extent ──────────────────────────────────────────────────────
        c(
            "extent full",
            &[],
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"syrian-army","extent":"full","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"syrian-army","source":{"name":"SANA"},"extent":"full"}"#,
            ),
        ),
        c(
            "extent a percentage",
            &[],
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":60,"source":"Hawar"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":{"name":"Hawar"},"extent":60.0}"#,
            ),
        ),
        c(
            "extent 0 and 100 are the bounds",
            &[],
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":0,"source":"Hawar"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":{"name":"Hawar"},"extent":0.0}"#,
            ),
        ),
        c(
            "extent an unknown word",
            &[],
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":"most","source":"Hawar"}"#,
            invalid(r#""extent": expected "full", "partial" or a percentage from 0 to 100, got "most""#),
        ),
        c(
            "extent above 100",
            &[],
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":100.5,"source":"Hawar"}"#,
            invalid(r#""extent": a percentage must be from 0 to 100, got 100.5"#),
        ),
        c(
            "extent negative",
            &[],
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":-5,"source":"Hawar"}"#,
            invalid(r#""extent": a percentage must be from 0 to 100, got -5"#),
        ),
        c(
            "extent a boolean",
            &[],
            r#"{"kind":"control_claim","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","extent":true,"source":"Hawar"}"#,
            invalid(r#""extent": expected "full", "partial" or a number, got a boolean"#),
        ),
        // ── coordinates ─────────────────────────────────────────────────
        c(
            "lat out of range",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","lat":91,"lon":37.16,"source":"gazetteer"}"#,
            invalid(r#""lat": expected a number from -90 to 90, got 91"#),
        ),
        c(
            "lon out of range",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","lat":36.2,"lon":-180.5,"source":"gazetteer"}"#,
            invalid(r#""lon": expected a number from -180 to 180, got -180.5"#),
        ),
        c(
            "lat without lon",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","lat":36.2,"source":"gazetteer"}"#,
            invalid(r#""lat" and "lon" go together: give both or neither"#),
        ),
        c(
            "lon without lat",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","lon":37.16,"source":"gazetteer"}"#,
            invalid(r#""lat" and "lon" go together: give both or neither"#),
        ),
        // ── naming areas ────────────────────────────────────────────────
        c(
            "unknown area with a suggestion",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo/ashrafiya"],"source":"SANA"}"#,
            invalid(r#"unknown area "aleppo/ashrafiya" — did you mean "aleppo/ashrafiyeh"?"#),
        ),
        c(
            "unknown area with nothing close",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["homs"],"source":"SANA"}"#,
            invalid(r#"unknown area "homs" — register it first with an "area" event"#),
        ),
        c(
            "area named by its Arabic alias stores the slug",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["الأشرفية"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/ashrafiyeh"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "area named by a Latin alias in another case",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["ASHRAFIEH"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/ashrafiyeh"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "area named by its short slug",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["ashrafiyeh"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/ashrafiyeh"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "area named by a short slug that is not also its name",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["bani-zaid"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/bani-zaid"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "ambiguous short slug",
            &[
                r#"{"kind":"area","area":"afrin","name":"Afrin","source":"gazetteer"}"#,
                r#"{"kind":"area","area":"afrin/bani-zaid","name":"Bani Zaid (Afrin)","source":"gazetteer"}"#,
            ],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["bani-zaid"],"source":"SANA"}"#,
            invalid(r#"area "bani-zaid" is ambiguous; it could be "afrin/bani-zaid" or "aleppo/bani-zaid""#),
        ),
        c(
            "area named by its English name",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["Sheikh Maqsoud"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/sheikh-maqsoud"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "area named by its Arabic name",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["حلب"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "regression: a name two areas share is ambiguous, not the later area's",
            &[
                r#"{"kind":"area","area":"afrin","name":"Afrin","source":"gazetteer"}"#,
                r#"{"kind":"area","area":"afrin/ashrafiyeh","name":"Ashrafiyeh","source":"gazetteer"}"#,
            ],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["Ashrafiyeh"],"source":"SANA"}"#,
            invalid(r#"area "Ashrafiyeh" is ambiguous; it could be "afrin/ashrafiyeh" or "aleppo/ashrafiyeh""#),
        ),
        c(
            "regression: a name still resolves after another area that shared it is renamed",
            &[
                r#"{"kind":"area","area":"afrin","name":"Afrin","source":"gazetteer"}"#,
                r#"{"kind":"area","area":"afrin/ashrafiyeh","name":"Ashrafiyeh","source":"gazetteer"}"#,
                r#"{"kind":"area","area":"afrin/ashrafiyeh","name":"Ashrafiyeh (Afrin)","source":"gazetteer"}"#,
            ],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["Ashrafiyeh"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/ashrafiyeh"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "an area renamed is no longer found by its former names",
            &[
                r#"{"kind":"area","area":"afrin","name":"Afrin","source":"gazetteer"}"#,
                r#"{"kind":"area","area":"afrin/qalaa","name":"Old Castle","name_ar":"القلعة القديمة","source":"gazetteer"}"#,
                r#"{"kind":"area","area":"afrin/qalaa","name":"Qalaa","source":"gazetteer"}"#,
            ],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["القلعة القديمة"],"source":"SANA"}"#,
            invalid(r#"unknown area "القلعة القديمة" — register it first with an "area" event"#),
        ),
        c(
            "regression: an actor name two actors share is ambiguous",
            &[r#"{"kind":"actor","actor":"sdf-2","name":"Syrian Democratic Forces","source":"gazetteer"}"#],
            r#"{"kind":"statement","at":"2026-01-09","actor":"Syrian Democratic Forces","source":"SANA"}"#,
            invalid(r#""actor": actor "Syrian Democratic Forces" is ambiguous; it could be "sdf" or "sdf-2""#),
        ),
        c(
            "one area named twice, by slug and alias, is stored once",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo/ashrafiyeh","الأشرفية","aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/ashrafiyeh","aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "areas as a single string",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":"الشيخ مقصود","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09","areas":["aleppo/sheikh-maqsoud"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "areas an empty list",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":[],"source":"SANA"}"#,
            invalid(r#"missing "areas": a shelling needs the list of areas where it happened"#),
        ),
        c(
            "evacuation via an unknown crossing",
            &[],
            r#"{"kind":"evacuation","at":"2026-01-09","areas":["aleppo/sheikh-maqsoud"],"via":["aleppo/al-awarid"],"actor":"civil-defence","source":"SANA"}"#,
            invalid(r#"unknown area "aleppo/al-awarid" — did you mean "aleppo/al-awarid-crossing"?"#),
        ),
        // ── defining areas ──────────────────────────────────────────────
        c(
            "area under an unknown parent implied by its slug",
            &[],
            r#"{"kind":"area","area":"idlib/saraqib","name":"Saraqib","source":"gazetteer"}"#,
            invalid(r#""parent": unknown area "idlib"; register "idlib" before "idlib/saraqib""#),
        ),
        c(
            "area under an unknown parent given explicitly",
            &[],
            r#"{"kind":"area","area":"saraqib","name":"Saraqib","parent":"idlib","source":"gazetteer"}"#,
            invalid(r#""parent": unknown area "idlib" — register it first with an "area" event"#),
        ),
        c(
            "nested slug implies its parent",
            &[],
            r#"{"kind":"area","area":"aleppo/ashrafiyeh/sheikh-khudr","name":"Sheikh Khudr","source":"gazetteer"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"area","source":{"name":"gazetteer"},"area":"aleppo/ashrafiyeh/sheikh-khudr","name":"Sheikh Khudr","parent":"aleppo/ashrafiyeh"}"#,
            ),
        ),
        c(
            "parent named by an alias stores the slug",
            &[],
            r#"{"kind":"area","area":"sheikh-maqsoud-east","name":"Sheikh Maqsoud East","parent":"الشيخ مقصود","source":"gazetteer"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"area","source":{"name":"gazetteer"},"area":"sheikh-maqsoud-east","name":"Sheikh Maqsoud East","parent":"aleppo/sheikh-maqsoud"}"#,
            ),
        ),
        c(
            "slug with capitals",
            &[],
            r#"{"kind":"area","area":"Aleppo/Midan","name":"Midan","source":"gazetteer"}"#,
            invalid(
                r#""area": "Aleppo/Midan" is not a slug; use lowercase letters, digits, "-" and "_", nested with "/" (like "aleppo/sheikh-maqsoud"), and put other spellings in "aliases""#,
            ),
        ),
        c(
            "slug with an empty segment",
            &[],
            r#"{"kind":"area","area":"aleppo//midan","name":"Midan","source":"gazetteer"}"#,
            invalid(
                r#""area": "aleppo//midan" is not a slug; use lowercase letters, digits, "-" and "_", nested with "/" (like "aleppo/sheikh-maqsoud"), and put other spellings in "aliases""#,
            ),
        ),
        c(
            "actor slug with a space",
            &[],
            r#"{"kind":"actor","actor":"free army","name":"Free Army","source":"gazetteer"}"#,
            invalid(
                r#""actor": "free army" is not a slug; use lowercase letters, digits, "-" and "_", nested with "/" (like "aleppo/sheikh-maqsoud"), and put other spellings in "aliases""#,
            ),
        ),
        c(
            "alias already used by another area",
            &[],
            r#"{"kind":"area","area":"aleppo/new-ashrafiyeh","name":"New Ashrafiyeh","aliases":["ashrafieh"],"source":"gazetteer"}"#,
            invalid(r#""aliases": "ashrafieh" already names area "aleppo/ashrafiyeh"; remove it there first"#),
        ),
        c(
            "alias that is another area's slug",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","aliases":["aleppo/bani-zaid"],"source":"gazetteer"}"#,
            invalid(r#""aliases": "aleppo/bani-zaid" is already the slug of another area"#),
        ),
        c(
            "alias that is another area's English name",
            &[],
            r#"{"kind":"area","area":"aleppo-countryside","name":"Aleppo countryside","aliases":["Sheikh Maqsoud"],"source":"Desk"}"#,
            invalid(
                r#""aliases": "Sheikh Maqsoud" already names area "aleppo/sheikh-maqsoud" (its name or short slug); an alias must not take it over"#,
            ),
        ),
        c(
            "alias that is another area's Arabic name",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","aliases":["حلب"],"source":"Desk"}"#,
            invalid(
                r#""aliases": "حلب" already names area "aleppo" (its name or short slug); an alias must not take it over"#,
            ),
        ),
        c(
            "alias that is another area's short slug",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","aliases":["ashrafiyeh"],"source":"Desk"}"#,
            invalid(
                r#""aliases": "ashrafiyeh" already names area "aleppo/ashrafiyeh" (its name or short slug); an alias must not take it over"#,
            ),
        ),
        c(
            "a name that is already another area's alias",
            &[],
            r#"{"kind":"area","area":"aleppo/midan","name":"Ashrafieh","source":"Desk"}"#,
            invalid(r#""name": "Ashrafieh" is already an alias of area "aleppo/ashrafiyeh"; remove it there first"#),
        ),
        c(
            "an Arabic name that is already another actor's alias",
            &[],
            r#"{"kind":"actor","actor":"ypg","name":"People's Protection Units","name_ar":"قسد","source":"Desk"}"#,
            invalid(r#""name_ar": "قسد" is already an alias of actor "sdf"; remove it there first"#),
        ),
        c(
            "an alias equal to a short slug several areas share takes no one's name",
            &[
                r#"{"kind":"area","area":"homs","name":"Homs","source":"Desk"}"#,
                r#"{"kind":"area","area":"homs/waer","name":"Al-Waer","source":"Desk"}"#,
                r#"{"kind":"area","area":"aleppo/waer","name":"Waer quarter","source":"Desk"}"#,
            ],
            r#"{"kind":"area","area":"aleppo/midan","name":"Midan","aliases":["waer"],"source":"Desk"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"area","source":{"name":"Desk"},"area":"aleppo/midan","name":"Midan","parent":"aleppo","aliases":["waer"]}"#,
            ),
        ),
        c(
            "actor alias that is another actor's name",
            &[],
            r#"{"kind":"actor","actor":"sdf-2","name":"Another","aliases":["Syrian Democratic Forces"],"source":"Desk"}"#,
            invalid(
                r#""aliases": "Syrian Democratic Forces" already names actor "sdf" (its name or short slug); an alias must not take it over"#,
            ),
        ),
        c(
            "an area may keep its own aliases when it is redefined",
            &[],
            r#"{"kind":"area","area":"aleppo/ashrafiyeh","at":"2026-01-10","name":"Al-Ashrafiyah","aliases":["الأشرفية","Achrafieh"],"source":"gazetteer"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"area","at":"2026-01-10","source":{"name":"gazetteer"},"area":"aleppo/ashrafiyeh","name":"Al-Ashrafiyah","parent":"aleppo","aliases":["الأشرفية","Achrafieh"]}"#,
            ),
        ),
        c(
            "actor alias already used by another actor",
            &[],
            r#"{"kind":"actor","actor":"ypg","name":"People's Protection Units","aliases":["قسد"],"source":"gazetteer"}"#,
            invalid(r#""aliases": "قسد" already names actor "sdf"; remove it there first"#),
        ),
        // ── naming actors ───────────────────────────────────────────────
        c(
            "actor and target named by aliases store the slugs",
            &[],
            r#"{"kind":"ultimatum","at":"2026-01-09T04:00","deadline":"2026-01-09T09:00","areas":["aleppo"],"actor":"syrian-mod","target":"قسد","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"ultimatum","at":"2026-01-09T04:00:00+03:00","areas":["aleppo"],"actor":"syrian-mod","target":"sdf","source":{"name":"SANA"},"deadline":"2026-01-09T09:00:00+03:00"}"#,
            ),
        ),
        c(
            "actor named by a Latin alias in another case",
            &[],
            r#"{"kind":"withdrawal","at":"2026-01-09","areas":["aleppo"],"actor":"qsd","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"withdrawal","at":"2026-01-09","areas":["aleppo"],"actor":"sdf","source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "unknown actor with a suggestion",
            &[],
            r#"{"kind":"deployment","at":"2026-01-09","areas":["aleppo"],"actor":"syrian-amry","source":"SANA"}"#,
            invalid(r#""actor": unknown actor "syrian-amry" — did you mean "syrian-army"?"#),
        ),
        c(
            "unknown target with nothing close",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"target":"hts","source":"SANA"}"#,
            invalid(r#""target": unknown actor "hts" — register it first with an "actor" event"#),
        ),
        // ── times ───────────────────────────────────────────────────────
        c(
            "local time resolved in the log's zone",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09T03:00","areas":["aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09T03:00:00+03:00","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "local time with a space and seconds",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09 03:00:30","areas":["aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09T03:00:30+03:00","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "date kept as a date",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "RFC 3339 offset kept",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09T02:00:00+02:00","areas":["aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09T02:00:00+02:00","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "RFC 3339 in UTC kept",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09T00:00:00Z","areas":["aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09T00:00:00Z","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "offset without seconds, as the contract writes it",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09T03:30+03:00","areas":["aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09T03:30:00+03:00","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "not a time",
            &[],
            r#"{"kind":"sniping","at":"09/01/2026","areas":["aleppo"],"source":"SANA"}"#,
            invalid(
                r#""at": "09/01/2026" is not a time; expected RFC 3339 (2026-01-09T03:00:00+03:00), a local date-time (2026-01-09T03:00) or a date (2026-01-09)"#,
            ),
        ),
        c(
            "no such day",
            &[],
            r#"{"kind":"sniping","at":"2026-02-30","areas":["aleppo"],"source":"SANA"}"#,
            invalid(
                r#""at": "2026-02-30" is not a time; expected RFC 3339 (2026-01-09T03:00:00+03:00), a local date-time (2026-01-09T03:00) or a date (2026-01-09)"#,
            ),
        ),
        c(
            "year before 1900",
            &[],
            r#"{"kind":"sniping","at":"1899-12-31","areas":["aleppo"],"source":"SANA"}"#,
            invalid(r#""at": "1899-12-31" is out of range; years 1900 to 2200 are accepted"#),
        ),
        c(
            "year after 2200",
            &[],
            r#"{"kind":"sniping","at":"2201-01-01T00:00:00Z","areas":["aleppo"],"source":"SANA"}"#,
            invalid(r#""at": "2201-01-01T00:00:00Z" is out of range; years 1900 to 2200 are accepted"#),
        ),
        c(
            "at not a string",
            &[],
            r#"{"kind":"sniping","at":20260109,"areas":["aleppo"],"source":"SANA"}"#,
            invalid(r#""at": expected a time as a string, got a number"#),
        ),
        c(
            "bad time in the deadline",
            &[],
            r#"{"kind":"ultimatum","at":"2026-01-09","deadline":"tomorrow","areas":["aleppo"],"actor":"syrian-mod","source":"SANA"}"#,
            invalid(
                r#""deadline": "tomorrow" is not a time; expected RFC 3339 (2026-01-09T03:00:00+03:00), a local date-time (2026-01-09T03:00) or a date (2026-01-09)"#,
            ),
        ),
        // ── JSON ────────────────────────────────────────────────────────
        c(
            "duplicate key",
            &[],
            r#"{"kind":"shelling","kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":"SANA"}"#,
            invalid(r#"not valid JSON: duplicate key "kind" at column 25"#),
        ),
        c(
            "duplicate key inside the source",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"source":{"name":"SANA","name":"SOHR"}}"#,
            invalid(r#"not valid JSON: duplicate key "name" at column 86"#),
        ),
        c("not JSON", &[], r#"{"kind":"shelling","#, invalid("not valid JSON: EOF while parsing a value at column 19")),
        c("a list, not an object", &[], r#"[{"kind":"shelling"}]"#, invalid("expected a JSON object, got a list")),
        c("an empty line", &[], "", invalid("empty event; expected one JSON object")),
        // ── source ──────────────────────────────────────────────────────
        c(
            "source as an object with every field",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":{"name":"Enab Baladi","url":"https://english.enabbaladi.net/","published_at":"2026-01-09"}}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":{"name":"Enab Baladi","url":"https://english.enabbaladi.net/","published_at":"2026-01-09"}}"#,
            ),
        ),
        c(
            "source object with an unknown key",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":{"name":"SANA","link":"https://sana.sy"}}"#,
            invalid(r#""source": unknown field "link"; its fields are: name, url, published_at"#),
        ),
        c(
            "source object without a name",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":{"url":"https://sana.sy"}}"#,
            invalid(r#""source": missing "name""#),
        ),
        c(
            "source with a bad publication time",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":{"name":"SANA","published_at":"noon"}}"#,
            invalid(
                r#""source": "published_at": "noon" is not a time; expected RFC 3339 (2026-01-09T03:00:00+03:00), a local date-time (2026-01-09T03:00) or a date (2026-01-09)"#,
            ),
        ),
        c(
            "source an empty string",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":" "}"#,
            invalid(r#""source" is empty"#),
        ),
        c(
            "source a number",
            &[],
            r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":42}"#,
            invalid(r#""source": expected a name or an object, got a number"#),
        ),
        // ── references to other events ──────────────────────────────────
        c(
            "a correction is stored with what it corrects",
            &[SHELLING_11],
            r#"{"kind":"shelling","at":"2026-01-09T01:30","areas":["aleppo/ashrafiyeh"],"killed":1,"corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09T01:30:00+03:00","areas":["aleppo/ashrafiyeh"],"source":{"name":"SANA"},"corrects":"00000000-0000-0000-0000-000000000011","killed":1}"#,
            ),
        ),
        c(
            "corrects an id not in the log",
            &[SHELLING_11],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"corrects":"00000000-0000-0000-0000-000000000099","source":"SANA"}"#,
            invalid(r#""corrects": no event with id 00000000-0000-0000-0000-000000000099 is in the log"#),
        ),
        c(
            "corrects something that is not an id",
            &[],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"corrects":"the one before","source":"SANA"}"#,
            invalid(
                r#""corrects": "the one before" is not an event id (a UUID like 0194a3b2-7c00-7000-8000-000000000001)"#,
            ),
        ),
        c(
            "ends an id not in the log",
            &[CEASEFIRE_11],
            r#"{"kind":"ended","at":"2026-01-10","ends":"00000000-0000-0000-0000-000000000099","source":"SANA"}"#,
            invalid(r#""ends": no event with id 00000000-0000-0000-0000-000000000099 is in the log"#),
        ),
        c(
            "retracts an id not in the log",
            &[],
            r#"{"kind":"retraction","at":"2026-01-10","retracts":"00000000-0000-0000-0000-000000000099","source":"SANA"}"#,
            invalid(r#""retracts": no event with id 00000000-0000-0000-0000-000000000099 is in the log"#),
        ),
        c(
            "ends an event that does not last",
            &[SHELLING_11],
            r#"{"kind":"ended","at":"2026-01-10","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""ends": 00000000-0000-0000-0000-000000000011 is a shelling event, which does not last; only ceasefire, curfew, ultimatum, deployment and evacuation can be ended"#,
            ),
        ),
        c(
            "ends an event before it started",
            &[CEASEFIRE_11],
            r#"{"kind":"ended","at":"2026-01-09T02:00","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""at" (2026-01-09T02:00:00+03:00) is before the start of the event it ends (2026-01-09T03:00:00+03:00)"#,
            ),
        ),
        c(
            "ends an event on the day it started: a day-precision end lasts that whole day",
            &[CEASEFIRE_11],
            r#"{"kind":"ended","at":"2026-01-09","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"ended","at":"2026-01-09","source":{"name":"SANA"},"ends":"00000000-0000-0000-0000-000000000011"}"#,
            ),
        ),
        c(
            "ends an event the day before it started",
            &[CEASEFIRE_11],
            r#"{"kind":"ended","at":"2026-01-07","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(r#""at" (2026-01-07) is before the start of the event it ends (2026-01-09T03:00:00+03:00)"#),
        ),
        c(
            "ends an event at the moment it started",
            &[CEASEFIRE_11],
            r#"{"kind":"ended","at":"2026-01-09T00:00:00Z","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"ended","at":"2026-01-09T00:00:00Z","source":{"name":"SANA"},"ends":"00000000-0000-0000-0000-000000000011"}"#,
            ),
        ),
        c(
            "ends an event that was corrected",
            &[
                CEASEFIRE_11,
                r#"{"kind":"ceasefire","at":"2026-01-09T04:00","areas":["aleppo/sheikh-maqsoud"],"actor":"syrian-mod","corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            ],
            r#"{"kind":"ended","at":"2026-01-10","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""ends": 00000000-0000-0000-0000-000000000011 was corrected by 00000000-0000-0000-0000-000000000012; end 00000000-0000-0000-0000-000000000012 instead"#,
            ),
        ),
        c(
            "retracts a retraction",
            &[SHELLING_11, RETRACTION_12],
            r#"{"kind":"retraction","at":"2026-01-10","retracts":"00000000-0000-0000-0000-000000000012","source":"SANA"}"#,
            invalid(
                r#""retracts": 00000000-0000-0000-0000-000000000012 is itself a retraction, which cannot be retracted; append the retracted event again with a new id"#,
            ),
        ),
        c(
            "retracts an event twice",
            &[SHELLING_11, RETRACTION_12],
            r#"{"kind":"retraction","at":"2026-01-10","retracts":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""retracts": 00000000-0000-0000-0000-000000000011 was already retracted by 00000000-0000-0000-0000-000000000012"#,
            ),
        ),
        c(
            "retracts a corrected event",
            &[SHELLING_11, CORRECTION_12],
            r#"{"kind":"retraction","at":"2026-01-10","retracts":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""retracts": 00000000-0000-0000-0000-000000000011 was corrected by 00000000-0000-0000-0000-000000000012; retract 00000000-0000-0000-0000-000000000012 instead"#,
            ),
        ),
        c(
            "retracts an area definition",
            &[],
            r#"{"kind":"retraction","at":"2026-01-10","retracts":"00000000-0000-0000-0000-000000000003","source":"SANA"}"#,
            invalid(
                r#""retracts": 00000000-0000-0000-0000-000000000003 defines an area; areas and actors are updated, not retracted"#,
            ),
        ),
        c(
            "corrects an event already corrected",
            &[SHELLING_11, CORRECTION_12],
            r#"{"kind":"shelling","at":"2026-01-09T01:45","areas":["aleppo/ashrafiyeh"],"corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""corrects": 00000000-0000-0000-0000-000000000011 was already corrected by 00000000-0000-0000-0000-000000000012; correct 00000000-0000-0000-0000-000000000012 instead"#,
            ),
        ),
        c(
            "corrects an event corrected twice: the latest version is named",
            &[
                SHELLING_11,
                CORRECTION_12,
                r#"{"kind":"shelling","at":"2026-01-09T01:40","areas":["aleppo/ashrafiyeh"],"corrects":"00000000-0000-0000-0000-000000000012","source":"SANA"}"#,
            ],
            r#"{"kind":"shelling","at":"2026-01-09T01:45","areas":["aleppo/ashrafiyeh"],"corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""corrects": 00000000-0000-0000-0000-000000000011 was already corrected by 00000000-0000-0000-0000-000000000012; correct its latest version, 00000000-0000-0000-0000-000000000013, instead"#,
            ),
        ),
        c(
            "ends an event whose latest correction was retracted",
            &[
                r#"{"kind":"curfew","at":"2026-01-09T01:00","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","source":"SANA"}"#,
                r#"{"kind":"curfew","at":"2026-01-09T02:00","areas":["aleppo/ashrafiyeh"],"actor":"internal-security","corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
                r#"{"kind":"retraction","at":"2026-01-09T05:00","retracts":"00000000-0000-0000-0000-000000000012","source":"SANA"}"#,
            ],
            r#"{"kind":"ended","at":"2026-01-09T06:00","ends":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""ends": 00000000-0000-0000-0000-000000000011 was corrected by 00000000-0000-0000-0000-000000000012; 00000000-0000-0000-0000-000000000012 was retracted by 00000000-0000-0000-0000-000000000013"#,
            ),
        ),
        c(
            "corrects the correction instead",
            &[SHELLING_11, CORRECTION_12],
            r#"{"kind":"shelling","at":"2026-01-09T01:45","areas":["aleppo/ashrafiyeh"],"corrects":"00000000-0000-0000-0000-000000000012","source":"SANA"}"#,
            stored(
                r#"{"id":"00000000-0000-0000-0000-00000000f00d","kind":"shelling","at":"2026-01-09T01:45:00+03:00","areas":["aleppo/ashrafiyeh"],"source":{"name":"SANA"},"corrects":"00000000-0000-0000-0000-000000000012"}"#,
            ),
        ),
        c(
            "corrects a retracted event",
            &[SHELLING_11, RETRACTION_12],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"corrects":"00000000-0000-0000-0000-000000000011","source":"SANA"}"#,
            invalid(
                r#""corrects": 00000000-0000-0000-0000-000000000011 was retracted by 00000000-0000-0000-0000-000000000012"#,
            ),
        ),
        c(
            "corrects a retraction",
            &[SHELLING_11, RETRACTION_12],
            r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"corrects":"00000000-0000-0000-0000-000000000012","source":"SANA"}"#,
            invalid(r#""corrects": 00000000-0000-0000-0000-000000000012 is a retraction, which cannot be corrected"#),
        ),
        c(
            "corrects an actor definition",
            &[],
            r#"{"kind":"statement","at":"2026-01-09","actor":"sdf","corrects":"00000000-0000-0000-0000-000000000006","source":"SANA"}"#,
            invalid(
                r#""corrects": 00000000-0000-0000-0000-000000000006 defines an actor; to change it, append a new actor event with the same slug"#,
            ),
        ),
        // ── ids ─────────────────────────────────────────────────────────
        c(
            "the same event again is a duplicate",
            &[WITH_ID],
            WITH_ID,
            duplicate("0194a3b2-7c00-7000-8000-000000000001"),
        ),
        c(
            "the same event spelled otherwise is a duplicate",
            &[WITH_ID],
            r#"{"source":{"name":"SANA"},"note":"قصف على الأشرفية","actor":"sdf","areas":"aleppo/ashrafiyeh","at":"2026-01-09T03:00+03:00","kind":"shelling","id":"0194A3B2-7C00-7000-8000-000000000001"}"#,
            duplicate("0194a3b2-7c00-7000-8000-000000000001"),
        ),
        c(
            "the same id with other content is a conflict",
            &[WITH_ID],
            r#"{"id":"0194a3b2-7c00-7000-8000-000000000001","kind":"shelling","at":"2026-01-09T03:00","areas":["الأشرفية"],"actor":"قسد","note":"قصف","source":"SANA"}"#,
            conflict(
                r#"id 0194a3b2-7c00-7000-8000-000000000001 is already in the log with different content; give the new event another id, or use "corrects" to replace the old one"#,
            ),
        ),
        c(
            "the same id, the same moment in another offset, is a conflict",
            &[WITH_ID],
            r#"{"id":"0194a3b2-7c00-7000-8000-000000000001","kind":"shelling","at":"2026-01-09T00:00:00Z","areas":["الأشرفية"],"actor":"قسد","note":"قصف على الأشرفية","source":"SANA"}"#,
            conflict(
                r#"id 0194a3b2-7c00-7000-8000-000000000001 is already in the log with different content; give the new event another id, or use "corrects" to replace the old one"#,
            ),
        ),
        c(
            "an id of its own is kept",
            &[],
            r#"{"id":"0194a3b2-7c00-7000-8000-0000000000aa","kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":"SANA"}"#,
            stored(
                r#"{"id":"0194a3b2-7c00-7000-8000-0000000000aa","kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":{"name":"SANA"}}"#,
            ),
        ),
        c(
            "an id that is not a UUID",
            &[],
            r#"{"id":"42","kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":"SANA"}"#,
            invalid(r#""id": "42" is not an event id (a UUID like 0194a3b2-7c00-7000-8000-000000000001)"#),
        ),
    ]
}

/// What admitting `line` after `before` actually gives.
fn outcome(before: &[&str], line: &str) -> (Expected, Option<Event>) {
    let ctx = context(before);
    match ctx.admit(line, Uuid::parse_str(FRESH).expect("a UUID")) {
        Ok(Admitted::New(event)) => {
            let canonical = String::from_utf8(event.canonical_json()).expect("canonical JSON is UTF-8");
            (Ok(Outcome::Stored(canonical)), Some(event))
        }
        Ok(Admitted::Duplicate(id)) => (Ok(Outcome::Duplicate(id.to_string())), None),
        Err(rejection) => (Err(rejection), None),
    }
}

/// The same admission with a context that learned only the areas and
/// actors and finds every other event through a [`Lookup`], as the CLI does
/// so that an append does not replay the whole log. With `cached_after`,
/// the areas and actors of the first that many events come from a registry
/// written as bytes and read back (the store's cache), and the context
/// learns only the definitions after them, as the CLI does.
fn outcome_through_lookup(before: &[&str], line: &str, cached_after: Option<usize>) -> Expected {
    struct Stored(HashMap<Uuid, Summary>);
    impl Lookup for Stored {
        fn summary(&self, id: &Uuid) -> Result<Option<Summary>, String> {
            Ok(self.0.get(id).cloned())
        }
    }
    let mut partial = Context::new(ZONE);
    let mut stored = HashMap::new();
    let mut events: Vec<Event> = Vec::new();
    {
        let mut ctx = Context::new(ZONE);
        for (i, l) in REGISTRY.iter().chain(before).enumerate() {
            events.push(admit_new(&mut ctx, l, id(i as u64 + 1)));
        }
    }
    let from = match cached_after {
        Some(n) => {
            let mut upto = Context::new(ZONE);
            for e in events.iter().take(n).filter(|e| e.kind.is_reference()) {
                upto.learn_reference(e);
            }
            let bytes = upto.registry().encode();
            let read = Registry::decode(&bytes).expect("a registry reads back from its bytes");
            assert_eq!(&read, upto.registry(), "a registry read back is the same");
            partial = partial.with_registry(read);
            n
        }
        None => 0,
    };
    for (i, e) in events.iter().enumerate() {
        if e.kind.is_reference() && i >= from {
            partial.learn_reference(e);
        }
        stored.insert(e.id, Summary::of(e, &e.canonical_json(), ZONE));
    }
    for e in &events {
        if let Some(t) = e.corrects {
            stored.get_mut(&t).expect("a corrected event is stored").corrected_by = Some(e.id);
        }
        if let Some(t) = e.retracts {
            stored.get_mut(&t).expect("a retracted event is stored").retracted_by = Some(e.id);
        }
    }
    match partial.admit_with(line, Uuid::parse_str(FRESH).expect("a UUID"), &Stored(stored)) {
        Ok(Admitted::New(event)) => Ok(Outcome::Stored(String::from_utf8(event.canonical_json()).expect("UTF-8"))),
        Ok(Admitted::Duplicate(id)) => Ok(Outcome::Duplicate(id.to_string())),
        Err(rejection) => Err(rejection),
    }
}

#[test]
fn every_line_is_admitted_or_rejected_exactly_as_expected() {
    let cases: Vec<Case> = rule_cases().into_iter().chain(every_kind_cases()).collect();
    assert!(cases.len() >= 45, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for (name, before, line, want) in &cases {
        let (got, _) = outcome(before, line);
        if &got != want {
            failures.push(format!("{name}\n  line: {line}\n  want: {want:?}\n  got:  {got:?}"));
        }
        // the registry cached after none, half or all of the events before
        let n = REGISTRY.len() + before.len();
        for cached_after in [None, Some(n / 2), Some(n)] {
            let through_lookup = outcome_through_lookup(before, line, cached_after);
            if &through_lookup != want {
                failures.push(format!(
                    "{name} (through a lookup, registry cached after {cached_after:?})\n  line: {line}\n  want: {want:?}\n  got:  {through_lookup:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// A stored event is valid input that reads back to itself: `import` of an
/// export changes nothing, and the canonical JSON is a fixed point.
#[test]
fn canonical_json_is_admitted_back_unchanged() {
    let cases: Vec<Case> = rule_cases().into_iter().chain(every_kind_cases()).collect();
    let mut checked = 0;
    for (name, before, line, want) in &cases {
        if !matches!(want, Ok(Outcome::Stored(_))) {
            continue;
        }
        let (_, Some(event)) = outcome(before, line) else { panic!("{name}: not stored") };
        let canonical = String::from_utf8(event.canonical_json()).expect("UTF-8");
        let decoded: Event = serde_json::from_str(&canonical).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(decoded, event, "{name}: decoding the canonical JSON");
        let (again, readmitted) = outcome(before, &canonical);
        assert_eq!(again, Ok(Outcome::Stored(canonical.clone())), "{name}: admitting the canonical JSON");
        assert_eq!(readmitted.as_ref(), Some(&event), "{name}");
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} stored cases");
}

/// Without an `id` the fresh id is used; each line gets the one it is given.
#[test]
fn an_event_without_id_takes_the_fresh_id() {
    let ctx = context(&[]);
    let line = r#"{"kind":"sniping","at":"2026-01-09","areas":["aleppo"],"source":"SANA"}"#;
    for n in [11, 12, 0xffff] {
        match ctx.admit(line, id(n)) {
            Ok(Admitted::New(e)) => assert_eq!(e.id, id(n)),
            other => panic!("{other:?}"),
        }
    }
}

/// Aliases are resolved when the event is appended: a later change of
/// aliases does not change what an earlier stored event names, and the old
/// alias stops resolving once the area drops it.
#[test]
fn a_later_change_of_aliases_never_rewrites_history() {
    let line = r#"{"kind":"shelling","at":"2026-01-09","areas":["Ashrafieh"],"source":"SANA"}"#;
    let fresh = Uuid::parse_str(FRESH).expect("a UUID");
    let before = context(&[]).admit(line, fresh);
    let Ok(Admitted::New(first)) = before else { panic!("{before:?}") };
    assert_eq!(first.areas, ["aleppo/ashrafiyeh"]);

    let redefined =
        r#"{"kind":"area","area":"aleppo/ashrafiyeh","name":"Ashrafiyeh","aliases":["الأشرفية"],"source":"gazetteer"}"#;
    let after = context(&[line, redefined]);
    assert_eq!(
        after.admit(line, fresh),
        Err(Rejection::Invalid(r#"unknown area "Ashrafieh" — did you mean "aleppo/ashrafiyeh"?"#.to_string()))
    );
    // the event admitted before is still in the context, naming the slug
    assert!(after.contains(&id(11)));
}

/// What an update of a definition would drop, as a note names it: the
/// whole definition is replaced, so what it leaves out is lost.
#[test]
fn an_update_of_a_definition_names_what_it_drops() {
    let ctx = context(&[
        r#"{"kind":"area","area":"aleppo/bani-zaid","name":"Bani Zaid","name_ar":"بني زيد","parent":"aleppo","lat":36.23,"lon":37.15,"aliases":["حي بني زيد","Bani Zayd"],"type":"neighbourhood","source":"gazetteer"}"#,
    ]);
    let cases: &[(&str, &[&str])] = &[
        // everything repeated: nothing dropped (aliases compared as names resolve, case aside)
        (
            r#"{"kind":"area","area":"aleppo/bani-zaid","name":"Bani Zaid","name_ar":"بني زيد","parent":"aleppo","lat":36.23,"lon":37.15,"aliases":["حي بني زيد","bani zayd","Beni Zaid"],"type":"neighbourhood","source":"g"}"#,
            &[],
        ),
        (
            r#"{"kind":"area","area":"aleppo/bani-zaid","name":"Bani Zaid","aliases":["Bani Zayd"],"source":"g"}"#,
            // (a nested slug gives its parent)
            &["the alias \"حي بني زيد\"", "its Arabic name", "its coordinates", "its type"],
        ),
        (
            r#"{"kind":"area","area":"aleppo/bani-zaid","name":"Bani Zaid","name_ar":"بني زيد","parent":"aleppo","type":"neighbourhood","source":"g"}"#,
            &["the aliases \"حي بني زيد\", \"Bani Zayd\"", "its coordinates"],
        ),
        // a new slug drops nothing
        (r#"{"kind":"area","area":"aleppo/bustan-al-basha","name":"Bustan al-Basha","source":"g"}"#, &[]),
        (r#"{"kind":"actor","actor":"sdf","name":"SDF","aliases":["QSD"],"source":"g"}"#, &["the alias \"قسد\""]),
        (r#"{"kind":"actor","actor":"sarc","name":"Syrian Arab Red Crescent","source":"g"}"#, &[]),
        // not a definition
        (r#"{"kind":"shelling","at":"2026-01-09","areas":["aleppo"],"source":"g"}"#, &[]),
    ];
    for (line, want) in cases {
        let Ok(Admitted::New(e)) = ctx.admit(line, id(99)) else { panic!("{line} is not admitted as new") };
        assert_eq!(ctx.registry().dropped_by(&e), *want, "{line}");
    }
}
