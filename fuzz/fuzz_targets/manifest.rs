//! Any bytes as `manifest.json`: `raw::parse_body::<Manifest>` (what
//! `Snapshot::manifest` does), what `load` reads from it (fetch times,
//! ids), and what the next extract of the day does with it: merge its
//! request counts and write it back (`SnapshotWriter::put_manifest`
//! expects it to serialise), which must read back the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotify_lake::extract::merge_requests;
use spotify_lake::ids::{ExtractDate, IdKind, SpotifyId};
use spotify_lake::raw::model::Manifest;
use spotify_lake::raw::parse_body;
use spotify_lake::summary::Requests;
use spotify_lake::transform::parse_timestamp_millis;

fuzz_target!(|data: &[u8]| {
    let Ok(mut manifest) = parse_body::<Manifest>(data) else {
        return;
    };
    // load: `FetchTimes` and the artists' ids.
    let _ = manifest.started_at.as_deref().map(parse_timestamp_millis);
    for album in manifest.albums.iter().flat_map(|a| a.values()) {
        let _ = album.fetched_at.as_deref().map(parse_timestamp_millis);
    }
    let _ = manifest
        .extract_date
        .as_deref()
        .map(str::parse::<ExtractDate>);
    for artist in manifest.artists.iter().flatten() {
        let _ = artist
            .artist_id
            .as_deref()
            .map(|id| SpotifyId::parse(IdKind::Artist, id));
    }

    // extract: a second run of the day merges its requests into the day's.
    let run = Requests {
        total: 3,
        by_status: [("200".to_owned(), 3)].into(),
        by_endpoint: [("album".to_owned(), 3)].into(),
    };
    let mut requests = manifest.requests.take().unwrap_or_default();
    merge_requests(&mut requests, &run);
    manifest.requests = Some(requests);
    let written = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    let back: Manifest = parse_body(&written).expect("a written manifest reads back");
    let again = serde_json::to_vec_pretty(&back).expect("the manifest serialises");
    assert_eq!(written, again, "a manifest reads back as written");
});
