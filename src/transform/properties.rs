//! Property tests of the raw reader and the transform together: generated
//! album, track, artist and playlist bodies (fields omitted, null or of the
//! wrong JSON type; huge, negative and fractional numbers; empty, very long
//! and any-Unicode strings; duplicate items; a `total` that disagrees with
//! the items; bytes that are not JSON at all; see
//! [`crate::raw::arb`]) go through
//! [`raw::parse_body`](crate::raw::parse_body), as the load does, and then
//! the transform.
//!
//! Invariants: nothing panics; every input is a row or a counted skip with a
//! reason, never both and never neither; a whole album's `duration_ms` and
//! `track_count` are the sum and count of its tracks.

use std::collections::BTreeMap;

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Int32Type, Int64Type};
use proptest::prelude::*;

use super::{AlbumInput, ArtistInput, PlaylistInput, albums_and_tracks, artists, playlist_tracks};
use crate::raw::arb;
use crate::raw::model::{Album, Artist, Playlist};
use crate::raw::parse_body;
use crate::summary::Skip;

/// Parses each file as the load does: a body that does not parse is a skip
/// naming its file id.
fn parse_files<T: serde::de::DeserializeOwned>(
    kind: &str,
    files: &[(String, Vec<u8>)],
) -> (Vec<(String, T)>, Vec<Skip>) {
    let mut parsed = Vec::new();
    let mut skipped = Vec::new();
    for (id, bytes) in files {
        match parse_body::<T>(bytes) {
            Ok(body) => parsed.push((id.clone(), body)),
            Err(reason) => skipped.push(Skip::new(kind, id.as_str(), reason)),
        }
    }
    (parsed, skipped)
}

/// Asserts every file id is exactly one row id or one skip id, and every
/// skip has the kind and a reason.
fn assert_rows_and_skips_partition(
    kind: &str,
    files: &[(String, Vec<u8>)],
    row_ids: Vec<String>,
    skipped: &[Skip],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(
        row_ids.len() + skipped.len(),
        files.len(),
        "rows + skips != inputs: rows {:?}, skips {:?}",
        row_ids,
        skipped
    );
    for skip in skipped {
        prop_assert_eq!(skip.kind.as_str(), kind);
        prop_assert!(!skip.reason.trim().is_empty(), "a skip without a reason");
    }
    let mut seen: Vec<String> = row_ids;
    seen.extend(skipped.iter().map(|s| s.id.clone()));
    seen.sort();
    let mut want: Vec<String> = files.iter().map(|(id, _)| id.clone()).collect();
    want.sort();
    prop_assert_eq!(seen, want, "each input is exactly one row or one skip");
    Ok(())
}

fn strings(batch: &arrow::record_batch::RecordBatch, name: &str) -> Vec<String> {
    let col = batch.column_by_name(name).expect("a schema column");
    let col = col.as_string::<i32>();
    (0..col.len()).map(|i| col.value(i).to_owned()).collect()
}

proptest! {
    #![proptest_config(arb::config(128))]

    /// Any album bodies: each is a row or a counted skip, and a row's
    /// figures are its tracks'.
    #[test]
    fn every_album_is_a_row_or_a_counted_skip(files in arb::album_files(6)) {
        let (parsed, mut skipped) = parse_files::<Album>("album", &files);
        let bodies: BTreeMap<String, Album> = parsed.iter().cloned().collect();
        let inputs = parsed
            .into_iter()
            .map(|(album_id, album)| AlbumInput {
                album_id,
                album,
                group: "album".into(),
                extracted_at_ms: 0,
            })
            .collect();
        let out = albums_and_tracks(inputs).expect("the code and schemas/ agree");
        skipped.extend(out.skipped);
        let ids = strings(&out.albums, "album_id");
        assert_rows_and_skips_partition("album", &files, ids.clone(), &skipped)?;

        let duration = out.albums.column_by_name("duration_ms").unwrap().as_primitive::<Int64Type>();
        let count = out.albums.column_by_name("track_count").unwrap().as_primitive::<Int32Type>();
        let mut tracks_per_album: BTreeMap<String, usize> = BTreeMap::new();
        for album_id in strings(&out.tracks, "album_id") {
            *tracks_per_album.entry(album_id).or_default() += 1;
        }
        for (i, id) in ids.iter().enumerate() {
            let items: Vec<_> = bodies[id]
                .tracks.as_ref().and_then(|p| p.items.as_ref()).into_iter().flatten().collect();
            prop_assert!(items.iter().all(|t| t.is_some()), "a row with a null track: {}", id);
            let sum: i64 = items.iter().filter_map(|t| t.as_ref()?.duration_ms).sum();
            prop_assert_eq!(duration.value(i), sum, "duration_ms of {}", id);
            prop_assert_eq!(count.value(i) as usize, items.len(), "track_count of {}", id);
            prop_assert_eq!(tracks_per_album.get(id).copied().unwrap_or(0), items.len());
        }
        prop_assert_eq!(tracks_per_album.len(), ids.len(), "tracks only of albums that are rows");
    }

    /// Whole albums are all rows, with the sum and count of their tracks
    /// (no track id twice), whatever their optional fields say.
    #[test]
    fn a_whole_album_sums_its_tracks(albums in (1usize..6).prop_flat_map(|n| {
        (0..n).map(|i| arb::whole_album(arb::file_id(i))).collect::<Vec<_>>()
    })) {
        let mut want = BTreeMap::new();
        let mut inputs = Vec::new();
        for (body, durations) in albums {
            let bytes = serde_json::to_vec(&body).unwrap();
            let album: Album = parse_body(&bytes).map_err(TestCaseError::fail)?;
            want.insert(album.id.clone(), (durations.iter().sum::<i64>(), durations.len()));
            inputs.push(AlbumInput {
                album_id: album.id.clone(),
                album,
                group: "single".into(),
                extracted_at_ms: 7,
            });
        }
        let out = albums_and_tracks(inputs).expect("the code and schemas/ agree");
        prop_assert!(out.skipped.is_empty(), "whole albums skipped: {:?}", out.skipped);
        let ids = strings(&out.albums, "album_id");
        let duration = out.albums.column_by_name("duration_ms").unwrap().as_primitive::<Int64Type>();
        let count = out.albums.column_by_name("track_count").unwrap().as_primitive::<Int32Type>();
        prop_assert_eq!(ids.len(), want.len());
        for (i, id) in ids.iter().enumerate() {
            let (sum, n) = want[id];
            prop_assert_eq!(duration.value(i), sum, "duration_ms of {}", id);
            prop_assert_eq!(count.value(i) as usize, n, "track_count of {}", id);
        }
        let track_ms = out.tracks.column_by_name("duration_ms").unwrap().as_primitive::<Int64Type>();
        prop_assert_eq!(track_ms.null_count(), 0);
        prop_assert_eq!(
            track_ms.values().iter().sum::<i64>(),
            want.values().map(|(sum, _)| sum).sum::<i64>()
        );
    }

    /// Any artist bodies: each is a row or a counted skip.
    #[test]
    fn every_artist_is_a_row_or_a_counted_skip(files in (0usize..8).prop_flat_map(|n| {
        (0..n).map(arb::artist_file).collect::<Vec<_>>()
    })) {
        let (parsed, mut skipped) = parse_files::<Artist>("artist", &files);
        let inputs = parsed
            .into_iter()
            .map(|(artist_id, artist)| ArtistInput { artist_id, artist, extracted_at_ms: 0 })
            .collect();
        let (batch, more, _) = artists(inputs).expect("the code and schemas/ agree");
        skipped.extend(more);
        assert_rows_and_skips_partition("artist", &files, strings(&batch, "artist_id"), &skipped)?;
    }

    /// Any playlist body: no panic; each entry is a row or a counted
    /// leave-out, rows keep their playlist position.
    #[test]
    fn every_playlist_entry_is_a_row_or_counted(body in arb::playlist().prop_flat_map(arb::bytes_of)) {
        let Ok(playlist) = parse_body::<Playlist>(&body) else {
            return Ok(());
        };
        let entries = playlist.entries().map(<[_]>::len);
        let out = playlist_tracks(&PlaylistInput { playlist, extracted_at_ms: 0 })
            .expect("the code and schemas/ agree");
        match (entries, out.tracks) {
            (None, None) => {}
            (Some(n), Some(batch)) => {
                let left_out = out.warnings.get("playlist_items_left_out").copied().unwrap_or(0);
                prop_assert_eq!(batch.num_rows() as u64 + left_out, n as u64);
                let pos = batch.column_by_name("position").unwrap().as_primitive::<Int32Type>();
                prop_assert!(pos.values().windows(2).all(|w| w[0] < w[1]), "positions in order");
                prop_assert!(pos.values().iter().all(|p| (*p as usize) < n));
                prop_assert_eq!(batch.column_by_name("track_id").unwrap().null_count(), 0);
            }
            (entries, tracks) => prop_assert!(
                false,
                "entries {:?} but a batch: {}",
                entries,
                tracks.is_some()
            ),
        }
    }
}
