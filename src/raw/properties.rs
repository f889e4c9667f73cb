//! Property tests of the raw reader: any JSON and any bytes parse into the
//! lenient structs or are a "malformed JSON" error, gzip bodies decode whole
//! or fail, and only a bare Spotify id names an object file, whatever the
//! listing holds. Never a panic.
//!
//! [`arb`](super::arb) generates the raw bodies.

use std::collections::BTreeSet;

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStoreExt as _, PutPayload};
use proptest::prelude::*;

use super::arb;
use super::model::{Album, Artist, ArtistAlbums, Manifest, Playlist, Track};
use super::{ObjectKind, Snapshot, decode, object_file_id, parse_body, snapshot_dir};
use crate::ids::SpotifyId;

/// Parses `bytes` as `T`: a body or a "malformed JSON" error.
fn parses_or_says_malformed<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<(), TestCaseError> {
    if let Err(reason) = parse_body::<T>(bytes) {
        prop_assert!(reason.starts_with("malformed JSON: "), "{}", reason);
    }
    Ok(())
}

fn parses_as_every_body(bytes: &[u8]) -> Result<(), TestCaseError> {
    parses_or_says_malformed::<Album>(bytes)?;
    parses_or_says_malformed::<Track>(bytes)?;
    parses_or_says_malformed::<Artist>(bytes)?;
    parses_or_says_malformed::<ArtistAlbums>(bytes)?;
    parses_or_says_malformed::<Playlist>(bytes)?;
    parses_or_says_malformed::<Manifest>(bytes)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

/// A file name in a snapshot: a valid id, a hostile one or any text, with
/// a good, odd or no suffix.
fn file_name() -> BoxedStrategy<String> {
    let stem = prop_oneof![
        2 => arb::spotify_id(),
        2 => prop::sample::select(vec!["0du5cEVh5yTK9QJze8zA0C", "3TVXtAsR1Inumwj472S9r4"])
            .prop_map(str::to_owned),
        2 => prop::sample::select(arb::HOSTILE_IDS.to_vec()).prop_map(str::to_owned),
        1 => arb::text(),
    ];
    let suffix = prop_oneof![
        3 => Just(".json"),
        3 => Just(".json.gz"),
        1 => prop::sample::select(vec![".txt", "", ".JSON", ".json.gz.json"]),
    ];
    (stem, suffix)
        .prop_map(|(stem, suffix)| format!("{stem}{suffix}"))
        .boxed()
}

proptest! {
    #![proptest_config(arb::config(256))]

    /// Any JSON value is a body of every kind or a "malformed JSON" error.
    #[test]
    fn any_json_parses_or_is_malformed(value in arb::json_value()) {
        parses_as_every_body(&serde_json::to_vec(&value).expect("JSON values serialise"))?;
    }

    /// Generated bodies, whole, cut or garbage, too.
    #[test]
    fn any_body_bytes_parse_or_are_malformed(bytes in prop_oneof![
        arb::messy_album(arb::file_id(0)).prop_flat_map(arb::bytes_of),
        arb::playlist().prop_flat_map(arb::bytes_of),
        prop::collection::vec(any::<u8>(), 0..128),
    ]) {
        parses_as_every_body(&bytes)?;
    }

    /// A `.json.gz` body decodes to what was compressed; a cut one or one
    /// that is not gzip is a "not valid gzip" error, never a panic.
    #[test]
    fn gzip_bodies_decode_whole_or_fail(
        body in prop::collection::vec(any::<u8>(), 0..2048),
        cut in any::<prop::sample::Index>(),
        junk in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let path = Path::from("albums/x.json.gz");
        let gz = gzip(&body);
        prop_assert_eq!(decode(&path, Bytes::from(gz.clone())).map(|b| b.to_vec()), Ok(body));
        let cut = 1 + cut.index(gz.len() - 1);
        let err = decode(&path, Bytes::copy_from_slice(&gz[..cut])).unwrap_err();
        prop_assert!(err.starts_with("not valid gzip"), "{}", err);
        if let Err(err) = decode(&path, Bytes::from(junk)) {
            prop_assert!(err.starts_with("not valid gzip"), "{}", err);
        }
    }

    /// Only `<22 base-62 characters>.json` or `.json.gz` names an object.
    #[test]
    fn only_a_bare_id_names_an_object_file(name in file_name()) {
        for kind in ObjectKind::ALL {
            match object_file_id(kind, &name) {
                Ok(id) => {
                    prop_assert!(SpotifyId::is_valid(id.as_str()));
                    prop_assert!(name == format!("{id}.json") || name == format!("{id}.json.gz"), "{}", name);
                }
                Err(reason) => prop_assert!(reason.contains(&format!("{name:?}")), "{}", reason),
            }
        }
    }
}

proptest! {
    #![proptest_config(arb::config(64))]

    /// Whatever files a snapshot holds, each is listed as one object (named
    /// by a valid id, in its kind's folder) or one counted skip.
    #[test]
    fn every_listed_file_is_an_object_or_a_counted_skip(files in prop::collection::vec(
        (
            prop_oneof![
                3 => Just("albums"),
                1 => prop::sample::select(
                    vec!["artists", "artist_albums", "playlists", "notes", "albums/deeper", ".."],
                ),
            ],
            file_name(),
        ),
        0..12,
    )) {
        let date = "2026-11-26".parse().expect("a date");
        let store = std::sync::Arc::new(object_store::memory::InMemory::new());
        let snapshot = Snapshot {
            raw: crate::store::Location::new(
                store.clone(),
                url::Url::parse("memory:///raw/").expect("a URL"),
            ),
            prefix: Path::from(snapshot_dir(date)),
            date,
        };
        let mut paths = BTreeSet::new();
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
        let listing = rt.block_on(async {
            for (dir, name) in &files {
                let parts = std::iter::once(snapshot_dir(date))
                    .chain(dir.split('/').map(str::to_owned))
                    .chain(std::iter::once(name.clone()));
                let path = Path::from_iter(parts);
                store.put(&path, PutPayload::from_static(b"{}")).await.expect("an in-memory put");
                paths.insert(path);
            }
            snapshot.list().await.expect("an in-memory listing")
        });
        let manifest = usize::from(listing.has_manifest);
        prop_assert_eq!(listing.len() + listing.skipped.len() + manifest, paths.len());
        for skip in &listing.skipped {
            prop_assert_eq!(skip.kind.as_str(), "file");
            prop_assert!(!skip.reason.is_empty());
        }
        for (kind, objects) in &listing.files {
            for (id, path) in objects {
                prop_assert!(SpotifyId::is_valid(id.as_str()));
                let parts: Vec<String> = path.parts().map(|p| p.as_ref().to_owned()).collect();
                let name = &parts[2];
                prop_assert_eq!(&parts[..2], &[snapshot_dir(date), kind.dir().to_owned()]);
                let named = [format!("{id}.json"), format!("{id}.json.gz")];
                prop_assert!(named.contains(name), "{} holds {}", name, id);
            }
        }
    }
}
