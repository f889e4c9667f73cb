//! Shared helpers of the integration tests, one module per job:
//!
//! - `sample`: the bundled sample's paths, date and artist ids.
//! - `lake`: `TempLake` (a raw zone and a lake in a temp folder, and the
//!   commands run on them) and their files read back.
//! - `cli`: the real binary run as a user would, its output as `CliRun`.
//! - `summary`: the JSON summary's skips and row counts.
//! - `raw_builder`: raw snapshots written by hand (`RawBuilder`, `Small`).
//! - `parquet`: the lake's Parquet read back, as columns or as text.
//! - `seed`: the figures the golden answers are computed from.
//! - `fake_spotify`, `fake_lambda`, `loopback`: the fake Spotify Web API
//!   (with its own tests) and Lambda Runtime API, on 127.0.0.1.
//! - `moto`, `target`, `catalog_contract`: S3 and Glue on moto, a test
//!   body run on a local lake or on S3, the suite every catalog passes.
//!
//! Every helper panics with a message on failure: they are test plumbing,
//! and a panic in a test is a failure that says where.

pub mod catalog_contract;
pub mod cli;
pub mod fake_lambda;
pub mod fake_spotify;
pub mod lake;
pub mod loopback;
pub mod moto;
pub mod parquet;
pub mod raw_builder;
pub mod sample;
pub mod seed;
pub mod summary;
pub mod target;
