//! A playlist body → the `playlist_tracks` batch of its partition.

use arrow::array::{Int32Builder, Int64Builder, StringBuilder};
use arrow::record_batch::RecordBatch;

use super::columns::{first_artist, table_columns, utc_millis};
use super::dates::parse_timestamp_millis;
use super::{TransformError, Warnings, warn};
use crate::raw::model::Playlist;
use crate::schema::Table;

table_columns!(PlaylistTrackColumns for Table::PlaylistTracks;
    playlist_name: StringBuilder = StringBuilder::new(),
    position: Int32Builder = Int32Builder::new(),
    added_at: arrow::array::TimestampMillisecondBuilder = utc_millis(),
    track_id: StringBuilder = StringBuilder::new(),
    track_name: StringBuilder = StringBuilder::new(),
    album_id: StringBuilder = StringBuilder::new(),
    album_name: StringBuilder = StringBuilder::new(),
    artist_id: StringBuilder = StringBuilder::new(),
    artist_name: StringBuilder = StringBuilder::new(),
    duration_ms: Int64Builder = Int64Builder::new(),
    extracted_at: arrow::array::TimestampMillisecondBuilder = utc_millis(),
);

/// One playlist body.
#[derive(Debug, Clone)]
pub struct PlaylistInput {
    /// The parsed body.
    pub playlist: Playlist,
    /// When it was fetched, UTC milliseconds.
    pub extracted_at_ms: i64,
}

/// The batch of one playlist partition; `None` when the body carries no
/// items (development mode serves metadata only).
#[derive(Debug)]
pub struct PlaylistTables {
    /// Rows by position.
    pub tracks: Option<RecordBatch>,
    /// `playlist_items_left_out` (empty items, local files, episodes) and
    /// `added_at` (unreadable, stored as null).
    pub warnings: Warnings,
}

/// Builds one playlist's rows. `position` is the item's index in the
/// playlist, counting the items left out (null items, local files, podcast
/// episodes), so it matches what a listener sees.
pub fn playlist_tracks(input: &PlaylistInput) -> Result<PlaylistTables, TransformError> {
    let mut warnings = Warnings::new();
    let Some(entries) = input.playlist.entries() else {
        return Ok(PlaylistTables {
            tracks: None,
            warnings,
        });
    };
    let mut cols = PlaylistTrackColumns::new();
    for (position, entry) in entries.iter().enumerate() {
        let item = entry.as_ref();
        let track = item.and_then(|i| i.track());
        let keep = match (item, track) {
            (Some(item), Some(track)) => {
                item.is_local != Some(true)
                    && track.is_local != Some(true)
                    && track.episode != Some(true)
                    && track.kind.as_deref().is_none_or(|k| k == "track")
                    && track.id.is_some()
            }
            _ => false,
        };
        let (Some(item), Some(track), true, Ok(position)) =
            (item, track, keep, i32::try_from(position))
        else {
            warn(&mut warnings, "playlist_items_left_out");
            continue;
        };
        let added_at = item.added_at.as_deref().and_then(|s| {
            let ms = parse_timestamp_millis(s);
            if ms.is_none() {
                warn(&mut warnings, "added_at");
            }
            ms
        });
        let artist = first_artist(track.artists.as_deref());
        cols.playlist_name
            .append_option(input.playlist.name.as_deref());
        cols.position.append_value(position);
        cols.added_at.append_option(added_at);
        cols.track_id.append_option(track.id.as_deref());
        cols.track_name.append_option(track.name.as_deref());
        cols.album_id
            .append_option(track.album.as_ref().and_then(|a| a.id.as_deref()));
        cols.album_name
            .append_option(track.album.as_ref().and_then(|a| a.name.as_deref()));
        cols.artist_id
            .append_option(artist.and_then(|a| a.id.as_deref()));
        cols.artist_name
            .append_option(artist.and_then(|a| a.name.as_deref()));
        cols.duration_ms.append_option(track.duration_ms);
        cols.extracted_at.append_value(input.extracted_at_ms);
    }
    Ok(PlaylistTables {
        tracks: Some(cols.finish()?),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::AsArray;
    use arrow::datatypes::Int32Type;

    fn run(body: &str) -> PlaylistTables {
        let playlist: Playlist = serde_json::from_str(body).unwrap();
        playlist_tracks(&PlaylistInput {
            playlist,
            extracted_at_ms: 0,
        })
        .unwrap()
    }

    #[test]
    fn leaves_out_null_local_and_episode_items_but_keeps_positions() {
        let out = run(r#"{"id":"p","name":"Mix","items":{"items":[
            {"item":{"id":"t0","name":"a","type":"track","duration_ms":1,"artists":[{"id":"x","name":"X"}]}},
            {"item":null},
            {"is_local":true,"item":{"id":null,"name":"local","type":"track"}},
            {"item":{"id":"e","name":"pod","type":"episode"}},
            {"added_at":"2026-01-01T00:00:00Z","item":{"id":"t4","name":"b","type":"track","album":{"id":"al","name":"Al"}}}
        ]}}"#);
        let batch = out.tracks.unwrap();
        assert_eq!(batch.schema(), Table::PlaylistTracks.arrow_schema());
        let pos = batch
            .column_by_name("position")
            .unwrap()
            .as_primitive::<Int32Type>();
        assert_eq!(pos.values().to_vec(), vec![0, 4]);
        assert_eq!(out.warnings.get("playlist_items_left_out"), Some(&3));
    }

    #[test]
    fn legacy_shape_and_metadata_only() {
        let out = run(r#"{"id":"p","tracks":{"items":[{"track":{"id":"t","name":"n"}}]}}"#);
        assert_eq!(out.tracks.unwrap().num_rows(), 1);
        assert!(
            run(r#"{"id":"p","name":"dev","tracks":{"total":3}}"#)
                .tracks
                .is_none()
        );
    }
}
