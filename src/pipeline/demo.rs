//! `demo` (feature `engine`): the bundled sample written as a raw zone,
//! loaded into a local lake with the local catalog, asked the two answers
//! and charted, all under one folder. The same load and queries as a real
//! lake's, so the demo shows what the tool does, not a mock of it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::catalog::{Catalog, LocalCatalog};
use crate::query::{Engine, Format, format_batches};
use crate::report::{self, Filters, ReportFormat};
use crate::summary::Summary;
use crate::{Error, LoadOptions, sample, sql, store};

/// The answers the demo shows, by query name, with their titles.
const ANSWERS: [(&str, &str); 2] = [
    (
        "album_length_by_year",
        "Average album length (minutes) by release year, all albums and standard editions",
    ),
    (
        "album_length_trend",
        "Trend: least squares of album minutes on release year",
    ),
];

/// What the demo did, where.
pub struct Demo {
    /// Files of the sample written.
    pub sample_files: usize,
    /// The raw zone: `<root>/raw`.
    pub raw_dir: PathBuf,
    /// The lake: `<root>/lake`.
    pub lake_dir: PathBuf,
    /// The load's summary.
    pub summary: Summary,
    /// Each answer: its query name, title and table.
    pub answers: Vec<(&'static str, &'static str, String)>,
    /// The HTML report: `<root>/report.html`.
    pub report: PathBuf,
}

/// Runs the demo under `root` (an absolute folder, created; the sample's
/// files are replaced).
pub async fn demo(root: &Path, progress: bool) -> Result<Demo, Error> {
    let raw_dir = root.join("raw");
    let lake_dir = root.join("lake");
    let sample_files = sample::write_to(&raw_dir)?;
    let raw = store::open(&raw_dir.to_string_lossy())?;
    let lake = store::open(&lake_dir.to_string_lossy())?;
    let catalog: Arc<dyn Catalog> = Arc::new(LocalCatalog::new(lake.store.clone()));
    let opts = LoadOptions {
        progress,
        ..LoadOptions::default()
    };
    let summary = super::load(&raw, &lake, Some(catalog.as_ref()), &opts).await?;
    let engine = Engine::open(&lake, Some(Arc::clone(&catalog))).await?;
    let mut answers = Vec::new();
    for (name, title) in ANSWERS {
        let q = sql::query(name).expect("the demo's queries are embedded");
        let (schema, batches) = engine.run(name, q.sql).await?;
        answers.push((
            name,
            title,
            format_batches(&schema, &batches, Format::Table)?,
        ));
    }
    let report_path = root.join("report.html");
    let built = report::build(&lake, Some(catalog), &Filters::default()).await?;
    report::write(&built, &lake, &report_path, ReportFormat::Html)?;
    Ok(Demo {
        sample_files,
        raw_dir,
        lake_dir,
        summary,
        answers,
        report: report_path,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_demo_s_queries_are_embedded() {
        for (name, _) in super::ANSWERS {
            assert!(crate::sql::query(name).is_some(), "{name}");
        }
    }
}
