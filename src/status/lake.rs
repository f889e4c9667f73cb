//! The lake's side of `status`: one listing tallied per table folder,
//! checked against the catalog, and the last run's record.

use super::*;

/// What one listing says about a table folder.
#[derive(Default)]
pub(super) struct Tally {
    dates: BTreeSet<String>,
    partitions: BTreeSet<String>,
    files: u64,
    bytes: u64,
    other_files: u64,
    /// Partition folders of well-formed partition files (known tables).
    keys: BTreeSet<String>,
}

/// Lists the lake once, tallies each table folder, and compares the known
/// tables with what the catalog registers.
pub(super) async fn read_lake(
    raw: &Location,
    lake: &Location,
    catalog: Option<&dyn Catalog>,
) -> Result<(Vec<TableStatus>, Vec<Warning>), crate::Error> {
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut listing = lake.store.list(None);
    let list_error = |source: object_store::Error| {
        StatusError::from(crate::store::ListLakeError::of(lake)(source))
    };
    while let Some(meta) = listing.try_next().await.map_err(list_error)? {
        let parts: Vec<String> = meta
            .location
            .parts()
            .map(|p| p.as_ref().to_owned())
            .collect();
        let [table, inner @ .., name] = parts.as_slice() else {
            continue;
        };
        if table.starts_with(['_', '.']) {
            continue;
        }
        let tally = tallies.entry(table.clone()).or_default();
        tally.bytes += meta.size;
        if !name.ends_with(".parquet") {
            tally.other_files += 1;
            continue;
        }
        tally.files += 1;
        if !inner.is_empty() {
            tally.partitions.insert(inner.join("/"));
        }
        for dir in inner {
            if let Some(date) = dir.strip_prefix("extract_date=") {
                tally.dates.insert(date.to_owned());
            }
        }
        if let Ok(key) = PartitionKey::parse(&meta.location) {
            tally.keys.insert(key.dir());
        }
    }
    drop(listing);

    let mut names: Vec<String> = Table::ALL
        .iter()
        .map(|t| t.name().to_owned())
        .filter(|n| tallies.contains_key(n))
        .collect();
    names.extend(
        tallies
            .keys()
            .filter(|n| n.parse::<Table>().is_err())
            .cloned(),
    );
    let mut tables = Vec::new();
    let mut warnings = Vec::new();
    for name in names {
        let tally = tallies.remove(&name).unwrap_or_default();
        let mut status = TableStatus {
            table: name.clone(),
            extract_dates: tally.dates.len() as u64,
            partitions: tally.partitions.len() as u64,
            files: tally.files,
            bytes: tally.bytes,
            other_files: tally.other_files,
            registered: None,
            unregistered: None,
            registered_without_files: None,
        };
        if let (Some(catalog), Ok(table)) = (catalog, name.parse::<Table>()) {
            match catalog.partitions(table).await {
                Ok(keys) => {
                    let registered: BTreeSet<String> = keys.iter().map(PartitionKey::dir).collect();
                    let unregistered: Vec<&String> = tally.keys.difference(&registered).collect();
                    let missing: Vec<&String> = registered.difference(&tally.keys).collect();
                    status.registered = Some(registered.len() as u64);
                    status.unregistered = Some(unregistered.len() as u64);
                    status.registered_without_files = Some(missing.len() as u64);
                    warnings.extend(partition_warnings(
                        &raw_root(raw),
                        lake,
                        &name,
                        &unregistered,
                        &missing,
                    ));
                }
                Err(e) => warnings.push(Warning::new(
                    WarningKind::CatalogUnreadable,
                    format!(
                        "cannot read the partitions the catalog registers for {name}: {}",
                        crate::error_chain(&e)
                    ),
                )),
            }
        }
        tables.push(status);
    }
    Ok((tables, warnings))
}

/// Unregistered partitions and registered ones with no file, with the
/// dates whose load fixes them.
pub(super) fn partition_warnings(
    raw: &str,
    lake: &Location,
    table: &str,
    unregistered: &[&String],
    missing: &[&String],
) -> Vec<Warning> {
    let dates = |dirs: &[&String]| -> Vec<String> {
        let set: BTreeSet<&str> = dirs
            .iter()
            .filter_map(|d| d.split('/').find_map(|s| s.strip_prefix("extract_date=")))
            .collect();
        set.into_iter().map(str::to_owned).collect()
    };
    let examples = |dirs: &[&String]| -> String {
        let mut shown: Vec<&str> = dirs.iter().take(3).map(|d| d.as_str()).collect();
        if dirs.len() > shown.len() {
            shown.push("…");
        }
        shown.join(", ")
    };
    let load = |dates: &[String]| -> String {
        let first = dates.first().map(String::as_str).unwrap_or("YYYY-MM-DD");
        let mut text = format!(
            "spotify-lake load --extract-date {first} --raw {} --lake {}",
            shell_words(&[raw.to_owned()]),
            shell_words(&[lake.to_string()])
        );
        if dates.len() > 1 {
            let _ = write!(text, " (and the same for {})", dates[1..].join(", "));
        }
        text
    };
    let mut out = Vec::new();
    if !unregistered.is_empty() {
        let d = dates(unregistered);
        out.push(Warning::new(
            WarningKind::UnregisteredPartitions,
            format!(
                "{table}: {} partitions on disk are not registered in the catalog ({}), so queries do not see them: a load that failed before registering, or one with --catalog none, leaves them; register them by loading again: {}",
                unregistered.len(),
                examples(unregistered),
                load(&d)
            ),
        ));
    }
    if !missing.is_empty() {
        let d = dates(missing);
        out.push(Warning::new(
            WarningKind::MissingPartitionFiles,
            format!(
                "{table}: {} partitions registered in the catalog have no file on disk ({}), so queries over them fail: load those dates again ({}) or remove the partitions from the catalog",
                missing.len(),
                examples(missing),
                load(&d)
            ),
        ));
    }
    out
}

/// The recorded summary; the inner `Err` when it does not parse.
pub(super) async fn read_last_run(
    lake: &Location,
) -> Result<Result<Option<LastRun>, String>, crate::Error> {
    let path = Path::from(LAST_RUN);
    let got = match lake.store.get(&path).await {
        Ok(got) => got,
        Err(object_store::Error::NotFound { .. }) => return Ok(Ok(None)),
        Err(source) => return Err(read_error(lake, &path, "lake", source)),
    };
    let recorded_at = got
        .meta
        .last_modified
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let bytes = got
        .bytes()
        .await
        .map_err(|source| read_error(lake, &path, "lake", source))?;
    Ok(raw::parse_body::<Recorded>(&bytes).map(|r| {
        Some(LastRun {
            recorded_at: Some(recorded_at),
            status: r.status,
            extract_date: r.extract_date,
            seconds: r.seconds,
            rows: r.rows,
            files_written: r.files_written,
            skipped: r.skipped.len() as u64,
            pending_artists: r.pending_artists,
        })
    }))
}
