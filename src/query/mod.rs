//! The embedded SQL engine: DataFusion over the lake, in place of Athena.
//!
//! Each table is a Hive-partitioned listing table with the schema from
//! `schemas/` (never inferred from files) and typed partition columns
//! (`extract_date` DATE, ids STRING); the views of `queries/views/` are
//! created from the same files Athena gets, and `queries/*.sql` run
//! unchanged. The lake's store is registered under a private URL scheme, so
//! the same code reads a local folder or (later) an S3 prefix.

mod output;

use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::DataFusionError;
use datafusion::prelude::SessionContext;
use futures::TryStreamExt as _;
use object_store::{ObjectStore, ObjectStoreExt as _};
use url::Url;

pub use output::{Format, format_batches};

use crate::schema::Table;
use crate::sql::VIEWS;
use crate::store::Location;

/// Why a query could not run.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// Registering a table or view failed.
    #[error("cannot register {what} in the embedded engine")]
    Register {
        /// The table or view.
        what: String,
        /// Why.
        #[source]
        source: DataFusionError,
    },
    /// Planning or running the SQL failed.
    #[error("query {name} failed")]
    Run {
        /// The query's name or file.
        name: String,
        /// Why.
        #[source]
        source: DataFusionError,
    },
    /// Files of the lake that are not Parquet (cut short, overwritten by
    /// hand): named, with what to do.
    #[error(
        "query {name} failed: unreadable Parquet file(s) in the lake: {files}; rewrite their partitions with `spotify-lake load --extract-date <date>` (a .parquet file spotify-lake did not write can be deleted)"
    )]
    Unreadable {
        /// The query's name or file.
        name: String,
        /// The files, relative to the lake (at most five).
        files: String,
        /// The engine's error.
        #[source]
        source: DataFusionError,
    },
    /// Formatting the result failed.
    #[error("cannot format the result as {format}")]
    Format {
        /// The format.
        format: &'static str,
        /// Why.
        #[source]
        source: arrow::error::ArrowError,
    },
}

const LAKE_URL: &str = "spotify-lake://lake/";

/// A DataFusion session with the lake's tables and the views registered.
pub struct Engine {
    ctx: SessionContext,
    lake: Arc<dyn ObjectStore>,
}

impl Engine {
    /// Registers every table of `schemas/` over the lake, then the views.
    pub async fn open(lake: &Location) -> Result<Self, QueryError> {
        let ctx = SessionContext::new();
        let base = Url::parse(LAKE_URL).expect("LAKE_URL is a valid URL");
        ctx.register_object_store(&base, Arc::clone(&lake.store));
        for table in Table::ALL {
            let register = |source| QueryError::Register {
                what: format!("table {table}"),
                source,
            };
            let url =
                ListingTableUrl::parse(format!("{LAKE_URL}{}/", table.name())).map_err(register)?;
            let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
                .with_file_extension(".parquet")
                .with_table_partition_cols(table.def().partition_arrow_types());
            let config = ListingTableConfig::new(url)
                .with_listing_options(options)
                .with_schema(table.arrow_schema());
            let provider = ListingTable::try_new(config).map_err(register)?;
            ctx.register_table(table.name(), Arc::new(provider))
                .map_err(register)?;
        }
        for view in VIEWS {
            let name = view.file.name;
            let sql = format!("CREATE VIEW {name} AS {}", trim_sql(view.file.sql));
            ctx.sql(&sql).await.map_err(|source| QueryError::Register {
                what: format!("view {name} (queries/views/{name}.sql)"),
                source,
            })?;
        }
        Ok(Engine {
            ctx,
            lake: Arc::clone(&lake.store),
        })
    }

    /// Runs one SQL statement and collects the result.
    pub async fn run(
        &self,
        name: &str,
        sql: &str,
    ) -> Result<(SchemaRef, Vec<RecordBatch>), QueryError> {
        let err = |source| QueryError::Run {
            name: name.to_owned(),
            source,
        };
        let df = self.ctx.sql(trim_sql(sql)).await.map_err(err)?;
        let schema: SchemaRef = Arc::new(df.schema().as_arrow().clone());
        match df.collect().await {
            Ok(batches) => Ok((schema, batches)),
            Err(source) if source.to_string().contains("Parquet") => {
                let files = self.unreadable_files().await;
                if files.is_empty() {
                    Err(err(source))
                } else {
                    Err(QueryError::Unreadable {
                        name: name.to_owned(),
                        files: files.join(", "),
                        source,
                    })
                }
            }
            Err(source) => Err(err(source)),
        }
    }

    /// After a Parquet error (which does not say which file): the lake's
    /// `.parquet` files whose footer cannot be read, five at most. Only on
    /// this error path, so reading every footer is affordable.
    async fn unreadable_files(&self) -> Vec<String> {
        let Ok(listed) = self.lake.list(None).try_collect::<Vec<_>>().await else {
            return Vec::new();
        };
        let mut bad = Vec::new();
        for meta in listed
            .iter()
            .filter(|m| m.location.as_ref().ends_with(".parquet"))
        {
            let readable = match self.lake.get(&meta.location).await {
                Ok(got) => match got.bytes().await {
                    Ok(bytes) => parquet::file::metadata::ParquetMetaDataReader::new()
                        .parse_and_finish(&bytes)
                        .is_ok(),
                    Err(_) => false,
                },
                Err(_) => false,
            };
            if !readable {
                bad.push(meta.location.to_string());
                if bad.len() == 5 {
                    break;
                }
            }
        }
        bad
    }

    /// The output schema of a table or view, from the engine's plan.
    pub async fn schema_of(&self, name: &str) -> Result<SchemaRef, QueryError> {
        let df = self
            .ctx
            .table(name)
            .await
            .map_err(|source| QueryError::Run {
                name: name.to_owned(),
                source,
            })?;
        Ok(Arc::new(df.schema().as_arrow().clone()))
    }
}

/// The statement without surrounding blanks and a trailing `;`.
fn trim_sql(sql: &str) -> &str {
    sql.trim().trim_end_matches(';').trim_end()
}
