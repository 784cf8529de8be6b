//! Reading one line of user input into a JSON object, strictly.
//!
//! `serde_json`'s own `Value` silently keeps the last of two equal keys;
//! an incident log must not, so this reader refuses duplicate keys at any
//! depth.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};

/// Parses `text` as one JSON object, refusing duplicate keys.
pub fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    parse_members(text).map(|members| members.into_iter().collect())
}

/// [`parse_object`], giving the object's members as a list in key order
/// (the order of the map): what validation reads, without building a map
/// of the top level only to take it apart.
pub(crate) fn parse_members(text: &str) -> Result<Vec<(String, Value)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("empty event; expected one JSON object".to_string());
    }
    let top: Top = serde_json::from_str(text).map_err(|e| describe_json_error(&e))?;
    match top {
        Top::Object(mut members) => {
            // keys are distinct, so the order is total
            members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            Ok(members)
        }
        Top::Other(other) => Err(format!("expected a JSON object, got {}", type_name(&other))),
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    // serde_json appends " at line L column C"; a line of NDJSON is one line,
    // so only the column helps.
    let msg = match msg.rfind(" at line ") {
        Some(i) => format!("{} at column {}", &msg[..i], e.column()),
        None => msg,
    };
    format!("not valid JSON: {msg}")
}

/// A short name for a JSON value's type, for error messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

struct Checked(Value);

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(CheckedVisitor).map(Checked)
    }
}

struct CheckedVisitor;

impl<'de> Visitor<'de> for CheckedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Checked(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, access: A) -> Result<Value, A::Error> {
        checked_map(access, Map::new()).map(Value::Object)
    }
}

/// Reads the rest of an object into `map`, refusing a key already in it.
fn checked_map<'de, A: MapAccess<'de>>(
    mut access: A,
    mut map: Map<String, Value>,
) -> Result<Map<String, Value>, A::Error> {
    while let Some(key) = access.next_key::<String>()? {
        // the map itself tells a repeated key: no second set of keys
        match map.entry(key) {
            Entry::Occupied(seen) => return Err(duplicate(seen.key())),
            Entry::Vacant(slot) => {
                let Checked(v) = access.next_value()?;
                slot.insert(v);
            }
        }
    }
    Ok(map)
}

fn duplicate<E: de::Error>(key: &str) -> E {
    E::custom(format!("duplicate key {key:?}"))
}

/// The top level of a line: an object's members as they come, or any other
/// value, read as [`Checked`] reads it.
enum Top {
    Object(Vec<(String, Value)>),
    Other(Value),
}

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl TopVisitor {
    /// Members kept in a list and searched one by one for a repeated key;
    /// an object with more goes on in a map.
    const LIST: usize = 32;
}

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        CheckedVisitor.expecting(f)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Top, E> {
        CheckedVisitor.visit_bool(v).map(Top::Other)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Top, E> {
        CheckedVisitor.visit_i64(v).map(Top::Other)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Top, E> {
        CheckedVisitor.visit_u64(v).map(Top::Other)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Top, E> {
        CheckedVisitor.visit_f64(v).map(Top::Other)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Top, E> {
        CheckedVisitor.visit_str(v).map(Top::Other)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Top, E> {
        CheckedVisitor.visit_string(v).map(Top::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Top, E> {
        CheckedVisitor.visit_unit().map(Top::Other)
    }
    fn visit_none<E: de::Error>(self) -> Result<Top, E> {
        CheckedVisitor.visit_none().map(Top::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        CheckedVisitor.visit_seq(seq).map(Top::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Top, A::Error> {
        let mut members: Vec<(String, Value)> = Vec::with_capacity(16);
        while members.len() < Self::LIST {
            let Some(key) = access.next_key::<String>()? else { return Ok(Top::Object(members)) };
            if members.iter().any(|(k, _)| *k == key) {
                return Err(duplicate(&key));
            }
            let Checked(v) = access.next_value()?;
            members.push((key, v));
        }
        let map = checked_map(access, members.into_iter().collect())?;
        Ok(Top::Object(map.into_iter().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_objects_and_names_what_is_wrong() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            (r#"{"kind":"area"}"#, Ok("kind")),
            ("\u{feff}{\"kind\":\"area\"}", Ok("kind")),
            (r#"{"kind":"area","kind":"actor"}"#, Err("not valid JSON: duplicate key \"kind\" at column 21")),
            (r#"{"source":{"name":"a","name":"b"}}"#, Err("not valid JSON: duplicate key \"name\" at column 28")),
            (r#"{"kind":"#, Err("not valid JSON: EOF while parsing a value at column 8")),
            ("[1,2]", Err("expected a JSON object, got a list")),
            ("   ", Err("empty event; expected one JSON object")),
        ];
        for (input, want) in cases {
            let got = parse_object(input).map(|m| m.keys().next().cloned().unwrap_or_default());
            let got = got.as_ref().map(String::as_str).map_err(String::as_str);
            assert_eq!(got, *want, "{input}");
        }
    }

    #[test]
    fn reads_long_objects_in_key_order_and_refuses_a_late_repeat() {
        // keys in falling order, more than the top level keeps in a list
        let keys: Vec<String> = (0..40).rev().map(|i| format!("k{i:02}")).collect();
        let line = |keys: &[String]| {
            let members: Vec<String> = keys.iter().map(|k| format!("{k:?}:1")).collect();
            format!("{{{}}}", members.join(","))
        };
        let members = parse_members(&line(&keys)).unwrap();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(members.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>(), sorted);
        for (at, repeat) in [(5, 2), (31, 30), (32, 10), (33, 2), (36, 34), (39, 0)] {
            let mut with_repeat = keys.clone();
            with_repeat.insert(at, keys[repeat].clone());
            let text = line(&with_repeat);
            let column = text.find(&format!("{:?}:1,{:?}", with_repeat[at - 1], keys[repeat])).unwrap() + 13;
            let want = format!("not valid JSON: duplicate key {:?} at column {column}", keys[repeat]);
            assert_eq!(parse_members(&text).unwrap_err(), want);
            assert_eq!(parse_object(&text).unwrap_err(), want);
        }
    }

    #[test]
    fn refuses_deep_nesting_without_overflowing() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_object(&deep).unwrap_err();
        assert!(err.contains("recursion limit exceeded"), "{err}");
    }
}
