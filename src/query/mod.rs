//! The embedded SQL engine: DataFusion over the lake, in place of Athena.
//!
//! Each table is a Hive-partitioned listing table with the schema from
//! `schemas/` (never inferred from files) and typed partition columns
//! (`extract_date` DATE, ids STRING); `current_albums` is the version the
//! catalog committed; the views of `queries/` are created from the same
//! files Athena gets, and `queries/*.sql` run unchanged. The lake's store
//! is registered under a private URL scheme, wrapped so that the engine
//! sees only what the catalog committed (`committed`); the same code
//! reads a local folder or an S3 prefix.

mod committed;
mod output;
mod statement;

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

pub use committed::ReadStats;
pub use output::{Format, format_batches};
pub use statement::check as check_statement;

use crate::catalog::{Catalog, CatalogError};
use crate::lake::current::{self as cur, Commit, CurrentError};
use crate::schema::{CURRENT_ALBUMS, Table, current_albums_schema};
use crate::sql::VIEWS;
use crate::store::Location;
use committed::{Committed, CommittedStore};

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
    /// The catalog could not be read.
    #[error("cannot read what the catalog committed")]
    Catalog(#[source] CatalogError),
    /// The lake's pointer to `current_albums` could not be read.
    #[error(transparent)]
    Current(#[from] CurrentError),
    /// A file was replaced or removed while the query read it.
    #[error(
        "query {name} failed: the lake changed while it was read ({path} was rewritten by a load); run the query again"
    )]
    LakeChanged {
        /// The query's name or file.
        name: String,
        /// The file, relative to the lake.
        path: String,
        /// The engine's error.
        #[source]
        source: DataFusionError,
    },
    /// The answers' table was never built in this lake.
    #[error(
        "the lake {lake} has albums but no committed current_albums table (it was written by an older spotify-lake, or its loads all stopped before their commit); run `spotify-lake load --lake {lake}` once (or `load --all`) to build it"
    )]
    NoCurrent {
        /// The lake.
        lake: String,
    },
    /// The lake holds no table folder: nothing was ever loaded there (or
    /// `--lake` names the wrong folder). An empty answer would look like
    /// one over data.
    #[error(
        "the lake {lake} holds no tables (no {tables} folder), so there is nothing to query; check --lake (or [lake] url), or write the tables with `spotify-lake load --raw <raw zone> --lake {lake}` (or try `spotify-lake demo`)"
    )]
    NoTables {
        /// The lake.
        lake: String,
        /// The table folders looked for.
        tables: String,
    },
    /// Listing the lake's top level failed.
    #[error(transparent)]
    ListLake(#[from] crate::store::ListLakeError),
    /// The SQL is not one read-only query (see `statement`).
    #[error(
        "query {name} is not a read-only query ({what}): `query` runs one SELECT, WITH, VALUES or EXPLAIN statement; write files with `--format csv > file` instead"
    )]
    NotReadOnly {
        /// The query's name or file.
        name: String,
        /// What was found instead.
        what: String,
    },
    /// SQL bigger than any query needs (too long, or an expression
    /// chain too deep to plan): refused before the engine sees it, since
    /// DataFusion clones and plans expressions recursively (a 1,500-term
    /// sum overflows an 8 MiB stack in a debug build, and a 10,000-term
    /// one took 273 s and 1 GB to plan with a 256 MiB stack).
    #[error("query {name} is too big to plan safely: {what}; is it the right file?")]
    Runaway {
        /// The query's name or file.
        name: String,
        /// What is too big, with the limit.
        what: String,
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

/// Fails when the lake holds none of the tables' folders (`albums/`,
/// `tracks/`, `artists/`, `playlist_tracks/`, `current_albums/`): `query`
/// there would print empty answers as if they were answers. One listing of
/// the lake's top level. (`report` draws an empty lake as "Nothing to
/// chart" instead, so it does not call this.)
pub async fn ensure_tables(lake: &Location) -> Result<(), QueryError> {
    let listed = lake
        .store
        .list_with_delimiter(None)
        .await
        .map_err(crate::store::ListLakeError::of(lake))?;
    let names: Vec<&str> = Table::ALL
        .iter()
        .map(|t| t.name())
        .chain([CURRENT_ALBUMS])
        .collect();
    let any = listed
        .common_prefixes
        .iter()
        .filter_map(|p| p.parts().next_back())
        .any(|part| names.contains(&part.as_ref()));
    if any {
        return Ok(());
    }
    Err(QueryError::NoTables {
        lake: lake.to_string(),
        tables: names
            .iter()
            .map(|n| format!("{n}/"))
            .collect::<Vec<_>>()
            .join(", "),
    })
}

/// A DataFusion session with the lake's tables and the views registered.
pub struct Engine {
    ctx: SessionContext,
    lake: Arc<dyn ObjectStore>,
    committed: Arc<CommittedStore>,
    /// Set when albums has partitions but no current version is committed.
    no_current: Option<String>,
}

/// What the catalog committed: where the history's visible folders come
/// from, the current version, and whether albums may hold rows (asked only
/// when no version is committed).
async fn committed_state(
    lake: &Location,
    catalog: Option<Arc<dyn Catalog>>,
) -> Result<(Committed, Option<Commit>, bool), QueryError> {
    if let Some(catalog) = catalog {
        if let Some(current) = catalog.current().await.map_err(QueryError::Catalog)? {
            return Ok((Committed::Catalog(catalog), Some(current), true));
        }
        // Nothing committed: a lake of an older spotify-lake, or loaded
        // with `--catalog none`, or empty.
        let albums = !catalog
            .partitions(Table::Albums)
            .await
            .map_err(QueryError::Catalog)?
            .is_empty();
        if albums {
            return Ok((Committed::Catalog(catalog), None, true));
        }
        tracing::info!(lake = %lake, "The catalog registers nothing in this lake; reading its folders as they are.");
    } else {
        tracing::info!(lake = %lake, "No catalog: reading the lake's folders as they are (a load that died may show partly).");
    }
    let current = cur::read_pointer(lake.store.as_ref()).await?;
    Ok((Committed::Folders, current, true))
}

impl Engine {
    /// Registers every table of `schemas/` over the lake as the catalog
    /// committed it (or its folders, without a catalog), then the views.
    pub async fn open(
        lake: &Location,
        catalog: Option<Arc<dyn Catalog>>,
    ) -> Result<Self, QueryError> {
        let ctx = SessionContext::new();
        let base = Url::parse(LAKE_URL).expect("LAKE_URL is a valid URL");
        let (source, current, albums) = committed_state(lake, catalog).await?;
        let committed = Arc::new(CommittedStore::new(
            Arc::clone(&lake.store),
            source,
            current.as_ref().map(Commit::dir),
        ));
        ctx.register_object_store(&base, Arc::clone(&committed) as Arc<dyn ObjectStore>);
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
        let register = |source| QueryError::Register {
            what: format!("table {CURRENT_ALBUMS}"),
            source,
        };
        let no_current = match &current {
            Some(commit) => {
                let url = ListingTableUrl::parse(format!("{LAKE_URL}{}/", commit.dir()))
                    .map_err(register)?;
                let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
                    .with_file_extension(".parquet");
                let config = ListingTableConfig::new(url)
                    .with_listing_options(options)
                    .with_schema(current_albums_schema());
                let provider = ListingTable::try_new(config).map_err(register)?;
                ctx.register_table(CURRENT_ALBUMS, Arc::new(provider))
                    .map_err(register)?;
                None
            }
            None => {
                let empty = datafusion::datasource::MemTable::try_new(
                    current_albums_schema(),
                    vec![vec![]],
                )
                .map_err(register)?;
                ctx.register_table(CURRENT_ALBUMS, Arc::new(empty))
                    .map_err(register)?;
                albums.then(|| lake.to_string())
            }
        };
        for view in VIEWS {
            let name = view.file.name;
            let sql = format!("CREATE VIEW {name} AS {}", trim_sql(view.file.sql));
            ctx.sql(&sql).await.map_err(|source| QueryError::Register {
                what: format!("view {name} ({}.sql)", view.source()),
                source,
            })?;
        }
        Ok(Engine {
            ctx,
            lake: Arc::clone(&lake.store),
            committed,
            no_current,
        })
    }

    /// The files and bytes read so far (`query --stats`).
    pub fn stats(&self) -> ReadStats {
        self.committed.stats()
    }

    /// Fails when `sql` reads the answers' table in a lake that has albums
    /// but never committed one: an empty answer would look like success.
    async fn check_current(&self, sql: &str) -> Result<(), QueryError> {
        let Some(lake) = &self.no_current else {
            return Ok(());
        };
        let text = sql.to_lowercase();
        let reads_current =
            text.contains(CURRENT_ALBUMS) || VIEWS.iter().any(|v| text.contains(v.file.name));
        if !reads_current {
            return Ok(());
        }
        // Without a catalog, "albums has partitions" is a listing away.
        let any_albums = self
            .run_plain("albums", "SELECT 1 FROM albums LIMIT 1")
            .await
            .is_ok_and(|(_, b)| b.iter().any(|b| b.num_rows() > 0));
        if any_albums {
            return Err(QueryError::NoCurrent { lake: lake.clone() });
        }
        Ok(())
    }

    /// Runs one SQL statement and collects the result.
    pub async fn run(
        &self,
        name: &str,
        sql: &str,
    ) -> Result<(SchemaRef, Vec<RecordBatch>), QueryError> {
        self.check_current(sql).await?;
        self.run_plain(name, sql).await
    }

    async fn run_plain(
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
        let source = match df.collect().await {
            Ok(batches) => return Ok((schema, batches)),
            Err(source) => source,
        };
        if let Some(path) = self.committed.changed() {
            return Err(QueryError::LakeChanged {
                name: name.to_owned(),
                path: path.to_string(),
                source,
            });
        }
        if source.to_string().contains("Parquet") {
            let files = self.unreadable_files().await;
            if !files.is_empty() {
                return Err(QueryError::Unreadable {
                    name: name.to_owned(),
                    files: files.join(", "),
                    source,
                });
            }
        }
        Err(err(source))
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
