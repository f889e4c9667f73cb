//! Hostile and odd input, round two (docs/bad-inputs.md): paths with `..`,
//! locations that embed a password, and other input that must get a clear
//! answer rather than a crash, a loop or a silent wrong.

use serde_json::json;

use crate::support::cli::{cli_command, run_command};
use crate::support::lake::TempLake;
use crate::support::parquet::{ints, strings, table_rows};
use crate::support::raw_builder::{Small, fake_id};
use crate::support::summary::{skip_about, skips};

const DATE: &str = "2026-11-26";

/// Runs the binary in `cwd` with relative paths.
fn run_in(cwd: &std::path::Path, args: &[&str]) -> crate::support::cli::CliRun {
    let mut cmd = cli_command(args);
    cmd.current_dir(cwd);
    run_command(cmd, args)
}

#[test]
fn paths_with_dot_dot_work_in_every_command() {
    let t = TempLake::with_sample();
    let cwd = t.root().join("work");
    std::fs::create_dir_all(&cwd).unwrap();

    run_in(
        &cwd,
        &["load", "--raw", "../raw", "--lake", "../work/../lake"],
    )
    .assert_code(0);
    assert!(
        t.lake.join("albums").is_dir(),
        "the lake landed next to work/"
    );

    let query = run_in(
        &cwd,
        &[
            "query",
            "album_length_by_year",
            "--lake",
            "./../lake",
            "--format",
            "csv",
        ],
    );
    query.assert_code(0);
    assert!(query.stdout.lines().count() > 1, "{}", query.stdout);

    run_in(
        &cwd,
        &["report", "--lake", "../lake", "--out", "../report.html"],
    )
    .assert_code(0);
    assert!(t.root().join("report.html").is_file());

    let demo = run_in(&cwd, &["demo", "--lake", "../demo"]);
    demo.assert_code(0);
    assert!(t.root().join("demo").is_dir());
    assert!(!cwd.join("demo").exists());
}

#[test]
fn a_location_that_embeds_a_password_is_never_echoed() {
    for lake in ["s4://ana:hunter2@x/lake", "ftp://ana:hunter2@host/lake"] {
        let run = crate::support::cli::run_cli(&["query", "album_length_by_year", "--lake", lake]);
        run.assert_code(2).assert_stderr_has(&["ana:***@"]);
        assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    }
}

#[test]
fn a_runaway_expression_gets_a_message_never_a_stack_overflow() {
    let t = TempLake::with_sample();
    t.load(&[]).assert_code(0);
    let write = |name: &str, sql: String| {
        let path = t.root().join(name);
        std::fs::write(&path, sql).unwrap();
        path.to_string_lossy().into_owned()
    };
    // A chain of 20,000 operators overflowed the stack while planning.
    let long = write(
        "long.sql",
        format!("SELECT {}1 AS n", "1 + ".repeat(20_000)),
    );
    let run = t.query(&long, "csv");
    run.assert_code(2)
        .assert_stderr_has(&["long.sql", "20000 operators deep", "split it"]);
    // Nesting: the parser's limit.
    let deep = write(
        "deep.sql",
        format!("SELECT {}1{}", "(".repeat(20_000), ")".repeat(20_000)),
    );
    t.query(&deep, "csv")
        .assert_code(1)
        .assert_stderr_has(&["deep.sql", "recursion"]);
    let nots = write("nots.sql", format!("SELECT {}true", "NOT ".repeat(20_000)));
    t.query(&nots, "csv")
        .assert_code(1)
        .assert_stderr_has(&["nots.sql", "sql parser error"]);
    // Size.
    let huge = write("huge.sql", format!("SELECT {}1", "1 + ".repeat(100_000)));
    t.query(&huge, "csv")
        .assert_code(2)
        .assert_stderr_has(&["huge.sql", "bytes of SQL"]);
    // Under the limit, an answer.
    let fine = write("fine.sql", format!("SELECT {}1 AS n", "1 + ".repeat(200)));
    let run = t.query(&fine, "csv");
    run.assert_code(0);
    assert_eq!(run.stdout.lines().nth(1), Some("201"), "{}", run.stdout);
}

/// The row of `album` in the lake's albums table: (release_year, total_tracks).
fn album_row(t: &TempLake, album: &str) -> Option<(Option<i64>, Option<i64>)> {
    let albums = table_rows(&t.lake, "albums");
    let ids = strings(&albums, "album_id");
    let i = ids.iter().position(|id| id.as_deref() == Some(album))?;
    Some((
        ints(&albums, "release_year")[i],
        ints(&albums, "total_tracks")[i],
    ))
}

#[test]
fn impossible_release_years_are_null_and_counted_not_real_years() {
    let t = TempLake::new();
    let bad = [
        "-001-01-01",
        "+999-01-01",
        "9999-12-31",
        "0001",
        "2028-01-01",
    ];
    let ids: Vec<String> = bad
        .iter()
        .map(|d| fake_id(&format!("absurd {d}")))
        .collect();
    let listed: Vec<&str> = ids.iter().map(String::as_str).collect();
    let small = Small::write(&t, DATE, &listed);
    for (id, date) in ids.iter().zip(bad) {
        small
            .snap
            .album(&small.album_body(id, "Odd Year", date, &[100_000]));
    }
    let summary = t.load_ok(&[]);
    assert_eq!(
        summary["warnings"]["release_date"],
        bad.len(),
        "{summary:#}"
    );
    for (id, date) in ids.iter().zip(bad) {
        assert_eq!(
            album_row(&t, id),
            Some((None, Some(1))),
            "{date} became a year"
        );
    }
    // The good album's year and next year (2027, one after the extract) stay.
    assert_eq!(
        album_row(&t, &small.good_album),
        Some((Some(2020), Some(3)))
    );
}

#[test]
fn an_album_listing_a_track_twice_or_more_tracks_than_its_total_is_a_skip() {
    let t = TempLake::new();
    let twice = fake_id("track listed twice");
    let extra = fake_id("more items than total");
    let small = Small::write(&t, DATE, &[&twice, &extra]);
    let mut body = small.album_body(&twice, "Twice", "2001", &[100_000, 200_000]);
    let first = body["tracks"]["items"][0].clone();
    body["tracks"]["items"].as_array_mut().unwrap().push(first);
    body["tracks"]["total"] = json!(3);
    body["total_tracks"] = json!(3);
    small.snap.album(&body);
    let mut body = small.album_body(&extra, "Extra", "2001", &[100_000, 200_000, 300_000]);
    body["tracks"]["total"] = json!(2);
    small.snap.album(&body);

    let summary = t.load_ok(&[]);
    let (kind, _, reason) = skip_about(&summary, &twice);
    assert_eq!(kind, "album");
    assert!(reason.contains("more than once"), "{reason}");
    let (_, _, reason) = skip_about(&summary, &extra);
    assert!(
        reason.contains("lists 3 track items but its total is 2"),
        "{reason}"
    );
    assert_eq!(album_row(&t, &twice), None, "a doubled duration was stored");
    assert_eq!(album_row(&t, &extra), None);
}

#[test]
fn negative_and_overflowing_numbers_are_null_with_a_warning() {
    let t = TempLake::new();
    let odd = fake_id("odd numbers");
    let small = Small::write(&t, DATE, &[&odd]);
    let mut body = small.album_body(&odd, "Odd", "2001", &[100_000, 200_000]);
    body["total_tracks"] = json!(-2);
    body["tracks"]["items"][1]["track_number"] = json!(3_000_000_000_i64);
    small.snap.album(&body);

    let summary = t.load_ok(&[]);
    assert_eq!(summary["warnings"]["total_tracks"], 1, "{summary:#}");
    assert_eq!(summary["warnings"]["track_number"], 1, "{summary:#}");
    assert_eq!(album_row(&t, &odd), Some((Some(2001), None)));
    assert!(skips(&summary).is_empty(), "{summary:#}");
}

#[test]
fn a_pending_artist_id_that_is_not_an_id_is_a_skip_never_echoed_raw() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let hostile = "../../x\u{1b}[31m\nred";
    small.snap.manifest(&json!({
        "format": 1,
        "artists": [
            {"query": "Test Artist", "artist_id": small.artist, "status": "complete"},
            {"query": "Ghost", "artist_id": hostile, "status": "pending"},
        ],
    }));
    let run = t.load(&[]);
    // Not partial (exit 3) for good: the entry can never be resumed.
    run.assert_code(0);
    let summary = run.json();
    assert_eq!(summary["status"], "complete", "{summary:#}");
    let (kind, _, reason) = skip_about(&summary, "not a Spotify id");
    assert_eq!(kind, "manifest");
    assert!(reason.contains("../../x\\u{1b}[31m\\nred"), "{reason}");
    for out in [&run.stdout, &run.stderr] {
        assert!(
            !out.contains('\u{1b}'),
            "the raw id reached the output: {out:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_a_snapshot_is_a_skip_not_a_failed_load() {
    let t = TempLake::new();
    let small = Small::write(&t, DATE, &[]);
    let albums = t.raw.join(format!("extract_date={DATE}/albums"));
    std::os::unix::fs::symlink("loop-b", albums.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", albums.join("loop-b")).unwrap();
    std::os::unix::fs::symlink("..", albums.join("up")).unwrap();
    let summary = t.load_ok(&[]);
    let reasons: Vec<String> = skips(&summary).into_iter().map(|(_, _, r)| r).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("cannot be followed") && r.contains("symbolic links")),
        "{reasons:#?}"
    );
    assert_eq!(
        album_row(&t, &small.good_album),
        Some((Some(2020), Some(3)))
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_stdout_that_cannot_be_written_is_exit_1_with_a_message_not_a_panic() {
    let t = TempLake::with_sample();
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let demo = t.root().join("demo");
    for args in [
        vec!["load", "--raw", raw.as_str(), "--lake", lake.as_str()],
        vec!["query", "album_length_by_year", "--lake", lake.as_str()],
        vec!["demo", "--lake", demo.to_str().unwrap()],
    ] {
        let mut cmd = cli_command(&args);
        cmd.stdout(full());
        let run = run_command(cmd, &args);
        run.assert_code(1).assert_stderr_has(&[
            "cannot write the results to standard output",
            "No space left",
        ]);
    }
}

#[test]
fn an_extract_date_that_is_not_a_plain_recent_date_is_a_usage_error() {
    let t = TempLake::with_sample();
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    for (date, says) in [
        ("2099-01-01", "from 2000-01-01 to tomorrow"),
        ("0000-01-01", "from 2000-01-01 to tomorrow"),
        ("+999-01-01", "YYYY-MM-DD"),
        ("-001-01-01", "YYYY-MM-DD"),
        ("2026-1-5", "YYYY-MM-DD"),
    ] {
        let flag = format!("--extract-date={date}");
        let args = ["load", "--raw", &raw, "--lake", &lake, &flag];
        let run = crate::support::cli::run_cli(&args);
        run.assert_code(2).assert_stderr_has(&[says]);
    }
    assert!(!t.lake.exists(), "a refused date wrote the lake");
}

#[test]
fn a_body_over_the_size_cap_is_a_skip_that_is_never_read() {
    let t = TempLake::new();
    let big = fake_id("a 65 MiB album");
    let small = Small::write(&t, DATE, &[&big]);
    // Sparse: 65 MiB on paper, no disk; read whole, it would be 65 MiB of
    // memory, then a "malformed JSON" skip.
    let file = std::fs::File::create(small.snap.write(&format!("albums/{big}.json"), "")).unwrap();
    file.set_len(65 << 20).unwrap();
    let summary = t.load_ok(&[]);
    let (kind, _, reason) = skip_about(&summary, &big);
    assert_eq!(kind, "album");
    assert!(
        reason.contains("over the 64 MiB cap of a raw body; not read"),
        "{reason}"
    );
    assert_eq!(
        album_row(&t, &small.good_album),
        Some((Some(2020), Some(3)))
    );
}

#[test]
fn sql_that_writes_or_reads_other_files_is_refused_and_nothing_is_written() {
    let t = TempLake::with_sample();
    t.load(&[]).assert_code(0);
    let stolen = t.root().join("stolen.csv");
    for (name, sql, says) in [
        (
            "copy.sql",
            format!("COPY (SELECT * FROM albums) TO '{}'", stolen.display()),
            "COPY",
        ),
        (
            "external.sql",
            "CREATE EXTERNAL TABLE p STORED AS CSV LOCATION '/etc/passwd'".to_owned(),
            "CREATE EXTERNAL TABLE",
        ),
        (
            "insert.sql",
            "INSERT INTO albums SELECT * FROM albums".to_owned(),
            "INSERT INTO",
        ),
    ] {
        let path = t.root().join(name);
        std::fs::write(&path, sql).unwrap();
        let run = t.query(path.to_str().unwrap(), "csv");
        run.assert_code(2)
            .assert_stderr_has(&[name, says, "not a read-only query"]);
    }
    assert!(!stolen.exists(), "COPY wrote {}", stolen.display());
}

#[test]
fn a_closed_stdout_pipe_is_exit_1_with_a_message_not_a_panic() {
    let t = TempLake::with_sample();
    t.load(&[]).assert_code(0);
    let lake = t.lake_arg();
    let mut child = cli_command(&["query", "album_length_by_year", "--lake", &lake])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the query has printed anything.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write the results to standard output")
            && stderr.contains("Broken pipe"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
