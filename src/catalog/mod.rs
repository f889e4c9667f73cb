//! The catalog: where tables, partitions and views are registered so that
//! SQL engines find them.
//!
//! [`Catalog`] is the project's one trait, because its implementations
//! really differ: [`LocalCatalog`] keeps each table's definition beside the
//! lake (`<lake>/_catalog/`), so the embedded engine and the schema-change
//! rules work with no AWS; `GlueCatalog` (feature `aws`) registers the
//! same in the AWS Glue Data Catalog for Athena and BI tools. The pipeline
//! calls only the trait; `--catalog none` is `None`, not an implementation
//! that does nothing.
//!
//! A catalog is also the commit point of what readers see: the embedded
//! engine reads only the partitions a catalog registered, and the
//! `current_albums` version it points at ([`Catalog::commit_current`]).

#[cfg(feature = "aws")]
mod glue;
mod local;

use async_trait::async_trait;

pub use crate::config::CatalogKind;
#[cfg(feature = "aws")]
pub use glue::{GlueCatalog, PARTITION_BATCH, trino_type};
pub use local::{CATALOG_DIR, LocalCatalog};

use crate::lake::PartitionKey;
use crate::lake::current::Commit;
use crate::schema::{Table, TableDef};
use crate::sql::ViewFile;

/// What `ensure_table` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableChange {
    /// The table did not exist.
    Created,
    /// Columns were added.
    Updated,
    /// Nothing to do.
    Unchanged,
}

/// Why the catalog refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A column's type differs from the registered one.
    #[error(
        "{table}.{column} is registered as {registered} but schemas/ now says {declared}; engines cannot read old partitions with a new type: add a new column instead, or drop the table from the catalog and rebuild the lake with `spotify-lake load --all`"
    )]
    TypeChanged {
        /// The table.
        table: String,
        /// The column.
        column: String,
        /// Type in the catalog.
        registered: String,
        /// Type in `schemas/`.
        declared: String,
    },
    /// A registered column is gone from `schemas/`.
    #[error(
        "{table}.{column} is registered but no longer in schemas/{table}.toml; columns are never dropped: put it back (it may stay null)"
    )]
    ColumnRemoved {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// The partition keys differ from the registered ones.
    #[error(
        "{table} is registered with partition keys {registered} but schemas/ says {declared}; partition keys cannot change"
    )]
    PartitionKeysChanged {
        /// The table.
        table: String,
        /// In the catalog.
        registered: String,
        /// In `schemas/`.
        declared: String,
    },
    /// A Glue call failed (after the SDK's retries).
    #[error(
        "cannot {action} {what} in AWS Glue; check the credentials, the region and glue:* permissions on the database"
    )]
    Glue {
        /// What was attempted.
        action: String,
        /// The database, table or view.
        what: String,
        /// The SDK's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Partitions that could not be registered (their files are written: a re-run registers them).
    #[error(
        "partitions of {table} could not be registered: {failed}; run load again to register them"
    )]
    Partitions {
        /// The table.
        table: String,
        /// Which, and why.
        failed: String,
    },
    /// Reading or writing the catalog's own files failed.
    #[error("cannot {action} {path}")]
    Store {
        /// read or write.
        action: &'static str,
        /// The catalog file.
        path: String,
        /// Why.
        #[source]
        source: object_store::Error,
    },
    /// A catalog file that is not what this program writes.
    #[error("{path} is not a catalog file of this program ({reason}); move it away and load again")]
    Corrupt {
        /// The catalog file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Where tables, partitions and views are registered.
///
/// Contract: every method is idempotent; re-registering what exists
/// succeeds and changes nothing; nothing ever drops data. A column added to
/// `schemas/` is added to the table; a changed type or a removed column is
/// an error that says what differs. A partition is registered only after
/// its file is fully written.
#[async_trait]
pub trait Catalog: Send + Sync {
    /// Creates the table, or adds the columns `schemas/` gained.
    async fn ensure_table(&self, table: &TableDef) -> Result<TableChange, CatalogError>;
    /// What `ensure_table` would do, without doing it (`--dry-run`).
    async fn plan_table(&self, table: &TableDef) -> Result<TableChange, CatalogError>;
    /// What `ensure_view` would do, without doing it (`--dry-run`).
    async fn plan_view(&self, view: &ViewFile) -> Result<TableChange, CatalogError>;
    /// Registers partitions whose files are written; returns how many were
    /// new (the rest were already there).
    async fn add_partitions(&self, keys: &[PartitionKey]) -> Result<usize, CatalogError>;
    /// Creates or updates a view.
    async fn ensure_view(&self, view: &ViewFile) -> Result<TableChange, CatalogError>;
    /// The registered partitions of a table.
    async fn partitions(&self, table: Table) -> Result<Vec<PartitionKey>, CatalogError>;
    /// Unregisters partitions (`forget --history`); returns how many were
    /// registered. Their files are the caller's to delete, after this.
    async fn remove_partitions(&self, keys: &[PartitionKey]) -> Result<usize, CatalogError>;
    /// The committed version of `current_albums`, if any.
    async fn current(&self) -> Result<Option<Commit>, CatalogError>;
    /// Points `current_albums` at a version whose files are written, in one
    /// update: the commit that readers see. Creates the table the first
    /// time; a changed column type is an error, as in `ensure_table`.
    async fn commit_current(&self, commit: &Commit) -> Result<(), CatalogError>;
    /// Remote API calls made so far (Glue); 0 for a local catalog.
    fn calls(&self) -> u64 {
        0
    }
    /// Whether updates are read-modify-writes of whole files that other
    /// processes' updates would overwrite (the local catalog), so writers
    /// hold the lake's catalog lease around them ([`crate::lease`]). Glue
    /// updates each table and partition in its own call: no lease.
    fn updates_need_lease(&self) -> bool {
        false
    }
}

/// A table as a catalog holds it: what [`compare`] needs.
#[derive(Debug, Clone, Default)]
pub struct Registered {
    /// The table's description.
    pub description: Option<String>,
    /// Data columns: name, Hive type, comment.
    pub columns: Vec<(String, String, Option<String>)>,
    /// Partition keys: name, Hive type.
    pub keys: Vec<(String, String)>,
    /// Partition keys' comments, in key order.
    pub key_comments: Vec<Option<String>>,
}

/// What `ensure_table` does to a registered table (or `None`): create it,
/// add the columns `schemas/` gained (or refresh its comments), or nothing.
/// A changed type, a removed column or changed keys are errors that say
/// what differs.
pub fn compare(
    table: &TableDef,
    registered: Option<&Registered>,
) -> Result<TableChange, CatalogError> {
    let Some(registered) = registered else {
        return Ok(TableChange::Created);
    };
    let declared_keys: Vec<(String, String)> = table
        .partition_keys
        .iter()
        .map(|k| (k.name.clone(), k.hive_type.hive_name().to_owned()))
        .collect();
    if declared_keys != registered.keys {
        let show = |keys: &[(String, String)]| {
            keys.iter()
                .map(|(n, t)| format!("{n} {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(CatalogError::PartitionKeysChanged {
            table: table.name.clone(),
            registered: show(&registered.keys),
            declared: show(&declared_keys),
        });
    }
    for (name, registered_type, _) in &registered.columns {
        match table.columns.iter().find(|c| &c.name == name) {
            None => {
                return Err(CatalogError::ColumnRemoved {
                    table: table.name.clone(),
                    column: name.clone(),
                });
            }
            Some(c) if c.hive_type.hive_name() != registered_type => {
                return Err(CatalogError::TypeChanged {
                    table: table.name.clone(),
                    column: name.clone(),
                    registered: registered_type.clone(),
                    declared: c.hive_type.hive_name().to_owned(),
                });
            }
            Some(_) => {}
        }
    }
    let added = table.columns.len() > registered.columns.len();
    let same_docs = registered.description.as_deref() == Some(table.description.as_str())
        && registered
            .columns
            .iter()
            .zip(&table.columns)
            .all(|((_, _, c), d)| c.as_deref() == Some(d.comment.as_str()))
        && registered
            .key_comments
            .iter()
            .zip(&table.partition_keys)
            .all(|(c, k)| c.as_deref() == Some(k.comment.as_str()));
    if added {
        let new: Vec<&str> = table.columns[registered.columns.len()..]
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        tracing::info!(table = %table.name, added = ?new, "Columns to add.");
    }
    Ok(if added || !same_docs {
        TableChange::Updated
    } else {
        TableChange::Unchanged
    })
}
