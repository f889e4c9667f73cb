//! Issue 9, item 3: ids are checked before they name a file, an S3 key or a
//! Glue partition value. Each hostile form (`../../x`, `..`, a `/`, `%2F`, a
//! NUL byte, 23 characters, a non-ASCII character), whether it comes from
//! the raw zone, the config or a Spotify answer, is a counted skip naming
//! the object (in the config: a usage error naming the key and the value),
//! and nothing is written outside the raw zone's and the lake's layouts.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use spotify_lake::ids::SpotifyId;
use spotify_lake::lake::PartitionKey;

use crate::support::cli::{cli_command, run_cli, run_command};
use crate::support::fake_spotify::{FakeArtist, FakeData, FakeSpotify, Knobs};
use crate::support::lake::{TempLake, files_under};
use crate::support::parquet::{strings, table_rows};
use crate::support::raw_builder::{Small, fake_id};
use crate::support::sample::sample_snapshot;
use crate::support::summary::{rows, skips};

const DATE: &str = "2026-11-26";

/// Every hostile form, with what it tries.
const HOSTILE: [(&str, &str); 8] = [
    ("../../x", "climbs out of the folder"),
    ("..", "names the parent"),
    ("..%2F..%2Fx", "climbs once percent-decoded"),
    ("0du5cEVh5yTK9QJze8/A0C", "22 characters with a slash"),
    ("0du5cEVh5yTK9QJze%2FA0", "22 characters with %2F"),
    ("0du5cEVh5yTK9QJze8zA0\0", "22 characters ending in NUL"),
    ("0du5cEVh5yTK9QJze8zA0CX", "23 characters"),
    ("0du5cEVh5yTK9QJze8zA0Ä", "22 characters, one not ASCII"),
];

/// What a run might touch: the files under the temp folder, and the
/// modification times of what `../../x` could name beside it.
#[derive(PartialEq)]
struct Tree {
    files: BTreeSet<String>,
    beside: Vec<Option<std::time::SystemTime>>,
}

fn tree(t: &TempLake) -> Tree {
    let parent = t.root().parent().expect("a temp parent");
    let beside = [parent, t.root()]
        .iter()
        .flat_map(|dir| ["x", "x.json", "x.json.gz"].map(|name| dir.join(name)))
        .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .collect();
    Tree {
        files: files_under(t.root()).into_keys().collect(),
        beside,
    }
}

/// Asserts every file written since `before` is a raw-zone object, a
/// manifest, a lake partition of checked ids or a local-catalog file, and
/// that nothing named `x` appeared or changed beside the temp folder.
fn assert_nothing_escaped(t: &TempLake, before: &Tree) {
    let after = tree(t);
    assert!(
        after.beside == before.beside,
        "something named x was written beside the temp folder"
    );
    let new: Vec<&String> = after.files.difference(&before.files).collect();
    assert!(!new.is_empty(), "the run wrote nothing at all");
    for rel in new {
        assert!(!rel.contains(".."), "{rel} holds ..");
        if let Some(raw) = rel.strip_prefix("raw/") {
            let parts: Vec<&str> = raw.split('/').collect();
            let ok = match parts.as_slice() {
                [date, "manifest.json"] => *date == format!("extract_date={DATE}"),
                [date, dir, name] => {
                    *date == format!("extract_date={DATE}")
                        && ["artists", "artist_albums", "albums", "playlists"].contains(dir)
                        && name
                            .strip_suffix(".json")
                            .or_else(|| name.strip_suffix(".json.gz"))
                            .is_some_and(SpotifyId::is_valid)
                }
                _ => false,
            };
            assert!(ok, "{rel} is not in the raw zone's layout");
        } else if let Some(lake) = rel.strip_prefix("lake/") {
            let ok = lake.starts_with("_catalog/")
                || lake == spotify_lake::status::LAST_RUN
                || spotify_lake::lake::current::is_own_path(lake)
                || PartitionKey::parse(&object_store::path::Path::from(lake)).is_ok();
            assert!(ok, "{rel} is not a partition file of checked ids");
        } else {
            panic!("{rel} was written outside raw/ and lake/");
        }
    }
}

/// The skips of `kind` whose id is exactly `id`.
fn skips_of(summary: &Value, kind: &str, id: &str) -> Vec<String> {
    skips(summary)
        .into_iter()
        .filter(|(k, i, _)| k == kind && i == id)
        .map(|(_, _, reason)| reason)
        .collect()
}

// ------------------------------------------------------------- raw zone

#[test]
fn an_album_list_naming_hostile_ids_is_skipped_id_by_id() {
    let t = TempLake::new();
    let forms: Vec<&str> = HOSTILE.iter().map(|(h, _)| *h).collect();
    let small = Small::write(&t, DATE, &forms);
    let before = tree(&t);
    let summary = t.load_ok(&[]);
    for (form, what) in HOSTILE {
        let reasons = skips_of(&summary, "album", form);
        assert_eq!(reasons.len(), 1, "{form:?} ({what}): {summary:#}");
        assert!(
            reasons[0].contains("not a Spotify album id") && reasons[0].contains(&small.artist),
            "{form:?}: {}",
            reasons[0]
        );
    }
    assert_eq!(rows(&summary, "albums"), 1, "the good album still loads");
    assert_nothing_escaped(&t, &before);
}

#[test]
fn bodies_whose_id_field_is_hostile_are_skipped_by_their_file_id() {
    let t = TempLake::new();
    let album_files: Vec<String> = (0..HOSTILE.len())
        .map(|i| fake_id(&format!("hostile album body {i}")))
        .collect();
    let listed: Vec<&str> = album_files.iter().map(String::as_str).collect();
    let small = Small::write(&t, DATE, &listed);
    let mut files = Vec::new();
    for (i, (form, _)) in HOSTILE.iter().enumerate() {
        let mut album = small.album_body(&album_files[i], "Hostile", "2019", &[1_000]);
        album["id"] = json!(form);
        small
            .snap
            .write_json(&format!("albums/{}.json", album_files[i]), &album);
        let artist = fake_id(&format!("hostile artist body {i}"));
        small.snap.write_json(
            &format!("artists/{artist}.json"),
            &json!({"id": form, "name": "Hostile"}),
        );
        let playlist = fake_id(&format!("hostile playlist body {i}"));
        small.snap.write_json(
            &format!("playlists/{playlist}.json"),
            &json!({"id": form, "name": "Hostile", "items": {"items": [], "total": 0}}),
        );
        files.push((form, album_files[i].clone(), artist, playlist));
    }
    let before = tree(&t);
    let summary = t.load_ok(&[]);
    for (form, album, artist, playlist) in files {
        let shown = format!("{:?}", form.chars().take(40).collect::<String>());
        for (kind, id) in [("album", album), ("artist", artist), ("playlist", playlist)] {
            let reasons = skips_of(&summary, kind, &id);
            assert_eq!(reasons.len(), 1, "{kind} {id} ({form:?}): {summary:#}");
            assert!(
                reasons[0].contains(&shown) && reasons[0].contains("its file is named"),
                "{kind} {form:?}: {}",
                reasons[0]
            );
        }
    }
    assert_eq!(rows(&summary, "albums"), 1);
    assert_eq!(rows(&summary, "artists"), 1, "only the good artist");
    assert_eq!(rows(&summary, "playlist_tracks"), 0);
    assert!(!t.lake.join("playlist_tracks").exists());
    assert_nothing_escaped(&t, &before);
}

#[test]
fn files_named_by_hostile_ids_are_counted_skips() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let body = small.album_body(&fake_id("any"), "X", "2019", &[1]);
    // The forms a local file name can hold: no `/`, no NUL.
    let names: Vec<String> = HOSTILE
        .iter()
        .map(|(form, _)| *form)
        .filter(|form| !form.contains(['/', '\0']))
        .flat_map(|form| {
            ["albums", "artists", "artist_albums", "playlists"]
                .map(|dir| format!("{dir}/{form}.json"))
        })
        .chain([
            "albums/%2E%2E.json".to_owned(),
            "albums/...json.gz".to_owned(),
        ])
        .collect();
    for name in &names {
        small.snap.write_json(name, &body);
    }
    let before = tree(&t);
    let summary = t.load_ok(&[]);
    let file_skips: Vec<(String, String)> = skips(&summary)
        .into_iter()
        .filter(|(kind, _, _)| kind == "file")
        .map(|(_, id, reason)| (id, reason))
        .collect();
    assert_eq!(file_skips.len(), names.len(), "{file_skips:#?}");
    for (id, reason) in &file_skips {
        assert!(
            reason.contains("is not named by a Spotify"),
            "{id}: {reason}"
        );
    }
    assert_eq!(rows(&summary, "albums"), 1);
    assert_eq!(rows(&summary, "artists"), 1);
    assert_nothing_escaped(&t, &before);
}

// ---------------------------------------------------------------- config

#[test]
fn hostile_playlist_ids_in_flags_or_the_config_file_are_usage_errors() {
    let t = TempLake::new();
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let config = t.root().join("spotify-lake.toml");
    for (form, what) in HOSTILE {
        // A NUL cannot be an argument; the file can hold it escaped.
        if !form.contains('\0') {
            let args = ["run", "--playlist", form, "--raw", &raw, "--lake", &lake];
            let run = run_cli(&args);
            run.assert_code(2);
            run.assert_stderr_has(&["--playlist", "not a Spotify playlist id"]);
            assert!(run.stderr.contains(form), "{what}: {}", run.stderr);
        }
        let quoted = serde_json::to_string(form).expect("a JSON string is a TOML string");
        std::fs::write(&config, format!("[spotify]\nplaylists = [{quoted}]\n")).unwrap();
        let config_arg = config.to_str().unwrap();
        let args = [
            "run", "--config", config_arg, "--raw", &raw, "--lake", &lake,
        ];
        let run = run_cli(&args);
        run.assert_code(2);
        run.assert_stderr_has(&["[spotify] playlists", "spotify-lake.toml"]);
    }
    for bad in ["../../x", "2026-11-26/../x", "2026-11-26%2F"] {
        let run = t.load(&["--extract-date", bad]);
        run.assert_code(2);
        run.assert_stderr_has(&["--extract-date", "YYYY-MM-DD"]);
    }
    assert!(!t.raw.exists() && !t.lake.exists(), "nothing written");
}

#[test]
fn hostile_playlist_ids_in_a_lambda_event_are_config_errors() {
    use spotify_lake::config::{Config, Env};
    for (form, _) in HOSTILE {
        let flags = spotify_lake::lambda::event::overrides(&json!({"playlists": [form]}))
            .expect("a list of strings is a well-formed event");
        let err = Config::resolve(None, &flags, &Env::default())
            .expect_err("a hostile playlist id")
            .to_string();
        assert!(
            err.contains("playlists") && err.contains("not a Spotify playlist id"),
            "{form:?}: {err}"
        );
    }
}

// --------------------------------------------------------- API answers

/// The sample's Bruno Mars, whose album list also names an album by each
/// hostile id, and one artist per hostile id, found by search as
/// `Hostile N`.
fn hostile_fake() -> FakeData {
    let mut data = FakeData::from_sample(&sample_snapshot());
    let bruno = data
        .artists
        .iter_mut()
        .find(|a| a.name == "Bruno Mars")
        .expect("Bruno Mars is in the sample");
    let model = bruno.albums[0].clone();
    for (form, _) in HOSTILE {
        let mut album = model.clone();
        album.id = form.to_owned();
        album.name = format!("Hostile {form}");
        bruno.albums.push(album);
    }
    for (i, (form, _)) in HOSTILE.iter().enumerate() {
        data.artists.push(FakeArtist {
            id: (*form).to_owned(),
            name: format!("Hostile {i}"),
            genres: Vec::new(),
            followers: 0,
            popularity: 0,
            albums: Vec::new(),
        });
    }
    data
}

#[test]
fn hostile_ids_in_spotify_answers_are_counted_skips_and_never_requested() {
    let fake = FakeSpotify::start_blocking(hostile_fake(), Knobs::dev());
    let t = TempLake::new();
    let mut artists = vec!["Bruno Mars".to_owned(), "../../x".to_owned()];
    artists.extend((0..HOSTILE.len()).map(|i| format!("Hostile {i}")));
    let config = t.root().join("spotify-lake.toml");
    std::fs::write(
        &config,
        format!(
            "[spotify]\nartists = {}\ninclude_groups = [\"album\"]\n",
            serde_json::to_string(&artists).unwrap()
        ),
    )
    .unwrap();
    let before = tree(&t);
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let args = [
        "run",
        "--config",
        config.to_str().unwrap(),
        "--raw",
        &raw,
        "--lake",
        &lake,
        "--extract-date",
        DATE,
        "--summary",
        "json",
    ];
    let mut cmd = cli_command(&args);
    cmd.envs(fake.env());
    let run = run_command(cmd, &args);
    run.assert_code(0);
    let summary = run.json();

    // An album listed by a hostile id: skipped by the extract, and again by
    // the load, which reads the same list from the raw zone.
    for (form, what) in HOSTILE {
        let reasons = skips_of(&summary, "album", form);
        assert!(!reasons.is_empty(), "{form:?} ({what}): {summary:#}");
        for reason in reasons {
            assert!(
                reason.contains("not a Spotify album id"),
                "{form:?}: {reason}"
            );
        }
    }
    // A name that looks like a path: searched for, never taken as an id;
    // an artist found only under a hostile id: its hits are refused, and
    // the skip says so rather than "no match".
    for name in artists.iter().skip(1) {
        let reasons = skips_of(&summary, "artist", name);
        assert_eq!(reasons.len(), 1, "{name}: {summary:#}");
        let expected = if name == "../../x" {
            "no artist matches"
        } else {
            "carry no valid Spotify id"
        };
        assert!(
            reasons[0].contains(expected),
            "{name}: expected {expected:?} in {}",
            reasons[0]
        );
    }
    assert_eq!(rows(&summary, "albums"), 4, "Bruno Mars's albums land");
    let ids = strings(&table_rows(&t.lake, "albums"), "album_id");
    assert!(
        ids.iter().flatten().all(|id| SpotifyId::is_valid(id)),
        "{ids:?}"
    );

    // No request named a hostile id.
    for request in fake.requests() {
        let path = request.path.strip_prefix("/v1/").unwrap_or_default();
        if let Some(id) = path.split('/').nth(1) {
            assert!(SpotifyId::is_valid(id), "requested {}", request.path);
        }
    }
    assert_nothing_escaped(&t, &before);
}

// ------------------------------------------------------------ lake state

#[tokio::test]
async fn a_local_catalog_naming_a_hostile_partition_is_corrupt() {
    use spotify_lake::catalog::{Catalog, LocalCatalog};
    use spotify_lake::schema::Table;
    let t = TempLake::new();
    Small::write(&t, DATE, &[]);
    t.load_ok(&[]);
    let path = t.lake.join("_catalog/albums.json");
    let table: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let catalog = LocalCatalog::new(t.lake_location().store);
    assert_eq!(catalog.partitions(Table::Albums).await.unwrap().len(), 1);
    for (form, _) in HOSTILE {
        let mut tampered = table.clone();
        tampered["partitions"]
            .as_array_mut()
            .unwrap()
            .push(json!(format!("extract_date={DATE}/artist_id={form}")));
        std::fs::write(&path, serde_json::to_vec(&tampered).unwrap()).unwrap();
        let err = catalog.partitions(Table::Albums).await.unwrap_err();
        let text = spotify_lake::error_chain(&err);
        assert!(
            text.contains("_catalog/albums.json") && text.contains("not a partition file"),
            "{form:?}: {text}"
        );
    }
}
