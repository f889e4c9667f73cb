//! The invocation event: which parts of the environment's configuration
//! one invocation replaces (DESIGN.md, Lambda), or `{"resume": true}`.
//! `{}` and `null` replace nothing; a key that is not one of [`KEYS`] is
//! the invocation's error, named (a typo such as `"artist"` must not run
//! the default artists); so is a known key with a wrong type.
//!
//! Why no envelope is tolerated: EventBridge Scheduler, the stack's only
//! caller, sends its `Input` as it is, so an unknown key is always someone's
//! mistake.

use serde_json::Value;

use crate::config::Overrides;
use crate::ids::ExtractDate;

/// Keys the event may carry.
pub const KEYS: [&str; 5] = ["artists", "playlists", "extract_date", "full", "resume"];

/// Keys `"resume": true` decides itself, so may not stand beside it.
const RESUME_DECIDES: [&str; 4] = ["artists", "playlists", "extract_date", "full"];

/// A bad event: the key, what came, what is expected.
#[derive(Debug, thiserror::Error)]
#[error(
    "event key {key:?}: {problem}; expected e.g. {{\"artists\": [\"Bruno Mars\"], \"playlists\": [], \"extract_date\": \"2026-01-01\", \"full\": false}} (each key optional) or {{\"resume\": true}}"
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

/// One invocation's event, read.
#[derive(Debug, Clone, Default)]
pub struct Event {
    /// The flags it stands for. The event's lists replace the
    /// environment's (as `--artist` replaces the file's list).
    pub overrides: Overrides,
    /// `"resume": true`: finish the raw zone's newest snapshot if it is
    /// not complete, else return at once ([`super::resume`]).
    pub resume: bool,
}

/// The flags an event stands for ([`parse`] without `resume`).
pub fn overrides(event: &Value) -> Result<Overrides, EventError> {
    parse(event).map(|e| e.overrides)
}

/// Reads an event: unknown keys, wrong types and `resume` beside a key it
/// replaces are errors naming the key.
pub fn parse(event: &Value) -> Result<Event, EventError> {
    let mut out = Event::default();
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
    if let Some(key) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(bad(
            key,
            format!(
                "unknown key (the keys are {}); check its spelling",
                KEYS.join(", ")
            ),
        ));
    }
    let flags = &mut out.overrides;
    if let Some(v) = map.get("artists") {
        flags.artists = strings("artists", v)?;
    }
    if let Some(v) = map.get("playlists") {
        flags.playlists = strings("playlists", v)?;
    }
    match map.get("extract_date") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            flags.extract_date = Some(
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
    flags.full = flag(map, "full")?;
    out.resume = flag(map, "resume")?;
    if out.resume {
        // A resume takes its date and lists from the snapshot's manifest.
        if let Some(key) = RESUME_DECIDES
            .iter()
            .find(|k| map.get(**k).is_some_and(|v| !v.is_null()))
        {
            return Err(bad(
                key,
                "not allowed with \"resume\": true, which takes the date and the pending artists and playlists from the newest snapshot's manifest; send one or the other",
            ));
        }
    }
    Ok(out)
}

/// A boolean key: absent or null is false.
fn flag(map: &serde_json::Map<String, Value>, key: &str) -> Result<bool, EventError> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(bad(
            key,
            format!("a {} is not true or false", json_type(other)),
        )),
    }
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
        for event in [json!(null), json!({}), json!({"resume": false})] {
            let e = parse(&event).unwrap();
            let o = &e.overrides;
            assert!(o.artists.is_empty() && o.playlists.is_empty());
            assert!(o.extract_date.is_none() && !o.full && !e.resume);
        }
    }

    #[test]
    fn every_key_is_read() {
        let o = overrides(&json!({
            "artists": ["Bruno Mars", "Adele"],
            "playlists": ["37i9dQZF1DXcBWIGoYBM5M"],
            "extract_date": "2026-11-26",
            "full": true,
        }))
        .unwrap();
        assert_eq!(o.artists, ["Bruno Mars", "Adele"]);
        assert_eq!(o.playlists, ["37i9dQZF1DXcBWIGoYBM5M"]);
        assert_eq!(o.extract_date.unwrap().to_string(), "2026-11-26");
        assert!(o.full);
        assert!(parse(&json!({"resume": true})).unwrap().resume);
    }

    /// Regression (issue "Nothing fails silently"): unknown keys were
    /// logged and ignored, so `{"artist": [...]}` ran the default artists.
    #[test]
    fn unknown_keys_are_errors_naming_the_key() {
        for (event, key) in [
            (json!({"artist": ["Adele"]}), "artist"),
            (json!({"artists": ["Adele"], "Full": true}), "Full"),
            (json!({"source": "aws.scheduler"}), "source"),
            (json!({"resume": true, "dry_run": true}), "dry_run"),
        ] {
            let err = parse(&event).unwrap_err();
            assert_eq!(err.key, key, "{event}");
            let text = err.to_string();
            assert!(
                text.contains("unknown key")
                    && text.contains("artists, playlists, extract_date, full, resume"),
                "{text}"
            );
        }
    }

    #[test]
    fn resume_beside_a_key_it_replaces_names_that_key() {
        for key in ["artists", "playlists", "extract_date", "full"] {
            let value = match key {
                "extract_date" => json!("2026-11-26"),
                "full" => json!(true),
                _ => json!(["x"]),
            };
            let mut event = json!({"resume": true});
            event[key] = value;
            let err = parse(&event).unwrap_err();
            assert_eq!(err.key, key);
            assert!(err.to_string().contains("not allowed with"), "{err}");
        }
        // Null is "not given", and without resume every key is fine.
        assert!(
            parse(&json!({"resume": true, "artists": null}))
                .unwrap()
                .resume
        );
        assert!(parse(&json!({"resume": false, "full": true})).is_ok());
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
            (json!({"resume": "true"}), "resume"),
            (json!({"resume": 1}), "resume"),
        ] {
            let err = parse(&event).unwrap_err();
            assert_eq!(err.key, key, "{event}");
            assert!(err.to_string().contains("expected e.g."), "{err}");
        }
    }
}
