//! The bundled sample (`samples/raw`): where it is, its extract date and
//! the ids of its three artists. Tests that need real-looking data start
//! from it rather than writing their own.

use std::path::PathBuf;

/// The extract date of the bundled sample.
pub const SAMPLE_DATE: &str = "2026-11-26";
/// Drake's id in the sample.
pub const DRAKE: &str = "3TVXtAsR1Inumwj472S9r4";
/// Michael Jackson's id in the sample.
pub const MICHAEL_JACKSON: &str = "3fMbdgg4jU18AjLCKBhRSm";
/// Bruno Mars's id in the sample.
pub const BRUNO_MARS: &str = "0du5cEVh5yTK9QJze8zA0C";

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `samples/raw`, the bundled raw zone root.
pub fn sample_raw() -> PathBuf {
    repo().join("samples/raw")
}

/// The bundled snapshot folder, `samples/raw/extract_date=2026-11-26`.
pub fn sample_snapshot() -> PathBuf {
    sample_raw().join(format!("extract_date={SAMPLE_DATE}"))
}
