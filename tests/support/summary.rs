//! Reading the JSON summary a `load` or `run` prints (`--summary json`):
//! its skips and its row counts, with messages that show the whole
//! summary when a test's expectation is not there.

use serde_json::Value;

/// The skips of a summary, as `(kind, id, reason)`.
pub fn skips(summary: &Value) -> Vec<(String, String, String)> {
    summary["skipped"]
        .as_array()
        .expect("the summary has a skipped list")
        .iter()
        .map(|s| {
            let field = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
            (field("kind"), field("id"), field("reason"))
        })
        .collect()
}

/// The one skip whose id or reason mentions `needle`; panics if not exactly one.
pub fn skip_about(summary: &Value, needle: &str) -> (String, String, String) {
    let all = skips(summary);
    let found: Vec<_> = all
        .iter()
        .filter(|(_, id, reason)| id.contains(needle) || reason.contains(needle))
        .cloned()
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one skip about {needle:?}, got {found:?}; all skips: {all:#?}"
    );
    found.into_iter().next().expect("one skip")
}

/// `rows.<table>` of a summary.
pub fn rows(summary: &Value, table: &str) -> u64 {
    summary["rows"][table]
        .as_u64()
        .unwrap_or_else(|| panic!("summary has no rows.{table}: {summary}"))
}
