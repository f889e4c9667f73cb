//! What the fake serves: artists with their albums and tracks, playlists,
//! editorial ids. Built by hand, from the bundled raw sample
//! ([`FakeData::from_sample`]) or generated ([`FakeData::synthetic`]).
//!
//! The data is mode-free: the server decides per request which fields a
//! development-mode or extended-mode answer carries.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;

use serde_json::Value;

use super::PlaylistKeys;

/// Everything the fake knows.
#[derive(Debug, Clone, Default)]
pub struct FakeData {
    /// Artists, each with the albums its album list returns (an album
    /// listed by two artists appears under both, with the same id).
    pub artists: Vec<FakeArtist>,
    /// Playlists.
    pub playlists: Vec<FakePlaylist>,
    /// Playlist ids that answer 404 like Spotify's editorial playlists (any
    /// id starting `37i9dQZ` does too).
    pub editorial: Vec<String>,
}

/// An artist.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeArtist {
    /// 22-character base-62 id.
    pub id: String,
    /// Name (search matches it case-insensitively).
    pub name: String,
    /// Genres (served per [`super::GenresKnob`]).
    pub genres: Vec<String>,
    /// Follower count (extended mode only).
    pub followers: u64,
    /// Popularity 0–100 (extended mode only).
    pub popularity: u32,
    /// The artist's album list, in the order Spotify lists it.
    pub albums: Vec<FakeAlbum>,
}

/// An album, as listed under one artist.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeAlbum {
    /// 22-character base-62 id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `album`, `single` or `compilation`.
    pub album_type: String,
    /// The include group it is listed under for its artist: `album`,
    /// `single`, `compilation` or `appears_on`.
    pub group: String,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (or anything odd, e.g. `0000`).
    pub release_date: String,
    /// `year`, `month` or `day`.
    pub release_date_precision: String,
    /// `external_ids.upc` (`{}` when `None`).
    pub upc: Option<String>,
    /// Label (extended mode only; also used in the copyright lines).
    pub label: Option<String>,
    /// Popularity 0–100 (extended mode only).
    pub popularity: u32,
    /// `(id, name)` of the album's artists.
    pub artists: Vec<(String, String)>,
    /// Every track, in order (`total_tracks` is their count).
    pub tracks: Vec<FakeTrack>,
}

/// A track of an album.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeTrack {
    /// 22-character base-62 id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Disc number, from 1.
    pub disc_number: u32,
    /// Track number on its disc, from 1.
    pub track_number: u32,
    /// Length.
    pub duration_ms: u64,
    /// Explicit lyrics.
    pub explicit: bool,
    /// `external_ids.isrc` on full tracks (playlist items, `tracks?ids=`).
    pub isrc: Option<String>,
    /// `(id, name)` of the track's artists.
    pub artists: Vec<(String, String)>,
}

/// A playlist.
#[derive(Debug, Clone, PartialEq)]
pub struct FakePlaylist {
    /// 22-character base-62 id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Owned by the app's user: development mode serves the items of such
    /// playlists only (embedded, and through `/items`).
    pub owner_is_app: bool,
    /// The items, in playlist order.
    pub items: Vec<FakeItem>,
    /// Key shape for this playlist only, overriding `Knobs::playlist_keys`
    /// (the sample has one playlist of each shape).
    pub keys: Option<PlaylistKeys>,
}

/// One playlist entry.
#[derive(Debug, Clone, PartialEq)]
pub enum FakeItem {
    /// A track of some album in the data.
    Track {
        /// Id of a [`FakeTrack`] of some [`FakeAlbum`].
        track_id: String,
        /// `added_at`, e.g. `2026-03-14T09:26:53Z`.
        added_at: String,
    },
    /// An entry whose `item` (or `track`) is null.
    Null,
    /// A local file (`is_local: true`, id null, `spotify:local:` URI).
    Local,
    /// A podcast episode (`type: "episode"`).
    Episode,
}

impl FakeData {
    /// Every album, artist by artist (an album of two artists twice).
    pub fn albums(&self) -> impl Iterator<Item = &FakeAlbum> {
        self.artists.iter().flat_map(|a| a.albums.iter())
    }

    /// The first album with this id.
    // Used by examples/fake_spotify.rs only, not by the tests.
    #[allow(dead_code)]
    pub fn album(&self, id: &str) -> Option<&FakeAlbum> {
        self.albums().find(|al| al.id == id)
    }

    /// The artist with this id.
    pub fn artist(&self, id: &str) -> Option<&FakeArtist> {
        self.artists.iter().find(|a| a.id == id)
    }

    /// The data of a raw snapshot folder (`samples/raw/extract_date=…`):
    /// `artists/`, `artist_albums/` (groups and their order), `albums/`
    /// (`.json` and `.json.gz`, every track) and `playlists/` (either key
    /// shape, kept per playlist in [`FakePlaylist::keys`]; owned by the app,
    /// so development mode serves their items as the sample holds them).
    /// Fields development mode lacks (followers, popularity) are invented,
    /// deterministically; labels come from the copyright lines; ISRCs from
    /// the playlists, else invented.
    ///
    /// Panics with the file's name on anything unreadable.
    pub fn from_sample(snapshot_dir: &Path) -> FakeData {
        let playlists_dir = snapshot_dir.join("playlists");
        let mut playlist_bodies = Vec::new();
        for path in json_files(&playlists_dir) {
            playlist_bodies.push(read_json(&path));
        }
        // ISRCs are only on full tracks: the playlists' items.
        let mut isrcs = BTreeMap::new();
        for body in &playlist_bodies {
            for entry in playlist_entries(body) {
                let track = entry.get("item").or_else(|| entry.get("track"));
                if let Some(t) = track
                    && let (Some(id), Some(isrc)) =
                        (t["id"].as_str(), t["external_ids"]["isrc"].as_str())
                {
                    isrcs.insert(id.to_owned(), isrc.to_owned());
                }
            }
        }

        let mut artists = Vec::new();
        for path in json_files(&snapshot_dir.join("artists")) {
            let body = read_json(&path);
            let id = str_field(&body, "id", &path);
            let listing_path = snapshot_dir
                .join("artist_albums")
                .join(format!("{id}.json"));
            let listing = if listing_path.exists() {
                read_json(&listing_path)
            } else {
                Value::Null
            };
            let mut albums = Vec::new();
            if let Some(groups) = listing["groups"].as_object() {
                for (group, listed) in groups {
                    for simple in listed.as_array().into_iter().flatten() {
                        let album_id = str_field(simple, "id", &listing_path);
                        let body = read_album(snapshot_dir, &album_id);
                        albums.push(album_from_body(&body, group, &isrcs));
                    }
                }
            }
            let h = fnv(&id);
            artists.push(FakeArtist {
                name: str_field(&body, "name", &path),
                genres: strings(&body["genres"]),
                followers: body["followers"]["total"]
                    .as_u64()
                    .unwrap_or(1_000_000 + h % 90_000_000),
                popularity: body["popularity"]
                    .as_u64()
                    .map_or(60 + (h % 40) as u32, |p| p as u32),
                albums,
                id,
            });
        }

        let playlists = playlist_bodies
            .iter()
            .map(|body| {
                let keys = if body.get("items").is_some() {
                    PlaylistKeys::New
                } else {
                    PlaylistKeys::Legacy
                };
                let items = playlist_entries(body)
                    .iter()
                    .map(|entry| {
                        let inner = entry
                            .get("item")
                            .or_else(|| entry.get("track"))
                            .unwrap_or(&Value::Null);
                        if inner.is_null() {
                            FakeItem::Null
                        } else if entry["is_local"] == true || inner["is_local"] == true {
                            FakeItem::Local
                        } else if inner["type"] == "episode" {
                            FakeItem::Episode
                        } else {
                            FakeItem::Track {
                                track_id: inner["id"].as_str().unwrap_or_default().to_owned(),
                                added_at: entry["added_at"].as_str().unwrap_or_default().to_owned(),
                            }
                        }
                    })
                    .collect();
                FakePlaylist {
                    id: body["id"]
                        .as_str()
                        .expect("a sample playlist has an id")
                        .to_owned(),
                    name: body["name"].as_str().unwrap_or_default().to_owned(),
                    owner_is_app: true,
                    items,
                    keys: Some(keys),
                }
            })
            .collect();

        FakeData {
            artists,
            playlists,
            editorial: Vec::new(),
        }
    }

    /// A generated catalogue, the same for the same arguments: artists
    /// `Artist 0`, `Artist 1`, … (so `Artist 1` has near matches from
    /// `Artist 10` on), each with `albums_per_artist` albums of 22-character
    /// base-62 ids. Album `j` of every artist: group `single` when
    /// `j % 8` is 3 or 7, `appears_on` (with a guest first artist) or
    /// `compilation` when it is 5, else `album`; so 17 or more albums give
    /// more than 10 in group `album`. Album 1 has 101–130 tracks on two
    /// discs, album 2 has 51–99; the rest 8–22 (singles 1–4). Release-date
    /// precision cycles year, month, day, day, day; the last album of
    /// artist 0 is dated `0000`.
    ///
    /// Playlists (when there are tracks): `playlists[0]` has 130 items, not
    /// owned (items 3, 5 and 7 are null, local and an episode);
    /// `playlists[1]` has 12, owned by the app. `editorial` holds one id
    /// without the `37i9dQZ` prefix.
    pub fn synthetic(artists: usize, albums_per_artist: usize, seed: u64) -> FakeData {
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut out = FakeData::default();
        const GENRES: [&str; 6] = ["pop", "rap", "rock", "soul", "jazz", "indie"];
        const LABELS: [&str; 4] = [
            "Quiet Harbor Music",
            "Northbound Records",
            "Paper Lantern",
            "Blue Static",
        ];
        for i in 0..artists {
            let artist_id = random_id(&mut rng);
            let name = format!("Artist {i}");
            let mut albums = Vec::new();
            for j in 0..albums_per_artist {
                let (group, album_type) = match j % 8 {
                    3 | 7 => ("single", "single"),
                    5 if (j / 8) % 2 == 0 => ("appears_on", "album"),
                    5 => ("compilation", "compilation"),
                    _ => ("album", "album"),
                };
                let mut album_artists = vec![(artist_id.clone(), name.clone())];
                if group == "appears_on" {
                    album_artists.insert(0, (random_id(&mut rng), format!("Guest {i}.{j}")));
                }
                let n_tracks = match (j, album_type) {
                    (_, "single") => rng.usize(1..=4),
                    (1, _) => rng.usize(101..=130),
                    (2, _) => rng.usize(51..=99),
                    _ => rng.usize(8..=22),
                };
                let discs = if n_tracks > 30 { 2 } else { 1 };
                let per_disc = n_tracks.div_ceil(discs);
                let year = 1965 + rng.u32(0..60);
                let (month, day) = (rng.u32(1..=12), rng.u32(1..=28));
                let (release_date, precision) = if i == 0 && j + 1 == albums_per_artist && j > 0 {
                    ("0000".to_owned(), "year")
                } else {
                    match j % 5 {
                        0 => (format!("{year}"), "year"),
                        1 => (format!("{year}-{month:02}"), "month"),
                        _ => (format!("{year}-{month:02}-{day:02}"), "day"),
                    }
                };
                let tracks = (0..n_tracks)
                    .map(|k| {
                        let mut track_artists = album_artists.clone();
                        if rng.u8(0..10) == 0 {
                            track_artists
                                .push((random_id(&mut rng), format!("Featured {}", rng.u16(..))));
                        }
                        FakeTrack {
                            id: random_id(&mut rng),
                            name: format!("Song {i}.{j}.{k}"),
                            disc_number: (k / per_disc) as u32 + 1,
                            track_number: (k % per_disc) as u32 + 1,
                            duration_ms: rng.u64(60_000..=420_000),
                            explicit: rng.bool(),
                            isrc: Some(format!(
                                "{}{}{:02}{:05}",
                                if rng.bool() { "US" } else { "GB" },
                                (0..3).map(|_| rng.uppercase()).collect::<String>(),
                                year % 100,
                                rng.u32(0..100_000)
                            )),
                            artists: track_artists,
                        }
                    })
                    .collect();
                albums.push(FakeAlbum {
                    id: random_id(&mut rng),
                    name: format!("Album {i}.{j}"),
                    album_type: album_type.to_owned(),
                    group: group.to_owned(),
                    release_date,
                    release_date_precision: precision.to_owned(),
                    upc: Some(format!("{:012}", rng.u64(0..1_000_000_000_000))),
                    label: Some(LABELS[rng.usize(..LABELS.len())].to_owned()),
                    popularity: rng.u32(0..=100),
                    artists: album_artists,
                    tracks,
                });
            }
            out.artists.push(FakeArtist {
                id: artist_id,
                name,
                genres: (0..rng.usize(0..=2))
                    .map(|_| GENRES[rng.usize(..GENRES.len())].to_owned())
                    .collect(),
                followers: rng.u64(1_000..100_000_000),
                popularity: rng.u32(0..=100),
                albums,
            });
        }

        let track_ids: Vec<String> = out
            .albums()
            .flat_map(|al| al.tracks.iter().map(|t| t.id.clone()))
            .collect();
        if !track_ids.is_empty() {
            let playlist =
                |name: &str, len: usize, owned: bool, rng: &mut fastrand::Rng| FakePlaylist {
                    id: random_id(rng),
                    name: name.to_owned(),
                    owner_is_app: owned,
                    items: (0..len)
                        .map(|k| match k {
                            3 if !owned => FakeItem::Null,
                            5 if !owned => FakeItem::Local,
                            7 if !owned => FakeItem::Episode,
                            _ => FakeItem::Track {
                                track_id: track_ids[rng.usize(..track_ids.len())].clone(),
                                added_at: format!(
                                    "2026-{:02}-{:02}T{:02}:{:02}:00Z",
                                    k % 12 + 1,
                                    k % 28 + 1,
                                    k % 24,
                                    k % 60
                                ),
                            },
                        })
                        .collect(),
                    keys: None,
                };
            let long = playlist("Synthetic Mix", 130, false, &mut rng);
            let owned = playlist("Owned Mix", 12, true, &mut rng);
            out.playlists = vec![long, owned];
            out.editorial = vec![random_id(&mut rng)];
        }
        out
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A 22-character base-62 id.
pub(super) fn random_id(rng: &mut fastrand::Rng) -> String {
    loop {
        let id: String = (0..22).map(|_| BASE62[rng.usize(..62)] as char).collect();
        if !id.starts_with(super::EDITORIAL_PREFIX) {
            return id;
        }
    }
}

/// FNV-1a 64: stable invented values from ids.
pub(super) fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn json_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| {
            let name = p.to_string_lossy();
            name.ends_with(".json") || name.ends_with(".json.gz")
        })
        .collect();
    paths.sort();
    paths
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let bytes = if path.to_string_lossy().ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("gunzip {}: {e}", path.display()));
        out
    } else {
        bytes
    };
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn read_album(snapshot_dir: &Path, id: &str) -> Value {
    let dir = snapshot_dir.join("albums");
    let plain = dir.join(format!("{id}.json"));
    if plain.exists() {
        read_json(&plain)
    } else {
        read_json(&dir.join(format!("{id}.json.gz")))
    }
}

fn str_field(body: &Value, key: &str, path: &Path) -> String {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{} has no string {key:?}", path.display()))
        .to_owned()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| g.as_str().map(str::to_owned))
        .collect()
}

fn refs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let s = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
            (s("id"), s("name"))
        })
        .collect()
}

fn playlist_entries(body: &Value) -> Vec<Value> {
    let page = body
        .get("items")
        .or_else(|| body.get("tracks"))
        .unwrap_or(&Value::Null);
    page["items"].as_array().cloned().unwrap_or_default()
}

fn album_from_body(body: &Value, group: &str, isrcs: &BTreeMap<String, String>) -> FakeAlbum {
    let id = body["id"]
        .as_str()
        .expect("a sample album has an id")
        .to_owned();
    // "© 2013 Quiet Harbor Music" → "Quiet Harbor Music" (no year when dated 0000).
    let label = body["label"].as_str().map(str::to_owned).or_else(|| {
        let text = body["copyrights"][0]["text"].as_str()?;
        let rest = text.trim_start_matches(['©', '℗']).trim_start();
        let rest = match rest.split_once(' ') {
            Some((year, tail)) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => {
                tail
            }
            _ => rest,
        };
        Some(rest.to_owned())
    });
    let tracks = body["tracks"]["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            let tid = t["id"].as_str().unwrap_or_default().to_owned();
            let isrc = t["external_ids"]["isrc"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| isrcs.get(&tid).cloned());
            let h = fnv(&tid);
            FakeTrack {
                name: t["name"].as_str().unwrap_or_default().to_owned(),
                disc_number: t["disc_number"].as_u64().unwrap_or(1) as u32,
                track_number: t["track_number"].as_u64().unwrap_or(1) as u32,
                duration_ms: t["duration_ms"].as_u64().unwrap_or(0),
                explicit: t["explicit"].as_bool().unwrap_or(false),
                isrc: isrc.or_else(|| {
                    Some(format!(
                        "QZ{}{:07}",
                        ["FAK", "SPL", "LKE"][(h % 3) as usize],
                        h % 10_000_000
                    ))
                }),
                artists: refs(&t["artists"]),
                id: tid,
            }
        })
        .collect();
    FakeAlbum {
        name: body["name"].as_str().unwrap_or_default().to_owned(),
        album_type: body["album_type"].as_str().unwrap_or("album").to_owned(),
        group: group.to_owned(),
        release_date: body["release_date"].as_str().unwrap_or_default().to_owned(),
        release_date_precision: body["release_date_precision"]
            .as_str()
            .unwrap_or("day")
            .to_owned(),
        upc: body["external_ids"]["upc"].as_str().map(str::to_owned),
        label,
        popularity: body["popularity"]
            .as_u64()
            .map_or(5 + (fnv(&id) % 86) as u32, |p| p as u32),
        artists: refs(&body["artists"]),
        tracks,
        id,
    }
}
