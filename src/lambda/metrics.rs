//! The run summary's figures as CloudWatch embedded metrics (EMF): one
//! JSON log line per invocation that CloudWatch turns into metrics in the
//! `SpotifyLake` namespace, with no API call and no extra permission.
//! Alarms and dashboards graph these; the line is also a readable log.

use serde_json::{Map, Value, json};

use crate::summary::{Status, Summary};

/// The CloudWatch namespace of the metrics.
pub const NAMESPACE: &str = "SpotifyLake";

/// The EMF document for one run of `function`, stamped `timestamp_ms`.
pub fn emf(summary: &Summary, function: &str, timestamp_ms: i64) -> Value {
    let rows: u64 = summary.rows.values().sum();
    let figures: [(&str, &str, f64); 14] = [
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
    doc.insert("extract_date".into(), json!(summary.extract_date));
    for (name, _, value) in figures {
        doc.insert(name.into(), json!(value));
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
        let doc = emf(&s, "spotify-lake-weekly", 1_764_000_000_000);
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
    }
}
