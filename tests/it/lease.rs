//! One writer at a time (`src/lease.rs`), with the real binary: two runs
//! of one date started together, twelve loads of different dates started
//! together, and leases left by writers that are gone or still there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Barrier;
use std::time::Duration;

use serde_json::{Value, json};
use spotify_lake::catalog::{Catalog, LocalCatalog};
use spotify_lake::schema::Table;

use crate::support::cli::{CliRun, cli_command, run_cli, run_command};
use crate::support::fake_spotify::{FakeData, FakeSpotify, Knobs};
use crate::support::lake::TempLake;
use crate::support::moto::moto;
use crate::support::parquet::lake_view;
use crate::support::raw_builder::sample_week;
use crate::support::sample::sample_snapshot;
use crate::support::target::Target;

const DATE: &str = "2026-11-26";

/// Runs every command at once (released together by a barrier) and
/// returns their results in order.
fn all_at_once(commands: Vec<(std::process::Command, Vec<String>)>) -> Vec<CliRun> {
    let start = Barrier::new(commands.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = commands
            .into_iter()
            .map(|(cmd, args)| {
                let start = &start;
                scope.spawn(move || {
                    let args: Vec<&str> = args.iter().map(String::as_str).collect();
                    start.wait();
                    run_command(cmd, &args)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a command thread"))
            .collect()
    })
}

/// The lake as rows and text (the last run's record aside), the
/// registered partitions, and the raw zone's file names.
async fn state(target: &Target) -> (BTreeMap<String, Vec<String>>, BTreeSet<String>, Vec<String>) {
    let lake = target.files(&target.lake).await;
    let registered = target.registered().await.0;
    let raw = target.files(&target.raw).await.into_keys().collect();
    (lake_view(lake), registered, raw)
}

/// `run` of Bruno Mars for DATE into `zones`, against `fake`.
fn run_for(
    fake: &FakeSpotify,
    config: &Path,
    zones: &Target,
) -> (std::process::Command, Vec<String>) {
    let mut args: Vec<String> = vec![
        "run".into(),
        "--config".into(),
        config.to_str().unwrap().into(),
        "--extract-date".into(),
        DATE.into(),
    ];
    args.extend(zones.zone_args());
    let borrowed: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut cmd = cli_command(&borrowed);
    for (k, v) in fake.env() {
        cmd.env(k, v);
    }
    (cmd, args)
}

/// Two runs of one date started together: exactly one proceeds, the other
/// exits 1 naming the lease and its holder; the lake, the catalog and the
/// raw zone equal one uninterrupted run's, with no lease left behind.
async fn two_runs_of_one_date(make: impl AsyncFn(&TempLake) -> Target) {
    // Latency keeps the first run going while the second starts.
    let knobs = Knobs {
        latency: (Duration::from_millis(150), Duration::ZERO),
        ..Knobs::dev()
    };
    let fake = FakeSpotify::start_blocking(FakeData::from_sample(&sample_snapshot()), knobs);
    let dir = TempLake::new();
    let config = dir.root().join("spotify-lake.toml");
    std::fs::write(
        &config,
        "[spotify]\nartists = [\"Bruno Mars\"]\ninclude_groups = [\"album\"]\nbackoff_base_ms = 1\n",
    )
    .unwrap();

    let reference_dir = TempLake::new();
    let reference = make(&reference_dir).await;
    let (cmd, args) = run_for(&fake, &config, &reference);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_command(cmd, &args).assert_code(0);

    let contested_dir = TempLake::new();
    let contested = make(&contested_dir).await;
    let runs = all_at_once(vec![
        run_for(&fake, &config, &contested),
        run_for(&fake, &config, &contested),
    ]);
    let codes: Vec<Option<i32>> = runs.iter().map(|r| r.code).collect();
    let (ok, refused): (Vec<&CliRun>, Vec<&CliRun>) = runs.iter().partition(|r| r.code == Some(0));
    assert!(
        ok.len() == 1 && refused.len() == 1,
        "expected one run to proceed and one to be refused, got exits {codes:?}\n--- stderr\n{}\n--- stderr\n{}",
        runs[0].stderr,
        runs[1].stderr
    );
    refused[0].assert_code(1).assert_stderr_has(&[
        &format!("extract date {DATE} of"),
        "is being written by pid",
        &format!("(run of {DATE})"),
        &format!("_lease/{DATE}.json was taken"),
        "wait for it to finish",
        "if that process is dead, remove",
    ]);
    assert_eq!(ok[0].json()["status"], "complete");

    let (got, want) = (state(&contested).await, state(&reference).await);
    assert!(
        got.0 == want.0,
        "the lake differs from a single run's:\n{:?}\n{:?}",
        got.0.keys(),
        want.0.keys()
    );
    assert_eq!(got.1, want.1, "the catalog differs from a single run's");
    assert!(!got.1.is_empty(), "nothing registered");
    assert_eq!(
        got.2, want.2,
        "the raw zone's files differ from a single run's"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_runs_of_one_date_at_once_one_proceeds_the_other_names_the_lease_locally() {
    two_runs_of_one_date(async |t: &TempLake| Target::local(t)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_runs_of_one_date_at_once_one_proceeds_the_other_names_the_lease_on_s3_and_glue() {
    let Some(moto) = moto("two runs of one date at once on S3 + Glue") else {
        return;
    };
    two_runs_of_one_date(async |t: &TempLake| Target::s3(&moto, t, true).await).await;
}

/// Twelve weekly dates up to the sample's.
fn twelve_dates() -> Vec<String> {
    let last: chrono::NaiveDate = DATE.parse().unwrap();
    (0..12)
        .rev()
        .map(|w| (last - chrono::Duration::weeks(w)).to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn twelve_loads_of_different_dates_at_once_lose_no_registration() {
    let t = TempLake::new();
    let dates = twelve_dates();
    for date in &dates {
        sample_week(&t.raw, date, |_| false);
    }
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let loads = all_at_once(
        dates
            .iter()
            .map(|date| {
                let args: Vec<String> = [
                    "load",
                    "--raw",
                    &raw,
                    "--lake",
                    &lake,
                    "--extract-date",
                    date,
                    "--summary",
                    "json",
                ]
                .map(String::from)
                .to_vec();
                let borrowed: Vec<&str> = args.iter().map(String::as_str).collect();
                (cli_command(&borrowed), args)
            })
            .collect(),
    );
    for run in &loads {
        run.assert_code(0);
        assert!(
            run.json()["partitions"]["registered"].as_u64() > Some(0),
            "each load registers its partitions"
        );
    }
    let want: BTreeSet<String> = dates.iter().cloned().collect();

    // The local catalog's files list every date.
    let location = t.lake_location();
    let catalog = LocalCatalog::new(location.store.clone());
    let dates_of = |keys: Vec<spotify_lake::lake::PartitionKey>| -> BTreeMap<String, usize> {
        let mut per_date = BTreeMap::new();
        for key in keys {
            let date = key.dir().split("extract_date=").nth(1).unwrap()[..10].to_owned();
            *per_date.entry(date).or_default() += 1;
        }
        per_date
    };
    for (table, per_date) in [(Table::Albums, 3), (Table::Tracks, 3), (Table::Artists, 1)] {
        let got = dates_of(catalog.partitions(table).await.unwrap());
        let expected: BTreeMap<String, usize> =
            want.iter().map(|d| (d.clone(), per_date)).collect();
        assert_eq!(
            got,
            expected,
            "{}: registered partitions per date",
            table.name()
        );
    }

    // The engine reads what was registered: every date.
    let sql = t.root().join("dates.sql");
    std::fs::write(
        &sql,
        "SELECT count(DISTINCT extract_date) AS dates FROM albums",
    )
    .unwrap();
    let query = run_cli(&[
        "query",
        sql.to_str().unwrap(),
        "--lake",
        &lake,
        "--format",
        "json",
    ]);
    query.assert_code(0);
    assert_eq!(query.json(), json!([{"dates": 12}]));

    // The committed current_albums folded every date's partitions.
    let commit = catalog
        .current()
        .await
        .unwrap()
        .expect("a committed version");
    let current = spotify_lake::lake::current::read(location.store.as_ref(), &commit.version)
        .await
        .unwrap()
        .expect("the committed version is readable");
    let folded: BTreeMap<String, usize> = current
        .meta
        .partitions
        .iter()
        .map(|(d, artists)| (d.to_string(), artists.len()))
        .collect();
    let expected: BTreeMap<String, usize> = want.iter().map(|d| (d.clone(), 3)).collect();
    assert_eq!(
        folded, expected,
        "current_albums folds 3 artists of every date"
    );

    // No lease is left in either zone.
    for zone in [&t.raw, &t.lake] {
        assert!(
            crate::support::lake::files_under(&zone.join("_lease")).is_empty(),
            "a lease was left in {}",
            zone.display()
        );
    }
}

/// Writes a lease object by hand: another machine's writer that took it
/// `minutes_ago`.
fn write_lease(zone: &Path, name: &str, who: &str, minutes_ago: i64) -> std::path::PathBuf {
    let taken = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
    let record: Value = json!({
        "who": who,
        "purpose": format!("run of {DATE}"),
        "taken_at": taken.to_rfc3339(),
        "host": "laptop-7",
        "pid": 99,
        "pid_ns": "pid:[4026531836]",
        "token": "not-this-process",
    });
    let path = zone.join("_lease").join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, record.to_string()).unwrap();
    path
}

#[test]
fn a_live_lease_of_the_date_refuses_a_load_naming_its_holder_and_age() {
    let t = TempLake::with_sample();
    // A load's date lease is the lake's: the raw zone is only read.
    let lease = write_lease(&t.lake, &format!("{DATE}.json"), "pid 99 on laptop-7", 3);
    let shown = lease.display().to_string();
    for raw in [
        t.raw_arg(),
        t.raw
            .join(format!("extract_date={DATE}"))
            .display()
            .to_string(),
    ] {
        // The raw zone root, and the snapshot's own folder: one lease.
        let lake = t.lake_arg();
        let run = run_cli(&["load", "--raw", &raw, "--lake", &lake]);
        run.assert_code(1).assert_stderr_has(&[
            &format!("extract date {DATE} of"),
            "is being written by pid 99 on laptop-7 (run of 2026-11-26)",
            &format!("whose lease {shown} was taken 3 min ago"),
            &format!("if that process is dead, remove {shown}"),
            "not renewed for 20 min is taken over",
        ]);
        let written: Vec<_> = crate::support::lake::files_under(&t.lake)
            .into_keys()
            .filter(|f| !f.starts_with("_lease/"))
            .collect();
        assert!(
            written.is_empty(),
            "a refused load writes nothing: {written:?}"
        );
    }
    assert!(lease.exists(), "another writer's lease is left alone");
}

#[test]
fn a_stale_lease_is_taken_over_with_a_warning_naming_the_old_holder() {
    let t = TempLake::with_sample();
    // 25 minutes: stale by the default lease_minutes (20).
    let date_lease = write_lease(&t.lake, &format!("{DATE}.json"), "pid 99 on laptop-7", 25);
    let catalog_lease = write_lease(
        &t.lake,
        "catalog.json",
        "lambda 8476a536 (pid 9 on sandbox)",
        25,
    );
    let run = t.load(&[]);
    run.assert_code(0).assert_stderr_has(&[
        "Taking over the lease of pid 99 on laptop-7: it was not renewed for 25 min",
        "Taking over the lease of lambda 8476a536 (pid 9 on sandbox)",
        "longer than lease_minutes (20 min)",
    ]);
    assert_eq!(run.json()["status"], "complete");
    assert!(
        !date_lease.exists() && !catalog_lease.exists(),
        "both leases released"
    );

    // `[lake] lease_minutes` sets when a lease is stale: 3 minutes is not
    // with the default, and is with lease_minutes = 2.
    let date_lease = write_lease(&t.lake, &format!("{DATE}.json"), "pid 99 on laptop-7", 3);
    t.load(&[]).assert_code(1);
    let config = t.root().join("spotify-lake.toml");
    std::fs::write(&config, "[lake]\nlease_minutes = 2\n").unwrap();
    let run = t.load(&["--config", config.to_str().unwrap()]);
    run.assert_code(0).assert_stderr_has(&[
        "Taking over the lease of pid 99 on laptop-7: it was not renewed for 3 min",
        "longer than lease_minutes (2 min)",
    ]);
    assert!(!date_lease.exists());
}
