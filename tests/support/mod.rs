//! Shared helpers of the integration tests: temp lakes, hand-made raw
//! snapshots, the real binary, Parquet read-back, and the seed figures the
//! golden answers are computed from.
//!
//! Every helper panics with a message on failure: they are test plumbing,
//! and a panic in a test is a failure that says where.

// Each test module uses a different part of the helpers.
#![allow(dead_code)]

pub mod catalog_contract;
pub mod fake_lambda;
pub mod fake_spotify;
pub mod loopback;
pub mod moto;
pub mod seed;
pub mod target;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray as _};
use arrow::datatypes::{DataType, Float64Type, Int64Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Value, json};

/// The extract date of the bundled sample.
pub const SAMPLE_DATE: &str = "2026-11-26";
/// Drake's id in the sample.
pub const DRAKE: &str = "3TVXtAsR1Inumwj472S9r4";
/// Michael Jackson's id in the sample.
pub const MICHAEL_JACKSON: &str = "3fMbdgg4jU18AjLCKBhRSm";
/// Bruno Mars's id in the sample.
pub const BRUNO_MARS: &str = "0du5cEVh5yTK9QJze8zA0C";

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `samples/raw`, the bundled raw zone root.
pub fn sample_raw() -> PathBuf {
    repo().join("samples/raw")
}

/// The bundled snapshot folder, `samples/raw/extract_date=2026-11-26`.
pub fn sample_snapshot() -> PathBuf {
    sample_raw().join(format!("extract_date={SAMPLE_DATE}"))
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

/// A temporary folder with a raw zone (`raw/`) and a lake (`lake/`), both
/// absent until something writes them. Removed on drop.
pub struct TempLake {
    dir: tempfile::TempDir,
    /// The raw zone root.
    pub raw: PathBuf,
    /// The lake root.
    pub lake: PathBuf,
}

impl TempLake {
    /// An empty one.
    pub fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("spotify-lake-it-")
            .tempdir()
            .expect("create a temp dir");
        let raw = dir.path().join("raw");
        let lake = dir.path().join("lake");
        TempLake { dir, raw, lake }
    }

    /// One whose raw zone is a copy of `samples/raw`.
    pub fn with_sample() -> Self {
        let t = Self::new();
        copy_dir(&sample_raw(), &t.raw);
        t
    }

    /// The temp folder itself (for other paths a test needs).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `--raw` as a string.
    pub fn raw_arg(&self) -> String {
        path_arg(&self.raw)
    }

    /// `--lake` as a string.
    pub fn lake_arg(&self) -> String {
        path_arg(&self.lake)
    }

    /// The snapshot folder of `date` in this raw zone (created).
    pub fn snapshot(&self, date: &str) -> Snapshot {
        Snapshot::create(&self.raw, date)
    }

    /// `load --raw <raw> --lake <lake> --summary json` plus `extra`.
    pub fn load(&self, extra: &[&str]) -> Run {
        let (raw, lake) = (self.raw_arg(), self.lake_arg());
        let mut args = vec!["load", "--raw", &raw, "--lake", &lake, "--summary", "json"];
        args.extend_from_slice(extra);
        run_cli(&args)
    }

    /// `load` that must succeed (exit 0); returns the summary.
    pub fn load_ok(&self, extra: &[&str]) -> Value {
        let run = self.load(extra);
        run.assert_code(0);
        run.json()
    }

    /// `query <name> --lake <lake> --format <format>`.
    pub fn query(&self, name: &str, format: &str) -> Run {
        let lake = self.lake_arg();
        run_cli(&["query", name, "--lake", &lake, "--format", format])
    }

    /// `query … --format json` that must succeed; returns the rows.
    pub fn query_json(&self, name: &str) -> Vec<Value> {
        let run = self.query(name, "json");
        run.assert_code(0);
        match run.json() {
            Value::Array(rows) => rows,
            other => panic!("query {name} --format json printed {other}, not an array"),
        }
    }

    /// The lake as a library location.
    pub fn lake_location(&self) -> spotify_lake::store::Location {
        spotify_lake::store::open(&self.lake_arg()).expect("open the lake")
    }

    /// The raw zone as a library location.
    pub fn raw_location(&self) -> spotify_lake::store::Location {
        spotify_lake::store::open(&self.raw_arg()).expect("open the raw zone")
    }
}

fn path_arg(p: &Path) -> String {
    p.to_str().expect("temp paths are UTF-8").to_owned()
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy's folder");
    for entry in std::fs::read_dir(from).expect("read a folder to copy") {
        let entry = entry.expect("a folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy a file");
        }
    }
}

/// Every file under `root`, by path relative to it (with `/`), with its bytes.
pub fn files_under(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).expect("under the root");
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.insert(rel, std::fs::read(&path).expect("read a file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// [`files_under`] a lake, without the last run's record
/// (`_runs/last.json`, written by every load and run): its `seconds`
/// differ from run to run, so comparisons of lake files leave it out.
pub fn lake_files(lake: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = files_under(lake);
    files.remove(spotify_lake::status::LAST_RUN);
    files
}

/// A batch's rows as table text (one `| … |` line each), without
/// `extracted_at`: two runs fetch at different times, nothing else differs.
pub fn rows_without_extracted_at(batch: &RecordBatch) -> Vec<String> {
    let keep: Vec<usize> = (0..batch.num_columns())
        .filter(|i| batch.schema().field(*i).name() != "extracted_at")
        .collect();
    let batch = batch.project(&keep).expect("projecting existing columns");
    arrow::util::pretty::pretty_format_batches(&[batch])
        .expect("a batch formats")
        .to_string()
        .lines()
        .skip(3)
        .filter(|l| l.starts_with('|'))
        .map(str::to_owned)
        .collect()
}

/// Every object of a zone (a local folder or an S3 prefix): its path in
/// the zone → its bytes.
pub async fn zone_objects(zone: &spotify_lake::store::Location) -> BTreeMap<String, bytes::Bytes> {
    use futures::TryStreamExt as _;
    use object_store::ObjectStoreExt as _;
    let listed: Vec<_> = zone
        .store
        .list(None)
        .try_collect()
        .await
        .expect("list the zone");
    let mut out = BTreeMap::new();
    for o in listed {
        let got = zone.store.get(&o.location).await.expect("get an object");
        out.insert(
            o.location.to_string(),
            got.bytes().await.expect("read an object"),
        );
    }
    out
}

/// A Parquet file's rows as text, without `extracted_at` (two runs fetch
/// at different times), sorted.
pub fn rows_text(bytes: bytes::Bytes) -> Vec<String> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .unwrap()
        .build()
        .unwrap();
    let mut rows: Vec<String> = reader
        .flat_map(|batch| rows_without_extracted_at(&batch.unwrap()))
        .collect();
    rows.sort();
    rows
}

/// A lake's files with Parquet as rows (the catalog's files as bytes).
/// A `current_albums` version is named by a hash of its content, which
/// holds `extracted_at`: two runs that fetched at different times name
/// their versions differently, so version names are compared as `V`.
pub fn lake_view(files: BTreeMap<String, bytes::Bytes>) -> BTreeMap<String, Vec<String>> {
    files
        .into_iter()
        .map(|(path, bytes)| {
            let text = if path.ends_with(".parquet") {
                rows_text(bytes)
            } else {
                vec![without_versions(&String::from_utf8_lossy(&bytes))]
            };
            (without_versions(&path), text)
        })
        .collect()
}

/// `text` with every 16-hex-digit `current_albums` version replaced by `V`.
pub fn without_versions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_hexdigit()) {
        out.push_str(&rest[..i]);
        let run = rest[i..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - i);
        let word = &rest[i..i + run];
        let bounded = !out.ends_with(|c: char| c.is_ascii_alphanumeric());
        out.push_str(if run == 16 && bounded { "V" } else { word });
        rest = &rest[i + run..];
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------- the binary

/// What a run of the binary did. Stderr has ANSI escapes removed.
#[derive(Debug)]
pub struct Run {
    /// The command line, for messages.
    pub args: Vec<String>,
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// stdout.
    pub stdout: String,
    /// stderr, without ANSI escapes.
    pub stderr: String,
    /// The raw output.
    pub output: Output,
}

impl Run {
    /// Asserts the exit code, showing both streams otherwise.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "spotify-lake {}: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts stderr contains every one of `parts`.
    pub fn assert_stderr_has(&self, parts: &[&str]) -> &Self {
        for part in parts {
            assert!(
                self.stderr.contains(part),
                "spotify-lake {}: stderr lacks {part:?}\n--- stderr\n{}",
                self.args.join(" "),
                self.stderr
            );
        }
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "spotify-lake {}: stdout is not JSON ({e})\n--- stdout\n{}\n--- stderr\n{}",
                self.args.join(" "),
                self.stdout,
                self.stderr
            )
        })
    }
}

/// The real binary, with a quiet, colourless, deterministic environment.
pub fn cli_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotify-lake"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir());
    cmd
}

/// Runs the real binary with `args`; asserts it did not panic.
pub fn run_cli(args: &[&str]) -> Run {
    run_command(cli_command(args), args)
}

/// Runs a prepared command of the binary; asserts it did not panic.
pub fn run_command(mut cmd: Command, args: &[&str]) -> Run {
    let output = cmd.output().expect("run the spotify-lake binary");
    let run = Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: strip_ansi(&String::from_utf8_lossy(&output.stderr)),
        output,
    };
    assert!(
        !run.stderr.contains("panicked") && run.code != Some(101),
        "spotify-lake {} panicked:\n{}",
        run.args.join(" "),
        run.stderr
    );
    run
}

/// Removes ANSI escape sequences (`ESC [ … letter`).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The skips of a summary, as `(kind, id, reason)`.
pub fn skips(summary: &Value) -> Vec<(String, String, String)> {
    summary["skipped"]
        .as_array()
        .expect("the summary has a skipped list")
        .iter()
        .map(|s| {
            let field = |k: &str| s[k].as_str().unwrap_or_default().to_owned();
            (field("kind"), field("id"), field("reason"))
        })
        .collect()
}

/// The one skip whose id or reason mentions `needle`; panics if not exactly one.
pub fn skip_about(summary: &Value, needle: &str) -> (String, String, String) {
    let all = skips(summary);
    let found: Vec<_> = all
        .iter()
        .filter(|(_, id, reason)| id.contains(needle) || reason.contains(needle))
        .cloned()
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one skip about {needle:?}, got {found:?}; all skips: {all:#?}"
    );
    found.into_iter().next().expect("one skip")
}

/// `rows.<table>` of a summary.
pub fn rows(summary: &Value, table: &str) -> u64 {
    summary["rows"][table]
        .as_u64()
        .unwrap_or_else(|| panic!("summary has no rows.{table}: {summary}"))
}

// ------------------------------------------------------ hand-made snapshots

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
pub struct Snapshot {
    /// The folder.
    pub dir: PathBuf,
}

impl Snapshot {
    /// Creates `<raw>/extract_date=<date>/`.
    pub fn create(raw: &Path, date: &str) -> Self {
        let dir = raw.join(format!("extract_date={date}"));
        std::fs::create_dir_all(&dir).expect("create the snapshot folder");
        Snapshot { dir }
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
    pub snap: Snapshot,
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

// ------------------------------------------------------- Parquet read-back

/// The Parquet files of one table, sorted by path.
pub fn parquet_files(lake: &Path, table: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = files_under(&lake.join(table))
        .into_keys()
        .filter(|rel| rel.ends_with(".parquet"))
        .map(|rel| lake.join(table).join(rel))
        .collect();
    files.sort();
    files
}

/// One Parquet file read with the `parquet` crate's Arrow reader: its Arrow
/// schema and its rows as one batch.
pub fn read_parquet(path: &Path) -> (SchemaRef, RecordBatch) {
    let file = std::fs::File::open(path).expect("open a Parquet file");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap_or_else(|e| panic!("{} is not Parquet: {e}", path.display()));
    let schema = Arc::clone(builder.schema());
    let batches: Vec<RecordBatch> = builder
        .build()
        .expect("a Parquet reader")
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let batch = arrow::compute::concat_batches(&schema, &batches).expect("concat batches");
    (schema, batch)
}

/// Every Parquet file of a table, read back: `(path, rows)`.
pub fn read_table(lake: &Path, table: &str) -> Vec<(PathBuf, RecordBatch)> {
    parquet_files(lake, table)
        .into_iter()
        .map(|p| {
            let (_, batch) = read_parquet(&p);
            (p, batch)
        })
        .collect()
}

/// All rows of a table in one batch (files in path order).
pub fn table_rows(lake: &Path, table: &str) -> RecordBatch {
    let parts = read_table(lake, table);
    let schema = match parts.first() {
        Some((_, b)) => b.schema(),
        None => spotify_lake::schema::Table::ALL
            .into_iter()
            .find(|t| t.name() == table)
            .expect("a table name")
            .arrow_schema(),
    };
    let batches: Vec<RecordBatch> = parts.into_iter().map(|(_, b)| b).collect();
    arrow::compute::concat_batches(&schema, &batches).expect("concat batches")
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a ArrayRef {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", batch.schema()))
}

fn cast(batch: &RecordBatch, name: &str, to: &DataType) -> ArrayRef {
    arrow::compute::cast(column(batch, name), to)
        .unwrap_or_else(|e| panic!("cannot cast column {name} to {to}: {e}"))
}

/// A column as strings (any type castable to Utf8).
pub fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let a = cast(batch, name, &DataType::Utf8);
    let a = a.as_string::<i32>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
        .collect()
}

/// A column as i64 (any integer type).
pub fn ints(batch: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    let a = cast(batch, name, &DataType::Int64);
    let a = a.as_primitive::<Int64Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

/// A column as f64 (any numeric type).
pub fn floats(batch: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let a = cast(batch, name, &DataType::Float64);
    let a = a.as_primitive::<Float64Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

/// A boolean column.
pub fn bools(batch: &RecordBatch, name: &str) -> Vec<Option<bool>> {
    let a = column(batch, name).as_boolean();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

/// Several batches (an engine result) in one.
pub fn concat(schema: &SchemaRef, batches: &[RecordBatch]) -> RecordBatch {
    arrow::compute::concat_batches(schema, batches).expect("concat batches")
}

/// Whether two floats agree to well below the printed precision.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}
