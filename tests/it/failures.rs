//! Failed runs fail (DESIGN.md, "Nothing fails silently"): a 403 on a
//! call that is no known limitation (a lapsed Premium subscription answers
//! every call so), and a run in which every artist failed on its requests
//! (a base URL without `/v1/`, an unreachable API host), exit 1 with a
//! message naming the cause and the fix, write nothing to the lake, and
//! leave the raw zone as it was: a failed run never becomes the snapshot a
//! later run reuses. The Lambda's side is in `lambda.rs`.

use std::collections::BTreeMap;

use crate::run::{DATE, NEXT_WEEK, SAMPLE_ARTISTS, config, run_with, sample_fake};
use crate::support::cli::CliRun;
use crate::support::fake_spotify::{FakeSpotify, Fault, Knobs};
use crate::support::lake::{TempLake, files_under, lake_files};

/// `run` of `date` against `fake` with some of its environment replaced.
fn run_env(
    fake: &FakeSpotify,
    t: &TempLake,
    config: &str,
    date: &str,
    env: &[(&str, String)],
) -> CliRun {
    crate::run::run_with_env(fake, t, config, &["--extract-date", date], env)
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Both zones' files, to compare before and after a failed run.
fn zones(t: &TempLake) -> (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>) {
    (files_under(&t.raw), lake_files(&t.lake))
}

/// Asserts a failed run wrote nothing: no Parquet file, no raw object.
fn assert_nothing_written(t: &TempLake, run: &CliRun) {
    let parquet: Vec<String> = files_under(&t.lake)
        .into_keys()
        .filter(|p| p.ends_with(".parquet"))
        .collect();
    assert!(parquet.is_empty(), "{parquet:?}\n{}", run.stderr);
    let raw: Vec<String> = files_under(&t.raw).into_keys().collect();
    assert!(raw.is_empty(), "a failed run wrote {raw:?}\n{}", run.stderr);
}

/// A good week of Bruno Mars, then `break_it` and a run a week later that
/// must fail: it changes neither zone, and once Spotify answers again the
/// run of that week is warm (it reuses the good week's snapshot, so the
/// failed run did not become "the previous snapshot"). Returns the failed
/// run.
fn a_good_week_then_a_failed_one(
    break_it: impl FnOnce(&FakeSpotify) -> Vec<(&'static str, String)>,
) -> CliRun {
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars"], &["album"], &[]);
    run_with(&fake, &t, &cfg, &["--extract-date", DATE]).assert_code(0);
    let before = zones(&t);

    let env = break_it(&fake);
    let failed = run_env(&fake, &t, &cfg, NEXT_WEEK, &env);
    failed.assert_code(1);
    assert!(failed.stdout.is_empty(), "no summary: {}", failed.stdout);
    assert!(
        zones(&t) == before,
        "a failed run changed the raw zone or the lake\n{}",
        failed.stderr
    );

    fake.set_knobs(|k| k.premium_lapsed = false);
    let seen = fake.requests().len();
    let again = run_with(&fake, &t, &cfg, &["--extract-date", NEXT_WEEK]);
    again.assert_code(0);
    let summary = again.json();
    assert_eq!(summary["status"], "complete", "{summary}");
    let (reused, fetched) = (
        summary["reused"]["albums"].as_u64().unwrap(),
        summary["fetched"]["albums"].as_u64().unwrap(),
    );
    assert!(
        reused > 0 && reused + fetched == 4,
        "album bodies are reused from the good week: {summary}"
    );
    assert!(
        fake.requests()
            .iter()
            .skip(seen)
            .all(|r| r.endpoint() != "search"),
        "the name is resolved from the good week's manifest"
    );
    failed
}

#[test]
fn a_lapsed_premium_subscription_fails_the_run_quoting_spotify() {
    let data = sample_fake();
    let playlist = data.playlists[0].id.clone();
    let fake = FakeSpotify::start_blocking(
        data,
        Knobs {
            premium_lapsed: true,
            ..Knobs::dev()
        },
    );
    let t = TempLake::new();
    let cfg = config(&t, &SAMPLE_ARTISTS, &["album"], &[&playlist]);
    let run = run_env(&fake, &t, &cfg, DATE, &[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        "Spotify answered 403 Forbidden to GET search",
        "\"Active premium subscription required for the owner of the app. Renew it to use the Web API.\"",
        "owner's Premium subscription to be active",
        "Spotify developer dashboard",
    ]);
    assert!(
        !run.stderr.contains("{\"error\""),
        "Spotify's message, not its JSON: {}",
        run.stderr
    );
    // The playlist's 403 is still a counted skip; the first search's is
    // fatal, and nothing is sent after it.
    assert_eq!(fake.count("playlist"), 1);
    assert_eq!(fake.count("search"), 1);
    assert_eq!(fake.count("artist"), 0);
    assert_nothing_written(&t, &run);
}

#[test]
fn a_lapsed_premium_subscription_after_a_good_week_loses_nothing() {
    let failed = a_good_week_then_a_failed_one(|fake| {
        fake.set_knobs(|k| k.premium_lapsed = true);
        Vec::new()
    });
    // The name comes from last week's manifest: the first call is GET artist.
    failed.assert_stderr_has(&[
        "Spotify answered 403 Forbidden to GET artists/",
        "Active premium subscription required",
        "Spotify developer dashboard",
    ]);
}

/// A folder and a config of Drake's albums, fetched one request at a time.
fn drake_one_request_at_a_time() -> (TempLake, String) {
    let t = TempLake::new();
    let cfg = config(&t, &["Drake"], &["album"], &[]);
    let text = std::fs::read_to_string(&cfg).unwrap() + "concurrency = 1\n";
    std::fs::write(&cfg, text).unwrap();
    (t, cfg)
}

#[test]
fn a_403_on_an_album_track_page_is_fatal_not_a_skip() {
    // Drake has an album of 52 tracks: one track page past the first 50.
    // With one request at a time the order is fixed, so a clean run says
    // which request that page is.
    let clean = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let (t, cfg) = drake_one_request_at_a_time();
    run_with(&clean, &t, &cfg, &["--extract-date", DATE]).assert_code(0);
    let v1: Vec<_> = clean
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v1/"))
        .collect();
    let k = v1
        .iter()
        .position(|r| r.endpoint() == "album_tracks")
        .expect("a track page")
        + 1;
    let page = v1[k - 1].path.trim_start_matches("/v1/").to_owned();

    let fake = FakeSpotify::start_blocking(
        sample_fake(),
        Knobs {
            faults: [(k as u64, Fault::Status(403))].into_iter().collect(),
            ..Knobs::dev()
        },
    );
    let (t, cfg) = drake_one_request_at_a_time();
    let run = run_env(&fake, &t, &cfg, DATE, &[]);
    run.assert_code(1);
    run.assert_stderr_has(&[
        &format!("Spotify answered 403 Forbidden to GET {page}"),
        "Premium subscription",
    ]);
    let parquet: Vec<String> = files_under(&t.lake)
        .into_keys()
        .filter(|p| p.ends_with(".parquet"))
        .collect();
    assert!(parquet.is_empty(), "{parquet:?}");
    assert!(
        !t.raw
            .join(format!("extract_date={DATE}/manifest.json"))
            .exists(),
        "no manifest: the bodies fetched before the 403 are no finished snapshot"
    );
}

/// The fixes a wrong base URL's message names.
fn assert_names_the_base_url(run: &CliRun, base: &str) {
    run.assert_stderr_has(&[
        "answered 404 Not Found",
        "Service not found",
        &format!("SPOTIFY_API_BASE_URL is {base} and must include the /v1/ path"),
        "https://api.spotify.com/v1/",
    ]);
}

#[test]
fn an_api_base_url_without_v1_fails_the_run_naming_the_variable() {
    // Cold: every search answers 404.
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &SAMPLE_ARTISTS, &["album"], &[]);
    let root = fake.auth_base_url();
    let run = run_env(
        &fake,
        &t,
        &cfg,
        DATE,
        &[("SPOTIFY_API_BASE_URL", root.clone())],
    );
    run.assert_code(1);
    assert_names_the_base_url(&run, &root);
    run.assert_stderr_has(&[
        "none of the run's 3 artist(s)",
        &format!("GET {root}search "),
    ]);
    assert_nothing_written(&t, &run);

    // Warm: names come from the previous manifest, and GET artist 404s.
    let failed =
        a_good_week_then_a_failed_one(|fake| vec![("SPOTIFY_API_BASE_URL", fake.auth_base_url())]);
    failed.assert_stderr_has(&["/artists/", "check the ids"]);
    assert!(
        failed.stderr.contains("must include the /v1/ path"),
        "{}",
        failed.stderr
    );
}

#[test]
fn an_unreachable_api_host_fails_the_run_naming_the_host() {
    let port = closed_port();
    let base = format!("http://127.0.0.1:{port}/v1/");
    let fake = FakeSpotify::start_blocking(sample_fake(), Knobs::dev());
    let t = TempLake::new();
    let cfg = config(&t, &["Bruno Mars", "Drake"], &["album"], &[]);
    let run = run_env(
        &fake,
        &t,
        &cfg,
        DATE,
        &[("SPOTIFY_API_BASE_URL", base.clone())],
    );
    run.assert_code(1);
    run.assert_stderr_has(&[
        "none of the run's 2 artist(s)",
        &format!("cannot reach the Spotify API at 127.0.0.1:{port}"),
        "5 tries",
        "check the network",
        &format!("SPOTIFY_API_BASE_URL ({base}"),
    ]);
    assert_eq!(fake.count("token"), 1, "the token endpoint answered");
    assert_nothing_written(&t, &run);

    let failed = a_good_week_then_a_failed_one(|_| {
        vec![(
            "SPOTIFY_API_BASE_URL",
            format!("http://127.0.0.1:{}/v1/", closed_port()),
        )]
    });
    failed.assert_stderr_has(&["cannot reach the Spotify API at 127.0.0.1:"]);
}
