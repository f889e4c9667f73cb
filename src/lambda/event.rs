//! The invocation event: which parts of the environment's configuration
//! one invocation replaces (DESIGN.md, Lambda). `{}` and `null` replace
//! nothing; unknown keys are logged and ignored, so an EventBridge
//! envelope or a console test event still runs; a known key with a wrong
//! type is the invocation's error, named.

use serde_json::Value;

use crate::config::Overrides;
use crate::ids::ExtractDate;

/// Keys the event may carry.
const KEYS: [&str; 4] = ["artists", "playlists", "extract_date", "full"];

/// A bad event: the key, what came, what is expected.
#[derive(Debug, thiserror::Error)]
#[error(
    "event key {key:?}: {problem}; expected e.g. {{\"artists\": [\"Bruno Mars\"], \"playlists\": [], \"extract_date\": \"2026-01-01\", \"full\": false}}"
)]
pub struct EventError {
    /// The key.
    pub key: String,
    /// What is wrong with its value.
    pub problem: String,
}

fn bad(key: &str, problem: impl Into<String>) -> EventError {
    EventError {
        key: key.to_owned(),
        problem: problem.into(),
    }
}

/// The flags an event stands for. The event's lists replace the
/// environment's (as `--artist` replaces the file's list).
pub fn overrides(event: &Value) -> Result<Overrides, EventError> {
    let mut out = Overrides::default();
    let map = match event {
        Value::Null => return Ok(out),
        Value::Object(map) => map,
        other => {
            return Err(bad(
                "(event)",
                format!("a JSON {} is not an object", json_type(other)),
            ));
        }
    };
    for key in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
        tracing::warn!(key = %key, "Unknown event key ignored.");
    }
    if let Some(v) = map.get("artists") {
        out.artists = strings("artists", v)?;
    }
    if let Some(v) = map.get("playlists") {
        out.playlists = strings("playlists", v)?;
    }
    match map.get("extract_date") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            out.extract_date = Some(
                s.parse::<ExtractDate>()
                    .map_err(|e| bad("extract_date", format!("{s:?}: {e}")))?,
            );
        }
        Some(other) => {
            return Err(bad(
                "extract_date",
                format!("a {} is not a YYYY-MM-DD string", json_type(other)),
            ));
        }
    }
    match map.get("full") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => out.full = *b,
        Some(other) => {
            return Err(bad(
                "full",
                format!("a {} is not true or false", json_type(other)),
            ));
        }
    }
    Ok(out)
}

fn strings(key: &str, v: &Value) -> Result<Vec<String>, EventError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
                Value::String(_) => Err(bad(key, format!("item {i} is empty"))),
                other => Err(bad(
                    key,
                    format!("item {i} is a {}, not a string", json_type(other)),
                )),
            })
            .collect(),
        other => Err(bad(
            key,
            format!("a {} is not a list of strings", json_type(other)),
        )),
    }
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn empty_and_null_events_replace_nothing() {
        for event in [json!(null), json!({})] {
            let o = overrides(&event).unwrap();
            assert!(o.artists.is_empty() && o.playlists.is_empty());
            assert!(o.extract_date.is_none() && !o.full);
        }
    }

    #[test]
    fn every_key_is_read_and_unknown_keys_are_ignored() {
        let o = overrides(&json!({
            "artists": ["Bruno Mars", "Adele"],
            "playlists": ["37i9dQZF1DXcBWIGoYBM5M"],
            "extract_date": "2026-11-26",
            "full": true,
            "source": "aws.scheduler",
        }))
        .unwrap();
        assert_eq!(o.artists, ["Bruno Mars", "Adele"]);
        assert_eq!(o.playlists, ["37i9dQZF1DXcBWIGoYBM5M"]);
        assert_eq!(o.extract_date.unwrap().to_string(), "2026-11-26");
        assert!(o.full);
    }

    #[test]
    fn wrong_types_name_the_key() {
        for (event, key) in [
            (json!([1, 2]), "(event)"),
            (json!("run"), "(event)"),
            (json!({"artists": "Adele"}), "artists"),
            (json!({"artists": ["Adele", 7]}), "artists"),
            (json!({"artists": [""]}), "artists"),
            (json!({"playlists": {"id": "x"}}), "playlists"),
            (json!({"extract_date": "26/11/2026"}), "extract_date"),
            (json!({"extract_date": 20261126}), "extract_date"),
            (json!({"full": "yes"}), "full"),
        ] {
            let err = overrides(&event).unwrap_err();
            assert_eq!(err.key, key, "{event}");
            assert!(err.to_string().contains("expected e.g."), "{err}");
        }
    }
}
