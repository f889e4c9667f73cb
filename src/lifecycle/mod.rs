//! The lake's lifecycle commands (CLI only; the Lambda never deletes):
//! `load --all` rebuilds the lake from the raw zone, `forget` takes an
//! artist out of the answers and, on request, out of every table. `status`
//! (the lake at a glance) is [`crate::status`].

mod forget;
mod load_all;

pub use forget::{ForgetReport, Forgotten, forget};
pub use load_all::{PROGRESS, Step, load_all};
