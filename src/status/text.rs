//! The text view of [`Status`](super::Status): labels aligned, for a
//! terminal; `--format json` prints the same as JSON.

use super::*;

/// `1 artist and 2 playlists`; empty when nothing is pending.
pub(super) fn pending_words(n: &Newest) -> String {
    let count = |k: usize, word: &str| match k {
        0 => None,
        1 => Some(format!("1 {word}")),
        k => Some(format!("{k} {word}s")),
    };
    [
        count(n.pending_artists.len(), "artist"),
        count(n.pending_playlists.len(), "playlist"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" and ")
}

/// `1.5 MiB`: bytes in binary units, one decimal past KiB.
pub(super) fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

pub(super) const LABEL: usize = 13;

impl fmt::Display for Status {
    /// The text view: raw zone, lake, last run, warnings, labels aligned.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let pad = "";
        let raw = &self.raw;
        let _ = writeln!(out, "{:<LABEL$}{}", "raw zone", raw.location);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &raw.snapshots {
            *counts.entry(s.status.word()).or_default() += 1;
        }
        let counts: Vec<String> = counts.iter().map(|(w, n)| format!("{n} {w}")).collect();
        if raw.snapshots.is_empty() {
            let _ = writeln!(out, "{:<LABEL$}none", "snapshots");
        } else {
            let _ = writeln!(
                out,
                "{:<LABEL$}{} ({})",
                "snapshots",
                raw.snapshots.len(),
                counts.join(", ")
            );
            for s in raw.snapshots.iter().rev().take(SNAPSHOT_LINES) {
                let _ = writeln!(out, "{pad:<LABEL$}{}  {}", s.extract_date, s.status.word());
            }
            if raw.snapshots.len() > SNAPSHOT_LINES {
                let _ = writeln!(
                    out,
                    "{pad:<LABEL$}… and {} older",
                    raw.snapshots.len() - SNAPSHOT_LINES
                );
            }
        }
        if let Some(n) = &raw.newest {
            let mut detail = Vec::new();
            if let Some(s) = &n.stop_reason {
                detail.push(format!("stopped: {s}"));
            }
            if let Some(s) = n.retry_after_seconds {
                detail.push(format!("Spotify asked to wait {s} s"));
            }
            detail.push(match n.age_days {
                1 => "1 day old".to_owned(),
                d => format!("{d} days old"),
            });
            let _ = writeln!(
                out,
                "{:<LABEL$}{} {} ({})",
                "newest",
                n.extract_date,
                n.status.word(),
                detail.join(", ")
            );
            if let Some(e) = &n.manifest_error {
                let _ = writeln!(out, "{:<LABEL$}{e}", "manifest");
            }
            if !n.pending_artists.is_empty() || !n.pending_playlists.is_empty() {
                let _ = writeln!(out, "{:<LABEL$}{}", "pending", pending_words(n));
                for a in &n.pending_artists {
                    let id = a.artist_id.as_deref().unwrap_or("(unresolved)");
                    let name = a.artist_name.as_ref().or(a.query.as_ref());
                    let _ = writeln!(
                        out,
                        "{pad:<LABEL$}artist   {id:<24}{}",
                        name.map(String::as_str).unwrap_or_default()
                    );
                }
                for p in &n.pending_playlists {
                    let _ = writeln!(out, "{pad:<LABEL$}playlist {p}");
                }
            }
            if let Some(r) = &n.resume {
                let _ = writeln!(out, "{:<LABEL$}{}", "resume", r.command);
            }
        }

        let lake = &self.lake;
        let _ = writeln!(out);
        let _ = writeln!(out, "{:<LABEL$}{}", "lake", lake.location);
        let _ = writeln!(
            out,
            "{:<LABEL$}{}",
            "answers read",
            match &lake.current {
                Some(c) => format!("current_albums version {}", c.version),
                None => "nothing committed yet (no current_albums version)".to_owned(),
            }
        );
        if lake.tables.is_empty() {
            let _ = writeln!(out, "{:<LABEL$}none", "tables");
        } else {
            let row = |cells: [&str; 6]| {
                let line = format!(
                    "{:<18}{:>7}{:>12}{:>8}{:>12}{:>12}",
                    cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
                );
                line.trim_end().to_owned()
            };
            let registered = if lake.catalog { "registered" } else { "" };
            let _ = writeln!(
                out,
                "{}",
                row(["table", "dates", "partitions", "files", "bytes", registered])
            );
            for t in &lake.tables {
                let registered = match (lake.catalog, t.registered) {
                    (_, Some(n)) => n.to_string(),
                    (true, None) => "-".to_owned(),
                    (false, None) => String::new(),
                };
                let cells = [
                    t.extract_dates.to_string(),
                    t.partitions.to_string(),
                    t.files.to_string(),
                    human_bytes(t.bytes),
                    registered,
                ];
                let _ = writeln!(
                    out,
                    "{}",
                    row([
                        &t.table, &cells[0], &cells[1], &cells[2], &cells[3], &cells[4]
                    ])
                );
            }
            if !lake.catalog {
                let _ = writeln!(out, "(no catalog: registered partitions not checked)");
            }
        }

        let _ = writeln!(out);
        match &self.last_run {
            None => {
                let _ = writeln!(out, "{:<LABEL$}none recorded", "last run");
            }
            Some(r) => {
                let _ = writeln!(
                    out,
                    "{:<LABEL$}{} {}, {:.2} s{}",
                    "last run",
                    r.status,
                    r.extract_date,
                    r.seconds,
                    r.recorded_at
                        .as_deref()
                        .map(|t| format!(", recorded {t}"))
                        .unwrap_or_default()
                );
                let rows: Vec<String> = r.rows.iter().map(|(t, n)| format!("{t} {n}")).collect();
                let _ = writeln!(out, "{pad:<LABEL$}rows {}", rows.join(", "));
                let _ = writeln!(
                    out,
                    "{pad:<LABEL$}files_written {}, skipped {}, pending {}",
                    r.files_written,
                    r.skipped,
                    r.pending_artists.len()
                );
            }
        }

        let _ = writeln!(out);
        if self.warnings.is_empty() {
            let _ = writeln!(out, "{:<LABEL$}none", "warnings");
        } else {
            let _ = writeln!(out, "{:<LABEL$}{}", "warnings", self.warnings.len());
            for w in &self.warnings {
                let _ = writeln!(out, "  - {}", w.message);
            }
        }
        f.write_str(&out)
    }
}
