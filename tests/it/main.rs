//! The integration tests: one binary (each `tests/*.rs` would link alone,
//! slow on two cores). A module per area of the product, below; shared
//! helpers are in `tests/support/` (its `mod.rs` lists them), and the fake
//! Spotify's own tests sit beside the fake, in
//! `tests/support/fake_spotify/tests.rs`, not among the product's.

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod cli;
mod crash;
mod deploy;
mod failures;
mod glue;
mod golden;
mod history;
mod hostile;
mod hostile_ids;
mod lambda;
mod lease;
mod load;
mod report;
mod run;
mod status;
