//! Bad input: every case is either a clear error (exit 1 or 2, stderr naming
//! the thing and what to do) or a counted skip (in the summary's `skipped`
//! list, with a reason naming the file or object), and never a panic
//! (`run_cli` asserts that for every run).
//!
//! Each test writes a small snapshot by hand (support::raw_builder::Small: one artist
//! with one whole album) and adds one bad thing; the whole album must still
//! load, so a bad object never takes good ones down with it.

use serde_json::{Value, json};

use crate::support::cli::run_cli;
use crate::support::lake::TempLake;
use crate::support::parquet::{ints, strings, table_rows};
use crate::support::raw_builder::{Small, fake_id, gzip};
use crate::support::summary::{rows, skip_about, skips};

const DATE: &str = "2026-11-26";

/// Loads `t` (must exit 0) and checks the good album made it.
fn load_keeps_the_good_album(t: &TempLake, small: &Small) -> Value {
    let summary = t.load_ok(&[]);
    let albums = table_rows(&t.lake, "albums");
    let ids = strings(&albums, "album_id");
    assert!(
        ids.contains(&Some(small.good_album.clone())),
        "the whole album was not written: {ids:?}\n{summary:#}"
    );
    summary
}

#[test]
fn malformed_json_album_is_a_counted_skip() {
    let t = TempLake::new();
    let bad = fake_id("malformed album");
    let small = Small::write(&t, DATE, &[&bad]);
    small
        .snap
        .write(&format!("albums/{bad}.json"), r#"{"id": "oops", "name": "#);
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, id, reason) = skip_about(&summary, &bad);
    assert_eq!((kind.as_str(), id.as_str()), ("album", bad.as_str()));
    assert!(reason.contains(&format!("albums/{bad}.json")), "{reason}");
    assert!(reason.contains("malformed JSON"), "{reason}");
    assert_eq!(rows(&summary, "albums"), 1);
}

#[test]
fn album_body_missing_its_name_is_a_counted_skip() {
    let t = TempLake::new();
    let bad = fake_id("nameless album");
    let small = Small::write(&t, DATE, &[&bad]);
    let mut body = small.album_body(&bad, "x", "2019", &[100_000]);
    body.as_object_mut().unwrap().remove("name");
    small.snap.album(&body);
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, _, reason) = skip_about(&summary, &bad);
    assert_eq!(kind, "album");
    assert!(reason.contains("missing field `name`"), "{reason}");
    assert!(reason.contains(&format!("{bad}.json")), "{reason}");
}

#[test]
fn wrong_json_types_are_a_counted_skip() {
    let t = TempLake::new();
    let (bad_track, bad_total) = (fake_id("string duration"), fake_id("string total"));
    let small = Small::write(&t, DATE, &[&bad_track, &bad_total]);
    let mut body = small.album_body(&bad_track, "Strings", "2019", &[100_000, 90_000]);
    body["tracks"]["items"][1]["duration_ms"] = json!("long");
    small.snap.album(&body);
    let mut body = small.album_body(&bad_total, "Totals", "2019", &[100_000]);
    body["total_tracks"] = json!({"n": 1});
    small.snap.album(&body);
    let summary = load_keeps_the_good_album(&t, &small);
    for bad in [&bad_track, &bad_total] {
        let (kind, _, reason) = skip_about(&summary, bad);
        assert_eq!(kind, "album");
        assert!(reason.contains("invalid type"), "{reason}");
    }
    assert_eq!(rows(&summary, "albums"), 1);
    assert_eq!(rows(&summary, "tracks"), 3, "no track of a skipped album");
}

#[test]
fn an_album_missing_a_track_page_is_skipped_never_short() {
    let t = TempLake::new();
    let bad = fake_id("album with 62 tracks");
    let small = Small::write(&t, DATE, &[&bad]);
    let durations = vec![200_000; 62];
    let mut body = small.album_body(&bad, "Long One", "2019", &durations);
    // The second page (tracks 51..62) never came.
    body["tracks"]["items"].as_array_mut().unwrap().truncate(50);
    body["tracks"]["next"] = json!("https://api.spotify.com/v1/albums/x/tracks?offset=50");
    small.snap.album(&body);
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, _, reason) = skip_about(&summary, &bad);
    assert_eq!(kind, "album");
    assert!(reason.contains("has 50 of its 62 tracks"), "{reason}");
    assert!(reason.contains("re-extract"), "{reason}");
    let albums = table_rows(&t.lake, "albums");
    assert_eq!(
        strings(&albums, "album_id"),
        [Some(small.good_album.clone())]
    );
}

#[test]
fn a_null_track_item_is_a_counted_skip() {
    let t = TempLake::new();
    let bad = fake_id("album with a null track");
    let small = Small::write(&t, DATE, &[&bad]);
    let mut body = small.album_body(&bad, "Holes", "2019", &[1_000, 2_000]);
    body["tracks"]["items"][0] = Value::Null;
    body["tracks"]["total"] = json!(1);
    small.snap.album(&body);
    let summary = load_keeps_the_good_album(&t, &small);
    let (_, _, reason) = skip_about(&summary, &bad);
    assert!(reason.contains("null"), "{reason}");
}

#[test]
fn a_truncated_gzip_body_is_a_counted_skip() {
    let t = TempLake::new();
    let bad = fake_id("truncated gzip");
    let small = Small::write(&t, DATE, &[&bad]);
    let body = small.album_body(&bad, "Cut", "2019", &[100_000; 12]);
    let gz = gzip(body.to_string().as_bytes());
    small
        .snap
        .write(&format!("albums/{bad}.json.gz"), &gz[..gz.len() / 2]);
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, _, reason) = skip_about(&summary, &bad);
    assert_eq!(kind, "album");
    assert!(
        reason.contains(&format!("albums/{bad}.json.gz")),
        "{reason}"
    );
    assert!(reason.contains("gzip"), "{reason}");
}

#[test]
fn a_whole_gzip_body_loads() {
    // The control of the test above: the same body, whole, is a row.
    let t = TempLake::new();
    let id = fake_id("whole gzip");
    let small = Small::write(&t, DATE, &[&id]);
    let body = small.album_body(&id, "Whole", "2019", &[100_000; 12]);
    small.snap.write(
        &format!("albums/{id}.json.gz"),
        gzip(body.to_string().as_bytes()),
    );
    let summary = load_keeps_the_good_album(&t, &small);
    assert_eq!(rows(&summary, "albums"), 2, "{summary:#}");
    assert!(skips(&summary).is_empty(), "{summary:#}");
}

#[test]
fn files_not_named_by_an_id_are_counted_skips() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let good = small.album_body(&fake_id("x"), "X", "2019", &[1]);
    let names = [
        "albums/not-an-id.json",
        "albums/3TVXtAsR1Inumwj472S9r-.json",
        "albums/3TVXtAsR1Inumwj472S9r4X.json",
        "albums/3TVXtAsR1Inumwj472S9r4.txt",
        "notes/readme.json",
    ];
    for name in names {
        small.snap.write_json(name, &good);
    }
    let summary = load_keeps_the_good_album(&t, &small);
    for name in names {
        let (kind, _, reason) = skip_about(&summary, name);
        assert_eq!(kind, "file", "{name}");
        assert!(
            reason.contains("Spotify album id")
                || reason.contains(".json or .json.gz")
                || reason.contains("raw-zone folder"),
            "{name}: {reason}"
        );
    }
    assert_eq!(rows(&summary, "albums"), 1);
}

#[test]
fn a_second_body_for_the_same_album_is_a_counted_skip() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let body = small.album_body(&small.good_album, "Good Album", "2020-05-01", &[1, 2, 3]);
    let gz = format!("albums/{}.json.gz", small.good_album);
    small.snap.write(&gz, gzip(body.to_string().as_bytes()));
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, _, reason) = skip_about(&summary, "a second body");
    assert_eq!(kind, "file");
    assert!(reason.contains(&small.good_album), "{reason}");
    assert_eq!(rows(&summary, "albums"), 1, "written once");
}

#[test]
fn an_album_listed_without_a_body_is_a_counted_skip() {
    let t = TempLake::new();
    let missing = fake_id("listed, never fetched");
    let small = Small::write(&t, DATE, &[&missing]);
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, id, reason) = skip_about(&summary, &missing);
    assert_eq!((kind.as_str(), id.as_str()), ("album", missing.as_str()));
    assert!(reason.contains("albums/ has no body"), "{reason}");
    assert!(reason.contains(&small.artist), "names the artist: {reason}");
}

#[test]
fn an_album_body_no_artist_lists_is_a_counted_skip() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let orphan = fake_id("orphan album");
    small
        .snap
        .album(&small.album_body(&orphan, "Orphan", "2019", &[1_000]));
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, _, reason) = skip_about(&summary, &orphan);
    assert_eq!(kind, "album");
    assert!(
        reason.contains("no artist_albums/ file lists it"),
        "{reason}"
    );
}

#[test]
fn a_body_whose_id_differs_from_its_file_name_is_a_counted_skip() {
    let t = TempLake::new();
    let file_id = fake_id("file name id");
    let body_id = fake_id("body id");
    let small = Small::write(&t, DATE, &[&file_id]);
    small.snap.write_json(
        &format!("albums/{file_id}.json"),
        &small.album_body(&body_id, "Impostor", "2019", &[1_000]),
    );
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, id, reason) = skip_about(&summary, &file_id);
    assert_eq!((kind.as_str(), id.as_str()), ("album", file_id.as_str()));
    assert!(reason.contains(&body_id), "names the body's id: {reason}");
    assert!(reason.contains("its file is named"), "{reason}");
    assert!(!strings(&table_rows(&t.lake, "albums"), "album_id").contains(&Some(body_id)));
}

#[test]
fn malformed_artist_files_are_counted_skips() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    // A second artist whose album list and body are both broken.
    let broken = fake_id("broken artist");
    small
        .snap
        .write(&format!("artist_albums/{broken}.json"), "{\"groups\": [");
    small
        .snap
        .write_json(&format!("artists/{broken}.json"), &json!({"id": broken}));
    let summary = load_keeps_the_good_album(&t, &small);
    let about: Vec<_> = skips(&summary)
        .into_iter()
        .filter(|(_, id, _)| id == &broken)
        .collect();
    let kinds: Vec<&str> = about.iter().map(|(k, _, _)| k.as_str()).collect();
    assert!(
        kinds.contains(&"artist_albums") && kinds.contains(&"artist"),
        "{about:?}"
    );
    for (_, _, reason) in &about {
        assert!(reason.contains(&format!("{broken}.json")), "{reason}");
    }
    assert_eq!(rows(&summary, "artists"), 1, "the good artist is written");
}

#[test]
fn an_empty_snapshot_folder_is_an_error() {
    let t = TempLake::new();
    t.snapshot(DATE);
    let run = t.load(&[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        &format!("extract_date={DATE}"),
        "is empty",
        "no artists, albums or playlists",
    ]);
    assert!(!t.lake.join("albums").exists());
}

#[test]
fn a_raw_dir_without_snapshots_is_an_error() {
    let t = TempLake::new();
    std::fs::create_dir_all(t.raw.join("misc")).unwrap();
    std::fs::write(t.raw.join("misc/file.json"), "{}").unwrap();
    let run = t.load(&[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        &t.raw_arg(),
        "holds no raw snapshot",
        "extract_date=YYYY-MM-DD",
    ]);
    // The same for a raw dir that does not exist at all.
    let gone = t.root().join("no-such-raw");
    let run = run_cli(&[
        "load",
        "--raw",
        gone.to_str().unwrap(),
        "--lake",
        &t.lake_arg(),
    ]);
    run.assert_code(1);
    run.assert_stderr_has(&["no-such-raw", "extract_date=YYYY-MM-DD"]);
}

#[test]
fn a_snapshot_folder_not_named_by_its_date_loads_or_the_error_does_not_invite_it() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let renamed = t.raw.join("my-snapshot");
    std::fs::rename(&small.snap.dir, &renamed).unwrap();
    let run = run_cli(&[
        "load",
        "--raw",
        renamed.to_str().unwrap(),
        "--lake",
        &t.lake_arg(),
    ]);
    assert!(
        run.code == Some(0) || !run.stderr.contains("(one snapshot)"),
        "the message offers the layout it refuses:\n{}",
        run.stderr
    );
}

#[test]
fn an_extract_date_with_no_snapshot_lists_the_dates_there() {
    let t = TempLake::new();
    Small::write(&t, "2026-11-19", &[]);
    Small::write(&t, DATE, &[]);
    let run = t.load(&["--extract-date", "2026-11-20"]);
    run.assert_code(1);
    run.assert_stderr_has(&["no snapshot for 2026-11-20", "2026-11-19, 2026-11-26"]);
    assert!(!t.lake.exists(), "nothing written");
}

#[test]
fn a_snapshot_folder_and_another_extract_date_disagree() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let run = run_cli(&[
        "load",
        "--raw",
        small.snap.dir.to_str().unwrap(),
        "--lake",
        &t.lake_arg(),
        "--extract-date",
        "2026-11-19",
    ]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        "2026-11-26",
        "2026-11-19",
        "pass the raw zone root or drop --extract-date",
    ]);
}

#[test]
fn an_unwritable_lake_is_an_error_naming_the_path() {
    let t = TempLake::new();
    Small::write(&t, DATE, &[]);
    let file = t.root().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let lake = file.join("lake");
    let run = run_cli(&[
        "load",
        "--raw",
        &t.raw_arg(),
        "--lake",
        lake.to_str().unwrap(),
    ]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        lake.to_str().unwrap(),
        "check that the lake location exists and is writable",
    ]);
    assert!(
        run.stdout.is_empty(),
        "no summary on stdout: {}",
        run.stdout
    );
}

#[test]
fn unreadable_release_dates_are_null_and_counted() {
    let t = TempLake::new();
    let (zero, month13, year_only) = (
        fake_id("year 0000"),
        fake_id("month 13"),
        fake_id("year only"),
    );
    let small = Small::write(&t, DATE, &[&zero, &month13, &year_only]);
    small
        .snap
        .album(&small.album_body(&zero, "Zero", "0000", &[60_000]));
    small
        .snap
        .album(&small.album_body(&month13, "Thirteen", "2011-13", &[120_000]));
    small
        .snap
        .album(&small.album_body(&year_only, "Year", "1999", &[180_000]));
    let summary = load_keeps_the_good_album(&t, &small);
    assert_eq!(summary["warnings"]["release_date"], 2, "{summary:#}");
    assert_eq!(rows(&summary, "albums"), 4, "a bad date is no skip");
    let albums = table_rows(&t.lake, "albums");
    let ids = strings(&albums, "album_id");
    let dates = strings(&albums, "release_date");
    let years = ints(&albums, "release_year");
    for (i, id) in ids.iter().enumerate() {
        let id = id.as_deref().unwrap();
        let want = if id == zero || id == month13 {
            (None, None)
        } else if id == year_only {
            (Some("1999-01-01".to_owned()), Some(1999))
        } else {
            (Some("2020-05-01".to_owned()), Some(2020))
        };
        assert_eq!((dates[i].clone(), years[i]), want, "{id}");
    }
    // The queries keep them, as the last, null-year row of by_year.
    let by_year = t.query_json("album_length_by_year");
    let last = by_year.last().unwrap();
    assert!(
        last.get("release_year").is_none_or(Value::is_null),
        "{last}"
    );
    assert_eq!(last["albums"], 2);
    assert_eq!(last["avg_minutes"].as_f64(), Some(1.5));
}

#[test]
fn a_malformed_manifest_is_skipped_and_the_load_goes_on() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    small
        .snap
        .write("manifest.json", "{\"format\": 1, \"artists\": [");
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, id, reason) = skip_about(&summary, "manifest.json");
    assert_eq!(kind, "manifest");
    assert!(id.ends_with("manifest.json"), "{id}");
    assert!(reason.contains("malformed JSON"), "{reason}");
    // Without a manifest the fetch time falls back to midnight of the date.
    let albums = table_rows(&t.lake, "albums");
    let midnight = chrono::NaiveDate::from_ymd_opt(2026, 11, 26)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis();
    assert_eq!(ints(&albums, "extracted_at"), [Some(midnight)]);
}

#[test]
fn a_manifest_of_the_wrong_shape_is_skipped_too() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    small
        .snap
        .manifest(&json!({"format": 1, "artists": {"not": "a list"}, "albums": []}));
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, _, _) = skip_about(&summary, "manifest.json");
    assert_eq!(kind, "manifest");
}

#[test]
fn a_playlist_with_metadata_only_writes_no_partition() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let playlist = fake_id("dev mode playlist");
    small.snap.write_json(
        &format!("playlists/{playlist}.json"),
        &json!({
            "id": playlist, "name": "Someone Else's Mix", "type": "playlist",
            "tracks": {"href": "https://api.spotify.com/v1/playlists/x/tracks", "total": 25},
        }),
    );
    let summary = load_keeps_the_good_album(&t, &small);
    assert_eq!(rows(&summary, "playlist_tracks"), 0);
    assert!(!t.lake.join("playlist_tracks").exists(), "no partition");
    assert_eq!(summary["files_written"], 3, "albums, tracks, artists");
}

#[test]
fn a_playlist_whose_body_names_another_id_is_a_counted_skip() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let (file_id, body_id) = (fake_id("playlist file"), fake_id("playlist body"));
    small.snap.write_json(
        &format!("playlists/{file_id}.json"),
        &json!({"id": body_id, "name": "Mix", "items": {"items": [], "total": 0}}),
    );
    let summary = load_keeps_the_good_album(&t, &small);
    let (kind, _, reason) = skip_about(&summary, &file_id);
    assert_eq!(kind, "playlist");
    assert!(reason.contains(&body_id), "{reason}");
}

#[test]
fn an_impossible_extract_date_is_a_usage_error() {
    let t = TempLake::new();
    Small::write(&t, DATE, &[]);
    for bad in ["2026-13-01", "2026-02-30", "26-11-26", "yesterday"] {
        let run = t.load(&["--extract-date", bad]);
        run.assert_code(2);
        run.assert_stderr_has(&["--extract-date", bad, "YYYY-MM-DD"]);
    }
    assert!(!t.lake.exists());
}

#[test]
fn other_usage_errors_exit_2() {
    let t = TempLake::new();
    let lake = t.lake_arg();
    for (args, says) in [
        (vec!["load", "--concurrency", "0"], "--concurrency"),
        (vec!["load", "--catalog", "glu"], "glu"),
        (vec!["load", "--summary", "yaml"], "yaml"),
        (
            vec![
                "query",
                "album_length_by_year",
                "--format",
                "xml",
                "--lake",
                &lake,
            ],
            "xml",
        ),
        (vec!["load", "--no-such-flag"], "--no-such-flag"),
        (vec!["frobnicate"], "frobnicate"),
        (vec!["query"], "NAME"),
    ] {
        let run = run_cli(&args);
        run.assert_code(2);
        run.assert_stderr_has(&[says]);
    }
}

#[test]
fn an_unknown_query_name_lists_the_queries() {
    let t = TempLake::new();
    let run = t.query("album_length_by_decade", "json");
    run.assert_code(1);
    run.assert_stderr_has(&[
        "album_length_by_decade",
        "album_length_by_year",
        "album_length_by_artist",
        "album_length_trend",
        ".sql file",
    ]);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_missing_or_broken_sql_file_is_an_error_naming_it() {
    let t = TempLake::new();
    std::fs::create_dir_all(t.root().join("lake")).unwrap();
    let missing = t.root().join("missing.sql");
    let run = t.query(missing.to_str().unwrap(), "csv");
    run.assert_code(1);
    run.assert_stderr_has(&["cannot read the SQL file", "missing.sql"]);

    let broken = t.root().join("broken.sql");
    std::fs::write(&broken, "SELEC release_year FROM latest_albums").unwrap();
    let run = t.query(broken.to_str().unwrap(), "csv");
    run.assert_code(1);
    run.assert_stderr_has(&["broken.sql", "failed"]);

    // A sound query on a lake with no tables is an error naming the lake
    // (DESIGN.md, Nothing fails silently), not an empty answer.
    let own = t.root().join("own.sql");
    std::fs::write(&own, "SELECT count(*) AS n FROM latest_albums;\n").unwrap();
    let run = t.query(own.to_str().unwrap(), "csv");
    run.assert_code(1)
        .assert_stderr_has(&["holds no tables", "spotify-lake demo"]);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_lake_url_of_an_unknown_scheme_is_an_error() {
    let t = TempLake::new();
    Small::write(&t, DATE, &[]);
    for args in [
        vec!["load", "--raw", &t.raw_arg(), "--lake", "s4://x"],
        vec!["query", "album_length_by_year", "--lake", "s4://x"],
    ] {
        let run = run_cli(&args);
        run.assert_code(2);
        run.assert_stderr_has(&["--lake", "s4://x"]);
    }
}

#[test]
fn a_lake_url_of_an_unknown_scheme_says_what_is_expected() {
    let run = run_cli(&["query", "album_length_by_year", "--lake", "s4://x"]);
    run.assert_code(2);
    run.assert_stderr_has(&["s4://x", "expected a directory or s3://bucket/prefix"]);
}

#[test]
fn a_query_on_a_lake_that_does_not_exist_says_to_load_first() {
    let t = TempLake::new();
    let run = t.query("album_length_by_year", "csv");
    run.assert_code(1);
    run.assert_stderr_has(&["no such directory", "spotify-lake load"]);
}

/// Regression (issue "Nothing fails silently"): `query` on a lake folder
/// holding no table printed empty answers and exited 0, as if the lake
/// held no albums rather than being the wrong folder or never loaded.
#[test]
fn a_query_on_a_lake_without_tables_names_the_lake_and_says_to_load() {
    let t = TempLake::new();
    std::fs::create_dir_all(&t.lake).unwrap();
    let lake = t.lake.display().to_string();
    let says = [
        lake.as_str(),
        "holds no tables",
        "albums/",
        "spotify-lake load",
        "spotify-lake demo",
    ];
    t.query("album_length_by_year", "csv")
        .assert_code(1)
        .assert_stderr_has(&says);
    // Folders and files that are no table's do not count.
    std::fs::create_dir_all(t.lake.join("notes")).unwrap();
    std::fs::write(t.lake.join("notes/readme.txt"), "mine").unwrap();
    std::fs::create_dir_all(t.lake.join("_runs")).unwrap();
    std::fs::write(t.lake.join("_runs/last.json"), "{}").unwrap();
    std::fs::write(t.lake.join("albums.csv"), "x").unwrap();
    t.query("album_length_by_year", "json")
        .assert_code(1)
        .assert_stderr_has(&says);
}

/// Regression (issue "Nothing fails silently"): `query --format csv`
/// failed on list columns ("CSV Writer does not support List data type"),
/// so `SELECT *` over albums could not be exported. They are JSON text.
#[test]
fn csv_writes_list_columns_as_json_text() {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    let lake = t.lake_arg();
    for (table, column) in [("albums", "artist_names"), ("artists", "genres")] {
        let sql = t.root().join(format!("all_{table}.sql"));
        std::fs::write(&sql, format!("SELECT * FROM {table} ORDER BY 1")).unwrap();
        let sql = sql.display().to_string();
        let query = |format: &str| run_cli(&["query", &sql, "--lake", &lake, "--format", format]);
        let csv = query("csv");
        csv.assert_code(0);
        let json = query("json");
        json.assert_code(0);
        let rows = match json.json() {
            Value::Array(rows) => rows,
            other => panic!("{other}"),
        };
        let header = csv.stdout.lines().next().unwrap_or_default();
        assert!(header.split(',').any(|c| c == column), "{header}");
        assert_eq!(csv.stdout.lines().count(), rows.len() + 1, "a line per row");
        // Each row's list, as JSON text in a quoted CSV cell.
        let lists: Vec<&Value> = rows
            .iter()
            .map(|r| &r[column])
            .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
            .collect();
        assert!(!lists.is_empty(), "{table}.{column}: no list to check");
        for list in lists {
            let cell = format!("\"{}\"", list.to_string().replace('"', "\"\""));
            assert!(
                csv.stdout.contains(&cell),
                "no cell {cell} in the CSV:\n{}",
                csv.stdout
            );
        }
    }
}

#[test]
fn empty_files_and_gzip_that_is_not_gzip_are_counted_skips() {
    let t = TempLake::new();
    let (empty, empty_gz, plain_gz) = (
        fake_id("empty body"),
        fake_id("empty gzip body"),
        fake_id("plain JSON named .gz"),
    );
    let small = Small::write(&t, DATE, &[&empty, &empty_gz, &plain_gz]);
    small.snap.write(&format!("albums/{empty}.json"), "");
    small.snap.write(&format!("albums/{empty_gz}.json.gz"), "");
    let body = small.album_body(&plain_gz, "Plain", "2019", &[1_000]);
    small
        .snap
        .write(&format!("albums/{plain_gz}.json.gz"), body.to_string());
    let summary = load_keeps_the_good_album(&t, &small);
    for (id, file, says) in [
        (&empty, format!("{empty}.json"), "malformed JSON"),
        (&empty_gz, format!("{empty_gz}.json.gz"), "not valid gzip"),
        (&plain_gz, format!("{plain_gz}.json.gz"), "not valid gzip"),
    ] {
        let (kind, _, reason) = skip_about(&summary, id);
        assert_eq!(kind, "album");
        assert!(
            reason.contains(&file) && reason.contains(says),
            "{file}: {reason}"
        );
    }
    assert_eq!(rows(&summary, "albums"), 1);
}

#[test]
fn negative_and_impossible_durations_are_counted_skips() {
    let t = TempLake::new();
    let (negative, huge) = (fake_id("negative duration"), fake_id("huge duration"));
    let small = Small::write(&t, DATE, &[&negative, &huge]);
    small
        .snap
        .album(&small.album_body(&negative, "Backwards", "2019", &[1_000, -1]));
    small
        .snap
        .album(&small.album_body(&huge, "Forever", "2019", &[i64::from(u32::MAX) + 1]));
    let summary = load_keeps_the_good_album(&t, &small);
    for (id, says) in [
        (&negative, "track 2 has an impossible duration_ms -1"),
        (&huge, "track 1 has an impossible duration_ms 4294967296"),
    ] {
        let (kind, _, reason) = skip_about(&summary, id);
        assert_eq!(kind, "album");
        assert!(reason.contains(says), "{reason}");
    }
    assert_eq!(rows(&summary, "tracks"), 3, "no track of a skipped album");
}

#[test]
fn an_album_listed_twice_is_one_row_in_the_first_group() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let good = json!({"id": small.good_album, "name": "Good Album"});
    small.snap.write_json(
        &format!("artist_albums/{}.json", small.artist),
        &json!({"groups": {"single": [good], "album": [good, good, null]}}),
    );
    let summary = load_keeps_the_good_album(&t, &small);
    assert!(skips(&summary).is_empty(), "{summary:#}");
    assert_eq!(rows(&summary, "albums"), 1, "{summary:#}");
    assert_eq!(rows(&summary, "tracks"), 3);
    let albums = table_rows(&t.lake, "albums");
    assert_eq!(
        strings(&albums, "album_group"),
        [Some("album".to_owned())],
        "album comes before single in the default include-group order"
    );
}

#[test]
fn a_local_catalog_file_that_is_not_json_is_an_error_naming_it() {
    let t = TempLake::new();
    Small::write(&t, DATE, &[]);
    t.load_ok(&[]);
    let table = t.lake.join("_catalog/albums.json");
    std::fs::write(&table, "{\"name\": \"albums\", \"partitio").unwrap();
    let run = t.load(&[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        "_catalog/albums.json",
        "is not a catalog file",
        "move it away",
    ]);
}

#[test]
fn stray_and_broken_files_in_a_partition_folder() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    t.load_ok(&[]);
    let partition = t.lake.join(format!(
        "albums/extract_date={DATE}/artist_id={}",
        small.artist
    ));
    // A stray file that is not Parquet is not read.
    std::fs::write(partition.join("notes.txt"), "not parquet").unwrap();
    let by_year = t.query_json("album_length_by_year");
    assert_eq!(by_year.len(), 1, "{by_year:?}");
    // A .parquet file that is not Parquet stops a query that reads the
    // partition (the answers read current_albums, so a query of albums)
    // with exit 1.
    std::fs::write(partition.join("part-00001.parquet"), "not parquet").unwrap();
    let sql = t.root().join("albums.sql");
    std::fs::write(&sql, "SELECT count(*) AS n FROM albums").unwrap();
    let sql = sql.to_str().unwrap().to_owned();
    let run = t.query(&sql, "csv");
    run.assert_code(1);
    run.assert_stderr_has(&[
        "albums.sql failed",
        "unreadable Parquet file(s) in the lake",
        &format!(
            "albums/extract_date={DATE}/artist_id={}/part-00001.parquet",
            small.artist
        ),
        "spotify-lake load --extract-date",
    ]);
    // The partition's own file, which reads, is not named.
    assert!(!run.stderr.contains("part-00000.parquet"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // A reload replaces the partition's own file and leaves others alone.
    std::fs::remove_file(partition.join("part-00001.parquet")).unwrap();
    std::fs::write(partition.join("part-00000.parquet"), "cut short").unwrap();
    t.load_ok(&[]);
    assert_eq!(t.query_json("album_length_by_year").len(), 1);
    assert!(partition.join("notes.txt").exists());
}
