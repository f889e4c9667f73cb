//! The AWS configuration, loaded once and shared by S3 and Glue.
//!
//! aws-config resolves region, endpoint and credentials the standard way
//! (environment, profile, SSO, container or Lambda role); Glue takes the
//! `SdkConfig` as is, and S3 (object_store) gets the same credentials
//! through [`SdkCredentials`], so one chain serves every AWS call and an
//! `http://` `AWS_ENDPOINT_URL` (moto in the tests) redirects them all, or
//! `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL_GLUE` one service each.
//!
//! Why not `AmazonS3Builder::from_env`: it reads only environment variables,
//! so a laptop's SSO profile or a container role would work for Glue but
//! not for S3.
//!
//! The SDK's HTTPS client is built here ([`loader`]) rather than by its
//! `default-https-client` feature, which would bring rustls on `aws-lc-rs`:
//! this one is rustls on `ring`, the crypto reqwest (rspotify, object_store)
//! already uses, so the build has one TLS crypto stack. Like the default
//! client it honours the proxy environment (`HTTPS_PROXY`, `NO_PROXY`).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_credential_types::provider::ProvideCredentials as _;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};
use aws_types::service_config::ServiceConfigKey;
use object_store::CredentialProvider;
use object_store::aws::AwsCredential;

/// Region used when none is configured (object_store's default too).
pub const DEFAULT_REGION: &str = "us-east-1";

/// Renew S3 credentials this long before they expire.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// The loaded AWS configuration.
#[derive(Clone, Debug)]
pub struct Aws {
    /// As aws-config resolved it.
    pub sdk: aws_config::SdkConfig,
}

impl Aws {
    /// Resolves the standard chain (no network call until credentials are
    /// first used).
    pub async fn load() -> Self {
        Aws {
            sdk: loader().load().await,
        }
    }

    /// [`Aws::load`]; `needed_by` names what needs AWS, for a build
    /// without the `aws` feature, which refuses it.
    pub async fn load_for(_needed_by: &str) -> Result<Aws, super::NoAwsSupport> {
        Ok(Aws::load().await)
    }

    /// The region, or us-east-1.
    pub fn region(&self) -> String {
        self.sdk
            .region()
            .map_or_else(|| DEFAULT_REGION.to_owned(), ToString::to_string)
    }

    /// The S3 endpoint, if one is configured: `AWS_ENDPOINT_URL_S3` or the
    /// profile's `[services]` S3 `endpoint_url` first, then `AWS_ENDPOINT_URL`
    /// (or the profile's `endpoint_url`): the precedence the AWS SDKs use,
    /// so S3 can point at one server and Glue (`AWS_ENDPOINT_URL_GLUE`, read
    /// by the Glue client itself) at another.
    pub fn s3_endpoint(&self) -> Option<String> {
        let specific = ServiceConfigKey::builder()
            .service_id("S3")
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .ok()
            .and_then(|key| self.sdk.service_config()?.load_config(key));
        specific.or_else(|| self.sdk.endpoint_url().map(str::to_owned))
    }

    /// The SDK's credentials for object_store, cached until shortly before
    /// they expire. `None` when no provider is configured at all.
    pub fn s3_credentials(&self) -> Option<Arc<SdkCredentials>> {
        self.sdk.credentials_provider().map(|provider| {
            Arc::new(SdkCredentials {
                provider,
                cached: tokio::sync::Mutex::new(None),
            })
        })
    }
}

/// aws-config's loader at the latest behaviour version, with this crate's
/// HTTPS client: what [`Aws::load`] resolves, and where a test that needs
/// a different endpoint or credentials starts.
pub fn loader() -> aws_config::ConfigLoader {
    aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https_client())
}

/// The SDK's default HTTPS client (hyper 1, connection pool, the
/// connect and read timeouts of the SDK's settings, the proxy from the
/// environment) on rustls with `ring`.
/// Built as aws-smithy-runtime builds its default client
/// (`default_https_client`), with `ring` for `aws-lc-rs`: through
/// `build_with_connector_fn`, the one builder that takes a proxy setting.
fn https_client() -> aws_types::sdk_config::SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// aws-config's credentials as an object_store [`CredentialProvider`].
#[derive(Debug)]
pub struct SdkCredentials {
    provider: aws_credential_types::provider::SharedCredentialsProvider,
    cached: tokio::sync::Mutex<Option<(Arc<AwsCredential>, Option<SystemTime>)>>,
}

#[async_trait]
impl CredentialProvider for SdkCredentials {
    type Credential = AwsCredential;

    async fn get_credential(&self) -> object_store::Result<Arc<AwsCredential>> {
        let mut cached = self.cached.lock().await;
        if let Some((credential, expiry)) = cached.as_ref() {
            let fresh = expiry.is_none_or(|e| e > SystemTime::now() + RENEW_BEFORE);
            if fresh {
                return Ok(Arc::clone(credential));
            }
        }
        let c = self
            .provider
            .provide_credentials()
            .await
            .map_err(|e| object_store::Error::Generic {
                store: "S3",
                source: format!("no AWS credentials: {e}; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run in a role").into(),
            })?;
        let credential = Arc::new(AwsCredential {
            key_id: c.access_key_id().to_owned(),
            secret_key: c.secret_access_key().to_owned(),
            token: c.session_token().map(str::to_owned),
        });
        *cached = Some((Arc::clone(&credential), c.expiry()));
        Ok(credential)
    }
}
