//! `status`: the raw zone and the lake at a glance, as text and JSON, on
//! the loaded sample, a partial snapshot (and the resume command it
//! prints, run as printed), an empty lake, unregistered partitions, stale
//! snapshots and zones that cannot be read; and the last-run record that
//! `load` and `run` leave for it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::support::cli::{CliRun, cli_command, run_cli, run_command};
use crate::support::fake_spotify::{FakeData, FakeSpotify, Knobs};
use crate::support::lake::{TempLake, copy_dir, files_under};
use crate::support::raw_builder::read_raw_json;
use crate::support::sample::{BRUNO_MARS, SAMPLE_DATE, sample_snapshot};

/// `status --raw <raw> --lake <lake> --format <format>` plus `extra`.
fn status(t: &TempLake, format: &str, extra: &[&str]) -> CliRun {
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let mut args = vec!["status", "--raw", &raw, "--lake", &lake, "--format", format];
    args.extend_from_slice(extra);
    run_cli(&args)
}

/// `status … --format json` that must exit 0.
fn status_json(t: &TempLake, extra: &[&str]) -> Value {
    let run = status(t, "json", extra);
    run.assert_code(0);
    run.json()
}

/// `status … --format table` that must exit 0; its stdout.
fn status_text(t: &TempLake, extra: &[&str]) -> String {
    let run = status(t, "table", extra);
    run.assert_code(0);
    run.stdout.clone()
}

/// The warnings' kinds.
fn warning_kinds(status: &Value) -> Vec<String> {
    status["warnings"]
        .as_array()
        .expect("a warnings list")
        .iter()
        .map(|w| w["kind"].as_str().expect("a kind").to_owned())
        .collect()
}

/// The lake's table entry named `table`.
fn table<'a>(status: &'a Value, table: &str) -> &'a Value {
    status["lake"]["tables"]
        .as_array()
        .expect("a tables list")
        .iter()
        .find(|t| t["table"] == table)
        .unwrap_or_else(|| panic!("no table {table} in {status:#}"))
}

/// Per table folder of the lake (not `_…`): Parquet files, their folders,
/// and the bytes of every file, counted from the disk.
fn on_disk(t: &TempLake) -> BTreeMap<String, (u64, u64, u64)> {
    let mut out: BTreeMap<String, (u64, std::collections::BTreeSet<String>, u64)> = BTreeMap::new();
    for (rel, bytes) in files_under(&t.lake) {
        let Some((top, _)) = rel.split_once('/') else {
            continue;
        };
        if top.starts_with('_') {
            continue;
        }
        let e = out.entry(top.to_owned()).or_default();
        e.2 += bytes.len() as u64;
        if rel.ends_with(".parquet") {
            e.0 += 1;
            e.1.insert(rel.rsplit_once('/').expect("a folder").0.to_owned());
        }
    }
    out.into_iter()
        .map(|(k, (files, dirs, bytes))| (k, (files, dirs.len() as u64, bytes)))
        .collect()
}

/// The sample's manifest, with Bruno Mars left pending by a quota stop.
fn make_bruno_mars_pending(t: &TempLake) {
    let path = t
        .raw
        .join(format!("extract_date={SAMPLE_DATE}/manifest.json"));
    let mut manifest = read_raw_json(&path);
    manifest["status"] = "partial".into();
    manifest["stop_reason"] = "quota".into();
    manifest["retry_after_seconds"] = 3600.into();
    for artist in manifest["artists"].as_array_mut().expect("artists") {
        if artist["artist_id"] == BRUNO_MARS {
            artist["status"] = "pending".into();
        }
    }
    std::fs::write(&path, serde_json::to_vec(&manifest).expect("JSON")).expect("write");
}

#[test]
fn status_of_the_loaded_sample_shows_every_table_and_the_last_load() {
    let t = TempLake::with_sample();
    let summary = t.load_ok(&[]);
    let s = status_json(&t, &[]);

    assert_eq!(
        s["raw"]["snapshots"],
        serde_json::json!([{"extract_date": SAMPLE_DATE, "status": "complete"}])
    );
    let newest = &s["raw"]["newest"];
    assert_eq!(newest["extract_date"], SAMPLE_DATE);
    assert_eq!(newest["status"], "complete");
    assert_eq!(newest["pending_artists"], serde_json::json!([]));
    assert!(newest["resume"].is_null(), "{newest:#}");

    // Every table folder, counted as the disk counts it; every partition
    // registered (the default catalog is the local one).
    let disk = on_disk(&t);
    for name in ["albums", "tracks", "artists", "playlist_tracks"] {
        assert!(disk.contains_key(name), "the load wrote no {name}");
    }
    let listed: Vec<&str> = s["lake"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>(),
        disk.keys().map(String::as_str).collect(),
        "one entry per table folder"
    );
    assert_eq!(
        &listed[..4],
        ["albums", "tracks", "artists", "playlist_tracks"]
    );
    for (name, want) in [
        ("albums", 3),
        ("tracks", 3),
        ("artists", 1),
        ("playlist_tracks", 2),
    ] {
        let entry = table(&s, name);
        let (files, partitions, bytes) = disk[name];
        assert_eq!(entry["extract_dates"], 1, "{name}");
        assert_eq!(entry["partitions"], want, "{name}");
        assert_eq!(entry["partitions"], partitions, "{name}");
        assert_eq!(entry["files"], files, "{name}");
        assert_eq!(entry["bytes"], bytes, "{name}");
        assert_eq!(entry["registered"], want, "{name}");
        assert_eq!(entry["unregistered"], 0, "{name}");
        assert_eq!(entry["registered_without_files"], 0, "{name}");
    }

    // The last run is the load that just ran.
    let last = &s["last_run"];
    assert_eq!(last["status"], "complete");
    assert_eq!(last["extract_date"], SAMPLE_DATE);
    assert_eq!(last["rows"], summary["rows"]);
    assert_eq!(last["files_written"], summary["files_written"]);
    assert_eq!(
        last["skipped"],
        summary["skipped"].as_array().unwrap().len()
    );
    assert_eq!(last["seconds"], summary["seconds"]);

    // Only the sample's age can warn (it is a fixed date).
    let kinds = warning_kinds(&s);
    assert!(kinds.iter().all(|k| k == "stale"), "{kinds:?}");

    let text = status_text(&t, &[]);
    for want in [
        format!("newest       {SAMPLE_DATE} complete ("),
        format!("{:<18}{:>7}{:>12}{:>8}", "albums", 1, 3, 3),
        format!("{:<18}{:>7}{:>12}{:>8}", "artists", 1, 1, 1),
        format!("last run     complete {SAMPLE_DATE}, "),
        format!("rows albums {}", summary["rows"]["albums"]),
    ] {
        assert!(text.contains(&want), "{want:?} missing:\n{text}");
    }
    assert!(text.contains("registered"), "{text}");
    let albums_line = text
        .lines()
        .find(|l| l.starts_with("albums "))
        .expect("an albums line");
    assert!(albums_line.trim_end().ends_with(" 3"), "{albums_line}");
    assert!(!text.contains("resume"), "{text}");

    // `--raw` may name the snapshot folder itself, as for `load`.
    let folder = t.raw.join(format!("extract_date={SAMPLE_DATE}"));
    let run = run_cli(&[
        "status",
        "--raw",
        folder.to_str().unwrap(),
        "--lake",
        &t.lake_arg(),
        "--format",
        "json",
    ]);
    run.assert_code(0);
    assert_eq!(run.json()["raw"]["snapshots"], s["raw"]["snapshots"]);
}

#[test]
fn a_load_records_its_summary_for_status() {
    let t = TempLake::with_sample();
    let record = t.lake.join("_runs/last.json");
    assert!(!record.exists());
    let summary = t.load_ok(&[]);
    let recorded: Value =
        serde_json::from_slice(&std::fs::read(&record).expect("the load recorded its summary"))
            .expect("the record is JSON");
    assert_eq!(recorded, summary, "the record is the summary printed");

    // A partial load records too, replacing the last one.
    make_bruno_mars_pending(&t);
    t.load(&[]).assert_code(3);
    let recorded: Value = serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    assert_eq!(recorded["status"], "partial");
    assert_eq!(recorded["pending_artists"], serde_json::json!([BRUNO_MARS]));
}

#[test]
fn status_of_a_partial_snapshot_names_the_pending_artists_and_the_resume_command() {
    let t = TempLake::with_sample();
    make_bruno_mars_pending(&t);
    t.load(&[]).assert_code(3);

    let s = status_json(&t, &[]);
    assert_eq!(s["raw"]["snapshots"][0]["status"], "partial");
    let newest = &s["raw"]["newest"];
    assert_eq!(newest["status"], "partial");
    assert_eq!(newest["stop_reason"], "quota");
    assert_eq!(newest["retry_after_seconds"], 3600);
    assert_eq!(
        newest["pending_artists"],
        serde_json::json!([{
            "artist_id": BRUNO_MARS, "artist_name": "Bruno Mars", "query": "Bruno Mars"
        }])
    );
    let want: Vec<String> = [
        "spotify-lake",
        "run",
        "--extract-date",
        SAMPLE_DATE,
        "--raw",
        &t.raw_location().to_string(),
        "--lake",
        &t.lake_location().to_string(),
        "--artist",
        BRUNO_MARS,
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(newest["resume"]["args"], serde_json::json!(want));
    let command = newest["resume"]["command"].as_str().unwrap().to_owned();
    assert_eq!(command, want.join(" "), "temp paths need no quoting");
    assert!(
        warning_kinds(&s).contains(&"partial_snapshot".to_owned()),
        "{s:#}"
    );
    assert_eq!(s["last_run"]["status"], "partial");
    assert_eq!(
        s["last_run"]["pending_artists"],
        serde_json::json!([BRUNO_MARS])
    );
    // Bruno Mars's partitions were not written: nothing is unregistered.
    assert_eq!(table(&s, "albums")["partitions"], 2);
    assert_eq!(table(&s, "albums")["unregistered"], 0);

    // The flags the status was read with carry over to the command.
    let s = status_json(&t, &["--catalog", "local", "--database", "mine"]);
    let args = s["raw"]["newest"]["resume"]["args"].as_array().unwrap();
    let tail: Vec<&str> = args[args.len() - 4..]
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(tail, ["--catalog", "local", "--database", "mine"]);

    let text = status_text(&t, &[]);
    for want in [
        format!(
            "newest       {SAMPLE_DATE} partial (stopped: quota, Spotify asked to wait 3600 s, "
        ),
        "pending      1 artist".to_owned(),
        format!("artist   {BRUNO_MARS}  Bruno Mars"),
        format!("resume       {command}"),
        "is partial (stopped: quota): 1 artist pending".to_owned(),
    ] {
        assert!(text.contains(&want), "{want:?} missing:\n{text}");
    }
}

/// A config for `run` against the fake: the sample's artists, one at a
/// time, with fast retries.
fn run_config(t: &TempLake) -> String {
    let path = t.root().join("spotify-lake.toml");
    std::fs::write(
        &path,
        "[spotify]\nartists = [\"Drake\", \"Michael Jackson\", \"Bruno Mars\"]\ninclude_groups = [\"album\", \"single\"]\nbackoff_base_ms = 1\nmax_wait_seconds = 5\nconcurrency = 1\n",
    )
    .expect("write the config");
    path.to_str().expect("UTF-8").to_owned()
}

/// The binary with the fake's environment.
fn with_fake(fake: &FakeSpotify, args: &[&str]) -> CliRun {
    let mut cmd = cli_command(args);
    for (k, v) in fake.env() {
        cmd.env(k, v);
    }
    run_command(cmd, args)
}

/// A run of the sample that Spotify's quota stops after 30 requests, with
/// `extra` flags: the fake, the folder, the config file and the run.
fn quota_stopped_run(extra: &[&str]) -> (FakeSpotify, TempLake, String, CliRun) {
    let mut knobs = Knobs::dev();
    knobs.quota_after = Some(30);
    let fake = FakeSpotify::start_blocking(FakeData::from_sample(&sample_snapshot()), knobs);
    let t = TempLake::new();
    let cfg = run_config(&t);
    let run = run_sample(&fake, &t, &cfg, extra);
    (fake, t, cfg, run)
}

/// `run` of the sample's date into `t` with `cfg` and `extra` flags.
fn run_sample(fake: &FakeSpotify, t: &TempLake, cfg: &str, extra: &[&str]) -> CliRun {
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let mut args = vec![
        "run",
        "--config",
        cfg,
        "--raw",
        &raw,
        "--lake",
        &lake,
        "--extract-date",
        SAMPLE_DATE,
    ];
    args.extend_from_slice(extra);
    with_fake(fake, &args)
}

#[test]
fn the_resume_command_status_prints_finishes_a_quota_stopped_run() {
    let (fake, t, cfg, first) = quota_stopped_run(&["--summary", "json"]);
    first.assert_code(3);
    let pending = first.json()["pending_artists"].clone();
    assert!(!pending.as_array().unwrap().is_empty());

    let s = status_json(&t, &["--config", &cfg]);
    let newest = &s["raw"]["newest"];
    assert_eq!(newest["status"], "partial");
    assert_eq!(newest["stop_reason"], "quota");
    assert_eq!(
        newest["pending_artists"].as_array().unwrap().len(),
        pending.as_array().unwrap().len()
    );
    assert_eq!(s["last_run"]["status"], "partial");
    let args: Vec<String> = newest["resume"]["args"]
        .as_array()
        .expect("a resume command")
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(args[..2], ["spotify-lake", "run"]);
    assert!(args.contains(&"--config".to_owned()), "{args:?}");

    // Run it as printed (the program name is the binary).
    fake.set_knobs(|k| k.quota_after = None);
    let resume: Vec<&str> = args[1..].iter().map(String::as_str).collect();
    with_fake(&fake, &resume).assert_code(0);

    let s = status_json(&t, &[]);
    assert_eq!(s["raw"]["newest"]["status"], "complete", "{s:#}");
    assert!(s["raw"]["newest"]["resume"].is_null());
    assert_eq!(s["last_run"]["status"], "complete");
    assert_eq!(table(&s, "albums")["partitions"], 3, "every artist written");
    assert_eq!(table(&s, "albums")["unregistered"], 0);
    let kinds = warning_kinds(&s);
    assert!(kinds.iter().all(|k| k == "stale"), "{kinds:?}");
}

/// The `resume` line of a summary table.
fn summary_resume_line(run: &CliRun) -> String {
    run.stdout
        .lines()
        .find_map(|l| l.strip_prefix("resume          "))
        .unwrap_or_else(|| panic!("no resume line in the summary:\n{}", run.stdout))
        .to_owned()
}

/// Regression (issue "Nothing fails silently"): a partial run's or load's
/// summary said `status partial` and listed pending artists, but not how to
/// finish them: now it ends with the exact command `status` prints.
#[test]
fn a_partial_summary_prints_the_resume_command_status_prints() {
    let (fake, t, cfg, run) = quota_stopped_run(&[]);
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    run.assert_code(3);
    assert!(
        run.stdout.contains("status          partial"),
        "{}",
        run.stdout
    );
    let printed = summary_resume_line(&run);
    let s = status_json(&t, &["--config", &cfg]);
    assert_eq!(
        printed,
        s["raw"]["newest"]["resume"]["command"].as_str().unwrap(),
        "the summary's command is status's"
    );
    assert!(
        printed.starts_with(&format!(
            "spotify-lake run --extract-date {SAMPLE_DATE} --raw "
        )) && printed.contains(" --artist ")
            && printed.ends_with(&format!(" --config {cfg}")),
        "{printed}"
    );

    // A load of the partial snapshot says the same (without --config: it
    // was given none).
    let load = run_cli(&["load", "--raw", &raw, "--lake", &lake]);
    load.assert_code(3);
    let s = status_json(&t, &[]);
    assert_eq!(
        summary_resume_line(&load),
        s["raw"]["newest"]["resume"]["command"].as_str().unwrap()
    );

    // A complete run prints none; nor does the JSON summary.
    fake.set_knobs(|k| k.quota_after = None);
    let done = run_sample(&fake, &t, &cfg, &[]);
    done.assert_code(0);
    assert!(!done.stdout.contains("resume"), "{}", done.stdout);
}

#[test]
fn status_of_an_empty_lake_says_there_is_nothing_and_exits_0() {
    let t = TempLake::new();
    let s = status_json(&t, &[]);
    assert_eq!(s["raw"]["snapshots"], serde_json::json!([]));
    assert!(s["raw"]["newest"].is_null());
    assert_eq!(s["lake"]["tables"], serde_json::json!([]));
    assert!(s["last_run"].is_null());
    assert_eq!(warning_kinds(&s), ["no_snapshot"]);
    let text = status_text(&t, &[]);
    for want in [
        "snapshots    none",
        "tables       none",
        "last run     none recorded",
        "warnings     1",
        "holds no snapshot",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
    assert!(!t.lake.exists(), "status writes nothing");
}

#[test]
fn partitions_the_catalog_does_not_register_are_a_warning() {
    let t = TempLake::with_sample();
    t.load_ok(&["--catalog", "none"]);
    let s = status_json(&t, &[]);
    let albums = table(&s, "albums");
    assert_eq!(albums["partitions"], 3);
    assert_eq!(albums["registered"], 0);
    assert_eq!(albums["unregistered"], 3);
    let kinds = warning_kinds(&s);
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "unregistered_partitions")
            .count(),
        4,
        "one per table: {kinds:?}"
    );
    let message = s["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["kind"] == "unregistered_partitions")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains(&format!("spotify-lake load --extract-date {SAMPLE_DATE}")),
        "{message}"
    );

    // Without a catalog there is nothing to compare.
    let s = status_json(&t, &["--catalog", "none"]);
    assert!(table(&s, "albums")["registered"].is_null());
    assert!(
        !warning_kinds(&s).contains(&"unregistered_partitions".to_owned()),
        "{s:#}"
    );

    // A load with the catalog registers them: the warning goes.
    t.load_ok(&[]);
    let s = status_json(&t, &[]);
    assert_eq!(table(&s, "albums")["registered"], 3);
    assert!(
        !warning_kinds(&s).contains(&"unregistered_partitions".to_owned()),
        "{s:#}"
    );
}

#[test]
fn an_old_snapshot_is_stale_and_one_of_today_is_not() {
    let t = TempLake::new();
    copy_dir(&sample_snapshot(), &t.raw.join("extract_date=2020-01-02"));
    let s = status_json(&t, &[]);
    assert_eq!(warning_kinds(&s), ["stale"]);
    let message = s["warnings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("2020-01-02") && message.contains("days old"),
        "{message}"
    );

    let today = spotify_lake::ids::ExtractDate::today_utc().to_string();
    copy_dir(
        &sample_snapshot(),
        &t.raw.join(format!("extract_date={today}")),
    );
    let s = status_json(&t, &[]);
    assert_eq!(warning_kinds(&s), Vec::<String>::new(), "{s:#}");
    assert_eq!(s["raw"]["newest"]["extract_date"], today);
    assert_eq!(s["raw"]["newest"]["age_days"], 0);

    // A newer snapshot without a manifest (an extract that died) is named.
    let next = "2099-01-01";
    crate::support::raw_builder::RawBuilder::create(&t.raw, next).artist(BRUNO_MARS, "Bruno Mars");
    let s = status_json(&t, &[]);
    assert_eq!(s["raw"]["newest"]["status"], "no_manifest");
    assert_eq!(warning_kinds(&s), ["no_manifest"]);
}

#[cfg(unix)]
#[test]
fn a_zone_that_cannot_be_read_is_exit_1_naming_it() {
    // A symbolic link to itself: listing it fails (ELOOP), as a folder
    // without read permission would for a user who is not root.
    let t = TempLake::with_sample();
    std::os::unix::fs::symlink(&t.lake, &t.lake).unwrap();
    let run = status(&t, "table", &[]);
    run.assert_code(1);
    run.assert_stderr_has(&["error: ", "cannot list the lake"]);
    assert!(run.stdout.is_empty(), "{}", run.stdout);

    let t = TempLake::new();
    std::os::unix::fs::symlink(&t.raw, &t.raw).unwrap();
    let run = status(&t, "json", &[]);
    run.assert_code(1);
    run.assert_stderr_has(&["error: ", "cannot list"]);
    assert!(run.stderr.contains(&t.raw_arg()), "{}", run.stderr);
}
