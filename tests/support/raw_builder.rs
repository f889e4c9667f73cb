//! Raw snapshots made by hand, for the loads that must meet a shape the
//! bundled sample lacks: a snapshot folder written file by file
//! ([`RawBuilder`]), Spotify-shaped artist and album bodies, the smallest
//! useful snapshot ([`Small`]), the sample copied as another week
//! ([`sample_week`]), and raw files read back.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::lake::{TempLake, copy_dir, files_under};
use super::sample::sample_snapshot;

/// A real-looking Spotify id (22 base-62 characters), fixed by `seed`.
pub fn fake_id(seed: &str) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (0..22)
        .map(|_| {
            h ^= h >> 33;
            h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
            h ^= h >> 29;
            BASE62[(h % 62) as usize] as char
        })
        .collect()
}

/// One snapshot folder, `<raw>/extract_date=<date>/`, written by hand.
pub struct RawBuilder {
    /// The folder.
    pub dir: PathBuf,
}

impl RawBuilder {
    /// Creates `<raw>/extract_date=<date>/`.
    pub fn create(raw: &Path, date: &str) -> Self {
        let dir = raw.join(format!("extract_date={date}"));
        std::fs::create_dir_all(&dir).expect("create the snapshot folder");
        RawBuilder { dir }
    }

    /// Writes a file relative to the snapshot folder.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a folder");
        std::fs::write(&path, bytes).expect("write a raw file");
        path
    }

    /// Writes a JSON file relative to the snapshot folder.
    pub fn write_json(&self, rel: &str, value: &Value) -> PathBuf {
        self.write(rel, serde_json::to_vec(value).expect("serialise"))
    }

    /// `artists/<id>.json`.
    pub fn artist(&self, id: &str, name: &str) {
        self.write_json(&format!("artists/{id}.json"), &artist_body(id, name));
    }

    /// `artist_albums/<artist_id>.json` listing `album_ids` under `album`.
    pub fn artist_albums(&self, artist_id: &str, album_ids: &[&str]) {
        let listed: Vec<Value> = album_ids
            .iter()
            .map(|id| json!({"id": id, "name": format!("album {id}"), "album_type": "album"}))
            .collect();
        self.write_json(
            &format!("artist_albums/{artist_id}.json"),
            &json!({"groups": {"album": listed}}),
        );
    }

    /// `albums/<id>.json` with the body's own id.
    pub fn album(&self, body: &Value) -> PathBuf {
        let id = body["id"].as_str().expect("the body has an id");
        self.write_json(&format!("albums/{id}.json"), body)
    }

    /// `manifest.json`.
    pub fn manifest(&self, value: &Value) {
        self.write_json("manifest.json", value);
    }
}

/// GET /artists/{id} as development mode returns it.
pub fn artist_body(id: &str, name: &str) -> Value {
    json!({
        "id": id, "name": name, "type": "artist", "genres": [],
        "uri": format!("spotify:artist:{id}"),
    })
}

/// GET /albums/{id} with every track: one track per duration, album type
/// `album`, by one artist.
pub fn album_body(
    id: &str,
    name: &str,
    artist: (&str, &str),
    release_date: &str,
    durations: &[i64],
) -> Value {
    let precision = match release_date.len() {
        4 => "year",
        7 => "month",
        _ => "day",
    };
    let artists = json!([{"id": artist.0, "name": artist.1, "type": "artist"}]);
    let tracks: Vec<Value> = durations
        .iter()
        .enumerate()
        .map(|(i, ms)| {
            json!({
                "id": fake_id(&format!("{id} track {i}")),
                "name": format!("Track {}", i + 1),
                "disc_number": 1, "track_number": i + 1,
                "duration_ms": ms, "explicit": false,
                "artists": artists, "type": "track", "is_local": false,
            })
        })
        .collect();
    json!({
        "id": id, "name": name, "album_type": "album", "type": "album",
        "total_tracks": durations.len(),
        "release_date": release_date, "release_date_precision": precision,
        "artists": artists,
        "external_ids": {"upc": "000000000001"},
        "tracks": {"items": tracks, "total": durations.len(), "next": null, "offset": 0, "limit": 50},
    })
}

/// The smallest useful snapshot: one artist with one whole album, plus
/// `extra_listed` album ids in its album list (bodies are the caller's).
pub struct Small {
    /// The snapshot.
    pub snap: RawBuilder,
    /// The artist's id.
    pub artist: String,
    /// The whole album's id.
    pub good_album: String,
}

impl Small {
    /// Writes the artist, its good album and its album list.
    pub fn write(t: &TempLake, date: &str, extra_listed: &[&str]) -> Self {
        let snap = t.snapshot(date);
        let artist = fake_id("small artist");
        let good_album = fake_id("small good album");
        snap.artist(&artist, "Test Artist");
        snap.album(&album_body(
            &good_album,
            "Good Album",
            (&artist, "Test Artist"),
            "2020-05-01",
            &[180_000, 200_000, 220_000],
        ));
        let mut listed = vec![good_album.as_str()];
        listed.extend_from_slice(extra_listed);
        snap.artist_albums(&artist, &listed);
        Small {
            snap,
            artist,
            good_album,
        }
    }

    /// An album body by this artist.
    pub fn album_body(&self, id: &str, name: &str, release_date: &str, durations: &[i64]) -> Value {
        album_body(
            id,
            name,
            (&self.artist, "Test Artist"),
            release_date,
            durations,
        )
    }
}

/// Copies the sample as the snapshot of `date` under the raw zone `raw`
/// (its manifest dated so); `edit` sees every album body and returns true
/// for one it changed, which is written back as plain `<id>.json`.
pub fn sample_week(raw: &Path, date: &str, mut edit: impl FnMut(&mut Value) -> bool) -> PathBuf {
    let dir = raw.join(format!("extract_date={date}"));
    copy_dir(&sample_snapshot(), &dir);
    let mut manifest = read_raw_json(&dir.join("manifest.json"));
    manifest["extract_date"] = Value::from(date);
    manifest["started_at"] = Value::from(format!("{date}T17:42:00.000Z"));
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    for (rel, _) in files_under(&dir.join("albums")) {
        let path = dir.join("albums").join(&rel);
        let mut body = read_raw_json(&path);
        if edit(&mut body) {
            let id = body["id"].as_str().unwrap().to_owned();
            std::fs::remove_file(&path).unwrap();
            std::fs::write(
                dir.join("albums").join(format!("{id}.json")),
                body.to_string(),
            )
            .unwrap();
        }
    }
    dir
}

/// Gzip-compresses bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

/// Reads a raw body, gunzipping `.json.gz`.
pub fn read_raw_json(path: &Path) -> Value {
    use std::io::Read as _;
    let bytes = std::fs::read(path).expect("read a raw file");
    let bytes = if path.to_string_lossy().ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .expect("gunzip a raw file");
        out
    } else {
        bytes
    };
    serde_json::from_slice(&bytes).expect("a raw file is JSON")
}
