//! Crash injection: the binary aborts at a fault point
//! (`SPOTIFY_LAKE_CRASH_AT`, see `src/crash.rs`), then runs again; the
//! raw zone, the lake and the catalog must equal an uninterrupted run's,
//! and right after the crash no registered partition may lack its file.
//! Every point on a local lake and on S3 + Glue (moto).

use std::collections::BTreeMap;

use bytes::Bytes;
use spotify_lake::crash::CRASH_AT;

use crate::support::cli::{CliRun, cli_command, run_command};
use crate::support::fake_spotify::{FakeData, FakeSpotify, Knobs};
use crate::support::lake::TempLake;
use crate::support::moto::moto;
use crate::support::parquet::{lake_view, without_versions};
use crate::support::sample::sample_snapshot;
use crate::support::target::Target;

/// The points a `load` passes, each with the hit that aborts: the third
/// partition file, the first batch of partitions.
const LOAD_POINTS: [&str; 5] = [
    "parquet-write@3",
    "before-register",
    "partition-batch",
    "current-commit",
    "view-update",
];
/// The point only `run` passes: the fifth raw body written.
const RUN_POINT: &str = "raw-write@5";
const DATE: &str = "2026-11-26";

/// No partition is registered without its file.
async fn assert_registered_have_files(target: &Target, point: &str) {
    let lake = target.files(&target.lake).await;
    for dir in target.registered().await.0 {
        assert!(
            lake.keys()
                .any(|p| p.starts_with(&format!("{dir}/")) && p.ends_with(".parquet")),
            "{point}: {dir} is registered but has no file"
        );
    }
}

/// The binary with `args` (and the target's zones), armed at `crash`.
fn spotify_lake(
    args: &[&str],
    target: &Target,
    env: &[(&str, String)],
    crash: Option<&str>,
) -> CliRun {
    let zone = target.zone_args();
    let mut all: Vec<&str> = args.to_vec();
    all.extend(zone.iter().map(String::as_str));
    let mut cmd = cli_command(&all);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(point) = crash {
        cmd.env(CRASH_AT, point);
    }
    run_command(cmd, &all)
}

fn assert_aborted(run: &CliRun, point: &str) {
    assert!(
        run.code.is_none() && run.stderr.contains("aborting here"),
        "{point}: expected an abort, got {:?}\n{}",
        run.code,
        run.stderr
    );
}

async fn assert_same(point: &str, got: &Target, want: &Target, raw_too: bool) {
    let (got_lake, want_lake) = (got.files(&got.lake).await, want.files(&want.lake).await);
    assert_eq!(
        got_lake
            .keys()
            .map(|k| without_versions(k))
            .collect::<Vec<_>>(),
        want_lake
            .keys()
            .map(|k| without_versions(k))
            .collect::<Vec<_>>(),
        "{point}: the lake's files differ"
    );
    assert!(
        lake_view(got_lake) == lake_view(want_lake),
        "{point}: the lake's rows differ"
    );
    assert_eq!(
        got.registered().await,
        want.registered().await,
        "{point}: the catalog differs"
    );
    let (dirs, has_view) = got.registered().await;
    assert!(!dirs.is_empty() && has_view, "{point}: nothing registered");
    if raw_too {
        let names = |files: BTreeMap<String, Bytes>| files.into_keys().collect::<Vec<_>>();
        assert_eq!(
            names(got.files(&got.raw).await),
            names(want.files(&want.raw).await),
            "{point}: the raw zone's files differ"
        );
    }
}

/// Loads the sample uninterrupted, then once per load point: abort, check,
/// load again, compare.
async fn load_matrix(make: impl AsyncFn(&TempLake) -> Target) {
    let reference_dir = TempLake::with_sample();
    let reference = make(&reference_dir).await;
    spotify_lake(&["load"], &reference, &[], None).assert_code(0);
    for point in LOAD_POINTS {
        let dir = TempLake::with_sample();
        let target = make(&dir).await;
        assert_aborted(&spotify_lake(&["load"], &target, &[], Some(point)), point);
        assert_registered_have_files(&target, point).await;
        spotify_lake(&["load"], &target, &[], None).assert_code(0);
        assert_same(point, &target, &reference, false).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_load_aborted_at_any_point_then_rerun_equals_an_uninterrupted_one_locally() {
    load_matrix(async |t: &TempLake| Target::local(t)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_load_aborted_at_any_point_then_rerun_equals_an_uninterrupted_one_on_s3_and_glue() {
    let Some(moto) = moto("crash matrix on S3 + Glue") else {
        return;
    };
    load_matrix(async |t: &TempLake| Target::s3(&moto, t, false).await).await;
}

/// `run` of Bruno Mars against the fake, uninterrupted and aborted after
/// the fifth raw body, then run again the same day.
async fn run_matrix(make: impl AsyncFn(&TempLake) -> Target) {
    let fake = FakeSpotify::start_blocking(FakeData::from_sample(&sample_snapshot()), Knobs::dev());
    let config_dir = TempLake::new();
    let config = config_dir.root().join("spotify-lake.toml");
    std::fs::write(
        &config,
        "[spotify]\nartists = [\"Bruno Mars\"]\ninclude_groups = [\"album\"]\nbackoff_base_ms = 1\n",
    )
    .unwrap();
    let args = [
        "run",
        "--config",
        config.to_str().unwrap(),
        "--extract-date",
        DATE,
    ];
    let env = fake.env();
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, v.clone())).collect();

    let reference_dir = TempLake::new();
    let reference = make(&reference_dir).await;
    spotify_lake(&args, &reference, &env, None).assert_code(0);
    let dir = TempLake::new();
    let target = make(&dir).await;
    assert_aborted(
        &spotify_lake(&args, &target, &env, Some(RUN_POINT)),
        RUN_POINT,
    );
    assert_registered_have_files(&target, RUN_POINT).await;
    spotify_lake(&args, &target, &env, None).assert_code(0);
    assert_same(RUN_POINT, &target, &reference, true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_aborted_after_a_raw_write_then_rerun_equals_an_uninterrupted_one_locally() {
    run_matrix(async |t: &TempLake| Target::local(t)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_aborted_after_a_raw_write_then_rerun_equals_an_uninterrupted_one_on_s3_and_glue() {
    let Some(moto) = moto("crash after a raw write on S3 + Glue") else {
        return;
    };
    run_matrix(async |t: &TempLake| Target::s3(&moto, t, true).await).await;
}
