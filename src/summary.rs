//! The run summary: the last thing `run` and `load` print, and the Lambda's
//! response. One shape (DESIGN.md, Interfaces); fields are only ever added.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use serde::Serialize;

/// Something that was left out, and why. Logged at WARN where it happens,
/// counted in the summary (and the manifest).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Skip {
    /// What was skipped: `album`, `artist`, `playlist`, `file`, `manifest`...
    pub kind: String,
    /// Its id, or the file path when the id is unknown.
    pub id: String,
    /// Why, in words a user can act on.
    pub reason: String,
}

impl Skip {
    /// A skip of `kind` `id` because of `reason`; logs it at WARN.
    pub fn new(kind: &str, id: impl Into<String>, reason: impl Into<String>) -> Self {
        let skip = Skip {
            kind: kind.to_owned(),
            id: id.into(),
            reason: reason.into(),
        };
        tracing::warn!(kind = %skip.kind, id = %skip.id, reason = %skip.reason, "Skipped.");
        skip
    }
}

/// `complete` or `partial` (a quota, deadline or budget stop, or a partial
/// snapshot: exit code 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Everything asked for was written.
    Complete,
    /// Some artists are pending; the run can be resumed.
    Partial,
}

/// Objects fetched from Spotify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Fetched {
    /// Artists fetched.
    pub artists: u64,
    /// Albums fetched.
    pub albums: u64,
    /// Playlists fetched.
    pub playlists: u64,
}

/// Objects reused from the previous snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reused {
    /// Albums reused.
    pub albums: u64,
}

/// Requests sent to the Spotify Web API (`/v1` calls only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Requests {
    /// All requests.
    pub total: u64,
    /// By HTTP status, e.g. `"200"`.
    pub by_status: BTreeMap<String, u64>,
    /// By endpoint, e.g. `"album"`.
    pub by_endpoint: BTreeMap<String, u64>,
}

/// Catalog partitions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Partitions {
    /// Newly registered.
    pub registered: u64,
    /// Already there.
    pub existing: u64,
}

/// What the catalog step did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CatalogCounts {
    /// Tables created.
    pub tables_created: u64,
    /// Tables whose columns or docs were updated.
    pub tables_updated: u64,
    /// Views created or updated.
    pub views_written: u64,
    /// Remote catalog API calls (Glue); 0 for the local catalog.
    pub calls: u64,
}

/// The `current_albums` table after a load (DESIGN.md, History).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CurrentCounts {
    /// The committed version (16 hex digits); empty when none is.
    pub version: String,
    /// Its rows: one per album and album type.
    pub rows: u64,
    /// Whether this load wrote and committed a new version.
    pub committed: bool,
    /// Whether it was rebuilt from the history rather than folded.
    pub rebuilt: bool,
}

/// What a run or load did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// complete or partial.
    pub status: Status,
    /// The snapshot's date.
    pub extract_date: String,
    /// Wall time.
    pub seconds: f64,
    /// Fetched from Spotify (zero for `load`).
    pub fetched: Fetched,
    /// Reused from the previous snapshot (zero for `load`).
    pub reused: Reused,
    /// Spotify requests (zero for `load`).
    pub requests: Requests,
    /// Token requests (zero for `load`).
    pub token_requests: u64,
    /// Rows written per table.
    pub rows: BTreeMap<String, u64>,
    /// Parquet files written.
    pub files_written: u64,
    /// Catalog partitions.
    pub partitions: Partitions,
    /// Catalog tables, views and calls.
    pub catalog: CatalogCounts,
    /// The current table after the load.
    pub current: CurrentCounts,
    /// Counted warnings that did not skip anything, e.g. `release_date`
    /// (an unreadable date stored as null).
    pub warnings: BTreeMap<String, u64>,
    /// Everything left out, and why.
    pub skipped: Vec<Skip>,
    /// Artists not written because their extract is incomplete.
    pub pending_artists: Vec<String>,
}

impl Summary {
    /// An empty summary for `extract_date`.
    pub fn new(extract_date: String) -> Self {
        Summary {
            status: Status::Complete,
            extract_date,
            seconds: 0.0,
            fetched: Fetched::default(),
            reused: Reused::default(),
            requests: Requests::default(),
            token_requests: 0,
            rows: BTreeMap::new(),
            files_written: 0,
            partitions: Partitions::default(),
            catalog: CatalogCounts::default(),
            current: CurrentCounts::default(),
            warnings: BTreeMap::new(),
            skipped: Vec::new(),
            pending_artists: Vec::new(),
        }
    }

    /// Whether the run wrote everything it was asked to.
    pub fn is_complete(&self) -> bool {
        self.status == Status::Complete
    }
}

impl fmt::Display for Summary {
    /// A readable table for terminals; `--summary json` prints the JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match self.status {
            Status::Complete => "complete",
            Status::Partial => "partial",
        };
        let mut out = String::new();
        let _ = writeln!(out, "status          {status}");
        let _ = writeln!(out, "extract_date    {}", self.extract_date);
        let _ = writeln!(out, "seconds         {:.2}", self.seconds);
        if self.requests.total > 0 || self.fetched != Fetched::default() {
            let _ = writeln!(
                out,
                "fetched         {} artists, {} albums, {} playlists ({} albums reused)",
                self.fetched.artists,
                self.fetched.albums,
                self.fetched.playlists,
                self.reused.albums
            );
            let _ = writeln!(out, "requests        {}", self.requests.total);
        }
        for (table, n) in &self.rows {
            let _ = writeln!(out, "rows            {table:<16} {n}");
        }
        let _ = writeln!(out, "files_written   {}", self.files_written);
        let _ = writeln!(
            out,
            "partitions      {} registered, {} already there",
            self.partitions.registered, self.partitions.existing
        );
        let c = &self.catalog;
        if c.tables_created + c.tables_updated + c.views_written + c.calls > 0 {
            let _ = writeln!(
                out,
                "catalog         {} tables created, {} updated, {} views written, {} API calls",
                c.tables_created, c.tables_updated, c.views_written, c.calls
            );
        }
        if !self.current.version.is_empty() {
            let _ = writeln!(
                out,
                "current_albums  version {}, {} rows{}",
                self.current.version,
                self.current.rows,
                match (self.current.committed, self.current.rebuilt) {
                    (false, _) => " (unchanged)",
                    (true, false) => " (committed)",
                    (true, true) => " (rebuilt from the history and committed)",
                }
            );
        }
        for (what, n) in &self.warnings {
            let _ = writeln!(out, "warnings        {what:<16} {n}");
        }
        let _ = writeln!(out, "skipped         {}", self.skipped.len());
        for s in &self.skipped {
            let _ = writeln!(out, "  {} {}: {}", s.kind, s.id, s.reason);
        }
        if !self.pending_artists.is_empty() {
            let _ = writeln!(out, "pending_artists {}", self.pending_artists.join(", "));
        }
        f.write_str(&out)
    }
}
