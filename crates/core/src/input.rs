//! Reading one line of user input into a JSON object, strictly.
//!
//! `serde_json`'s own `Value` silently keeps the last of two equal keys;
//! an incident log must not, so this reader refuses duplicate keys at any
//! depth.

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `text` as one JSON object, refusing duplicate keys.
pub fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("empty event; expected one JSON object".to_string());
    }
    let checked: Checked = serde_json::from_str(text).map_err(|e| describe_json_error(&e))?;
    match checked.0 {
        Value::Object(map) => Ok(map),
        other => Err(format!("expected a JSON object, got {}", type_name(&other))),
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
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut seen = HashSet::new();
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format!("duplicate key {key:?}")));
            }
            let Checked(v) = access.next_value()?;
            map.insert(key, v);
        }
        Ok(Value::Object(map))
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
    fn refuses_deep_nesting_without_overflowing() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_object(&deep).unwrap_err();
        assert!(err.contains("recursion limit exceeded"), "{err}");
    }
}
