//! AWS: what this build can do with it.
//!
//! S3 zones, the Glue catalog, the Spotify secret and Lambda mode need the
//! AWS SDK, which is most of a cold build; the cargo feature `aws` (on by
//! default) brings it in. With it, [`Aws`] is the SDK configuration, loaded
//! once and shared by S3 and Glue (`sdk.rs`). Without it (`cargo build
//! --no-default-features --features engine`: `demo`, `load`, `query`, … on
//! local folders) [`Aws`] is a type with no values, so every
//! `Option<&Aws>` is `None` and the code that takes one is the same in both
//! builds; a configuration that needs AWS is refused with [`NoAwsSupport`],
//! a usage error that says how to get a build with it.

#[cfg(feature = "aws")]
mod sdk;

#[cfg(feature = "aws")]
pub use sdk::{Aws, DEFAULT_REGION, SdkCredentials, loader};

/// The AWS configuration, which a build without the `aws` feature never
/// has: no value of this type exists.
#[cfg(not(feature = "aws"))]
#[derive(Clone, Debug)]
pub enum Aws {}

/// Something the configuration asks for needs AWS, and this build has no
/// AWS support (a usage error, exit 2).
#[derive(Debug, thiserror::Error)]
#[error(
    "{needed_by} needs AWS, and this build of spotify-lake has no AWS support (the cargo feature `aws` is off): build it with the default features (cargo build --release) or with --features aws"
)]
pub struct NoAwsSupport {
    /// What needs AWS: an `s3://` location, the Glue catalog, Lambda mode.
    pub needed_by: String,
}

impl NoAwsSupport {
    /// The error of Lambda mode (`AWS_LAMBDA_RUNTIME_API` set) in a build
    /// without AWS.
    pub fn lambda_mode() -> Self {
        NoAwsSupport {
            needed_by: "Lambda mode (AWS_LAMBDA_RUNTIME_API is set)".to_owned(),
        }
    }
}

/// Without the `aws` feature there is no AWS configuration to load.
#[cfg(not(feature = "aws"))]
impl Aws {
    /// Always [`NoAwsSupport`], naming `needed_by` (what needs AWS).
    pub async fn load_for(needed_by: &str) -> Result<Aws, NoAwsSupport> {
        Err(NoAwsSupport {
            needed_by: needed_by.to_owned(),
        })
    }
}

#[cfg(all(test, not(feature = "aws")))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_build_without_aws_says_how_to_get_it() {
        let err = Aws::load_for("\"s3://bucket/lake\"").await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(
                "\"s3://bucket/lake\" needs AWS, and this build of spotify-lake has no AWS support"
            ),
            "{text}"
        );
        assert!(
            text.contains("--features aws") && text.contains("default features"),
            "{text}"
        );
        let text = NoAwsSupport::lambda_mode().to_string();
        assert!(
            text.starts_with("Lambda mode (AWS_LAMBDA_RUNTIME_API is set) needs AWS"),
            "{text}"
        );
    }
}
