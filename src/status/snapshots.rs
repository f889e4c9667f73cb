//! The raw zone's side of `status`: the snapshots, their manifests, the
//! newest one's pending work and the command that resumes it.

use super::*;

/// A manifest: `Ok(None)` when there is none, `Err` when it does not parse.
pub(super) type ManifestRead = Result<Option<ManifestHead>, String>;

/// A snapshot's state, with its manifest.
pub(super) type SnapshotRead = (SnapshotInfo, ManifestRead);

/// Every snapshot, oldest first, with its manifest state; and the newest
/// one's manifest (or why it could not be read).
pub(super) async fn read_snapshots(
    raw: &Location,
) -> Result<(Vec<SnapshotRead>, ManifestRead), crate::Error> {
    let dated = dated_manifests(raw).await?;
    let mut read: Vec<SnapshotRead> = futures::stream::iter(dated)
        .map(|(date, path)| async move {
            let manifest = read_manifest(raw, &path).await?;
            let status = read_state(&manifest);
            let info = SnapshotInfo {
                extract_date: date.to_string(),
                status,
            };
            Ok::<_, crate::Error>((info, manifest))
        })
        .buffered(MANIFEST_READS)
        .try_collect()
        .await?;
    let newest = match read.last_mut() {
        Some((_, m)) => std::mem::replace(m, Ok(None)),
        None => Ok(None),
    };
    Ok((read, newest))
}

/// Each snapshot's date and its manifest's path, oldest first. `--raw` may
/// name one snapshot folder, as `load` allows.
async fn dated_manifests(raw: &Location) -> Result<Vec<(ExtractDate, Path)>, crate::Error> {
    Ok(match folder_date(&raw.url) {
        Some(date) => vec![(date, Path::from(raw::MANIFEST))],
        None => Snapshot::dates(raw)
            .await?
            .into_iter()
            .map(|d| (d, manifest_path(d)))
            .collect(),
    })
}

/// `extract_date=…/manifest.json` below the raw zone root.
fn manifest_path(date: ExtractDate) -> Path {
    Path::from(format!("{}/{}", raw::snapshot_dir(date), raw::MANIFEST))
}

/// The state a manifest read gives its snapshot.
fn read_state(manifest: &ManifestRead) -> SnapshotState {
    match manifest {
        Ok(Some(m)) => manifest_state(m),
        Ok(None) => SnapshotState::NoManifest,
        Err(_) => SnapshotState::UnreadableManifest,
    }
}

/// The raw zone's newest snapshot and its newest complete one: what the
/// Lambda's `{"resume": true}` and its staleness metric read (DESIGN.md,
/// Nothing fails silently).
#[derive(Debug, Clone, PartialEq)]
pub struct RawHead {
    /// The newest snapshot, as `status` shows it: its pending work and,
    /// unless it is complete, the `resume` command that finishes it.
    pub newest: Option<Newest>,
    /// The newest snapshot whose manifest says it is complete.
    pub newest_complete: Option<ExtractDate>,
}

impl RawHead {
    /// Days from the newest complete snapshot to `today` (`None` when no
    /// snapshot is complete).
    pub fn complete_age_days(&self, today: ExtractDate) -> Option<i64> {
        self.newest_complete
            .map(|d| (today.date() - d.date()).num_days())
    }
}

/// Lists the raw zone's snapshots, then reads manifests from the newest back
/// until a complete one: usually one or two reads, and never the lake
/// (`lake` only goes into the resume command).
pub async fn raw_head(
    raw: &Location,
    lake: &Location,
    today: ExtractDate,
) -> Result<RawHead, crate::Error> {
    let mut head = RawHead {
        newest: None,
        newest_complete: None,
    };
    for (date, path) in dated_manifests(raw).await?.into_iter().rev() {
        let manifest = read_manifest(raw, &path).await?;
        let status = read_state(&manifest);
        if head.newest.is_none() {
            let info = SnapshotInfo {
                extract_date: date.to_string(),
                status,
            };
            head.newest = Some(newest(raw, lake, &(info, Ok(None)), manifest, today));
        }
        if status == SnapshotState::Complete {
            head.newest_complete = Some(date);
            break;
        }
    }
    Ok(head)
}

/// The command that finishes the snapshot of `date`, read from its
/// manifest: the one `status` prints when it is the newest. `None` when
/// the manifest says the snapshot is complete. With no manifest, the
/// command runs the configured artists for that date.
pub async fn resume_for(
    raw: &Location,
    lake: &Location,
    date: ExtractDate,
) -> Result<Option<Resume>, crate::Error> {
    let path = match folder_date(&raw.url) {
        Some(_) => Path::from(raw::MANIFEST),
        None => manifest_path(date),
    };
    let manifest = read_manifest(raw, &path).await?;
    let info = SnapshotInfo {
        extract_date: date.to_string(),
        status: read_state(&manifest),
    };
    Ok(newest(raw, lake, &(info, Ok(None)), manifest, date).resume)
}

/// `Ok(None)` when there is no manifest; the inner `Err` when it does not
/// parse; the outer `Err` when the raw zone refuses the read.
pub(super) async fn read_manifest(
    raw: &Location,
    path: &Path,
) -> Result<ManifestRead, crate::Error> {
    let got = match raw.store.get(path).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Ok(Ok(None)),
        Err(source) => return Err(read_error(raw, path, "raw zone", source)),
    };
    let bytes = got
        .bytes()
        .await
        .map_err(|source| read_error(raw, path, "raw zone", source))?;
    Ok(raw::parse_body::<ManifestHead>(&bytes).map(Some))
}

pub(super) fn read_error(
    zone: &Location,
    path: &Path,
    name: &'static str,
    source: object_store::Error,
) -> crate::Error {
    StatusError::Read {
        path: under(zone, path.as_ref()),
        zone: name,
        source,
    }
    .into()
}

/// Partial when the manifest says so or names anything pending.
pub(super) fn manifest_state(m: &ManifestHead) -> SnapshotState {
    let pending = m.artists.iter().flatten().any(|a| a.is_pending())
        || m.playlists.iter().flatten().any(|p| p.is_pending());
    if pending || m.status.as_deref() == Some("partial") {
        SnapshotState::Partial
    } else {
        SnapshotState::Complete
    }
}

/// The date of a raw location that is one `extract_date=…` folder.
pub(super) fn folder_date(url: &Url) -> Option<ExtractDate> {
    let last = url.path_segments()?.rfind(|s| !s.is_empty())?;
    last.strip_prefix("extract_date=")?.parse().ok()
}

/// The raw zone root as `run --raw` takes it (the parent of a snapshot
/// folder).
pub(super) fn raw_root(raw: &Location) -> String {
    if folder_date(&raw.url).is_none() {
        return raw.to_string();
    }
    match raw.url.join("..") {
        Ok(parent) if parent.scheme() == "file" => match parent.to_file_path() {
            Ok(p) => p.display().to_string(),
            Err(()) => parent.to_string(),
        },
        Ok(parent) => parent.to_string(),
        Err(_) => raw.to_string(),
    }
}

pub(super) fn newest(
    raw: &Location,
    lake: &Location,
    (info, _): &SnapshotRead,
    manifest: ManifestRead,
    today: ExtractDate,
) -> Newest {
    let age_days = info
        .extract_date
        .parse::<ExtractDate>()
        .map(|d| (today.date() - d.date()).num_days())
        .unwrap_or_default();
    let (manifest, manifest_error) = match manifest {
        Ok(m) => (m.unwrap_or_default(), None),
        Err(e) => (ManifestHead::default(), Some(e)),
    };
    let pending_artists: Vec<PendingArtist> = manifest
        .artists
        .iter()
        .flatten()
        .filter(|a| a.is_pending())
        .map(|a| PendingArtist {
            artist_id: a.artist_id.clone(),
            artist_name: a.artist_name.clone(),
            query: a.query.clone(),
        })
        .collect();
    let pending_playlists: Vec<String> = manifest
        .playlists
        .iter()
        .flatten()
        .filter(|p| p.is_pending())
        .filter_map(|p| p.playlist_id.clone())
        .collect();
    let resume = (info.status != SnapshotState::Complete).then(|| {
        resume_args(
            &info.extract_date,
            &raw_root(raw),
            &lake.to_string(),
            &pending_artists,
            &pending_playlists,
        )
    });
    Newest {
        extract_date: info.extract_date.clone(),
        age_days,
        status: info.status,
        stop_reason: manifest.stop_reason,
        retry_after_seconds: manifest.retry_after_seconds,
        ended_at: manifest.ended_at,
        pending_artists,
        pending_playlists,
        manifest_error,
        resume: resume.map(Resume::new),
    }
}

/// `run` of the same date resumes it: the extractor keeps every artist the
/// date's manifest lists as complete, fetches the rest, merges into the
/// manifest, and the load rewrites the whole date. Naming the pending
/// artists (`--artist`, by id when resolved, else as configured) and
/// playlists makes the command exact whatever the config file lists;
/// with nothing named (no manifest), the configured artists are run.
pub(super) fn resume_args(
    date: &str,
    raw: &str,
    lake: &str,
    artists: &[PendingArtist],
    playlists: &[String],
) -> Vec<String> {
    let mut args: Vec<String> = [
        "spotify-lake",
        "run",
        "--extract-date",
        date,
        "--raw",
        raw,
        "--lake",
        lake,
    ]
    .map(str::to_owned)
    .to_vec();
    for a in artists {
        if let Some(name) = a.resume_name() {
            args.push("--artist".into());
            args.push(name.to_owned());
        }
    }
    for p in playlists {
        args.push("--playlist".into());
        args.push(p.clone());
    }
    args
}

/// Words joined for a POSIX shell: plain when safe, else single-quoted.
pub(super) fn shell_words(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.,/:=@%+".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The raw zone's warnings: none at all, a newest snapshot that is not
/// complete, and no complete snapshot in [`STALE_DAYS`] days.
pub(super) fn snapshot_warnings(
    raw: &str,
    snapshots: &[SnapshotRead],
    newest: Option<&Newest>,
    today: ExtractDate,
) -> Vec<Warning> {
    let mut out = Vec::new();
    let Some(newest) = newest else {
        out.push(Warning::new(
            WarningKind::NoSnapshot,
            format!(
                "the raw zone {raw} holds no snapshot (no extract_date=YYYY-MM-DD folder): check --raw (or [lake] raw_url), or run `spotify-lake run` to extract one"
            ),
        ));
        return out;
    };
    // The command itself is `newest.resume` (shown as `resume` in the
    // text view): the CLI adds the flags the status was read with.
    let resume = "the resume command finishes it (raw.newest.resume in the JSON)";
    let date = &newest.extract_date;
    match newest.status {
        SnapshotState::Complete => {}
        SnapshotState::Partial => {
            let stop = newest
                .stop_reason
                .as_deref()
                .map(|s| format!(" (stopped: {s})"))
                .unwrap_or_default();
            let pending = match pending_words(newest) {
                p if p.is_empty() => "work".to_owned(),
                p => p,
            };
            out.push(Warning::new(
                WarningKind::PartialSnapshot,
                format!(
                    "the newest snapshot, {date}, is partial{stop}: {pending} pending; {resume}"
                ),
            ));
        }
        SnapshotState::NoManifest => out.push(Warning::new(
            WarningKind::NoManifest,
            format!(
                "the newest snapshot, {date}, has no manifest.json, so nothing says it is complete: an extract that died or is still running leaves it so; {resume}"
            ),
        )),
        SnapshotState::UnreadableManifest => out.push(Warning::new(
            WarningKind::UnreadableManifest,
            format!(
                "the newest snapshot's manifest, {date}/manifest.json, cannot be read ({}); running the date again rewrites it: {resume}",
                newest.manifest_error.as_deref().unwrap_or("unknown reason")
            ),
        )),
    }
    let newest_complete = snapshots
        .iter()
        .filter(|(s, _)| s.status == SnapshotState::Complete)
        .filter_map(|(s, _)| s.extract_date.parse::<ExtractDate>().ok())
        .max();
    match newest_complete {
        None => out.push(Warning::new(
            WarningKind::Stale,
            format!(
                "no snapshot in {raw} is complete: the answers rest on partial data; finish the newest with its resume command, or run `spotify-lake run`"
            ),
        )),
        Some(d) => {
            let age = (today.date() - d.date()).num_days();
            if age > STALE_DAYS {
                out.push(Warning::new(
                    WarningKind::Stale,
                    format!(
                        "the newest complete snapshot, {d}, is {age} days old (more than {STALE_DAYS}): has the weekly run stopped? Check its schedule and logs, or run `spotify-lake run`"
                    ),
                ));
            }
        }
    }
    out
}
