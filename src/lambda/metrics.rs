//! The run summary's figures as CloudWatch embedded metrics (EMF): one
//! JSON log line per invocation that CloudWatch turns into metrics in the
//! `SpotifyLake` namespace, with no API call and no extra permission.
//! Alarms and dashboards graph these; the line is also a readable log.
//!
//! Two of them feed the stack's alarms (`infra/template.yaml`): `Partial`
//! (1 for a run that ended partial) and `CompleteSnapshotAgeDays` (days
//! since the raw zone's newest complete snapshot, sent by every invocation
//! that finishes, a resume that found nothing to do included). Why an age
//! rather than a count of complete runs: "none in 8 days" needs an 8-day
//! window, and CloudWatch alarms look back 7 days at most (Period ×
//! EvaluationPeriods ≤ 604,800 s); an age sent daily (the daily resume
//! schedule) is judged one day at a time.

use serde_json::{Map, Value, json};

use crate::summary::{Status, Summary};

/// The CloudWatch namespace of the metrics.
pub const NAMESPACE: &str = "SpotifyLake";

/// The metric of the newest complete snapshot's age.
pub const COMPLETE_AGE: &str = "CompleteSnapshotAgeDays";

/// The EMF document for one run of `function`, stamped `timestamp_ms`;
/// `complete_age_days` is the raw zone's newest complete snapshot's age
/// after the run (left out when unknown: no complete snapshot, or the raw
/// zone could not be read).
pub fn emf(
    summary: &Summary,
    function: &str,
    timestamp_ms: i64,
    complete_age_days: Option<i64>,
) -> Value {
    let rows: u64 = summary.rows.values().sum();
    let mut figures: Vec<(&str, &str, f64)> = vec![
        ("Seconds", "Seconds", summary.seconds),
        ("Requests", "Count", summary.requests.total as f64),
        (
            "RateLimited",
            "Count",
            summary.requests.by_status.get("429").copied().unwrap_or(0) as f64,
        ),
        ("TokenRequests", "Count", summary.token_requests as f64),
        ("ArtistsFetched", "Count", summary.fetched.artists as f64),
        ("AlbumsFetched", "Count", summary.fetched.albums as f64),
        ("AlbumsReused", "Count", summary.reused.albums as f64),
        (
            "PlaylistsFetched",
            "Count",
            summary.fetched.playlists as f64,
        ),
        ("Rows", "Count", rows as f64),
        ("FilesWritten", "Count", summary.files_written as f64),
        (
            "PartitionsRegistered",
            "Count",
            summary.partitions.registered as f64,
        ),
        ("Skipped", "Count", summary.skipped.len() as f64),
        (
            "PendingArtists",
            "Count",
            summary.pending_artists.len() as f64,
        ),
        (
            "Partial",
            "Count",
            f64::from(u8::from(summary.status == Status::Partial)),
        ),
    ];
    if let Some(days) = complete_age_days {
        figures.push((COMPLETE_AGE, "None", days as f64));
    }
    document(
        &figures,
        function,
        Some(&summary.extract_date),
        timestamp_ms,
    )
}

/// The EMF document of an invocation that ran nothing (a resume with
/// nothing to resume): the newest complete snapshot's age alone, so the
/// staleness alarm hears from every day's invocation. `None` when the age
/// is unknown (then the alarm counts the day as stale).
pub fn emf_no_run(
    function: &str,
    timestamp_ms: i64,
    complete_age_days: Option<i64>,
) -> Option<Value> {
    let days = complete_age_days?;
    Some(document(
        &[(COMPLETE_AGE, "None", days as f64)],
        function,
        None,
        timestamp_ms,
    ))
}

/// One EMF document: `figures` as (name, unit, value), by function.
fn document(
    figures: &[(&str, &str, f64)],
    function: &str,
    extract_date: Option<&str>,
    timestamp_ms: i64,
) -> Value {
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [["FunctionName"]],
                "Metrics": figures
                    .iter()
                    .map(|(name, unit, _)| json!({"Name": name, "Unit": unit}))
                    .collect::<Vec<_>>(),
            }],
        }),
    );
    doc.insert("FunctionName".into(), json!(function));
    if let Some(date) = extract_date {
        doc.insert("extract_date".into(), json!(date));
    }
    for (name, _, value) in figures {
        doc.insert((*name).into(), json!(value));
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Skip;

    #[test]
    fn every_declared_metric_has_a_value_and_the_dimension_is_set() {
        let mut s = Summary::new("2026-11-26".into());
        s.requests.total = 1001;
        s.requests.by_status.insert("429".into(), 3);
        s.rows.insert("albums".into(), 10);
        s.rows.insert("tracks".into(), 120);
        s.skipped.push(Skip::new("album", "x", "no body"));
        s.status = Status::Partial;
        let doc = emf(&s, "spotify-lake-weekly", 1_764_000_000_000, Some(9));
        let metrics = &doc["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(metrics["Namespace"], NAMESPACE);
        assert_eq!(doc["_aws"]["Timestamp"], 1_764_000_000_000_i64);
        for m in metrics["Metrics"].as_array().unwrap() {
            let name = m["Name"].as_str().unwrap();
            assert!(doc[name].is_number(), "{name} has no value");
        }
        for dims in metrics["Dimensions"][0].as_array().unwrap() {
            assert!(doc[dims.as_str().unwrap()].is_string());
        }
        assert_eq!(doc["Requests"], 1001.0);
        assert_eq!(doc["RateLimited"], 3.0);
        assert_eq!(doc["Rows"], 130.0);
        assert_eq!(doc["Skipped"], 1.0);
        assert_eq!(doc["Partial"], 1.0);
        assert_eq!(doc[COMPLETE_AGE], 9.0);
    }

    #[test]
    fn an_unknown_age_is_left_out_and_an_idle_invocation_sends_the_age_alone() {
        let s = Summary::new("2026-11-26".into());
        let doc = emf(&s, "f", 1, None);
        assert!(doc.get(COMPLETE_AGE).is_none());
        let declared = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"].to_string();
        assert!(!declared.contains(COMPLETE_AGE), "{declared}");

        assert!(emf_no_run("f", 1, None).is_none());
        let idle = emf_no_run("f", 1, Some(3)).unwrap();
        assert_eq!(idle[COMPLETE_AGE], 3.0);
        assert_eq!(idle["FunctionName"], "f");
        let metrics = idle["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap();
        assert_eq!(
            metrics.len(),
            1,
            "no run figures for a run that did not happen"
        );
        assert!(idle.get("Partial").is_none() && idle.get("extract_date").is_none());
    }
}
