//! A raw zone and a lake in a temporary folder, the commands a test runs
//! on them, and their files read back whole, locally or from any zone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::cli::{CliRun, run_cli};
use super::raw_builder::RawBuilder;
use super::sample::sample_raw;

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
    pub fn snapshot(&self, date: &str) -> RawBuilder {
        RawBuilder::create(&self.raw, date)
    }

    /// `load --raw <raw> --lake <lake> --summary json` plus `extra`.
    pub fn load(&self, extra: &[&str]) -> CliRun {
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
    pub fn query(&self, name: &str, format: &str) -> CliRun {
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
