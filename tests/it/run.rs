//! `run` against the fake Spotify Web API: whole extraction, request counts,
//! reuse, faults, quota stops and resumes, playlists, credentials.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use spotify_lake::extract::due;

use crate::support::cli::{CliRun, cli_command, run_command};
use crate::support::fake_spotify::{
    CLIENT_SECRET, FakeData, FakeItem, FakeSpotify, Fault, Knobs, Mode,
};
use crate::support::lake::TempLake;
use crate::support::parquet::{strings, table_rows};
use crate::support::raw_builder::read_raw_json;
use crate::support::sample::sample_snapshot;

pub(crate) const DATE: &str = "2026-11-26";
pub(crate) const NEXT_WEEK: &str = "2026-12-03";

/// A config file with the given artists (and fast backoff for the fault tests).
pub(crate) fn config(
    t: &TempLake,
    artists: &[&str],
    groups: &[&str],
    playlists: &[&str],
) -> String {
    let path = t.root().join("spotify-lake.toml");
    let list = |xs: &[&str]| {
        xs.iter()
            .map(|x| format!("{x:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "[spotify]\nartists = [{}]\ninclude_groups = [{}]\nplaylists = [{}]\nbackoff_base_ms = 1\nmax_wait_seconds = 5\n",
        list(artists),
        list(groups),
        list(playlists)
    );
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

pub(crate) fn run_with(fake: &FakeSpotify, t: &TempLake, config: &str, extra: &[&str]) -> CliRun {
    run_with_log(fake, t, config, extra, None)
}

/// [`run_with`] with `RUST_LOG` set.
fn run_with_log(
    fake: &FakeSpotify,
    t: &TempLake,
    config: &str,
    extra: &[&str],
    log: Option<&str>,
) -> CliRun {
    let env: Vec<(&str, String)> = log
        .map(|l| ("RUST_LOG", l.to_owned()))
        .into_iter()
        .collect();
    run_with_env(fake, t, config, extra, &env)
}

/// [`run_with`] with some of the fake's environment replaced or added.
pub(crate) fn run_with_env(
    fake: &FakeSpotify,
    t: &TempLake,
    config: &str,
    extra: &[&str],
    env: &[(&str, String)],
) -> CliRun {
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let mut args = vec![
        "run",
        "--config",
        config,
        "--raw",
        raw.as_str(),
        "--lake",
        lake.as_str(),
        "--summary",
        "json",
    ];
    args.extend_from_slice(extra);
    let mut cmd = cli_command(&args);
    for (k, v) in fake.env() {
        cmd.env(k, v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_command(cmd, &args)
}

/// A run of Bruno Mars's albums (the sample's smallest artist) against a
/// fake with `knobs`.
fn bruno_mars_run(knobs: Knobs) -> (FakeSpotify, TempLake, CliRun) {
    let fake = FakeSpotify::start_blocking(sample_fake(), knobs);
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars"], &["album"], &[]);
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    (fake, t, run)
}

pub(crate) fn sample_fake() -> FakeData {
    FakeData::from_sample(&sample_snapshot())
}

pub(crate) const SAMPLE_ARTISTS: [&str; 3] = ["Drake", "Michael Jackson", "Bruno Mars"];

/// SPOTIFY_API.md §7: search + artist + album pages per group, then one GET
/// per album plus its track pages past the first 50.
fn minimal_requests(data: &FakeData, names: &[&str], groups: &[&str], page: usize) -> usize {
    let mut total = 0;
    let mut albums = BTreeMap::new();
    for name in names {
        let artist = data.artists.iter().find(|a| a.name == *name).unwrap();
        total += 2;
        for g in groups {
            let n = artist.albums.iter().filter(|a| a.group == *g).count();
            total += n.div_ceil(page).max(1);
            for a in artist.albums.iter().filter(|a| a.group == *g) {
                albums.insert(a.id.clone(), a.tracks.len());
            }
        }
    }
    total
        + albums
            .values()
            .map(|t| 1 + t.div_ceil(50).saturating_sub(1))
            .sum::<usize>()
}

/// Every row of a table, as comparable text, without `extracted_at` (the
/// fetch time differs between runs) and with the partition folder.
fn table_text(lake: &Path, table: &str) -> BTreeSet<String> {
    crate::support::parquet::read_table(lake, table)
        .into_iter()
        .flat_map(|(path, batch)| {
            let folder = path
                .parent()
                .unwrap()
                .strip_prefix(lake)
                .unwrap()
                .display()
                .to_string();
            crate::support::parquet::rows_without_extracted_at(&batch)
                .into_iter()
                .map(|l| format!("{folder} {l}"))
                .collect::<Vec<_>>()
        })
        .collect()
}

fn sample_lake() -> TempLake {
    let t = TempLake::with_sample();
    t.load(&[]).assert_code(0);
    t
}

/// The sample's tables with the run's extract date in their folder names.
fn sample_tables(date: &str) -> BTreeMap<&'static str, BTreeSet<String>> {
    let s = sample_lake();
    ["albums", "tracks", "artists"]
        .into_iter()
        .map(|table| {
            let rows = table_text(&s.root().join("lake"), table)
                .into_iter()
                .map(|r| r.replace(crate::support::sample::SAMPLE_DATE, date))
                .collect();
            (table, rows)
        })
        .collect()
}

fn assert_same_tables(lake: &Path, want: &BTreeMap<&'static str, BTreeSet<String>>) {
    for (table, rows) in want {
        let got = table_text(lake, table);
        let missing: Vec<_> = rows.difference(&got).take(3).collect();
        let extra: Vec<_> = got.difference(rows).take(3).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{table}: missing {missing:#?}\nextra {extra:#?}"
        );
    }
}

#[test]
fn a_cold_run_reproduces_the_sample_with_the_minimal_request_count() {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &SAMPLE_ARTISTS, &["album", "single"], &[]);
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    run.assert_code(0);
    let summary = run.json();
    assert_eq!(summary["status"], "complete");
    assert_same_tables(&t.root().join("lake"), &sample_tables(DATE));

    // One extra request: the page-size probe (limit 50 → 400 in dev mode).
    let want = minimal_requests(fake.data(), &SAMPLE_ARTISTS, &["album", "single"], 10) + 1;
    let v1 = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .count();
    assert_eq!(
        v1, want,
        "requests by endpoint: {:?}",
        summary["requests"]["by_endpoint"]
    );
    assert_eq!(summary["requests"]["total"], want as u64);
    assert_eq!(fake.count("token"), 1);
    assert_eq!(summary["token_requests"], 1);
    assert_eq!(
        fake.count("batch"),
        0,
        "batch endpoints are 403 in development mode"
    );
    assert_eq!(summary["fetched"]["albums"], 42);
    // The raw zone keeps the bodies as returned, with every track page.
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    assert_eq!(manifest["album_page_limit"], 10);
    assert_eq!(manifest["mode"], "development");
    assert_eq!(manifest["albums"].as_object().unwrap().len(), 42);
}

#[test]
fn a_warm_run_fetches_only_album_pages_and_due_albums() {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &SAMPLE_ARTISTS, &["album", "single"], &[]);
    run_with(&fake, &t, &cfg, &["--extract-date", DATE]).assert_code(0);
    let cold = fake.requests().len();

    let run = run_with(&fake, &t, &cfg, &["--extract-date", NEXT_WEEK]);
    run.assert_code(0);
    let warm: Vec<_> = fake.requests().into_iter().skip(cold).collect();
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    let today = chrono::NaiveDate::parse_from_str(NEXT_WEEK, "%Y-%m-%d").unwrap();
    let due_albums: BTreeSet<String> = manifest["albums"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(id, a)| {
            let fetched = chrono::DateTime::parse_from_rfc3339(a["fetched_at"].as_str().unwrap())
                .unwrap()
                .date_naive();
            due(id, today, Some(fetched), 364, false)
        })
        .map(|(id, _)| id.clone())
        .collect();
    let album_gets: BTreeSet<String> = warm
        .iter()
        .filter(|r| r.endpoint() == "album")
        .map(|r| r.path.rsplit('/').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        album_gets, due_albums,
        "a warm run GETs exactly the due albums"
    );
    assert_eq!(
        warm.iter().filter(|r| r.endpoint() == "search").count(),
        0,
        "names resolved last week are not searched again"
    );
    assert_eq!(warm.iter().filter(|r| r.endpoint() == "artist").count(), 3);
    let pages =
        minimal_requests(fake.data(), &SAMPLE_ARTISTS, &["album", "single"], 10) - 6 - 42 - 3;
    assert_eq!(
        warm.iter()
            .filter(|r| r.endpoint() == "artist_albums")
            .count(),
        pages,
        "no page-size probe: the limit is known"
    );
    let summary = run.json();
    assert_eq!(
        summary["reused"]["albums"].as_u64().unwrap()
            + summary["fetched"]["albums"].as_u64().unwrap(),
        42
    );
    // The reused bodies were copied: the new snapshot is complete on its own.
    assert_same_tables(&t.root().join("lake"), &{
        let mut both = sample_tables(DATE);
        for (table, rows) in sample_tables(NEXT_WEEK) {
            both.get_mut(table).unwrap().extend(rows);
        }
        both
    });
}

#[test]
fn an_artist_with_37_albums_and_an_album_with_130_tracks_arrive_whole() {
    let mut data = FakeData::synthetic(1, 37, 7);
    data.playlists.clear();
    let artist = &mut data.artists[0];
    for a in &mut artist.albums {
        a.group = "album".into();
        a.album_type = "album".into();
    }
    let template = artist.albums[0].tracks[0].clone();
    artist.albums[0].tracks = (1..=130u32)
        .map(|n| crate::support::fake_spotify::FakeTrack {
            id: crate::support::raw_builder::fake_id(&format!("big-track-{n}")),
            track_number: n,
            duration_ms: 1000 + u64::from(n),
            ..template.clone()
        })
        .collect();
    let (name, big) = (artist.name.clone(), artist.albums[0].id.clone());
    let extra_pages: usize = artist
        .albums
        .iter()
        .map(|a| a.tracks.len().div_ceil(50).saturating_sub(1))
        .sum();
    let fake = FakeSpotify::start_blocking(data, Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &[&name], &["album"], &[]);
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    run.assert_code(0);
    let albums = table_rows(&t.root().join("lake"), "albums");
    assert_eq!(albums.num_rows(), 37);
    let ids = strings(&albums, "album_id");
    let row = ids
        .iter()
        .position(|i| i.as_deref() == Some(big.as_str()))
        .unwrap();
    assert_eq!(
        crate::support::parquet::ints(&albums, "track_count")[row],
        Some(130)
    );
    let want: i64 = (1..=130).map(|n| 1000 + n).sum();
    assert_eq!(
        crate::support::parquet::ints(&albums, "duration_ms")[row],
        Some(want)
    );
    // 37 albums at 10 a page: 4 pages (+1 probe); 130 tracks: 2 extra
    // pages, and the synthetic catalog's other long albums theirs.
    assert_eq!(fake.count("artist_albums"), 5);
    assert!(extra_pages >= 2);
    assert_eq!(fake.count("album_tracks"), extra_pages);
}

#[test]
fn bursts_of_429_and_5xx_leave_the_same_tables_as_a_clean_run() {
    let clean = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t1 = TempLake::new();
    let cfg1 = config(&t1, &SAMPLE_ARTISTS, &["album", "single"], &[]);
    run_with(&clean, &t1, &cfg1, &["--extract-date", DATE]).assert_code(0);

    let mut knobs = Knobs::dev();
    for k in 1..=200u64 {
        if k % 10 == 0 {
            knobs.faults.insert(k, Fault::TooMany(0));
        } else if k % 20 == 3 {
            knobs.faults.insert(k, Fault::Status(503));
        } else if k == 37 {
            knobs.faults.insert(k, Fault::Truncated200);
        } else if k == 41 {
            knobs.faults.insert(k, Fault::TooManyNoRetryAfter);
        }
    }
    knobs.faults.insert(41, Fault::Html(502));
    let faulty = FakeSpotify::start_blocking(sample_fake(), knobs);
    let t2 = TempLake::new();
    let cfg2 = config(&t2, &SAMPLE_ARTISTS, &["album", "single"], &[]);
    let run = run_with(&faulty, &t2, &cfg2, &["--extract-date", DATE]);
    run.assert_code(0);
    let summary = run.json();
    assert!(
        summary["requests"]["by_status"]["429"].as_u64().unwrap() >= 5,
        "{}",
        summary["requests"]
    );
    assert!(
        summary["requests"]["by_status"]["503"].as_u64().unwrap() >= 3,
        "{}",
        summary["requests"]
    );
    for table in ["albums", "tracks", "artists"] {
        assert_eq!(
            table_text(&t1.root().join("lake"), table),
            table_text(&t2.root().join("lake"), table),
            "{table}"
        );
    }
}

#[test]
fn a_quota_stop_keeps_complete_artists_and_the_next_run_completes_the_rest() {
    let mut knobs = Knobs::dev();
    knobs.quota_after = Some(30);
    let fake = FakeSpotify::start_blocking(sample_fake(), knobs);
    let t = TempLake::new();
    let cfg = config(&t, &SAMPLE_ARTISTS, &["album", "single"], &[]);
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&cfg).unwrap().replace(
            "max_wait_seconds = 5\n",
            "max_wait_seconds = 5\nconcurrency = 1\n",
        ),
    )
    .unwrap();
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    run.assert_code(3);
    let summary = run.json();
    assert_eq!(summary["status"], "partial");
    let pending: Vec<String> = summary["pending_artists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    assert!(!pending.is_empty());
    let quota_429s = fake.requests().iter().filter(|r| r.status == 429).count();
    assert_eq!(quota_429s, 1, "no request is sent after the quota 429");
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    assert_eq!(manifest["status"], "partial");
    assert_eq!(manifest["stop_reason"], "quota");
    assert_eq!(manifest["retry_after_seconds"], 48925);
    // Only complete artists have partitions; no partition is half written.
    let written: BTreeSet<String> =
        crate::support::parquet::parquet_files(&t.root().join("lake"), "albums")
            .iter()
            .map(|p| {
                p.parent()
                    .unwrap()
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .trim_start_matches("artist_id=")
                    .to_owned()
            })
            .collect();
    for p in &pending {
        assert!(!written.contains(p), "pending artist {p} has a partition");
    }
    let complete = sample_tables(DATE);
    for table in ["albums", "tracks"] {
        let got = table_text(&t.root().join("lake"), table);
        assert!(
            got.is_subset(&complete[table]),
            "{table}: a written row differs from the sample"
        );
    }

    fake.set_knobs(|k| k.quota_after = None);
    let resume = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    resume.assert_code(0);
    assert_eq!(resume.json()["status"], "complete");
    assert_same_tables(&t.root().join("lake"), &complete);
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    assert_eq!(manifest["status"], "complete");
    assert_eq!(
        manifest["albums"].as_object().unwrap().len(),
        42,
        "the resume keeps the first run's albums"
    );
}

#[test]
fn bad_credentials_are_a_clear_error() {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &["Drake"], &["album"], &[]);
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let args = [
        "run",
        "--config",
        cfg.as_str(),
        "--raw",
        raw.as_str(),
        "--lake",
        lake.as_str(),
    ];
    let mut cmd = cli_command(&args);
    for (k, v) in fake.env() {
        cmd.env(
            k,
            if k == "SPOTIFY_CLIENT_SECRET" {
                format!("{CLIENT_SECRET}x")
            } else {
                v
            },
        );
    }
    let run = run_command(cmd, &args);
    run.assert_code(1);
    run.assert_stderr_has(&["refused the client credentials", "SPOTIFY_CLIENT_SECRET"]);
    assert!(
        !run.stderr.contains(CLIENT_SECRET),
        "the secret is never printed"
    );
    assert_eq!(
        fake.requests()
            .iter()
            .filter(|r| r.path.starts_with("/v1/"))
            .count(),
        0
    );
}

#[test]
fn an_unreachable_api_is_a_clear_error() {
    let t = TempLake::new();
    let cfg = config(&t, &["Drake"], &["album"], &[]);
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let args = [
        "run",
        "--config",
        cfg.as_str(),
        "--raw",
        raw.as_str(),
        "--lake",
        lake.as_str(),
    ];
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = cli_command(&args);
    cmd.env("SPOTIFY_AUTH_BASE_URL", format!("http://127.0.0.1:{port}/"))
        .env(
            "SPOTIFY_API_BASE_URL",
            format!("http://127.0.0.1:{port}/v1/"),
        )
        .env("SPOTIFY_CLIENT_ID", "x")
        .env("SPOTIFY_CLIENT_SECRET", "y");
    let run = run_command(cmd, &args);
    run.assert_code(1);
    run.assert_stderr_has(&["cannot reach Spotify's token endpoint"]);
}

#[test]
fn missing_credentials_and_nothing_to_do_are_usage_errors() {
    let t = TempLake::new();
    let cfg = config(&t, &["Drake"], &["album"], &[]);
    let mut cmd = cli_command(&["run", "--config", &cfg]);
    cmd.env_remove("SPOTIFY_CLIENT_ID")
        .env_remove("SPOTIFY_CLIENT_SECRET");
    let run = run_command(cmd, &["run"]);
    run.assert_code(2);
    run.assert_stderr_has(&["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"]);
    let empty = config(&t, &[], &["album"], &[]);
    let run = crate::support::cli::run_cli(&["run", "--config", &empty]);
    run.assert_code(2);
    run.assert_stderr_has(&["nothing to extract", "--artist"]);
}

#[test]
fn an_unknown_artist_is_a_counted_skip_and_the_run_goes_on() {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars", "Zzyzx Nobody Band"], &["album"], &[]);
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    run.assert_code(0);
    let summary = run.json();
    let skip = crate::support::summary::skip_about(&summary, "Zzyzx");
    assert!(skip.2.contains("no artist matches"), "{skip:?}");
    assert_eq!(crate::support::summary::rows(&summary, "albums"), 4);
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    let statuses: Vec<&str> = manifest["artists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["complete", "not_found"]);
}

#[test]
fn garbage_bodies_are_retried_then_skipped_never_a_panic() {
    let mut knobs = Knobs::dev();
    // Every answer to requests 5..=40 is cut in half: five tries of some
    // album fail, which makes it a counted skip; the rest retry through.
    for k in 5..=40 {
        knobs.faults.insert(k, Fault::Truncated200);
    }
    let fake = FakeSpotify::start_blocking(sample_fake(), knobs);
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars"], &["album"], &[]);
    std::fs::write(
        &cfg,
        std::fs::read_to_string(&cfg).unwrap() + "concurrency = 1\n",
    )
    .unwrap();
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    let summary = run.json();
    assert!(run.code == Some(0), "{}", run.stderr);
    let skipped = summary["skipped"].as_array().unwrap();
    assert!(!skipped.is_empty(), "{summary}");
    assert!(
        skipped.iter().all(|s| s["reason"]
            .as_str()
            .unwrap()
            .contains("does not parse after 5 tries")),
        "{skipped:?}"
    );
    assert!(
        skipped.len() < 5,
        "some albums retried through: {skipped:?}"
    );
}

#[test]
fn playlists_in_extended_mode_land_with_null_items_and_local_files_left_out() {
    let data = sample_fake();
    let ids: Vec<String> = data.playlists.iter().map(|p| p.id.clone()).collect();
    let kept: usize = data
        .playlists
        .iter()
        .map(|p| {
            p.items
                .iter()
                .filter(|i| matches!(i, FakeItem::Track { .. }))
                .count()
        })
        .sum();
    let fake = FakeSpotify::start_blocking(
        data,
        Knobs {
            mode: Mode::Ext,
            ..Knobs::dev()
        },
    );
    let t = TempLake::new();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let cfg = config(&t, &[], &["album"], &refs);
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    run.assert_code(0);
    assert_eq!(
        crate::support::summary::rows(&run.json(), "playlist_tracks"),
        kept as u64
    );
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    assert!(
        manifest["playlists"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "ok"),
        "{}",
        manifest["playlists"]
    );
    assert_eq!(
        manifest["mode"], "development",
        "no artist was fetched, so nothing says extended"
    );
}

#[test]
fn playlists_in_development_mode_are_recorded_and_the_run_goes_on() {
    let mut data = sample_fake();
    for p in &mut data.playlists {
        p.owner_is_app = false;
    }
    let ids: Vec<String> = data.playlists.iter().map(|p| p.id.clone()).collect();
    let editorial = "37i9dQZF1DXcBWIGoYBM5M";
    let fake = FakeSpotify::start_blocking(data, Knobs::dev());
    let t = TempLake::new();
    let cfg = config(
        &t,
        &["Bruno Mars"],
        &["album"],
        &[&ids[0], &ids[1], editorial],
    );
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    run.assert_code(0);
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    let statuses: Vec<(String, String)> = manifest["playlists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["playlist_id"].as_str().unwrap().to_owned(),
                p["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (ids[0].clone(), "contents_unavailable".to_owned()),
            (ids[1].clone(), "contents_unavailable".to_owned()),
            (editorial.to_owned(), "not_found".to_owned())
        ]
    );
    assert_eq!(
        fake.count("playlist_items"),
        0,
        "no request that development mode refuses"
    );
    assert_eq!(crate::support::summary::rows(&run.json(), "albums"), 4);
}

#[test]
fn a_dry_run_plans_from_the_previous_snapshot_and_sends_nothing_but_the_token() {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &SAMPLE_ARTISTS, &["album", "single"], &[]);
    run_with(&fake, &t, &cfg, &["--extract-date", DATE]).assert_code(0);
    let before = fake.requests().len();
    let lake_before = crate::support::lake::files_under(&t.root().join("lake"));
    let run = run_with(&fake, &t, &cfg, &["--extract-date", NEXT_WEEK, "--dry-run"]);
    run.assert_code(0);
    assert!(run.stdout.contains("expected requests:"), "{}", run.stdout);
    assert!(run.stdout.contains("previous snapshot:"), "{}", run.stdout);
    // The first run registered everything: the plan changes nothing.
    assert!(
        run.stdout.contains("table albums: unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("view latest_albums: unchanged"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("partitions to register: 7"),
        "{}",
        run.stdout
    );
    let after: Vec<_> = fake.requests().into_iter().skip(before).collect();
    assert!(after.iter().all(|r| r.endpoint() == "token"), "{after:?}");
    assert_eq!(
        crate::support::lake::files_under(&t.root().join("lake")),
        lake_before
    );
    assert!(
        !t.root()
            .join(format!("raw/extract_date={NEXT_WEEK}"))
            .exists()
    );
}

#[test]
fn the_raw_zone_is_merged_not_replaced_by_a_second_run_of_the_day() {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars"], &["album"], &[]);
    run_with(&fake, &t, &cfg, &["--extract-date", DATE]).assert_code(0);
    let cfg = config(&t, &["Drake"], &["album"], &[]);
    run_with(&fake, &t, &cfg, &["--extract-date", DATE]).assert_code(0);
    let manifest = read_raw_json(
        &t.root()
            .join(format!("raw/extract_date={DATE}/manifest.json")),
    );
    let names: BTreeSet<&str> = manifest["artists"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["query"].as_str().unwrap())
        .collect();
    assert_eq!(names, BTreeSet::from(["Bruno Mars", "Drake"]));
    let artists = table_rows(&t.root().join("lake"), "artists");
    assert_eq!(
        artists.num_rows(),
        2,
        "the artists partition is built from every artist body of the day"
    );
}

#[test]
fn a_revoked_token_is_renewed_once_and_the_run_completes() {
    let mut knobs = Knobs::dev();
    knobs.revoke_at = Some(6);
    let (fake, _t, run) = bruno_mars_run(knobs);
    run.assert_code(0);
    // Requests in flight with the revoked token (at most `concurrency`)
    // each get a 401, but they share one renewal.
    let unauthorized = fake.requests().iter().filter(|r| r.status == 401).count();
    assert!((1..=4).contains(&unauthorized), "{unauthorized}");
    assert_eq!(fake.count("token"), 2, "one shared renewal for the 401s");
    let summary = run.json();
    assert_eq!(summary["token_requests"], 2);
    assert_eq!(crate::support::summary::rows(&summary, "albums"), 4);
}

#[test]
fn a_second_401_with_a_fresh_token_is_fatal() {
    let knobs = Knobs {
        token_ttl_secs: 0,
        ..Knobs::dev()
    };
    let (_fake, _t, run) = bruno_mars_run(knobs);
    run.assert_code(1);
    run.assert_stderr_has(&["refused twice", "401"]);
}

#[test]
fn a_token_close_to_expiry_is_renewed_before_use() {
    // A token valid for 50 s is inside the 60 s margin: each request renews
    // it first, so no request is sent with a token about to expire.
    let knobs = Knobs {
        token_ttl_secs: 50,
        ..Knobs::dev()
    };
    let (fake, _t, run) = bruno_mars_run(knobs);
    run.assert_code(0);
    assert_eq!(
        fake.requests().iter().filter(|r| r.status == 401).count(),
        0
    );
    let v1 = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .count();
    assert!(
        fake.count("token") > v1,
        "{} tokens for {v1} requests",
        fake.count("token")
    );
}

#[test]
fn no_secret_reaches_the_logs_or_the_raw_zone_even_at_trace_level() {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars"], &["album"], &[]);
    let run = run_with_log(&fake, &t, &cfg, &["--extract-date", DATE], Some("trace"));
    run.assert_code(0);
    assert!(
        run.stderr.contains("TRACE"),
        "trace logging is on:\n{}",
        run.stderr
    );
    let forms = fake.secret_forms();
    assert!(forms.len() >= 3, "a token was issued");
    let files = crate::support::lake::files_under(&t.root().join("raw"));
    assert!(!files.is_empty());
    for form in &forms {
        assert!(
            !run.stdout.contains(form.as_str()) && !run.stderr.contains(form.as_str()),
            "a secret ({} chars) is in the output",
            form.len()
        );
        for (path, bytes) in &files {
            assert!(
                !String::from_utf8_lossy(bytes).contains(form.as_str()),
                "a secret is in {path}"
            );
        }
    }
}

#[test]
fn a_failed_search_is_one_skip_not_also_no_match() {
    // The run's first /v1 request is the search for its only name.
    let knobs = Knobs {
        faults: [(1, Fault::Status(400))].into_iter().collect(),
        ..Knobs::dev()
    };
    let fake = FakeSpotify::start_blocking(sample_fake(), knobs);
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars"], &["album"], &[]);
    let run = run_with(&fake, &t, &cfg, &["--extract-date", DATE]);
    let summary = run.json();
    // Exactly one skip names the artist (skip_about panics otherwise).
    let (_, _, reason) = crate::support::summary::skip_about(&summary, "Bruno Mars");
    assert!(reason.contains("search answered HTTP 400"), "{reason}");
    assert_eq!(fake.count("search"), 1);
    assert_eq!(
        fake.count("artist"),
        0,
        "nothing fetched for an unresolved name"
    );
}
