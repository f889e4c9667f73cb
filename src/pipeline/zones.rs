//! The raw zone, the lake and the catalog a configuration names, opened
//! once per process: the CLI opens them per command, the Lambda at init
//! (so warm invocations reuse the S3 and Glue clients). The AWS
//! configuration is loaded only when something lives on AWS.

use std::sync::Arc;

use crate::aws::Aws;
use crate::catalog::{Catalog, CatalogKind, GlueCatalog, LocalCatalog};
use crate::config::Config;
use crate::store::{Location, StoreError};

/// A zone could not be opened: which one, and why.
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
        let needs_aws =
            cfg.raw_url.is_s3() || cfg.lake_url.is_s3() || cfg.catalog == CatalogKind::Glue;
        let aws = if needs_aws {
            Some(Aws::load().await)
        } else {
            None
        };
        Ok(Zones {
            raw: cfg.raw_url.open(aws.as_ref()).map_err(|source| ZoneError {
                zone: "the raw zone (--raw, [lake] raw_url, RAW_URL)",
                source,
            })?,
            lake: cfg
                .lake_url
                .open(aws.as_ref())
                .map_err(|source| ZoneError {
                    zone: "the lake (--lake, [lake] url, LAKE_URL)",
                    source,
                })?,
            aws,
        })
    }

    /// The catalog `cfg` asks for (`None` for `kind = "none"`).
    pub fn catalog(&self, cfg: &Config) -> Option<Arc<dyn Catalog>> {
        match (cfg.catalog, &self.aws) {
            (CatalogKind::Local, _) => Some(Arc::new(LocalCatalog::new(self.lake.store.clone()))),
            (CatalogKind::Glue, Some(aws)) => Some(Arc::new(GlueCatalog::new(
                aws,
                &cfg.database,
                &self.lake.decoded(),
                cfg.projection,
            ))),
            // `open` loads AWS whenever the catalog is Glue.
            (CatalogKind::Glue, None) | (CatalogKind::None, _) => None,
        }
    }
}
