//! The integration tests: one binary (each `tests/*.rs` would link alone,
//! slow on two cores). Shared helpers are in `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod bad_input;
mod cli;
mod crash;
mod deploy;
mod failures;
mod fake_spotify;
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
