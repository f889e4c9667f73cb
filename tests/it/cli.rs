//! The command line itself: help texts and their examples, the README
//! covering every flag, `demo`, and what goes to stdout and stderr.

use std::collections::BTreeSet;

use crate::support::cli::{cli_command, run_cli, run_command};
use crate::support::lake::{TempLake, copy_dir};
use crate::support::sample::{repo, sample_raw};
use crate::support::seed;

/// The subcommands the top-level help lists (clap's `help` aside).
fn commands() -> Vec<String> {
    let run = run_cli(&["--help"]);
    run.assert_code(0);
    let section = run
        .stdout
        .split("Commands:")
        .nth(1)
        .expect("the help lists commands");
    let names: Vec<String> = section
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect();
    assert!(
        ["load", "query", "demo"]
            .iter()
            .all(|c| names.iter().any(|n| n == c)),
        "{names:?}"
    );
    names
}

/// Every `--long-flag` in a text.
fn long_flags(text: &str) -> BTreeSet<String> {
    let mut flags = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(pos) = text[i..].find("--") {
        let start = i + pos;
        let before_ok =
            start == 0 || !bytes[start - 1].is_ascii_alphanumeric() && bytes[start - 1] != b'-';
        let mut end = start + 2;
        while end < bytes.len()
            && (bytes[end].is_ascii_lowercase()
                || bytes[end].is_ascii_digit()
                || bytes[end] == b'-')
        {
            end += 1;
        }
        let flag = &text[start..end];
        if before_ok && flag.len() > 3 && bytes[start + 2].is_ascii_lowercase() {
            flags.insert(flag.trim_end_matches('-').to_owned());
        }
        i = end.max(start + 2);
    }
    flags
}

#[test]
fn the_flag_scanner_finds_long_flags_only() {
    let found =
        long_flags("Usage: x --raw <DIR> [--extract-date X] -h, --help; a -- b; ---x; e--mail");
    let want: BTreeSet<String> = ["--raw", "--extract-date", "--help"]
        .map(String::from)
        .into();
    assert_eq!(found, want);
}

#[test]
fn every_command_has_help_with_an_example() {
    let top = run_cli(&["--help"]);
    top.assert_code(0);
    assert!(
        top.stdout.contains("Usage: spotify-lake <COMMAND>"),
        "{}",
        top.stdout
    );
    assert!(
        top.stdout
            .contains("Exit codes: 0 done, 1 error, 2 usage, 3 partial"),
        "{}",
        top.stdout
    );
    for cmd in commands() {
        let run = run_cli(&[&cmd, "--help"]);
        run.assert_code(0);
        assert!(
            run.stdout
                .contains(&format!("Example: spotify-lake {cmd} ")),
            "`{cmd} --help` shows no example:\n{}",
            run.stdout
        );
        // `-h` is the short form: usage and flags, no long text.
        let short = run_cli(&[&cmd, "-h"]);
        short.assert_code(0);
        assert!(
            short.stdout.contains(&format!("Usage: spotify-lake {cmd}")),
            "{}",
            short.stdout
        );
        // `help <cmd>` is the same text as `<cmd> --help`.
        let via_help = run_cli(&["help", &cmd]);
        via_help.assert_code(0);
        assert_eq!(via_help.stdout, run_cli(&[&cmd, "--help"]).stdout, "{cmd}");
    }
    let version = run_cli(&["--version"]);
    version.assert_code(0);
    assert_eq!(
        version.stdout.trim(),
        format!("spotify-lake {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn every_long_flag_of_the_help_is_in_the_readme() {
    let readme_path = repo().join("README.md");
    let readme = std::fs::read_to_string(&readme_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the README documents every flag",
            readme_path.display()
        )
    });
    let mut help_flags = BTreeSet::new();
    let top = run_cli(&["--help"]);
    help_flags.extend(long_flags(&top.stdout));
    for cmd in commands() {
        let run = run_cli(&[&cmd, "--help"]);
        run.assert_code(0);
        help_flags.extend(long_flags(&run.stdout));
    }
    // clap's own --version documents itself; every flag of ours must be in
    // the README (--help included: it is how a reader finds the rest).
    help_flags.remove("--version");
    for must in [
        "--raw",
        "--lake",
        "--extract-date",
        "--format",
        "--summary",
        "--catalog",
    ] {
        assert!(
            help_flags.contains(must),
            "the scan missed {must}: {help_flags:?}"
        );
    }
    let readme_flags = long_flags(&readme);
    let missing: Vec<&String> = help_flags.difference(&readme_flags).collect();
    assert!(missing.is_empty(), "README.md does not mention {missing:?}");
}

#[test]
fn the_examples_in_the_help_run() {
    // Each help's `Example:` line, run as written from a folder holding a
    // copy of samples/raw (the demo's /tmp path becomes a temp folder).
    let t = TempLake::new();
    let cwd = t.root().to_path_buf();
    copy_dir(&sample_raw(), &cwd.join("samples/raw"));
    let demo_dir = cwd.join("demo-out");
    let mut examples = Vec::new();
    for cmd in ["load", "query", "demo"] {
        let help = run_cli(&[cmd, "--help"]).stdout;
        let line = help
            .lines()
            .find_map(|l| l.trim().strip_prefix("Example: spotify-lake "))
            .unwrap_or_else(|| panic!("{cmd} --help has no example"))
            .replace("/tmp/demo", demo_dir.to_str().unwrap());
        examples.push(line);
    }
    for example in &examples {
        let args: Vec<&str> = example.split_whitespace().collect();
        let mut cmd = cli_command(&args);
        cmd.current_dir(&cwd);
        let run = run_command(cmd, &args);
        run.assert_code(0);
        assert!(!run.stdout.is_empty(), "{example} printed nothing");
    }
    assert!(
        cwd.join("lake/_catalog/albums.json").is_file(),
        "the load example wrote ./lake"
    );
    assert!(
        demo_dir.join("lake/albums").is_dir(),
        "the demo example wrote its lake"
    );
}

#[test]
fn demo_prints_both_averages_and_the_trend() {
    let t = TempLake::new();
    let dir = t.root().join("demo");
    let run = run_cli(&["demo", "--lake", dir.to_str().unwrap()]);
    run.assert_code(0);
    let out = &run.stdout;
    for title in ["album_length_by_year", "album_length_trend"] {
        assert!(out.contains(title), "{out}");
    }
    for header in [
        "avg_minutes",
        "standard_avg_minutes",
        "slope_minutes_per_year",
        "r2",
    ] {
        assert!(out.contains(header), "{header} missing:\n{out}");
    }
    // One table line per year with the seed's figures.
    for row in seed::by_year() {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("| {} ", row.year)))
            .unwrap_or_else(|| panic!("no line for {}:\n{out}", row.year));
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells[1], row.albums.to_string(), "{line}");
        assert_eq!(
            cells[2].parse::<f64>().ok(),
            Some(row.avg_minutes),
            "{line}"
        );
        assert_eq!(cells[3], row.standard_albums.to_string(), "{line}");
        assert_eq!(
            cells[4].parse::<f64>().ok(),
            row.standard_avg_minutes,
            "{line}"
        );
    }
    for trend in seed::trend() {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("| {} ", trend.variant)))
            .unwrap_or_else(|| panic!("no {} trend row:\n{out}", trend.variant));
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells[1], trend.albums.to_string(), "{line}");
        assert_eq!(cells[4].parse::<f64>().ok(), Some(trend.slope), "{line}");
        assert_eq!(
            cells[5].parse::<f64>().ok(),
            Some(trend.intercept),
            "{line}"
        );
        assert_eq!(cells[6].parse::<f64>().ok(), Some(trend.r2), "{line}");
    }
    assert!(
        dir.join("raw/extract_date=2026-11-26/manifest.json")
            .is_file()
    );
    assert!(dir.join("lake/_catalog/albums.json").is_file());
    assert!(
        run.stderr.contains("Loaded 42 albums and 743 tracks"),
        "{}",
        run.stderr
    );

    // Again over the same folder: the same answer.
    let again = run_cli(&["demo", "--lake", dir.to_str().unwrap()]);
    again.assert_code(0);
    assert_eq!(again.stdout, run.stdout);
}

#[test]
fn results_go_to_stdout_and_logs_to_stderr() {
    let t = TempLake::with_sample();
    let run = t.load(&[]);
    run.assert_code(0);
    // stdout is the summary alone (it parses whole as JSON); logs are on stderr.
    assert_eq!(run.json()["status"], "complete");
    assert!(run.stderr.contains("Loading snapshot."), "{}", run.stderr);
    let table =
        crate::support::cli::run_cli(&["load", "--raw", &t.raw_arg(), "--lake", &t.lake_arg()]);
    table.assert_code(0);
    assert!(
        table.stdout.contains("status          complete"),
        "{}",
        table.stdout
    );
    assert!(
        table.stdout.contains("rows            albums           42"),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains("partitions      0 registered, 9 already there"),
        "{}",
        table.stdout
    );
    assert!(!table.stdout.contains("INFO"), "{}", table.stdout);
}

#[test]
fn logs_to_a_pipe_carry_no_colour_escapes() {
    let t = TempLake::with_sample();
    let (raw, lake) = (t.raw_arg(), t.lake_arg());
    let args = ["load", "--raw", raw.as_str(), "--lake", lake.as_str()];
    let mut cmd = cli_command(&args);
    cmd.env_remove("NO_COLOR");
    let run = run_command(cmd, &args);
    run.assert_code(0);
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef spotify-lake"),
        ("fish", "complete -c spotify-lake"),
    ] {
        let run = run_cli(&["completions", shell]);
        run.assert_code(0);
        assert!(
            run.stdout.contains(marker),
            "{shell}: {}",
            &run.stdout[..200.min(run.stdout.len())]
        );
        for command in ["run", "load", "query", "status", "forget", "report", "demo"] {
            assert!(run.stdout.contains(command), "{shell} lacks {command}");
        }
    }
    run_cli(&["completions", "tcsh"]).assert_code(2);
}
