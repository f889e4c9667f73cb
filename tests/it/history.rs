//! The lake over many weeks (DESIGN.md, History): the answers read one
//! committed `current_albums` version, whatever the number of snapshots;
//! a backfill or a crash changes nothing; a reader sees only what was
//! committed; `load --all` and `forget`.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::Value;
use spotify_lake::crash::CRASH_AT;

use crate::support::cli::{CliRun, cli_command, run_cli, run_command};
use crate::support::lake::{TempLake, copy_dir, files_under};
use crate::support::moto::{Moto, moto};
use crate::support::raw_builder::{read_raw_json, sample_week};
use crate::support::sample::{BRUNO_MARS, DRAKE, SAMPLE_DATE};

const ANSWERS: [&str; 3] = [
    "album_length_by_year",
    "album_length_by_artist",
    "album_length_trend",
];

/// Where a test reads and writes: a local lake (local catalog) or S3 + Glue.
struct Zone {
    lake: String,
    catalog: Vec<String>,
}

impl Zone {
    fn local(t: &TempLake) -> Zone {
        Zone {
            lake: t.lake_arg(),
            catalog: Vec::new(),
        }
    }

    fn s3(moto: &Moto) -> Zone {
        let bucket = moto.unique("it-history-");
        moto.create_bucket(&bucket);
        Zone {
            lake: format!("s3://{bucket}/lake"),
            catalog: vec![
                "--catalog".into(),
                "glue".into(),
                "--database".into(),
                moto.unique("it_history_"),
            ],
        }
    }

    fn args<'a>(&'a self, cmd: &[&'a str]) -> Vec<&'a str> {
        let mut args = cmd.to_vec();
        args.extend(["--lake", &self.lake]);
        args.extend(self.catalog.iter().map(String::as_str));
        args
    }

    fn load(&self, raw: &Path, extra: &[&str]) -> CliRun {
        let raw = raw.to_str().unwrap();
        let mut args = self.args(&["load", "--raw", raw, "--summary", "json"]);
        args.extend_from_slice(extra);
        run_cli(&args)
    }

    fn load_ok(&self, raw: &Path, extra: &[&str]) -> Value {
        let run = self.load(raw, extra);
        run.assert_code(0);
        run.json()
    }

    fn query(&self, name: &str, extra: &[&str]) -> CliRun {
        let mut args = self.args(&["query", name, "--format", "json"]);
        args.extend_from_slice(extra);
        run_cli(&args)
    }

    fn answer(&self, name: &str) -> Value {
        let run = self.query(name, &[]);
        run.assert_code(0);
        run.json()
    }

    /// The three answers and every row of latest_albums.
    fn answers(&self, sql_dir: &Path) -> Vec<Value> {
        let latest = sql_dir.join("latest.sql");
        std::fs::write(
            &latest,
            "SELECT album_id, album_name, duration_ms, extract_date, artist_id FROM latest_albums ORDER BY album_id",
        )
        .unwrap();
        let mut all: Vec<Value> = ANSWERS.iter().map(|q| self.answer(q)).collect();
        all.push(self.answer(latest.to_str().unwrap()));
        all
    }
}

/// The sample as the week `date` of `raw`; `edit` may change album bodies.
fn week(raw: &Path, date: &str, edit: impl FnMut(&mut Value) -> bool) {
    sample_week(raw, date, edit);
}

/// Doubles the length of every track of the album named `name`.
fn longer(name: &'static str) -> impl FnMut(&mut Value) -> bool {
    move |body| {
        if body["name"] != name {
            return false;
        }
        for item in body["tracks"]["items"].as_array_mut().unwrap() {
            let ms = item["duration_ms"].as_i64().unwrap();
            item["duration_ms"] = Value::from(ms * 2);
        }
        true
    }
}

/// Takes the album named `name` out of every artist's album list: Spotify
/// took it down.
fn take_down(raw: &Path, date: &str, name: &str) -> String {
    let dir = raw.join(format!("extract_date={date}"));
    let mut id = None;
    for (rel, _) in files_under(&dir.join("albums")) {
        let body = read_raw_json(&dir.join("albums").join(&rel));
        if body["name"] == name {
            id = Some(body["id"].as_str().unwrap().to_owned());
        }
    }
    let id = id.unwrap_or_else(|| panic!("no album {name}"));
    for (rel, _) in files_under(&dir.join("artist_albums")) {
        let path = dir.join("artist_albums").join(&rel);
        let mut listing = read_raw_json(&path);
        for pages in listing["groups"].as_object_mut().unwrap().values_mut() {
            pages
                .as_array_mut()
                .unwrap()
                .retain(|a| a["id"].as_str() != Some(id.as_str()));
        }
        std::fs::remove_file(&path).unwrap();
        std::fs::write(
            path.with_extension("").with_extension("json"),
            listing.to_string(),
        )
        .unwrap();
    }
    for name in [format!("{id}.json"), format!("{id}.json.gz")] {
        std::fs::remove_file(dir.join("albums").join(name)).ok();
    }
    id
}

fn stats(run: &CliRun) -> (u64, u64) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("stats: "))
        .unwrap_or_else(|| panic!("no stats line:\n{}", run.stderr));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(&format!("{name}=")))
            .unwrap()
            .parse()
            .unwrap()
    };
    (field("files_read"), field("partitions_read"))
}

#[test]
fn the_answers_read_one_version_however_many_weeks_are_loaded() {
    let t = TempLake::new();
    let zone = Zone::local(&t);
    let dates = ["2026-11-05", "2026-11-12", "2026-11-19", SAMPLE_DATE];
    week(&t.raw, dates[0], |_| false);
    zone.load_ok(&t.raw, &["--extract-date", dates[0]]);
    let first = zone.answers(t.root());
    let read_first: Vec<(u64, u64)> = ANSWERS
        .iter()
        .map(|q| stats(zone.query(q, &["--stats"]).assert_code(0)))
        .collect();
    assert_eq!(read_first, vec![(1, 1); 3], "one file of one version");
    for date in &dates[1..] {
        week(&t.raw, date, |_| false);
        let summary = zone.load_ok(&t.raw, &["--extract-date", date]);
        assert_eq!(summary["current"]["committed"], true, "{date}");
    }
    // Newer extracts of the same albums: the same answers, but the rows
    // come from the newest extract.
    let last = zone.answers(t.root());
    assert_eq!(first[..3], last[..3]);
    for row in last[3].as_array().unwrap() {
        assert_eq!(row["extract_date"], SAMPLE_DATE, "{row}");
    }
    for q in ANSWERS {
        assert_eq!(
            stats(zone.query(q, &["--stats"]).assert_code(0)),
            (1, 1),
            "{q}"
        );
    }
    // The history keeps every week.
    let sql = t.root().join("weeks.sql");
    std::fs::write(
        &sql,
        "SELECT count(DISTINCT extract_date) AS weeks FROM albums",
    )
    .unwrap();
    assert_eq!(zone.answer(sql.to_str().unwrap())[0]["weeks"], 4);
}

/// Loads `dates` of `raw` in the given order into a fresh local lake.
fn loaded_in_order(raw: &Path, dates: &[&str]) -> (TempLake, Vec<Value>) {
    let t = TempLake::new();
    copy_dir(raw, &t.raw);
    let zone = Zone::local(&t);
    for date in dates {
        zone.load_ok(&t.raw, &["--extract-date", date]);
    }
    let answers = zone.answers(t.root());
    (t, answers)
}

#[test]
fn a_takedown_and_a_backfill_give_the_answers_of_loading_in_order() {
    let source = TempLake::new();
    week(&source.raw, "2026-11-19", longer("Scorpion"));
    week(&source.raw, SAMPLE_DATE, |_| false);
    let gone = take_down(&source.raw, SAMPLE_DATE, "Thriller");
    let (_a, in_order) = loaded_in_order(&source.raw, &["2026-11-19", SAMPLE_DATE]);
    let (_b, backfill) = loaded_in_order(&source.raw, &[SAMPLE_DATE, "2026-11-19"]);
    assert_eq!(in_order, backfill);
    // The album taken down still counts, from the week that held it.
    let rows = in_order[3].as_array().unwrap();
    let thriller = rows.iter().find(|r| r["album_id"] == gone.as_str());
    assert_eq!(
        thriller.map(|r| r["extract_date"].clone()),
        Some(Value::from("2026-11-19")),
        "{rows:?}"
    );
    // Scorpion's newest extract is the sample's, not the longer one.
    let (_c, sample_only) = loaded_in_order(&source.raw, &[SAMPLE_DATE]);
    let scorpion = |answers: &[Value]| {
        answers[3]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["album_name"] == "Scorpion")
            .cloned()
    };
    assert_eq!(
        scorpion(&in_order).map(|r| r["duration_ms"].clone()),
        scorpion(&sample_only).map(|r| r["duration_ms"].clone())
    );
}

/// Every fault point a second week's load passes, each before the commit
/// of the answers (`view-update` is passed only when a view changes: the
/// crash matrix covers it on a first load).
const LOAD_POINTS: [&str; 4] = [
    "parquet-write@3",
    "before-register",
    "partition-batch",
    "current-commit",
];

#[test]
fn a_load_killed_at_any_point_leaves_the_answers_as_they_were() {
    let source = TempLake::new();
    week(&source.raw, "2026-11-19", |_| false);
    week(&source.raw, SAMPLE_DATE, longer("Scorpion"));
    let (_reference, want) = loaded_in_order(&source.raw, &["2026-11-19", SAMPLE_DATE]);
    for point in LOAD_POINTS {
        let (t, before) = loaded_in_order(&source.raw, &["2026-11-19"]);
        let zone = Zone::local(&t);
        let raw = t.raw_arg();
        let args = zone.args(&["load", "--raw", &raw, "--extract-date", SAMPLE_DATE]);
        let mut cmd = cli_command(&args);
        cmd.env(CRASH_AT, point);
        let killed = run_command(cmd, &args);
        assert!(killed.code.is_none(), "{point}: {}", killed.stderr);
        assert_eq!(
            zone.answers(t.root()),
            before,
            "{point}: the answers changed"
        );
        // Before registration the history shows nothing of the dead load.
        if ["parquet-write@3", "before-register"].contains(&point) {
            let sql = t.root().join("dates.sql");
            std::fs::write(&sql, "SELECT DISTINCT extract_date FROM albums").unwrap();
            assert_eq!(
                zone.answer(sql.to_str().unwrap()).as_array().unwrap().len(),
                1
            );
        }
        zone.load_ok(&t.raw, &["--extract-date", SAMPLE_DATE]);
        assert_eq!(zone.answers(t.root()), want, "{point}: the re-run differs");
    }
}

#[test]
fn staging_leftovers_of_a_killed_process_are_gone_after_the_next_load() {
    let t = TempLake::with_sample();
    t.load_ok(&[]);
    let leftovers = [
        format!("albums/extract_date={SAMPLE_DATE}/artist_id={DRAKE}/part-00000.parquet#1"),
        "_catalog/albums.json#1".to_owned(),
        "current_albums/_committed.json#3".to_owned(),
    ];
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for rel in &leftovers {
        let path = t.lake.join(rel);
        std::fs::write(&path, b"half a file").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    t.load_ok(&[]);
    for rel in &leftovers {
        assert!(!t.lake.join(rel).exists(), "{rel} is still there");
    }
}

/// 50 answers while another process reloads the same date with changing
/// content: each is the old answer or the new one; a query of the
/// history partitions being rewritten succeeds or says the lake changed.
fn queries_during_reloads(zone: Zone, t: &TempLake) {
    let plain = TempLake::new();
    week(&plain.raw, SAMPLE_DATE, |_| false);
    let changed = TempLake::new();
    week(&changed.raw, SAMPLE_DATE, longer("Scorpion"));
    zone.load_ok(&changed.raw, &[]);
    let b: Vec<Value> = ANSWERS.iter().map(|q| zone.answer(q)).collect();
    zone.load_ok(&plain.raw, &[]);
    let a: Vec<Value> = ANSWERS.iter().map(|q| zone.answer(q)).collect();
    assert_ne!(a, b, "the two contents give different answers");

    let stop = Arc::new(AtomicBool::new(false));
    let loader = {
        let stop = Arc::clone(&stop);
        let (lake, catalog) = (zone.lake.clone(), zone.catalog.clone());
        let raws = [changed.raw.clone(), plain.raw.clone()];
        std::thread::spawn(move || {
            let zone = Zone { lake, catalog };
            let mut loads = 0;
            while !stop.load(Ordering::SeqCst) && loads < 400 {
                zone.load(&raws[loads % 2], &[]).assert_code(0);
                loads += 1;
            }
            loads
        })
    };
    let history = t.root().join("history.sql");
    std::fs::write(
        &history,
        "SELECT count(*) AS n, sum(duration_ms) AS ms FROM albums",
    )
    .unwrap();
    for i in 0..50 {
        let q = ANSWERS[i % 3];
        let got = zone.answer(q);
        assert!(
            got == a[i % 3] || got == b[i % 3],
            "query {i} ({q}) got neither answer: {got}"
        );
        if i % 5 == 0 {
            let run = zone.query(history.to_str().unwrap(), &[]);
            assert!(
                run.code == Some(0) || run.stderr.contains("the lake changed while it was read"),
                "a history read failed otherwise:\n{}",
                run.stderr
            );
        }
    }
    stop.store(true, Ordering::SeqCst);
    let loads = loader.join().expect("the loader thread");
    assert!(loads >= 2, "the loads ran during the queries ({loads})");
}

#[test]
fn queries_during_reloads_get_the_old_or_the_new_answer_locally() {
    let t = TempLake::new();
    queries_during_reloads(Zone::local(&t), &t);
}

#[test]
fn queries_during_reloads_get_the_old_or_the_new_answer_on_s3_and_glue() {
    let Some(moto) = moto("queries during reloads on S3 + Glue") else {
        return;
    };
    let t = TempLake::new();
    queries_during_reloads(Zone::s3(&moto), &t);
}

/// The registered partitions and files of an artist, by table.
fn artist_files(lake: &Path, artist: &str) -> Vec<String> {
    files_under(lake)
        .into_keys()
        .filter(|p| p.contains(&format!("artist_id={artist}")))
        .collect()
}

fn forget_on(zone: &Zone, t: &TempLake, local: bool) {
    week(&t.raw, "2026-11-19", |_| false);
    week(&t.raw, SAMPLE_DATE, |_| false);
    for date in ["2026-11-19", SAMPLE_DATE] {
        zone.load_ok(&t.raw, &["--extract-date", date]);
    }
    let before = zone.answers(t.root());
    let names = |answers: &[Value]| -> BTreeSet<String> {
        answers[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["artist_name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(names(&before).contains("Bruno Mars"));
    // A dry run changes nothing.
    let lake_before = local.then(|| files_under(&t.lake));
    let dry = run_cli(&zone.args(&["forget", "--artist", "bruno mars", "--history", "--dry-run"]));
    dry.assert_code(0);
    assert!(
        dry.stdout.contains("would remove") && dry.stdout.contains(BRUNO_MARS),
        "{}",
        dry.stdout
    );
    assert!(dry.stdout.contains(&format!(
        "albums/extract_date=2026-11-19/artist_id={BRUNO_MARS}"
    )));
    assert_eq!(zone.answers(t.root()), before);
    if let Some(files) = lake_before {
        assert_eq!(files_under(&t.lake), files, "--dry-run wrote");
    }
    // Out of the answers only: the history keeps it.
    let done = run_cli(&zone.args(&["forget", "--artist", BRUNO_MARS]));
    done.assert_code(0);
    assert!(done.stdout.contains("removed"), "{}", done.stdout);
    let after = zone.answers(t.root());
    assert!(!names(&after).contains("Bruno Mars"), "{:?}", names(&after));
    assert!(names(&after).contains("Drake"));
    let sql = t.root().join("bruno.sql");
    std::fs::write(
        &sql,
        format!("SELECT count(*) AS n FROM albums WHERE artist_id = '{BRUNO_MARS}'"),
    )
    .unwrap();
    assert_ne!(zone.answer(sql.to_str().unwrap())[0]["n"], 0);
    // A reload of a forgotten week does not bring it back.
    zone.load_ok(&t.raw, &["--extract-date", SAMPLE_DATE]);
    assert!(!names(&zone.answers(t.root())).contains("Bruno Mars"));
    // With --history, out of every table.
    run_cli(&zone.args(&["forget", "--artist", BRUNO_MARS, "--history"])).assert_code(0);
    assert_eq!(zone.answer(sql.to_str().unwrap())[0]["n"], 0);
    let tracks = t.root().join("tracks.sql");
    std::fs::write(
        &tracks,
        format!(
            "SELECT (SELECT count(*) FROM tracks WHERE artist_id = '{BRUNO_MARS}') + (SELECT count(*) FROM artists WHERE artist_id = '{BRUNO_MARS}') AS n"
        ),
    )
    .unwrap();
    assert_eq!(zone.answer(tracks.to_str().unwrap())[0]["n"], 0);
    if local {
        assert_eq!(artist_files(&t.lake, BRUNO_MARS), Vec::<String>::new());
        let folder = t.lake.join(format!(
            "albums/extract_date={SAMPLE_DATE}/artist_id={BRUNO_MARS}"
        ));
        assert!(!folder.exists(), "an empty partition folder is left");
        let catalog = std::fs::read_to_string(t.lake.join("_catalog/albums.json")).unwrap();
        assert!(!catalog.contains(BRUNO_MARS));
    }
    assert_eq!(names(&zone.answers(t.root())), names(&after));
    // An unknown name is a usage error that says what to pass.
    let unknown = run_cli(&zone.args(&["forget", "--artist", "Nobody At All"]));
    unknown.assert_code(2);
    unknown.assert_stderr_has(&["--artist", "an artist id"]);
}

#[test]
fn forget_takes_an_artist_out_of_the_answers_then_the_history_locally() {
    let t = TempLake::new();
    forget_on(&Zone::local(&t), &t, true);
}

#[test]
fn forget_takes_an_artist_out_of_the_answers_then_the_history_on_s3_and_glue() {
    let Some(moto) = moto("forget on S3 + Glue") else {
        return;
    };
    let t = TempLake::new();
    forget_on(&Zone::s3(&moto), &t, false);
}

#[test]
fn load_all_killed_then_run_again_equals_one_uninterrupted_run() {
    let source = TempLake::new();
    for (date, edit) in [
        ("2026-11-12", false),
        ("2026-11-19", true),
        (SAMPLE_DATE, false),
    ] {
        if edit {
            week(&source.raw, date, longer("Scorpion"));
        } else {
            week(&source.raw, date, |_| false);
        }
    }
    let whole = TempLake::new();
    let zone = Zone::local(&whole);
    let raw = source.raw_arg();
    let run = run_cli(&zone.args(&["load", "--all", "--raw", &raw, "--summary", "json"]));
    run.assert_code(0);
    assert_eq!(run.json().as_array().unwrap().len(), 3);
    assert!(run.stderr.contains("[3/3] 2026-11-26"), "{}", run.stderr);
    let want = zone.answers(whole.root());

    let t = TempLake::new();
    let zone = Zone::local(&t);
    let args = zone.args(&["load", "--all", "--raw", &raw]);
    let mut cmd = cli_command(&args);
    cmd.env(CRASH_AT, "load-all-snapshot@2");
    let killed = run_command(cmd, &args);
    assert!(killed.code.is_none(), "{}", killed.stderr);
    let again = run_cli(&args);
    again.assert_code(0);
    assert!(again.stderr.contains("skipped"), "{}", again.stderr);
    assert_eq!(zone.answers(t.root()), want);
    assert!(!t.lake.join(spotify_lake::lifecycle::PROGRESS).exists());
    // The history equals too.
    let sql = t.root().join("history.sql");
    std::fs::write(
        &sql,
        "SELECT extract_date, count(*) AS n, sum(duration_ms) AS ms FROM albums GROUP BY extract_date ORDER BY extract_date",
    )
    .unwrap();
    assert_eq!(
        zone.answer(sql.to_str().unwrap()),
        Zone::local(&whole).answer(sql.to_str().unwrap())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn on_glue_the_answers_are_views_and_read_only_the_newest_version() {
    let Some(moto) = moto("current_albums on Glue") else {
        return;
    };
    let t = TempLake::new();
    week(&t.raw, "2026-11-19", |_| false);
    week(&t.raw, SAMPLE_DATE, longer("Scorpion"));
    let zone = Zone::s3(&moto);
    let database = zone.catalog[3].clone();
    zone.load_ok(&t.raw, &["--extract-date", "2026-11-19"]);
    let summary = zone.load_ok(&t.raw, &["--extract-date", SAMPLE_DATE]);
    let version = summary["current"]["version"].as_str().unwrap().to_owned();
    assert_eq!(summary["current"]["committed"], true);

    let aws = spotify_lake::aws::Aws::load().await;
    let glue = aws_sdk_glue::Client::new(&aws.sdk);
    let table = |name: &'static str| {
        let glue = glue.clone();
        let database = database.clone();
        async move {
            glue.get_table()
                .database_name(&database)
                .name(name)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{name}: {e:?}"))
                .table
                .unwrap()
        }
    };
    // The four views.
    for view in spotify_lake::sql::VIEWS {
        let t = table(view.file.name).await;
        assert_eq!(t.table_type(), Some("VIRTUAL_VIEW"), "{}", view.file.name);
    }
    // current_albums points at the newest version, and the answers read
    // its one file.
    let current = table("current_albums").await;
    let location = current.storage_descriptor().unwrap().location().unwrap();
    assert!(
        location.ends_with(&format!("/lake/current_albums/version={version}/")),
        "{location}"
    );
    for q in ANSWERS {
        let run = zone.query(q, &["--stats"]);
        run.assert_code(0);
        assert_eq!(stats(&run), (1, 1), "{q}");
    }
    // A second load with nothing new changes nothing in Glue.
    let before = (table("current_albums").await, table("latest_albums").await);
    let again = zone.load_ok(&t.raw, &["--extract-date", SAMPLE_DATE]);
    assert_eq!(again["current"]["committed"], false);
    assert_eq!(again["current"]["version"], version.as_str());
    assert_eq!(again["partitions"]["registered"], 0);
    assert_eq!(again["catalog"]["views_written"], 0);
    assert_eq!(again["catalog"]["tables_updated"], 0);
    let after = (table("current_albums").await, table("latest_albums").await);
    assert_eq!(before.0.version_id(), after.0.version_id());
    assert_eq!(before.0.update_time(), after.0.update_time());
    assert_eq!(before.1.update_time(), after.1.update_time());
}
