//! `report`: the answer as a picture. Runs the album-length queries of
//! `queries/` on the embedded engine ([`data`]), fits the trends in Rust
//! ([`fit`]), derives the figures and the reading ([`figures`]), draws the
//! charts with plotters ([`chart`]) and writes one self-contained HTML page
//! with a JSON sidecar ([`html`]), or the main chart alone as SVG or PNG.
//! Unfiltered, its numbers are `query`'s.

pub mod chart;
pub mod data;
pub mod figures;
pub mod fit;
pub mod html;
mod output;
pub mod text;

pub use data::Filters;
pub use figures::Report;
pub use output::{ReportFormat, sidecar_path, write};

use crate::query::QueryError;
use crate::store::Location;

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A query failed.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// A query returned columns the report cannot read (a bug).
    #[error("query {query} returned an unexpected result: {reason}")]
    Shape {
        /// The query.
        query: String,
        /// What was wrong.
        reason: String,
    },
    /// plotters failed to draw.
    #[error("cannot draw the chart: {0}")]
    Draw(String),
    /// The PNG could not be encoded.
    #[error("cannot encode the PNG")]
    Png(#[from] png::EncodingError),
    /// `--out` would be overwritten by the sidecar.
    #[error("--out {0}: the JSON sidecar would have the same name; give the report an .html name")]
    SidecarClash(String),
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// Reads the lake (through `filters`) and derives the report's figures.
pub async fn build(
    lake: &Location,
    catalog: Option<std::sync::Arc<dyn crate::catalog::Catalog>>,
    filters: &Filters,
) -> Result<Report, ReportError> {
    let data = data::gather(lake, catalog, filters).await?;
    let report = Report::new(data);
    for d in &report.disagreements {
        tracing::error!(
            disagreement = %d,
            "The report's fit and album_length_trend disagree."
        );
    }
    Ok(report)
}
