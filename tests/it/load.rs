//! `load`: idempotence, the Parquet files' shape, row counts and order, the
//! local catalog, choosing a snapshot, partial snapshots, and the view's
//! declared columns.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;

use arrow::datatypes::{DataType, Field};
use arrow::row::{RowConverter, SortField};
use parquet::basic::{Compression, LogicalType, TimeUnit};
use parquet::file::reader::{FileReader as _, SerializedFileReader};
use serde_json::Value;
use spotify_lake::catalog::{Catalog as _, LocalCatalog};
use spotify_lake::query::Engine;
use spotify_lake::schema::{HiveType, Table};

use crate::support::lake::{TempLake, files_under, lake_files};
use crate::support::parquet::{ints, parquet_files, read_parquet, strings, table_rows};
use crate::support::raw_builder::read_raw_json;
use crate::support::sample::{BRUNO_MARS, DRAKE, MICHAEL_JACKSON, SAMPLE_DATE, sample_snapshot};
use crate::support::summary::rows;

/// Partition folders of the sample load, per table.
fn sample_partitions() -> Vec<String> {
    let d = format!("extract_date={SAMPLE_DATE}");
    let mut dirs = vec![format!("artists/{d}")];
    for table in ["albums", "tracks"] {
        for artist in [BRUNO_MARS, DRAKE, MICHAEL_JACKSON] {
            dirs.push(format!("{table}/{d}/artist_id={artist}"));
        }
    }
    for playlist in ["E5k306J2TvzaJHnw8DG434", "UpufvZGTzHpYwRAeErGwLc"] {
        dirs.push(format!("playlist_tracks/{d}/playlist_id={playlist}"));
    }
    dirs.sort();
    dirs
}

/// The partition folders that hold a Parquet file (`current_albums` is
/// no partitioned table: its versions are left out).
fn partition_dirs(lake: &Path) -> Vec<String> {
    let mut dirs: Vec<String> = files_under(lake)
        .into_keys()
        .filter(|p| p.ends_with(".parquet") && !p.starts_with("current_albums/"))
        .map(|p| {
            let (dir, file) = p.rsplit_once('/').expect("a partition file path");
            assert_eq!(file, "part-00000.parquet", "{p}");
            dir.to_owned()
        })
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn loading_the_same_date_twice_leaves_identical_files() {
    let t = TempLake::with_sample();
    let first = t.load_ok(&[]);
    let before = lake_files(&t.lake);
    let second = t.load_ok(&[]);
    let after = lake_files(&t.lake);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &before {
        assert!(&after[path] == bytes, "{path} changed on the second load");
    }
    assert_eq!(first["rows"], second["rows"]);
    assert_eq!(first["files_written"], 9);
    assert_eq!(second["files_written"], 9);
    // The second load finds every partition registered already.
    assert_eq!(first["partitions"]["registered"], 9);
    assert_eq!(first["partitions"]["existing"], 0);
    assert_eq!(second["partitions"]["registered"], 0);
    assert_eq!(second["partitions"]["existing"], 9);
    // And the rows read back are the same rows, not twice as many.
    assert_eq!(table_rows(&t.lake, "albums").num_rows(), 42);
    assert_eq!(partition_dirs(&t.lake), sample_partitions());
}

#[test]
fn every_parquet_file_has_the_declared_schema_snappy_statistics_and_utc_millis() {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    let mut checked = 0;
    for table in Table::ALL {
        let files = parquet_files(&t.lake, table.name());
        assert!(!files.is_empty(), "{table} has files");
        let partition_keys: Vec<&str> = table
            .def()
            .partition_keys
            .iter()
            .map(|k| k.name.as_str())
            .collect();
        for path in files {
            let shown = path.display();
            let (schema, batch) = read_parquet(&path);
            // Exactly the declared data columns: no partition column, no
            // view or nanosecond type, the same nullability.
            let want = table.arrow_schema();
            let got_fields: Vec<&Field> = schema.fields().iter().map(|f| f.as_ref()).collect();
            let want_fields: Vec<&Field> = want.fields().iter().map(|f| f.as_ref()).collect();
            assert_eq!(got_fields, want_fields, "{shown}");
            for key in &partition_keys {
                assert!(schema.field_with_name(key).is_err(), "{shown} holds {key}");
            }
            assert!(batch.num_rows() > 0, "{shown} is empty");

            let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
            let meta = reader.metadata();
            let descr = meta.file_metadata().schema_descr();
            for col in descr.columns() {
                let name = col.path().string();
                let want_type = table
                    .def()
                    .columns
                    .iter()
                    .find(|c| name == c.name || name.starts_with(&format!("{}.", c.name)))
                    .unwrap_or_else(|| panic!("{shown}: unexpected column {name}"))
                    .hive_type;
                match want_type {
                    HiveType::Timestamp => assert_eq!(
                        col.logical_type_ref(),
                        Some(&LogicalType::timestamp(true, TimeUnit::MILLIS)),
                        "{shown}: {name} is not a UTC millisecond timestamp"
                    ),
                    HiveType::Date => assert_eq!(
                        col.logical_type_ref(),
                        Some(&LogicalType::Date),
                        "{shown}: {name}"
                    ),
                    _ => {}
                }
            }
            assert!(meta.num_row_groups() >= 1);
            for rg in meta.row_groups() {
                for chunk in rg.columns() {
                    let name = chunk.column_path().string();
                    assert!(
                        matches!(chunk.compression(), Compression::SNAPPY),
                        "{shown}: {name} is {:?}",
                        chunk.compression()
                    );
                    let stats = chunk
                        .statistics()
                        .unwrap_or_else(|| panic!("{shown}: {name} has no statistics"));
                    assert!(stats.null_count_opt().is_some(), "{shown}: {name}");
                }
            }
            // The first sort column is never null, so it has a min and max.
            let first_sort = &table.def().sort_by[0];
            let idx = descr
                .columns()
                .iter()
                .position(|c| &c.path().string() == first_sort)
                .expect("the sort column");
            let stats = meta.row_group(0).column(idx).statistics().unwrap();
            assert!(
                stats.min_bytes_opt().is_some() && stats.max_bytes_opt().is_some(),
                "{shown}: {first_sort} has no min/max"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 9);
}

#[test]
fn row_counts_match_the_summary_and_the_raw_bodies() {
    let t = TempLake::with_sample();
    let summary = t.load_ok(&[]);
    assert_eq!(rows(&summary, "albums"), 42);
    assert_eq!(rows(&summary, "tracks"), 743);
    assert_eq!(rows(&summary, "artists"), 3);
    for table in Table::ALL {
        let n = table_rows(&t.lake, table.name()).num_rows() as u64;
        assert_eq!(n, rows(&summary, table.name()), "{table}: files vs summary");
    }
    assert_eq!(summary["status"], "complete");
    assert_eq!(summary["extract_date"], SAMPLE_DATE);
    assert_eq!(summary["skipped"], Value::Array(vec![]));
    // The sample's "0000" single is stored with a null date and counted.
    assert_eq!(summary["warnings"]["release_date"], 1);

    // Independently of the loader: the raw bodies hold that many tracks,
    // and each album's duration is the sum of its tracks'.
    let mut raw_tracks = 0;
    let mut raw_durations = std::collections::BTreeMap::new();
    for (rel, _) in files_under(&sample_snapshot().join("albums")) {
        let body = read_raw_json(&sample_snapshot().join("albums").join(&rel));
        let items = body["tracks"]["items"].as_array().expect("track items");
        raw_tracks += items.len();
        let sum: i64 = items
            .iter()
            .map(|t| t["duration_ms"].as_i64().unwrap())
            .sum();
        raw_durations.insert(body["id"].as_str().unwrap().to_owned(), (sum, items.len()));
    }
    assert_eq!(raw_tracks, 743);
    let albums = table_rows(&t.lake, "albums");
    let ids = strings(&albums, "album_id");
    let durations = ints(&albums, "duration_ms");
    let counts = ints(&albums, "track_count");
    for r in 0..albums.num_rows() {
        let id = ids[r].as_ref().unwrap();
        let (sum, n) = raw_durations[id];
        assert_eq!(durations[r], Some(sum), "{id}: duration_ms");
        assert_eq!(counts[r], Some(n as i64), "{id}: track_count");
    }
    let tracks = table_rows(&t.lake, "tracks");
    let per_album: BTreeSet<String> = strings(&tracks, "album_id")
        .into_iter()
        .map(Option::unwrap)
        .collect();
    assert_eq!(per_album.len(), 42, "every album has its tracks");
}

#[test]
fn rows_are_sorted_as_the_schemas_say() {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    for table in Table::ALL {
        let sort_by = &table.def().sort_by;
        for (path, batch) in crate::support::parquet::read_table(&t.lake, table.name()) {
            let columns: Vec<_> = sort_by
                .iter()
                .map(|c| batch.column_by_name(c).expect("a sort column").clone())
                .collect();
            let fields = columns
                .iter()
                .map(|c| SortField::new(c.data_type().clone()))
                .collect();
            let converter = RowConverter::new(fields).unwrap();
            let keys = converter.convert_columns(&columns).unwrap();
            for i in 1..keys.num_rows() {
                assert!(
                    keys.row(i - 1) <= keys.row(i),
                    "{}: row {i} is out of {sort_by:?} order",
                    path.display()
                );
            }
        }
    }
    // The playlist positions count the items left out (null, local file,
    // episode), so they are increasing but not always consecutive.
    let pt = table_rows(&t.lake, "playlist_tracks");
    assert_eq!(pt.num_rows(), 12);
}

#[tokio::test]
async fn the_local_catalog_holds_every_table_its_partitions_and_the_view() {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    let catalog_dir = t.lake.join("_catalog");
    for table in Table::ALL {
        let path = catalog_dir.join(format!("{}.json", table.name()));
        let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| {
            panic!("{}: {e}", path.display());
        }))
        .expect("a catalog file is JSON");
        assert_eq!(file["name"], table.name());
        let columns: Vec<(&str, &str)> = file["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["name"].as_str().unwrap(), c["type"].as_str().unwrap()))
            .collect();
        let declared: Vec<(&str, &str)> = table
            .def()
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.hive_type.hive_name()))
            .collect();
        assert_eq!(columns, declared, "{table}");
        let registered: Vec<String> = file["partitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| format!("{}/{}", table.name(), p.as_str().unwrap()))
            .collect();
        let on_disk: Vec<String> = partition_dirs(&t.lake)
            .into_iter()
            .filter(|d| d.starts_with(&format!("{}/", table.name())))
            .collect();
        assert_eq!(registered, on_disk, "{table}: registered vs written");
    }
    assert!(catalog_dir.join("views/latest_albums.json").is_file());
    let catalog = LocalCatalog::new(t.lake_location().store.clone());
    let albums = catalog.partitions(Table::Albums).await.unwrap();
    assert_eq!(albums.len(), 3);
    assert!(albums.iter().all(|k| k.table() == Table::Albums));
}

#[test]
fn a_snapshot_folder_as_raw_loads_like_the_raw_root() {
    let from_root = TempLake::with_sample();
    from_root.load_ok(&[]);
    let from_folder = TempLake::new();
    let folder = sample_snapshot();
    let lake = from_folder.lake_arg();
    let run = crate::support::cli::run_cli(&[
        "load",
        "--raw",
        folder.to_str().unwrap(),
        "--lake",
        &lake,
        "--summary",
        "json",
    ]);
    run.assert_code(0);
    let summary = run.json();
    assert_eq!(summary["extract_date"], SAMPLE_DATE);
    assert_eq!(rows(&summary, "albums"), 42);
    let a = lake_files(&from_root.lake);
    let b = lake_files(&from_folder.lake);
    assert_eq!(a, b, "the same files, byte for byte");
}

/// Copies the sample to a second date, where Scorpion gained a one-minute
/// track (a re-fetch that changed).
fn second_snapshot(t: &TempLake, date: &str) -> (String, i64) {
    let mut found = None;
    crate::support::raw_builder::sample_week(&t.raw, date, |body| {
        if body["name"] != "Scorpion" {
            return false;
        }
        let items = body["tracks"]["items"].as_array_mut().unwrap();
        let mut extra = items.last().unwrap().clone();
        let n = items.len() as i64 + 1;
        extra["id"] = Value::from(crate::support::raw_builder::fake_id("scorpion bonus"));
        extra["track_number"] = Value::from(n);
        extra["duration_ms"] = Value::from(60_000);
        items.push(extra);
        body["tracks"]["total"] = Value::from(n);
        body["total_tracks"] = Value::from(n);
        found = Some((body["id"].as_str().unwrap().to_owned(), n));
        true
    });
    found.expect("no Scorpion in the sample")
}

#[test]
fn extract_date_chooses_between_two_snapshots_and_the_view_takes_the_newest() {
    let t = TempLake::with_sample();
    let (scorpion, tracks) = second_snapshot(&t, "2026-12-03");

    // Default: the newest snapshot.
    let summary = t.load_ok(&[]);
    assert_eq!(summary["extract_date"], "2026-12-03");
    let dates: BTreeSet<String> = partition_dirs(&t.lake)
        .iter()
        .map(|d| d.split('/').nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(
        dates,
        BTreeSet::from(["extract_date=2026-12-03".to_owned()])
    );

    // --extract-date picks the older one; both stay in the lake.
    let summary = t.load_ok(&["--extract-date", SAMPLE_DATE]);
    assert_eq!(summary["extract_date"], SAMPLE_DATE);
    assert_eq!(summary["partitions"]["registered"], 9, "new partitions");
    assert_eq!(partition_dirs(&t.lake).len(), 18);
    assert_eq!(table_rows(&t.lake, "albums").num_rows(), 84);

    // The view counts each album once, from the newest extract.
    let by_year = t.query_json("album_length_by_year");
    let total: i64 = by_year.iter().map(|r| r["albums"].as_i64().unwrap()).sum();
    assert_eq!(total, 38);
    let y2018 = by_year.iter().find(|r| r["release_year"] == 2018).unwrap();
    let want = crate::support::seed::round((5_426_391.0 + 60_000.0) / 60_000.0, 2);
    assert_eq!(y2018["albums"], 1);
    assert_eq!(y2018["avg_minutes"].as_f64(), Some(want), "{y2018}");

    let albums = table_rows(&t.lake, "albums");
    let ids = strings(&albums, "album_id");
    let counts = ints(&albums, "track_count");
    let mut scorpion_counts: Vec<i64> = ids
        .iter()
        .zip(&counts)
        .filter(|(id, _)| id.as_deref() == Some(scorpion.as_str()))
        .map(|(_, c)| c.unwrap())
        .collect();
    scorpion_counts.sort();
    assert_eq!(scorpion_counts, [tracks - 1, tracks]);
}

#[test]
fn a_pending_artist_is_left_out_and_the_load_exits_3() {
    let t = TempLake::with_sample();
    let dir = t.raw.join(format!("extract_date={SAMPLE_DATE}"));
    let mut manifest = read_raw_json(&dir.join("manifest.json"));
    manifest["status"] = Value::from("partial");
    manifest["stop_reason"] = Value::from("quota");
    for artist in manifest["artists"].as_array_mut().unwrap() {
        if artist["artist_id"] == BRUNO_MARS {
            artist["status"] = Value::from("pending");
        }
    }
    std::fs::write(dir.join("manifest.json"), manifest.to_string()).unwrap();
    let bruno_listed: usize = read_raw_json(&dir.join(format!("artist_albums/{BRUNO_MARS}.json")))
        ["groups"]
        .as_object()
        .unwrap()
        .values()
        .map(|g| g.as_array().unwrap().len())
        .sum();
    assert_eq!(bruno_listed, 5, "four albums and a single");

    let run = t.load(&[]);
    run.assert_code(3);
    let summary = run.json();
    assert_eq!(summary["status"], "partial");
    assert_eq!(summary["pending_artists"], serde_json::json!([BRUNO_MARS]));
    assert_eq!(rows(&summary, "albums"), 42 - bruno_listed as u64);
    let dirs = partition_dirs(&t.lake);
    assert!(
        !dirs.iter().any(|d| d.contains(BRUNO_MARS)),
        "a pending artist gets no partition: {dirs:?}"
    );
    for artist in [DRAKE, MICHAEL_JACKSON] {
        for table in ["albums", "tracks"] {
            let dir = format!("{table}/extract_date={SAMPLE_DATE}/artist_id={artist}");
            assert!(dirs.contains(&dir), "{dir} missing: {dirs:?}");
        }
    }
}

/// The Hive name of an Arrow type as the engine plans it.
fn hive_name(dt: &DataType) -> String {
    match dt {
        DataType::Utf8 | DataType::Utf8View | DataType::LargeUtf8 => "string".into(),
        DataType::Int32 => "int".into(),
        DataType::Int64 => "bigint".into(),
        DataType::Float64 => "double".into(),
        DataType::Boolean => "boolean".into(),
        DataType::Date32 => "date".into(),
        DataType::Timestamp(_, _) => "timestamp".into(),
        DataType::List(item) | DataType::LargeList(item) | DataType::ListView(item)
            if matches!(item.data_type(), DataType::Utf8 | DataType::Utf8View) =>
        {
            "array<string>".into()
        }
        other => format!("(no Hive type for {other})"),
    }
}

#[tokio::test]
async fn each_views_declared_columns_equal_the_engine_plan() {
    // Over an empty lake and over the loaded sample: the plan's types come
    // from schemas/, not from the files.
    let t = TempLake::with_sample();
    for loaded in [false, true] {
        if loaded {
            t.load_ok(&[]);
        }
        let lake = t.lake_location();
        let catalog = spotify_lake::catalog::LocalCatalog::new(lake.store.clone());
        let engine = Engine::open(&lake, Some(std::sync::Arc::new(catalog)))
            .await
            .expect("open the engine");
        assert!(!spotify_lake::sql::VIEWS.is_empty());
        for view in spotify_lake::sql::VIEWS {
            let declared: Vec<(String, String)> = view
                .declared_columns()
                .expect("the .columns file parses")
                .into_iter()
                .map(|(n, ty)| (n, ty.hive_name().to_owned()))
                .collect();
            let schema = engine
                .schema_of(view.file.name)
                .await
                .expect("plan the view");
            let planned: Vec<(String, String)> = schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), hive_name(f.data_type())))
                .collect();
            assert_eq!(
                planned, declared,
                "view {} (loaded: {loaded})",
                view.file.name
            );
        }
    }
}

#[test]
fn extracted_at_is_the_fetch_time_the_manifest_records() {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    let manifest = read_raw_json(&sample_snapshot().join("manifest.json"));
    let albums = table_rows(&t.lake, "albums");
    let ids = strings(&albums, "album_id");
    let at = ints(&albums, "extracted_at");
    for r in 0..albums.num_rows() {
        let id = ids[r].as_ref().unwrap();
        let fetched = manifest["albums"][id]["fetched_at"].as_str().unwrap();
        let want = chrono::DateTime::parse_from_rfc3339(fetched)
            .unwrap()
            .timestamp_millis();
        assert_eq!(at[r], Some(want), "{id}");
    }
    let artists = table_rows(&t.lake, "artists");
    let started = chrono::DateTime::parse_from_rfc3339(manifest["started_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    assert!(
        ints(&artists, "extracted_at")
            .iter()
            .all(|v| *v == Some(started))
    );
}
