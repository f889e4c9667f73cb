//! `{"resume": true}`: the daily schedule's event (DESIGN.md, Nothing fails
//! silently). When the raw zone's newest snapshot is not complete, the
//! invocation runs what `status` prints as its `resume` command: the same
//! extract date, only the artists and playlists its manifest left pending
//! (the extractor keeps every artist the date's manifest lists as complete
//! and merges into that manifest; the load rewrites the whole date). A
//! newest snapshot with no readable manifest (an extract that died) runs
//! the configured lists for its date again. Otherwise the invocation
//! answers at once: no Spotify request, no secret read, nothing written.
//!
//! Why only the newest snapshot: an older partial one has been superseded
//! by a newer extract, and finishing it would file today's catalogue under
//! an old date; `status` offers no command for it either.
//!
//! The response is the run summary with a `resume` object beside its
//! fields ([`Note`]); with nothing to resume the summary is empty, status
//! `complete`, dated by the newest snapshot (empty when there is none).

use serde::Serialize;
use serde_json::Value;

use crate::config::{Config, Overrides};
use crate::ids::ExtractDate;
use crate::status::{RawHead, SnapshotState};
use crate::summary::Summary;

/// What a `{"resume": true}` invocation did, in its response's `resume`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Whether it ran the pending work.
    pub resumed: bool,
    /// The newest snapshot's date (`None`: the raw zone holds none).
    pub snapshot: Option<String>,
    /// Why, in words.
    pub reason: String,
}

/// The pending work of the newest snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    /// Its extract date.
    pub date: ExtractDate,
    /// Pending artists, by id when resolved, else as configured.
    pub artists: Vec<String>,
    /// Pending playlists.
    pub playlists: Vec<String>,
}

/// What `{"resume": true}` does, given the raw zone's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Run the pending work.
    Resume(Pending, Note),
    /// Return at once.
    Nothing(Note),
}

/// Decides from the newest snapshot; reads and sends nothing.
pub fn plan(head: &RawHead) -> Plan {
    let Some(newest) = &head.newest else {
        return Plan::Nothing(Note {
            resumed: false,
            snapshot: None,
            reason: "the raw zone holds no snapshot, so there is nothing to resume; the weekly run writes the first".into(),
        });
    };
    let snapshot = Some(newest.extract_date.clone());
    let date = match newest.extract_date.parse::<ExtractDate>() {
        Ok(d) if newest.status != SnapshotState::Complete => d,
        _ => {
            return Plan::Nothing(Note {
                resumed: false,
                snapshot,
                reason: format!(
                    "the newest snapshot, {}, is complete; nothing to resume",
                    newest.extract_date
                ),
            });
        }
    };
    let artists: Vec<String> = newest
        .pending_artists
        .iter()
        .filter_map(|a| a.resume_name().map(str::to_owned))
        .collect();
    let playlists = newest.pending_playlists.clone();
    let reason = match newest.status {
        SnapshotState::NoManifest => format!(
            "the newest snapshot, {date}, has no manifest (an extract that died): the configured artists and playlists run again for that date"
        ),
        SnapshotState::UnreadableManifest => format!(
            "the newest snapshot's manifest, {date}, cannot be read: the configured artists and playlists run again for that date, which rewrites it"
        ),
        _ if artists.is_empty() && playlists.is_empty() => format!(
            "the newest snapshot, {date}, is partial but names nothing pending: the configured artists and playlists run again for that date"
        ),
        _ => format!(
            "the newest snapshot, {date}, is partial{}: {} artist(s) and {} playlist(s) pending",
            newest
                .stop_reason
                .as_deref()
                .map(|s| format!(" (stopped: {s})"))
                .unwrap_or_default(),
            artists.len(),
            playlists.len()
        ),
    };
    Plan::Resume(
        Pending {
            date,
            artists,
            playlists,
        },
        Note {
            resumed: true,
            snapshot,
            reason,
        },
    )
}

impl Pending {
    /// The flags of the resumed run: the snapshot's date and its pending
    /// lists (empty lists leave the environment's in place).
    pub fn overrides(&self) -> Overrides {
        Overrides {
            extract_date: Some(self.date),
            artists: self.artists.clone(),
            playlists: self.playlists.clone(),
            ..Overrides::default()
        }
    }

    /// Narrows the resolved configuration to exactly the pending work:
    /// when the manifest names something pending, a list it names nothing
    /// in is emptied rather than left as the environment's.
    pub fn narrow(&self, cfg: &mut Config) {
        if self.artists.is_empty() && self.playlists.is_empty() {
            return;
        }
        if self.artists.is_empty() {
            cfg.spotify.artists.clear();
        }
        if self.playlists.is_empty() {
            cfg.spotify.playlists.clear();
        }
    }
}

/// The response of an invocation with nothing to resume.
pub fn nothing_response(note: &Note) -> Value {
    let summary = Summary::new(note.snapshot.clone().unwrap_or_default());
    with_note(&summary, note)
}

/// The summary as JSON with `note` as its `resume` object.
pub fn with_note(summary: &Summary, note: &Note) -> Value {
    let mut value = serde_json::to_value(summary).unwrap_or_else(|e| {
        // A summary is plain numbers and strings; this does not happen.
        tracing::error!(error = %e, "Cannot serialise the summary.");
        Value::Object(serde_json::Map::new())
    });
    if let Value::Object(map) = &mut value {
        map.insert(
            "resume".into(),
            serde_json::to_value(note).unwrap_or(Value::Null),
        );
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::{Newest, PendingArtist};

    const A: &str = "3TVXtAsR1Inumwj472S9r4";

    fn head(status: SnapshotState, pending: Vec<PendingArtist>, playlists: &[&str]) -> RawHead {
        RawHead {
            newest: Some(Newest {
                extract_date: "2026-11-26".into(),
                age_days: 0,
                status,
                stop_reason: Some("quota".into()),
                retry_after_seconds: None,
                ended_at: None,
                pending_artists: pending,
                pending_playlists: playlists.iter().map(|s| s.to_string()).collect(),
                manifest_error: None,
                resume: None,
            }),
            newest_complete: None,
        }
    }

    #[test]
    fn a_partial_newest_snapshot_resumes_its_pending_work_by_id_else_by_query() {
        let pending = crate::status::drake_and_unresolved("Adele");
        let Plan::Resume(p, note) = plan(&head(SnapshotState::Partial, pending, &[])) else {
            panic!("a partial snapshot is resumed");
        };
        assert_eq!(p.date.to_string(), "2026-11-26");
        assert_eq!(p.artists, [A, "Adele"]);
        assert!(p.playlists.is_empty());
        assert!(note.resumed);
        assert!(
            note.reason
                .contains("(stopped: quota): 2 artist(s) and 0 playlist(s)"),
            "{}",
            note.reason
        );
        let o = p.overrides();
        assert_eq!(o.extract_date, Some(p.date));
        assert_eq!(o.artists, p.artists);
    }

    #[test]
    fn a_complete_newest_snapshot_or_none_at_all_is_nothing_to_resume() {
        let Plan::Nothing(note) = plan(&head(SnapshotState::Complete, vec![], &[])) else {
            panic!("nothing to resume");
        };
        assert_eq!(note.snapshot.as_deref(), Some("2026-11-26"));
        assert!(note.reason.contains("is complete"), "{}", note.reason);
        let response = nothing_response(&note);
        assert_eq!(response["status"], "complete");
        assert_eq!(response["extract_date"], "2026-11-26");
        assert_eq!(response["requests"]["total"], 0);
        assert_eq!(response["resume"]["resumed"], false);

        let empty = RawHead {
            newest: None,
            newest_complete: None,
        };
        let Plan::Nothing(note) = plan(&empty) else {
            panic!("nothing to resume");
        };
        assert!(note.snapshot.is_none() && note.reason.contains("no snapshot"));
        assert_eq!(nothing_response(&note)["extract_date"], "");
    }

    #[test]
    fn a_snapshot_without_a_manifest_runs_the_configured_lists_again() {
        let Plan::Resume(p, note) = plan(&head(SnapshotState::NoManifest, vec![], &[])) else {
            panic!("a manifestless snapshot is resumed");
        };
        assert!(p.artists.is_empty() && p.playlists.is_empty());
        assert!(note.reason.contains("no manifest"), "{}", note.reason);
    }

    #[test]
    fn pending_playlists_alone_run_no_configured_artist() {
        let env = crate::config::Env::default();
        let file = crate::config::FileConfig {
            spotify: Some(crate::config::SpotifySection {
                artists: Some(vec!["Drake".into()]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let Plan::Resume(p, _) = plan(&head(
            SnapshotState::Partial,
            vec![],
            &["E5k306J2TvzaJHnw8DG434"],
        )) else {
            panic!("a pending playlist is resumed");
        };
        let mut cfg = Config::resolve(Some(("test", &file)), &p.overrides(), &env).unwrap();
        assert_eq!(cfg.spotify.artists.len(), 1, "the environment's list");
        p.narrow(&mut cfg);
        assert!(cfg.spotify.artists.is_empty());
        assert_eq!(cfg.spotify.playlists.len(), 1);
    }
}
