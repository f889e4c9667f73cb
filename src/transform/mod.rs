//! Raw objects → Arrow RecordBatches, one function per table family.
//!
//! Pure, synchronous functions (easy to test, run off the reactor with
//! `spawn_blocking`): they take parsed raw bodies and return batches whose
//! schema is exactly the one derived from `schemas/`, rows sorted as the
//! table's `sort_by` says, plus the skips and warnings they counted. An
//! object that cannot make a correct row (an album missing track pages, a
//! body whose id disagrees with its file) is a [`Skip`](crate::summary::Skip),
//! never a row with a wrong figure.

mod albums;
mod artists;
mod columns;
mod dates;
mod playlists;
#[cfg(test)]
mod properties;

use std::collections::BTreeMap;

pub use albums::{AlbumInput, AlbumTables, albums_and_tracks};
pub use artists::{ArtistInput, artists};
pub use dates::{FIRST_RECORDING_YEAR, ReleaseDate, parse_release_date, parse_timestamp_millis};
pub use playlists::{PlaylistInput, PlaylistTables, playlist_tracks};

/// Why a batch could not be built: a mismatch between the code and
/// `schemas/`, which the unit tests catch before a user can.
#[derive(Debug, thiserror::Error)]
pub enum TransformError {
    /// `schemas/<table>.toml` has a column the transform does not build.
    #[error("schemas/{table}.toml has column {column:?}, which the transform does not build")]
    UnknownColumn {
        /// The table.
        table: &'static str,
        /// The column.
        column: String,
    },
    /// The transform builds a column `schemas/` does not have.
    #[error(
        "the transform builds {built} columns for {table} but schemas/{table}.toml has {declared}"
    )]
    ColumnCount {
        /// The table.
        table: &'static str,
        /// Built by the code.
        built: usize,
        /// Declared in the file.
        declared: usize,
    },
    /// Arrow refused the columns (a type or nullability mismatch).
    #[error("cannot build the {table} batch")]
    Arrow {
        /// The table.
        table: &'static str,
        /// Why.
        #[source]
        source: arrow::error::ArrowError,
    },
}

/// Counted warnings: something stored as null or left out by design, e.g.
/// `release_date` → how many unreadable release dates.
pub type Warnings = BTreeMap<String, u64>;

pub(crate) fn warn(warnings: &mut Warnings, what: &str) {
    *warnings.entry(what.to_owned()).or_default() += 1;
}
