//! The raw zone, the lake and the catalog a configuration names, opened
//! once per process: the CLI opens them per command, the Lambda at init
//! (so warm invocations reuse the S3 and Glue clients). The AWS
//! configuration is loaded only when something lives on AWS; a build
//! without AWS refuses such a configuration here, before any work.

use std::sync::Arc;

use crate::aws::Aws;
#[cfg(feature = "aws")]
use crate::catalog::GlueCatalog;
use crate::catalog::{Catalog, CatalogKind, LocalCatalog};
use crate::config::Config;
use crate::store::{Location, StoreError};

/// How errors name the raw zone and the settings that name it.
const RAW: &str = "the raw zone (--raw, [lake] raw_url, RAW_URL)";
/// How errors name the lake and the settings that name it.
const LAKE: &str = "the lake (--lake, [lake] url, LAKE_URL)";
/// How errors name the catalog and the settings that name it.
const CATALOG: &str = "the catalog (--catalog, [catalog] kind, CATALOG)";

/// A zone could not be opened (or, in a build without AWS, the Glue
/// catalog): which one, and why.
#[derive(Debug, thiserror::Error)]
#[error("{zone}")]
pub struct ZoneError {
    /// The zone and the settings that name it.
    pub zone: &'static str,
    /// Why.
    #[source]
    pub source: StoreError,
}

/// The opened zones of one configuration.
pub struct Zones {
    /// The raw zone.
    pub raw: Location,
    /// The clean zone.
    pub lake: Location,
    /// The AWS configuration, when a zone or the catalog is on AWS.
    pub aws: Option<Aws>,
}

impl Zones {
    /// Opens both zones (no network call yet).
    pub async fn open(cfg: &Config) -> Result<Self, ZoneError> {
        let aws = match on_aws(cfg) {
            Some((zone, needed_by)) => {
                Some(Aws::load_for(&needed_by).await.map_err(|e| ZoneError {
                    zone,
                    source: e.into(),
                })?)
            }
            None => None,
        };
        Ok(Zones {
            raw: cfg
                .raw_url
                .open(aws.as_ref())
                .map_err(|source| ZoneError { zone: RAW, source })?,
            lake: cfg
                .lake_url
                .open(aws.as_ref())
                .map_err(|source| ZoneError { zone: LAKE, source })?,
            aws,
        })
    }

    /// The catalog `cfg` asks for (`None` for `kind = "none"`).
    pub fn catalog(&self, cfg: &Config) -> Option<Arc<dyn Catalog>> {
        match (cfg.catalog, &self.aws) {
            (CatalogKind::Local, _) => Some(Arc::new(LocalCatalog::new(self.lake.store.clone()))),
            #[cfg(feature = "aws")]
            (CatalogKind::Glue, Some(aws)) => Some(Arc::new(GlueCatalog::new(
                aws,
                &cfg.database,
                &self.lake.decoded(),
                cfg.projection,
            ))),
            // `open` loads AWS whenever the catalog is Glue.
            (CatalogKind::Glue, _) | (CatalogKind::None, _) => None,
        }
    }
}

/// The first part of `cfg` on AWS, if any: how errors name it, and what
/// needs AWS there.
fn on_aws(cfg: &Config) -> Option<(&'static str, String)> {
    if cfg.catalog == CatalogKind::Glue {
        return Some((CATALOG, "the Glue catalog".to_owned()));
    }
    [(LAKE, &cfg.lake_url), (RAW, &cfg.raw_url)]
        .into_iter()
        .find(|(_, url)| url.is_s3())
        .map(|(zone, url)| (zone, format!("{:?}", url.to_string())))
}

#[cfg(all(test, not(feature = "aws")))]
mod tests {
    use super::*;
    use crate::config::{Env, Overrides};

    async fn open(flags: Overrides) -> String {
        let cfg = Config::resolve(None, &flags, &Env::default()).unwrap();
        let err = Zones::open(&cfg).await.err().expect("refused without AWS");
        assert!(crate::is_usage_error(&err.source));
        crate::error_chain(&err)
    }

    #[tokio::test]
    async fn a_build_without_aws_refuses_s3_and_glue_before_any_work() {
        let s3 = |s: &str| Some(s.to_owned());
        let err = open(Overrides {
            lake: s3("s3://bucket/lake"),
            catalog: Some(CatalogKind::Glue),
            ..Overrides::default()
        })
        .await;
        assert!(
            err.starts_with(&format!("{CATALOG}: the Glue catalog needs AWS")),
            "{err}"
        );
        let err = open(Overrides {
            raw: s3("s3://bucket/raw"),
            ..Overrides::default()
        })
        .await;
        assert!(
            err.starts_with(&format!("{RAW}: \"s3://bucket/raw\" needs AWS")),
            "{err}"
        );
        assert!(err.contains("--features aws"), "{err}");
    }
}
