//! Where an integration test lands its runs and loads: a local lake with
//! its catalog, or S3 + Glue on moto; the same test body runs against both.

use std::collections::{BTreeMap, BTreeSet};

use bytes::Bytes;
use spotify_lake::aws::Aws;
use spotify_lake::catalog::{Catalog, GlueCatalog, LocalCatalog};
use spotify_lake::schema::Table;
use spotify_lake::store::Location;

use super::lake::{TempLake, zone_objects};
use super::moto::Moto;

/// Where a test lands: a local lake with its catalog, or S3 + Glue.
pub struct Target {
    /// `--raw`.
    pub raw: String,
    /// `--lake`.
    pub lake: String,
    /// The AWS configuration and the Glue database, on S3.
    pub glue: Option<(Aws, String)>,
}

impl Target {
    /// The temp folder's raw zone and lake, the local catalog.
    pub fn local(t: &TempLake) -> Target {
        Target {
            raw: t.raw_arg(),
            lake: t.lake_arg(),
            glue: None,
        }
    }

    /// A new bucket's `lake/` (and `raw/` when `raw_on_s3`, else the temp
    /// folder's raw zone) and a new Glue database.
    pub async fn s3(moto: &Moto, t: &TempLake, raw_on_s3: bool) -> Target {
        let bucket = moto.unique("it-target-");
        moto.create_bucket(&bucket);
        Target {
            raw: if raw_on_s3 {
                format!("s3://{bucket}/raw")
            } else {
                t.raw_arg()
            },
            lake: format!("s3://{bucket}/lake"),
            glue: Some((Aws::load().await, moto.unique("it_target_"))),
        }
    }

    /// `--raw`, `--lake`, the catalog flags and `--summary json`.
    pub fn zone_args(&self) -> Vec<String> {
        let mut args = vec![
            "--raw".into(),
            self.raw.clone(),
            "--lake".into(),
            self.lake.clone(),
        ];
        if let Some((_, db)) = &self.glue {
            args.extend([
                "--catalog".into(),
                "glue".into(),
                "--database".into(),
                db.clone(),
            ]);
        }
        args.extend(["--summary".into(), "json".into()]);
        args
    }

    /// A zone, opened.
    pub fn location(&self, url: &str) -> Location {
        spotify_lake::store::open_with(url, self.glue.as_ref().map(|(aws, _)| aws)).unwrap()
    }

    /// The target's catalog.
    pub fn catalog(&self) -> Box<dyn Catalog> {
        match &self.glue {
            Some((aws, db)) => Box::new(GlueCatalog::new(aws, db, &self.lake, false)),
            None => Box::new(LocalCatalog::new(self.location(&self.lake).store)),
        }
    }

    /// Every file of a zone: path → bytes; the last run's record aside
    /// (its `seconds` differ from run to run).
    pub async fn files(&self, url: &str) -> BTreeMap<String, Bytes> {
        let mut files = zone_objects(&self.location(url)).await;
        files.remove(spotify_lake::status::LAST_RUN);
        files
    }

    /// Registered partitions, as folders, and the views present.
    pub async fn registered(&self) -> (BTreeSet<String>, bool) {
        let catalog = self.catalog();
        let mut dirs = BTreeSet::new();
        for table in Table::ALL {
            for key in catalog.partitions(table).await.unwrap_or_default() {
                dirs.insert(key.dir());
            }
        }
        let view = &spotify_lake::sql::VIEWS[0];
        let has_view = catalog.plan_view(view).await.ok()
            == Some(spotify_lake::catalog::TableChange::Unchanged);
        (dirs, has_view)
    }
}
