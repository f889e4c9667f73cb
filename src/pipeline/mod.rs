//! The pipeline: the stages joined into the commands that move data.
//!
//! ```text
//! run:  extract (Spotify → raw zone) ──▶ load
//! load: raw snapshot ──partitions──▶ lake (Parquet) ──register──▶ catalog ──▶ current_albums commit
//! ```
//!
//! - [`zones`]: the raw zone, the lake and the catalog a configuration
//!   names, opened once.
//! - [`load()`]: one raw snapshot into the lake, holding the date's lease;
//!   every table's partitions are built by `partitions`, all written
//!   through one [`Uploader`](crate::lake::Uploader), each reported as one
//!   [`Written`].
//! - `register`: tables, partitions and views in the catalog, under the
//!   catalog lease when the catalog rewrites files in the lake.
//! - `current`: the last step, the fold and commit of `current_albums`.
//! - [`run()`]: the weekly job: extract, then hand the snapshot it wrote
//!   straight to the load.
//! - [`dry_run`]: what a run would fetch and register, changing nothing.
//! - [`demo`] (feature `engine`): the bundled sample loaded, queried and
//!   charted.
//!
//! The stages themselves (`extract`, `raw`, `transform`, `lake`, `catalog`)
//! know nothing of each other's order; this module alone does.

pub(crate) mod current;
#[cfg(feature = "engine")]
pub mod demo;
pub mod dry_run;
mod load;
mod partitions;
mod register;
mod run;
mod staging;
pub mod zones;

pub use load::{LoadOptions, load, load_snapshot};
pub use run::{nothing_to_extract, run};

pub use crate::lake::Written;
