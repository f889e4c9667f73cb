//! The real binary, run as a user would: a quiet, colourless environment,
//! its exit code and both streams captured, and a panic always a failure.

use std::process::{Command, Output};

use serde_json::Value;

/// What a run of the binary did. Stderr has ANSI escapes removed.
#[derive(Debug)]
pub struct CliRun {
    /// The command line, for messages.
    pub args: Vec<String>,
    /// The exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// stdout.
    pub stdout: String,
    /// stderr, without ANSI escapes.
    pub stderr: String,
    /// The raw output.
    pub output: Output,
}

impl CliRun {
    /// Asserts the exit code, showing both streams otherwise.
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "spotify-lake {}: expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts stderr contains every one of `parts`.
    pub fn assert_stderr_has(&self, parts: &[&str]) -> &Self {
        for part in parts {
            assert!(
                self.stderr.contains(part),
                "spotify-lake {}: stderr lacks {part:?}\n--- stderr\n{}",
                self.args.join(" "),
                self.stderr
            );
        }
        self
    }

    /// stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "spotify-lake {}: stdout is not JSON ({e})\n--- stdout\n{}\n--- stderr\n{}",
                self.args.join(" "),
                self.stdout,
                self.stderr
            )
        })
    }
}

/// The real binary, with a quiet, colourless, deterministic environment.
pub fn cli_command(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_spotify-lake"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .current_dir(std::env::temp_dir());
    cmd
}

/// Runs the real binary with `args`; asserts it did not panic.
pub fn run_cli(args: &[&str]) -> CliRun {
    run_command(cli_command(args), args)
}

/// Runs a prepared command of the binary; asserts it did not panic.
pub fn run_command(mut cmd: Command, args: &[&str]) -> CliRun {
    let output = cmd.output().expect("run the spotify-lake binary");
    let run = CliRun {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: strip_ansi(&String::from_utf8_lossy(&output.stderr)),
        output,
    };
    assert!(
        !run.stderr.contains("panicked") && run.code != Some(101),
        "spotify-lake {} panicked:\n{}",
        run.args.join(" "),
        run.stderr
    );
    run
}

/// Removes ANSI escape sequences (`ESC [ … letter`).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
