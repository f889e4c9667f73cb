//! Any bytes as every raw body `load` reads (album, artist, artist_albums
//! listing, playlist) through `raw::parse_body`, the lenient structs, then
//! what `load` does with a body that parses; and as a search answer, as the
//! extractor reads it. A body that does not parse is a skip, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotify_lake::ids::{ExtractDate, IdKind, SpotifyId};
use spotify_lake::lake::{PartitionKey, encode_parquet};
use spotify_lake::raw::model::{self, SearchBody, SearchHit};
use spotify_lake::raw::parse_body;
use spotify_lake::transform::{self, ArtistInput, PlaylistInput};

fuzz_target!(|data: &[u8]| {
    let date: ExtractDate = "2026-11-26".parse().expect("a date");

    // albums/<id>.json: the transform has its own target (album_transform).
    let _ = parse_body::<model::Album>(data);

    if let Ok(artist) = parse_body::<model::Artist>(data) {
        let input = ArtistInput {
            artist_id: artist.id.clone(),
            artist,
            extracted_at_ms: 0,
        };
        let (batch, skipped, _) =
            transform::artists(vec![input]).expect("the code and schemas/ agree");
        assert_eq!(batch.num_rows() + skipped.len(), 1, "a row or a skip");
        let key = PartitionKey::Artists { date };
        encode_parquet(&batch, &key.file_path()).expect("a transform batch encodes");
    }

    // artist_albums/<id>.json: load checks each listed id (`listed_albums`).
    if let Ok(listing) = parse_body::<model::ArtistAlbums>(data) {
        for album in listing.groups.values().flatten().flatten().flatten() {
            if let Ok(id) = SpotifyId::parse(IdKind::Album, &album.id) {
                assert!(
                    SpotifyId::is_valid(id.as_str()),
                    "{id} parsed but is not valid"
                );
            }
        }
    }

    if let Ok(playlist) = parse_body::<model::Playlist>(data) {
        let _ = SpotifyId::parse(IdKind::Playlist, &playlist.id);
        let tables = transform::playlist_tracks(&PlaylistInput {
            playlist,
            extracted_at_ms: 0,
        })
        .expect("the code and schemas/ agree");
        if let Some(batch) = tables.tracks {
            let key = PartitionKey::PlaylistTracks {
                date,
                playlist: SpotifyId::parse(IdKind::Playlist, "37i9dQZF1DXcBWIGoYBM5M")
                    .expect("a playlist id"),
            };
            encode_parquet(&batch, &key.file_path()).expect("a transform batch encodes");
        }
    }

    // A search answer, as `Resolver::search` in src/extract/resolve.rs picks its hit:
    // ids filtered by `is_valid`, then parsed with an `expect`.
    if let Ok(body) = serde_json::from_slice::<SearchBody>(data) {
        let hits: Vec<SearchHit> = body
            .artists
            .and_then(|p| p.items)
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .filter(|h| SpotifyId::is_valid(&h.id))
            .collect();
        for hit in &hits {
            let id = SpotifyId::parse(IdKind::Artist, &hit.id).expect("filtered to valid ids");
            assert_eq!(id.as_str(), hit.id);
        }
    }
});
