//! spotify-lake: Spotify catalog data → a Parquet data lake → SQL answers to
//! "how has album length changed over the years?".
//!
//! # Layout
//!
//! The modules follow the data flow; a stage imports only from upstream:
//!
//! ```text
//! raw zone (JSON) ──transform──▶ clean zone (Parquet) ──register──▶ catalog ──▶ queries/*.sql
//! ```
//!
//! - [`ids`], [`schema`], [`summary`], [`sql`]: shared vocabulary (checked
//!   ids and dates, the tables from `schemas/`, the run summary, the
//!   embedded SQL files).
//! - [`config`]: the config file, flags and environment, validated once
//!   into a [`config::Config`] (typed zone URLs, one block of defaults);
//!   the Spotify credentials apart from it.
//! - [`store`]: opens a directory or URL as an object store.
//! - [`extract`]: the Spotify client and what to fetch, into the raw zone.
//! - [`raw`]: the raw zone: snapshots, their listing, the typed manifest,
//!   lenient structs, counted skips.
//! - [`transform`]: raw objects → Arrow batches.
//! - [`lake`]: the partition layout, Parquet writing, `current_albums`.
//! - [`catalog`]: where tables, partitions and views are registered.
//! - [`pipeline`]: the stages joined: the zones of a configuration opened
//!   once, `load` (a raw snapshot into a registered lake, ending with the
//!   commit of `current_albums`), `run` (extract, then load: the weekly
//!   job), `run --dry-run`, and `demo`.
//! - [`lease`]: one writer at a time: a run's date lease in the raw zone,
//!   a load's date lease and the catalog's in the lake.
//! - [`lifecycle`]: `load --all` and `forget`.
//! - [`query`] (feature `engine`): the embedded DataFusion engine.
//! - [`report`] (feature `engine`): the charts of the answer.
//! - [`status`]: the raw zone and the lake at a glance, with warnings; the
//!   last run's record.
//! - [`lambda`] (feature `aws`): the same job as an AWS Lambda (when
//!   `AWS_LAMBDA_RUNTIME_API` is set).
//! - [`aws`]: the AWS SDK configuration, loaded once (feature `aws`); in a
//!   build without it, the usage error of a configuration that needs AWS.
//! - [`sample`]: the bundled sample snapshot, for `demo` and tests.
//! - [`crash`]: fault points for the crash tests (debug builds only).
#![warn(missing_docs)]

pub mod aws;
pub mod catalog;
pub mod config;
pub mod crash;
pub mod extract;
pub mod ids;
pub mod lake;
#[cfg(feature = "aws")]
pub mod lambda;
pub mod lease;
pub mod lifecycle;
pub mod pipeline;
#[cfg(feature = "engine")]
pub mod query;
pub mod raw;
#[cfg(feature = "engine")]
pub mod report;
pub mod sample;
pub mod schema;
pub mod sql;
pub mod status;
pub mod store;
pub mod summary;
pub mod transform;

pub use pipeline::{LoadOptions, load};
pub use summary::Summary;

/// Everything that can stop a command, by the step that failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid (exit code 2).
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// Extraction from Spotify failed.
    #[error(transparent)]
    Extract(#[from] extract::ExtractError),
    /// A location could not be opened.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The raw zone or the lake could not be opened.
    #[error(transparent)]
    Zone(#[from] pipeline::zones::ZoneError),
    /// The raw snapshot could not be found or listed.
    #[error(transparent)]
    Raw(#[from] raw::RawError),
    /// Code and `schemas/` disagree (a bug the tests catch).
    #[error(transparent)]
    Transform(#[from] transform::TransformError),
    /// A partition could not be written.
    #[error(transparent)]
    Lake(#[from] lake::LakeError),
    /// The current table could not be read or written.
    #[error(transparent)]
    Current(#[from] lake::current::CurrentError),
    /// The catalog refused or failed.
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// Another writer holds a lease (a date of the raw zone, the catalog).
    /// Boxed: the lease's error is the largest, and every `Result` of the
    /// crate would carry its size.
    #[error(transparent)]
    Lease(Box<lease::LeaseError>),
    /// The status could not be read (a zone that cannot be listed or read).
    #[error(transparent)]
    Status(#[from] status::StatusError),
    /// A query failed.
    #[cfg(feature = "engine")]
    #[error(transparent)]
    Query(#[from] query::QueryError),
    /// The report could not be built or written.
    #[cfg(feature = "engine")]
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// Writing the bundled sample failed.
    #[error("cannot write the sample snapshot to {path}")]
    Sample {
        /// Where.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A worker thread panicked or was cancelled (a bug).
    #[error("a worker task failed: {0}")]
    Task(String),
}

impl From<lease::LeaseError> for Error {
    fn from(e: lease::LeaseError) -> Self {
        Error::Lease(Box::new(e))
    }
}

/// Whether an error is the user's to fix before anything runs (exit 2,
/// DESIGN.md, Interfaces): a configuration error, a location that is
/// neither a directory nor a URL this tool knows, something on AWS in a
/// build without AWS ([`aws::NoAwsSupport`]), or SQL that is not a
/// read-only query.
pub fn is_usage_error(err: &(dyn std::error::Error + 'static)) -> bool {
    if err.is::<config::ConfigError>()
        || matches!(err.downcast_ref::<Error>(), Some(Error::Config(_)))
    {
        return true;
    }
    // A location that is neither a directory nor a URL this tool knows,
    // or one on AWS in a build without AWS.
    let bad_location = |e: &store::StoreError| {
        matches!(
            e,
            store::StoreError::BadLocation { .. } | store::StoreError::NoAws(_)
        )
    };
    if err
        .downcast_ref::<store::StoreError>()
        .is_some_and(bad_location)
        || matches!(err.downcast_ref::<Error>(), Some(Error::Store(e)) if bad_location(e))
    {
        return true;
    }
    #[cfg(feature = "engine")]
    {
        let not_read_only = |q: &query::QueryError| {
            matches!(
                q,
                query::QueryError::NotReadOnly { .. } | query::QueryError::Runaway { .. }
            )
        };
        if err
            .downcast_ref::<query::QueryError>()
            .is_some_and(not_read_only)
            || matches!(err.downcast_ref::<Error>(), Some(Error::Query(q)) if not_read_only(q))
        {
            return true;
        }
    }
    false
}

/// An error and its causes on one line, each cause once: object_store,
/// the AWS SDK and std errors often repeat their source in their message.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut cause = Some(err);
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

impl Error {
    pub(crate) fn task(e: tokio::task::JoinError) -> Self {
        Error::Task(e.to_string())
    }
}
