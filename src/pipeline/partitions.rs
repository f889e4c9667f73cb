//! Every table's partitions, built from one raw snapshot: each artist's
//! `albums` and `tracks`, the snapshot's `artists`, one `playlist_tracks`
//! per playlist with items.
//!
//! Each builder reads its bodies, parses them with the lenient structs,
//! transforms them into batches and encodes them as Parquet, and returns a
//! [`Built`]: the encoded partitions (written by the load through one
//! uploader), and the skips and warnings met on the way. A bad body is a
//! skip naming its file; only an encoding failure stops the load.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt as _;
use object_store::path::Path;

use crate::Error;
use crate::ids::{ExtractDate, IdKind, SpotifyId};
use crate::lake::current::AlbumsPartition;
use crate::lake::{Encoded, PartitionKey};
use crate::raw::model::{self, Manifest};
use crate::raw::{self, Listing, ObjectKind, Snapshot};
use crate::summary::Skip;
use crate::transform::{self, AlbumInput, ArtistInput, PlaylistInput, Warnings};

/// Include groups in Spotify's documented order, used when the manifest
/// does not say which order was configured.
const DEFAULT_GROUP_ORDER: [&str; 4] = ["album", "single", "compilation", "appears_on"];

/// Album bodies of one artist read at once from a remote snapshot.
const ALBUM_READS_IN_FLIGHT: usize = 8;

/// Artist bodies read at once.
const ARTIST_READS_IN_FLIGHT: usize = 16;

/// What building one part of the snapshot gave.
#[derive(Default)]
pub(super) struct Built {
    /// Encoded partitions, to write.
    pub partitions: Vec<Encoded>,
    /// An artist's `albums` rows, for `current_albums` (none when nothing
    /// was built).
    pub albums: Option<AlbumsPartition>,
    /// The album ids an artist's listing named and `albums/` holds.
    pub listed: Vec<String>,
    /// Bodies that could not be used.
    pub skipped: Vec<Skip>,
    /// Values made null, by column.
    pub warnings: Warnings,
}

impl Built {
    fn skip(skip: Skip) -> Self {
        Built {
            skipped: vec![skip],
            ..Built::default()
        }
    }
}

/// Fetch times from the manifest, with the fallbacks DESIGN.md gives.
struct FetchTimes {
    started_ms: i64,
    albums: HashMap<String, i64>,
}

impl FetchTimes {
    fn new(manifest: Option<&Manifest>, date: ExtractDate) -> Self {
        let started_ms = manifest
            .and_then(|m| m.started_at.as_deref())
            .and_then(transform::parse_timestamp_millis)
            .unwrap_or_else(|| date.midnight_millis());
        let albums = manifest
            .and_then(|m| m.albums.as_ref())
            .map(|albums| {
                albums
                    .iter()
                    .filter_map(|(id, a)| {
                        let ms = a
                            .fetched_at
                            .as_deref()
                            .and_then(transform::parse_timestamp_millis)?;
                        Some((id.clone(), ms))
                    })
                    .collect()
            })
            .unwrap_or_default();
        FetchTimes { started_ms, albums }
    }

    fn album(&self, id: &str) -> i64 {
        self.albums.get(id).copied().unwrap_or(self.started_ms)
    }
}

/// The snapshot being built from, shared by the artists in flight.
pub(super) struct Source {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// Its objects.
    pub listing: Listing,
    times: FetchTimes,
    group_order: Vec<String>,
}

impl Source {
    /// The snapshot, its listing and what its manifest says of fetch
    /// times and the configured group order.
    pub fn new(snapshot: Snapshot, listing: Listing, manifest: Option<&Manifest>) -> Self {
        let group_order = manifest
            .and_then(|m| m.requested.as_ref())
            .and_then(|r| r.include_groups.clone())
            .unwrap_or_else(|| DEFAULT_GROUP_ORDER.map(str::to_owned).to_vec());
        Source {
            times: FetchTimes::new(manifest, snapshot.date()),
            snapshot,
            listing,
            group_order,
        }
    }

    fn date(&self) -> ExtractDate {
        self.snapshot.date()
    }
}

/// Reads one body (gunzipped); a failure is a skip naming the file.
async fn read_raw(
    snapshot: &Snapshot,
    kind: ObjectKind,
    id: &str,
    path: &Path,
) -> Result<Bytes, Skip> {
    snapshot
        .read(path)
        .await
        .map_err(|reason| Skip::new(kind.noun(), id, format!("{path}: {reason}")))
}

/// Parses one body with the lenient structs; a failure is a skip naming the
/// file and the place in it.
fn parse_raw<T: serde::de::DeserializeOwned>(
    kind: ObjectKind,
    id: &str,
    path: &Path,
    bytes: &[u8],
) -> Result<T, Skip> {
    raw::parse_body(bytes).map_err(|reason| Skip::new(kind.noun(), id, format!("{path}: {reason}")))
}

/// Reads and parses a small body (listings, artists, playlists) on the
/// caller's task; album bodies are parsed on a blocking thread instead.
async fn read_body<T: serde::de::DeserializeOwned>(
    snapshot: &Snapshot,
    kind: ObjectKind,
    id: &str,
    path: &Path,
) -> Result<T, Skip> {
    let bytes = read_raw(snapshot, kind, id, path).await?;
    parse_raw(kind, id, path, &bytes)
}

/// The albums an artist's pages listed: `(album_id, group)`, each once, in
/// the first group (in include-group order) that listed it.
fn listed_albums(groups: &model::ArtistAlbums, order: &[String]) -> Vec<(String, String)> {
    let mut names: Vec<&String> = groups.groups.keys().collect();
    names.sort_by_key(|g| {
        (
            order.iter().position(|o| o == *g).unwrap_or(usize::MAX),
            (*g).clone(),
        )
    });
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for group in names {
        for album in groups.groups[group].iter().flatten().flatten() {
            if seen.insert(album.id.clone()) {
                out.push((album.id.clone(), group.clone()));
            }
        }
    }
    out
}

/// The album bodies an artist's listing names that `albums/` holds, with
/// their group; a skip for each it does not.
fn found_albums(
    source: &Source,
    artist: &SpotifyId,
    listing: &model::ArtistAlbums,
    skipped: &mut Vec<Skip>,
) -> Vec<(SpotifyId, Path, String)> {
    let wanted = listed_albums(listing, &source.group_order);
    let album_files = source.listing.of(ObjectKind::Album);
    let mut found = Vec::with_capacity(wanted.len());
    for (album_id, group) in wanted {
        let Ok(id) = SpotifyId::parse(IdKind::Album, &album_id) else {
            skipped.push(Skip::new(
                "album",
                album_id.chars().take(80).collect::<String>(),
                format!("listed for artist {artist} with an id that is not a Spotify album id"),
            ));
            continue;
        };
        match album_files.get(&id).filter(|_| id.as_str() == album_id) {
            Some(path) => found.push((id, path.clone(), group)),
            None => skipped.push(Skip::new(
                "album",
                album_id,
                format!("listed for artist {artist} but albums/ has no body for it"),
            )),
        }
    }
    found
}

/// One artist's `albums` and `tracks` partitions.
pub(super) async fn artist(source: Arc<Source>, artist: SpotifyId) -> Result<Built, Error> {
    let date = source.date();
    let path = &source.listing.of(ObjectKind::ArtistAlbums)[&artist];
    let listing: model::ArtistAlbums = match read_body(
        &source.snapshot,
        ObjectKind::ArtistAlbums,
        artist.as_str(),
        path,
    )
    .await
    {
        Ok(l) => l,
        // Without its album list the artist's partition cannot be
        // rebuilt; the old one (if any) stays as it was.
        Err(skip) => return Ok(Built::skip(skip)),
    };
    let mut skipped = Vec::new();
    let found = found_albums(&source, &artist, &listing, &mut skipped);
    let listed: Vec<String> = found.iter().map(|(id, _, _)| id.to_string()).collect();
    // Parsing, the transform and Parquet encoding run on a blocking thread
    // so the reactor only moves bytes. A local snapshot is read on that
    // thread too (see `LocalReader`); a remote one here, reads overlapping.
    let local = source.snapshot.local_reader();
    let bodies: Vec<_> = futures::stream::iter(found.into_iter().map(|(id, path, group)| {
        let source = Arc::clone(&source);
        let remote = local.is_none();
        async move {
            let body = if remote {
                Some(read_raw(&source.snapshot, ObjectKind::Album, id.as_str(), &path).await)
            } else {
                None
            };
            (id, path, group, body)
        }
    }))
    .buffered(ALBUM_READS_IN_FLIGHT)
    .collect()
    .await;
    let albums_key = PartitionKey::Albums {
        date,
        artist: artist.clone(),
    };
    let tracks_key = PartitionKey::Tracks {
        date,
        artist: artist.clone(),
    };
    tokio::task::spawn_blocking(move || -> Result<Built, Error> {
        let mut inputs = Vec::with_capacity(bodies.len());
        for (id, path, group, body) in bodies {
            let body = body.unwrap_or_else(|| {
                let reader = local.as_ref().expect("bodies not read yet are local");
                reader.read(&path).map_err(|reason| {
                    Skip::new(
                        ObjectKind::Album.noun(),
                        id.as_str(),
                        format!("{path}: {reason}"),
                    )
                })
            });
            let parsed = body.and_then(|bytes| {
                parse_raw::<model::Album>(ObjectKind::Album, id.as_str(), &path, &bytes)
            });
            match parsed {
                Ok(album) => inputs.push(AlbumInput {
                    album_id: id.to_string(),
                    extracted_at_ms: source.times.album(id.as_str()),
                    album,
                    group,
                }),
                Err(skip) => skipped.push(skip),
            }
        }
        let mut tables = transform::albums_and_tracks(inputs)?;
        skipped.append(&mut tables.skipped);
        let partitions = vec![
            Encoded::new(albums_key, &tables.albums)?,
            Encoded::new(tracks_key, &tables.tracks)?,
        ];
        Ok(Built {
            partitions,
            albums: Some(AlbumsPartition {
                date,
                artist,
                batch: tables.albums,
            }),
            listed,
            skipped,
            warnings: tables.warnings,
        })
    })
    .await
    .map_err(Error::task)?
}

/// The `artists` partition: every `artists/*.json` of the snapshot.
pub(super) async fn artists(source: &Source) -> Result<Built, Error> {
    let files = source.listing.of(ObjectKind::Artist);
    if files.is_empty() {
        return Ok(Built::default());
    }
    let mut skipped = Vec::new();
    let mut inputs = Vec::with_capacity(files.len());
    let bodies: Vec<_> = futures::stream::iter(files.iter().map(|(id, path)| async move {
        (
            id,
            read_body::<model::Artist>(&source.snapshot, ObjectKind::Artist, id.as_str(), path)
                .await,
        )
    }))
    .buffered(ARTIST_READS_IN_FLIGHT)
    .collect()
    .await;
    for (id, body) in bodies {
        match body {
            Ok(artist) => inputs.push(ArtistInput {
                artist_id: id.to_string(),
                artist,
                extracted_at_ms: source.times.started_ms,
            }),
            Err(skip) => skipped.push(skip),
        }
    }
    let key = PartitionKey::Artists {
        date: source.date(),
    };
    let (batch, mut more, warnings) = transform::artists(inputs)?;
    skipped.append(&mut more);
    Ok(Built {
        partitions: vec![Encoded::new(key, &batch)?],
        skipped,
        warnings,
        ..Built::default()
    })
}

/// One playlist's `playlist_tracks` partition, when its body holds items.
pub(super) async fn playlist(source: &Source, id: &SpotifyId, path: &Path) -> Result<Built, Error> {
    let playlist: model::Playlist =
        match read_body(&source.snapshot, ObjectKind::Playlist, id.as_str(), path).await {
            Ok(p) => p,
            Err(skip) => return Ok(Built::skip(skip)),
        };
    if playlist.id != id.as_str() {
        return Ok(Built::skip(Skip::new(
            "playlist",
            id.as_str(),
            format!(
                "the body is playlist {:?} but its file is named {id}",
                playlist.id.chars().take(40).collect::<String>()
            ),
        )));
    }
    let tables = transform::playlist_tracks(&PlaylistInput {
        playlist,
        extracted_at_ms: source.times.started_ms,
    })?;
    let Some(batch) = tables.tracks else {
        tracing::info!(playlist = %id, "Playlist body holds no items (development mode serves metadata only); no partition written.");
        return Ok(Built::default());
    };
    let key = PartitionKey::PlaylistTracks {
        date: source.date(),
        playlist: id.clone(),
    };
    Ok(Built {
        partitions: vec![Encoded::new(key, &batch)?],
        warnings: tables.warnings,
        ..Built::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_album_in_two_groups_takes_the_first_in_configured_order() {
        let groups: model::ArtistAlbums = serde_json::from_str(
            r#"{"groups":{"album":[{"id":"b"},{"id":"a"}],"single":[{"id":"a"},{"id":"c"}],"zzz":[null,{"id":"d"}]}}"#,
        )
        .unwrap();
        let order: Vec<String> = vec!["single".into(), "album".into()];
        let got = listed_albums(&groups, &order);
        let want: Vec<(String, String)> = [
            ("a", "single"),
            ("c", "single"),
            ("b", "album"),
            ("d", "zzz"),
        ]
        .iter()
        .map(|(a, g)| (a.to_string(), g.to_string()))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn fetch_times_fall_back_to_start_then_midnight() {
        let date: ExtractDate = "2026-11-26".parse().unwrap();
        let none = FetchTimes::new(None, date);
        assert_eq!(none.album("x"), date.midnight_millis());
        let m: Manifest = serde_json::from_str(
            r#"{"started_at":"2026-11-26T17:42:00Z","albums":{"a":{"fetched_at":"2026-11-26T17:43:00.5Z"},"b":{"fetched_at":"bad"}}}"#,
        )
        .unwrap();
        let t = FetchTimes::new(Some(&m), date);
        assert_eq!(t.album("a") - t.album("b"), 60_500);
        assert_eq!(t.album("zzz"), t.started_ms);
    }
}
