//! moto on loopback: S3 and Glue for the tests, as `.ci/run` starts it.
//!
//! Tests that need it call [`moto`]: without `AWS_ENDPOINT_URL` they print
//! why and return early (a laptop without moto still runs the rest);
//! `.ci/run` sets `SPOTIFY_LAKE_REQUIRE_MOTO=1`, which turns that skip into a
//! failure.

/// A running moto server.
pub struct Moto {
    /// `http://127.0.0.1:PORT`
    pub endpoint: String,
}

/// The moto server of this test run, or `None` (printing why) when there is
/// none; panics instead when `SPOTIFY_LAKE_REQUIRE_MOTO=1`.
pub fn moto(test: &str) -> Option<Moto> {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(endpoint) if endpoint.starts_with("http://127.0.0.1") => Some(Moto { endpoint }),
        _ => {
            let required = std::env::var("SPOTIFY_LAKE_REQUIRE_MOTO").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "{test}: SPOTIFY_LAKE_REQUIRE_MOTO=1 but AWS_ENDPOINT_URL is not a loopback moto"
            );
            eprintln!(
                "skipping {test}: no moto (set AWS_ENDPOINT_URL=http://127.0.0.1:PORT; bash .ci/run starts one)"
            );
            None
        }
    }
}

impl Moto {
    /// A name no other test uses: `prefix` + a random hex suffix (valid
    /// for buckets with `it-…-`, for Glue databases with `it_…_`).
    pub fn unique(&self, prefix: &str) -> String {
        format!("{prefix}{:08x}", fastrand::u32(..))
    }

    /// Creates a bucket (moto accepts any credentials).
    pub fn create_bucket(&self, bucket: &str) {
        let url = format!("{}/{bucket}", self.endpoint);
        let status = std::process::Command::new("curl")
            .args(["-sf", "-X", "PUT", &url, "-o", "/dev/null"])
            .status()
            .expect("curl runs");
        assert!(status.success(), "cannot create bucket {bucket} on moto");
    }
}

/// The second moto of `.ci/run`, which denies every call
/// (`INITIAL_NO_AUTH_ACTION_COUNT=0`), or `None` as [`moto`] does.
pub fn denying_moto(test: &str) -> Option<String> {
    match std::env::var("SPOTIFY_LAKE_MOTO_DENIED_URL") {
        Ok(url) if url.starts_with("http://127.0.0.1") => Some(url),
        _ => {
            let required = std::env::var("SPOTIFY_LAKE_REQUIRE_MOTO").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "{test}: SPOTIFY_LAKE_REQUIRE_MOTO=1 but SPOTIFY_LAKE_MOTO_DENIED_URL is not set"
            );
            eprintln!("skipping {test}: no denying moto (bash .ci/run starts one)");
            None
        }
    }
}
