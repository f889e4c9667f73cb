//! One album body → the lenient struct → `transform::albums_and_tracks` →
//! the `albums` and `tracks` batches → `lake::encode_parquet`, as `load`
//! does for each artist partition. The body's own id names it (as if its
//! file did), so bodies get past the id check into the row building.
#![no_main]

use libfuzzer_sys::fuzz_target;
use spotify_lake::ids::{IdKind, SpotifyId};
use spotify_lake::lake::{PartitionKey, encode_parquet};
use spotify_lake::raw::{model, parse_body};
use spotify_lake::schema::Table;
use spotify_lake::transform::{AlbumInput, albums_and_tracks};

fuzz_target!(|data: &[u8]| {
    let Ok(album) = parse_body::<model::Album>(data) else {
        return;
    };
    let input = AlbumInput {
        album_id: album.id.clone(),
        album,
        group: "album".to_owned(),
        extracted_at_ms: 1_795_000_000_000,
    };
    let tables = albums_and_tracks(vec![input]).expect("the code and schemas/ agree");
    let rows = tables.albums.num_rows();
    assert_eq!(
        rows + tables.skipped.len(),
        1,
        "an album is a row or a skip"
    );
    assert_eq!(
        rows == 0,
        tables.tracks.num_rows() == 0,
        "tracks only of a row"
    );
    assert_eq!(tables.albums.schema(), Table::Albums.arrow_schema());
    assert_eq!(tables.tracks.schema(), Table::Tracks.arrow_schema());

    let date = "2026-11-26".parse().expect("a date");
    let artist = SpotifyId::parse(IdKind::Artist, "3TVXtAsR1Inumwj472S9r4").expect("an id");
    let keys = [
        PartitionKey::Albums {
            date,
            artist: artist.clone(),
        },
        PartitionKey::Tracks { date, artist },
    ];
    for (key, batch) in keys.iter().zip([&tables.albums, &tables.tracks]) {
        encode_parquet(batch, &key.file_path()).expect("a transform batch encodes");
    }
});
