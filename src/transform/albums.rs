//! Album bodies of one artist → the `albums` and `tracks` batches of its
//! partition.

use arrow::array::{BooleanBuilder, Date32Builder, Int32Builder, Int64Builder, StringBuilder};
use arrow::record_batch::RecordBatch;

use super::columns::{
    append_artist_names, count_i32, first_artist, string_list, table_columns, utc_millis,
};
use super::dates::{date32, parse_release_date};
use super::{TransformError, Warnings, warn};
use crate::raw::model::{Album, Track};
use crate::schema::{Table, is_deluxe};
use crate::summary::Skip;

table_columns!(AlbumColumns for Table::Albums;
    album_id: StringBuilder = StringBuilder::new(),
    album_name: StringBuilder = StringBuilder::new(),
    album_type: StringBuilder = StringBuilder::new(),
    album_group: StringBuilder = StringBuilder::new(),
    artist_name: StringBuilder = StringBuilder::new(),
    artist_names: arrow::array::ListBuilder<StringBuilder> = string_list(),
    release_date: Date32Builder = Date32Builder::new(),
    release_date_precision: StringBuilder = StringBuilder::new(),
    release_year: Int32Builder = Int32Builder::new(),
    total_tracks: Int32Builder = Int32Builder::new(),
    track_count: Int32Builder = Int32Builder::new(),
    duration_ms: Int64Builder = Int64Builder::new(),
    is_deluxe: BooleanBuilder = BooleanBuilder::new(),
    label: StringBuilder = StringBuilder::new(),
    popularity: Int32Builder = Int32Builder::new(),
    upc: StringBuilder = StringBuilder::new(),
    extracted_at: arrow::array::TimestampMillisecondBuilder = utc_millis(),
);

table_columns!(TrackColumns for Table::Tracks;
    album_id: StringBuilder = StringBuilder::new(),
    track_id: StringBuilder = StringBuilder::new(),
    track_name: StringBuilder = StringBuilder::new(),
    disc_number: Int32Builder = Int32Builder::new(),
    track_number: Int32Builder = Int32Builder::new(),
    duration_ms: Int64Builder = Int64Builder::new(),
    explicit: BooleanBuilder = BooleanBuilder::new(),
    artist_names: arrow::array::ListBuilder<StringBuilder> = string_list(),
    isrc: StringBuilder = StringBuilder::new(),
    extracted_at: arrow::array::TimestampMillisecondBuilder = utc_millis(),
);

/// One album body to write into an artist's partition.
#[derive(Debug, Clone)]
pub struct AlbumInput {
    /// The id its file is named by (already checked); the body must agree.
    pub album_id: String,
    /// The parsed body.
    pub album: Album,
    /// The include group it was listed under for this artist.
    pub group: String,
    /// When its body was fetched, UTC milliseconds.
    pub extracted_at_ms: i64,
}

/// The two batches of an artist partition, and what was left out.
#[derive(Debug)]
pub struct AlbumTables {
    /// `albums` rows, sorted by album_id.
    pub albums: RecordBatch,
    /// `tracks` rows, sorted by album_id, disc_number, track_number.
    pub tracks: RecordBatch,
    /// Albums left out, with the reason.
    pub skipped: Vec<Skip>,
    /// Counted warnings (`release_date`).
    pub warnings: Warnings,
}

/// Builds the `albums` and `tracks` batches of one artist partition.
///
/// An album is a row only when it is whole: its body id matches its file,
/// every track of `tracks.total` is there (no page missing), and every
/// track has a duration; `duration_ms` is then the sum over all of them and
/// `track_count` their number. Otherwise it is a skip naming the album.
pub fn albums_and_tracks(mut inputs: Vec<AlbumInput>) -> Result<AlbumTables, TransformError> {
    inputs.sort_by(|a, b| a.album_id.cmp(&b.album_id));
    let mut albums = AlbumColumns::new();
    let mut tracks = TrackColumns::new();
    let mut skipped = Vec::new();
    let mut warnings = Warnings::new();
    for input in &inputs {
        let album = &input.album;
        let complete = match complete_tracks(input) {
            Ok(t) => t,
            Err(reason) => {
                skipped.push(Skip::new("album", input.album_id.as_str(), reason));
                continue;
            }
        };
        let duration: i64 = complete
            .iter()
            .map(|t| t.duration_ms.unwrap_or_default())
            .sum();
        let release = parse_release_date(album.release_date.as_deref(), latest_year(input));
        if release.unreadable {
            warn(&mut warnings, "release_date");
            tracing::warn!(album = %input.album_id, release_date = album.release_date.as_deref().unwrap_or(""), "Unreadable release date stored as null.");
        }
        let artists = album.artists.as_deref();
        albums.album_id.append_value(&input.album_id);
        albums.album_name.append_value(&album.name);
        albums.album_type.append_option(album.album_type.as_deref());
        albums.album_group.append_value(&input.group);
        albums
            .artist_name
            .append_option(first_artist(artists).and_then(|a| a.name.as_deref()));
        append_artist_names(&mut albums.artist_names, artists);
        albums.release_date.append_option(release.date.map(date32));
        albums
            .release_date_precision
            .append_option(album.release_date_precision.as_deref());
        albums.release_year.append_option(release.year);
        let mut number = |v: Option<i64>, column: &str| {
            count_i32(v, column, input.album_id.as_str(), &mut warnings)
        };
        albums
            .total_tracks
            .append_option(number(album.total_tracks, "total_tracks"));
        // `complete_tracks` bounds the count to an i32.
        albums.track_count.append_value(complete.len() as i32);
        albums.duration_ms.append_value(duration);
        albums.is_deluxe.append_value(is_deluxe(&album.name));
        albums.label.append_option(album.label.as_deref());
        albums
            .popularity
            .append_option(number(album.popularity, "popularity"));
        albums
            .upc
            .append_option(album.external_ids.as_ref().and_then(|e| e.upc.as_deref()));
        albums.extracted_at.append_value(input.extracted_at_ms);

        let mut ordered: Vec<&Track> = complete;
        ordered.sort_by_key(|t| (t.disc_number, t.track_number));
        for track in ordered {
            tracks.album_id.append_value(&input.album_id);
            tracks.track_id.append_option(track.id.as_deref());
            tracks.track_name.append_option(track.name.as_deref());
            tracks
                .disc_number
                .append_option(number(track.disc_number, "disc_number"));
            tracks
                .track_number
                .append_option(number(track.track_number, "track_number"));
            tracks.duration_ms.append_option(track.duration_ms);
            tracks.explicit.append_option(track.explicit);
            append_artist_names(&mut tracks.artist_names, track.artists.as_deref());
            tracks
                .isrc
                .append_option(track.external_ids.as_ref().and_then(|e| e.isrc.as_deref()));
            tracks.extracted_at.append_value(input.extracted_at_ms);
        }
    }
    Ok(AlbumTables {
        albums: albums.finish()?,
        tracks: tracks.finish()?,
        skipped,
        warnings,
    })
}

/// The latest plausible release year of an album extracted at
/// `extracted_at_ms`: the year after the extract's.
fn latest_year(input: &AlbumInput) -> i32 {
    chrono::DateTime::from_timestamp_millis(input.extracted_at_ms)
        .map_or(i32::MAX, |t| chrono::Datelike::year(&t).saturating_add(1))
}

/// The album's tracks if it is whole, else why not.
fn complete_tracks(input: &AlbumInput) -> Result<Vec<&Track>, String> {
    let album = &input.album;
    if album.id != input.album_id {
        return Err(format!(
            "the body is album {:?} but its file is named {}",
            album.id.chars().take(40).collect::<String>(),
            input.album_id
        ));
    }
    let Some(paging) = album.tracks.as_ref() else {
        return Err("the body has no track list (tracks)".to_owned());
    };
    let items = paging.items.as_deref().unwrap_or_default();
    let present: Vec<&Track> = items.iter().flatten().collect();
    let expected = paging.total.or(album.total_tracks);
    if let Some(total) = expected
        && (present.len() as i64) < total
    {
        return Err(format!(
            "has {} of its {total} tracks (a track page is missing); re-extract it",
            present.len()
        ));
    }
    // More tracks than the album says it has: a page fetched twice, or a
    // body not from Spotify; its duration would be wrong.
    if let Some(total) = expected
        && (present.len() as i64) > total
    {
        return Err(format!(
            "lists {} track items but its total is {total}; re-extract it",
            present.len()
        ));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = present
        .iter()
        .filter_map(|t| t.id.as_deref())
        .find(|id| !seen.insert(*id))
    {
        return Err(format!(
            "lists track {:?} more than once; re-extract it",
            twice.chars().take(40).collect::<String>()
        ));
    }
    if present.len() < items.len() {
        return Err(format!(
            "{} track items are null",
            items.len() - present.len()
        ));
    }
    if present.is_empty() {
        return Err("has no tracks".to_owned());
    }
    if i32::try_from(present.len()).is_err() {
        return Err(format!(
            "has {} tracks, more than an album can",
            present.len()
        ));
    }
    for (i, track) in present.iter().enumerate() {
        match track.duration_ms {
            Some(d) if (0..=i64::from(u32::MAX)).contains(&d) => {}
            Some(d) => return Err(format!("track {} has an impossible duration_ms {d}", i + 1)),
            None => return Err(format!("track {} has no duration_ms", i + 1)),
        }
    }
    Ok(present)
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::{Int32Type, Int64Type};

    fn input(body: &str) -> AlbumInput {
        let album: Album = serde_json::from_str(body).unwrap();
        AlbumInput {
            album_id: album.id.clone(),
            album,
            group: "album".into(),
            extracted_at_ms: 1_000,
        }
    }

    fn track(n: i64, ms: i64) -> String {
        format!(
            r#"{{"id":"t{n}","name":"T{n}","disc_number":1,"track_number":{n},"duration_ms":{ms},"artists":[{{"name":"A"}}]}}"#
        )
    }

    fn album(id: &str, name: &str, tracks: &[String], total: usize) -> String {
        format!(
            r#"{{"id":"{id}","name":"{name}","album_type":"album","release_date":"2011-11","release_date_precision":"month","artists":[{{"name":"Drake"}},{{"name":"Rihanna"}}],"tracks":{{"total":{total},"items":[{}]}}}}"#,
            tracks.join(",")
        )
    }

    #[test]
    fn builds_both_tables_with_the_schema_from_files() {
        let t: Vec<String> = (1..=3).map(|n| track(n, 1000 * n)).collect();
        let out = albums_and_tracks(vec![
            input(&album("b", "Take Care (Deluxe)", &t, 3)),
            input(&album("a", "Views", &t[..2], 2)),
        ])
        .unwrap();
        assert_eq!(out.albums.schema(), Table::Albums.arrow_schema());
        assert_eq!(out.tracks.schema(), Table::Tracks.arrow_schema());
        let ids = out
            .albums
            .column_by_name("album_id")
            .unwrap()
            .as_string::<i32>();
        assert_eq!(
            (ids.value(0), ids.value(1)),
            ("a", "b"),
            "sorted by album_id"
        );
        let dur = out
            .albums
            .column_by_name("duration_ms")
            .unwrap()
            .as_primitive::<Int64Type>();
        assert_eq!((dur.value(0), dur.value(1)), (3000, 6000));
        let count = out
            .albums
            .column_by_name("track_count")
            .unwrap()
            .as_primitive::<Int32Type>();
        assert_eq!((count.value(0), count.value(1)), (2, 3));
        let deluxe = out.albums.column_by_name("is_deluxe").unwrap().as_boolean();
        assert!(!deluxe.value(0) && deluxe.value(1));
        assert_eq!(out.tracks.num_rows(), 5);
        assert!(out.skipped.is_empty());
    }

    #[test]
    fn an_album_missing_a_track_page_is_skipped_not_short() {
        let t: Vec<String> = (1..=50).map(|n| track(n, 1000)).collect();
        let out = albums_and_tracks(vec![input(&album("a", "Long", &t, 62))]).unwrap();
        assert_eq!(out.albums.num_rows(), 0);
        assert_eq!(out.tracks.num_rows(), 0);
        assert!(
            out.skipped[0].reason.contains("50 of its 62 tracks"),
            "{:?}",
            out.skipped
        );
    }

    #[test]
    fn tracks_are_ordered_by_disc_then_number() {
        let body = r#"{"id":"a","name":"X","tracks":{"total":3,"items":[
            {"disc_number":2,"track_number":1,"duration_ms":5},
            {"disc_number":1,"track_number":2,"duration_ms":5},
            {"disc_number":1,"track_number":1,"duration_ms":5}]}}"#;
        let out = albums_and_tracks(vec![input(body)]).unwrap();
        let disc = out
            .tracks
            .column_by_name("disc_number")
            .unwrap()
            .as_primitive::<Int32Type>();
        let num = out
            .tracks
            .column_by_name("track_number")
            .unwrap()
            .as_primitive::<Int32Type>();
        let got: Vec<(i32, i32)> = (0..3).map(|i| (disc.value(i), num.value(i))).collect();
        assert_eq!(got, [(1, 1), (1, 2), (2, 1)]);
    }

    #[test]
    fn bad_bodies_are_skips_with_reasons() {
        let cases = [
            (r#"{"id":"a","name":"X"}"#, "no track list"),
            (
                r#"{"id":"a","name":"X","tracks":{"items":[]}}"#,
                "no tracks",
            ),
            (r#"{"id":"a","name":"X","tracks":{"items":[null]}}"#, "null"),
            (
                r#"{"id":"a","name":"X","tracks":{"items":[{"duration_ms":null}]}}"#,
                "no duration_ms",
            ),
            (
                r#"{"id":"a","name":"X","tracks":{"items":[{"duration_ms":-5}]}}"#,
                "impossible duration_ms",
            ),
        ];
        for (body, reason) in cases {
            let out = albums_and_tracks(vec![input(body)]).unwrap();
            assert_eq!(out.albums.num_rows(), 0, "{body}");
            assert!(
                out.skipped[0].reason.contains(reason),
                "{body}: {:?}",
                out.skipped
            );
        }
        let mut wrong = input(r#"{"id":"a","name":"X","tracks":{"items":[{"duration_ms":1}]}}"#);
        wrong.album_id = "b".into();
        let out = albums_and_tracks(vec![wrong]).unwrap();
        assert!(out.skipped[0].reason.contains("its file is named b"));
    }

    #[test]
    fn zero_year_dates_are_null_and_counted() {
        let body = r#"{"id":"a","name":"X","release_date":"0000","release_date_precision":"year","tracks":{"items":[{"duration_ms":1}]}}"#;
        let out = albums_and_tracks(vec![input(body)]).unwrap();
        assert_eq!(out.albums.num_rows(), 1);
        assert!(
            out.albums
                .column_by_name("release_date")
                .unwrap()
                .is_null(0)
        );
        assert!(
            out.albums
                .column_by_name("release_year")
                .unwrap()
                .is_null(0)
        );
        assert_eq!(out.warnings.get("release_date"), Some(&1));
    }
}
