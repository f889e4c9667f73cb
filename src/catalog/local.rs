//! The local catalog: table definitions and partitions as JSON files in
//! `<lake>/_catalog/`, beside the data, so a laptop lake needs no AWS and
//! the schema-change rules of the Glue catalog hold locally too.
//!
//! The partition list of a table file is what was registered: the embedded
//! engine reads those partitions and no others, so a load that died before
//! registering shows nothing of itself. `current_albums.json` names the
//! committed version of the current table.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt as _, PutPayload};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::{Catalog, CatalogError, Registered, TableChange, compare};
use crate::lake::current::Commit;
use crate::lake::{PART_FILE, PartitionKey};
use crate::schema::{HiveType, Table, TableDef, current_albums};
use crate::sql::ViewFile;

/// The folder of the local catalog inside the lake.
pub const CATALOG_DIR: &str = "_catalog";

/// Table definitions and partitions in `<lake>/_catalog/<table>.json`,
/// views in `<lake>/_catalog/views/<name>.json`.
pub struct LocalCatalog {
    lake: Arc<dyn ObjectStore>,
    // Read-modify-write of a table file is serialised within the process;
    // across processes, by the lake's catalog lease its writers hold
    // (`updates_need_lease`).
    lock: Mutex<()>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Column {
    name: String,
    #[serde(rename = "type")]
    hive_type: String,
    comment: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableFile {
    name: String,
    description: String,
    columns: Vec<Column>,
    partition_keys: Vec<Column>,
    /// Partition folders relative to the table, e.g.
    /// `extract_date=2026-11-26/artist_id=…`.
    partitions: BTreeSet<String>,
    /// `current_albums` only: the committed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current: Option<Commit>,
}

impl TableFile {
    /// `def`'s file, holding `partitions` (and `current`'s commit).
    fn new(def: &TableDef, partitions: BTreeSet<String>, current: Option<Commit>) -> Self {
        let (columns, partition_keys) = columns_of(def);
        TableFile {
            name: def.name.clone(),
            description: def.description.clone(),
            columns,
            partition_keys,
            partitions,
            current,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct ViewRecord {
    name: String,
    sql: String,
    columns: String,
}

impl LocalCatalog {
    /// A catalog over the lake's store.
    pub fn new(lake: Arc<dyn ObjectStore>) -> Self {
        LocalCatalog {
            lake,
            lock: Mutex::new(()),
        }
    }

    fn table_path(table: &str) -> Path {
        Path::from(format!("{CATALOG_DIR}/{table}.json"))
    }

    /// The bytes of a catalog file, `None` when there is none.
    async fn read_file(&self, path: &Path) -> Result<Option<bytes::Bytes>, CatalogError> {
        match self.lake.get(path).await {
            Ok(r) => r.bytes().await.map(Some),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
        .map_err(|source| CatalogError::Store {
            action: "read",
            path: path.to_string(),
            source,
        })
    }

    async fn read_table(&self, table: &str) -> Result<Option<TableFile>, CatalogError> {
        let path = Self::table_path(table);
        let Some(bytes) = self.read_file(&path).await? else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| CatalogError::Corrupt {
                path: path.to_string(),
                reason: e.to_string(),
            })
    }

    fn view_path(view: &ViewFile) -> Path {
        Path::from(format!("{CATALOG_DIR}/views/{}.json", view.file.name))
    }

    async fn read_view(&self, path: &Path) -> Result<Option<ViewRecord>, CatalogError> {
        // A record this program cannot read is rewritten.
        Ok(self
            .read_file(path)
            .await?
            .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    async fn write_json<T: Serialize>(&self, path: Path, value: &T) -> Result<(), CatalogError> {
        // Serialising our own plain structs cannot fail.
        let bytes = serde_json::to_vec_pretty(value).expect("catalog records serialise");
        self.lake
            .put(&path, PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|source| CatalogError::Store {
                action: "write",
                path: path.to_string(),
                source,
            })
    }
}

fn columns_of(def: &TableDef) -> (Vec<Column>, Vec<Column>) {
    let column = |name: &str, ty: HiveType, comment: &str| Column {
        name: name.to_owned(),
        hive_type: ty.hive_name().to_owned(),
        comment: comment.to_owned(),
    };
    let cols = def
        .columns
        .iter()
        .map(|c| column(&c.name, c.hive_type, &c.comment))
        .collect();
    let keys = def
        .partition_keys
        .iter()
        .map(|k| column(&k.name, k.hive_type, &k.comment))
        .collect();
    (cols, keys)
}

/// The partition folders of `table` among `keys`, relative to the table,
/// as the table file lists them.
fn dirs_of(keys: &[PartitionKey], table: Table) -> Vec<String> {
    keys.iter()
        .filter(|k| k.table() == table)
        .map(|k| k.dir()[table.name().len() + 1..].to_owned())
        .collect()
}

fn registered(file: &TableFile) -> Registered {
    Registered {
        description: Some(file.description.clone()),
        columns: file
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.hive_type.clone(), Some(c.comment.clone())))
            .collect(),
        keys: file
            .partition_keys
            .iter()
            .map(|c| (c.name.clone(), c.hive_type.clone()))
            .collect(),
        key_comments: file
            .partition_keys
            .iter()
            .map(|c| Some(c.comment.clone()))
            .collect(),
    }
}

#[async_trait]
impl Catalog for LocalCatalog {
    async fn ensure_table(&self, def: &TableDef) -> Result<TableChange, CatalogError> {
        let _guard = self.lock.lock().await;
        let existing = self.read_table(&def.name).await?;
        let change = compare(def, existing.as_ref().map(registered).as_ref())?;
        if change == TableChange::Unchanged {
            return Ok(change);
        }
        let partitions = existing.map(|e| e.partitions).unwrap_or_default();
        let file = TableFile::new(def, partitions, None);
        self.write_json(Self::table_path(&def.name), &file).await?;
        Ok(change)
    }

    async fn plan_table(&self, def: &TableDef) -> Result<TableChange, CatalogError> {
        let existing = self.read_table(&def.name).await?;
        compare(def, existing.as_ref().map(registered).as_ref())
    }

    async fn plan_view(&self, view: &ViewFile) -> Result<TableChange, CatalogError> {
        let path = Self::view_path(view);
        Ok(match self.read_view(&path).await? {
            None => TableChange::Created,
            Some(old) if old.sql == view.file.sql && old.columns == view.columns => {
                TableChange::Unchanged
            }
            Some(_) => TableChange::Updated,
        })
    }

    async fn add_partitions(&self, keys: &[PartitionKey]) -> Result<usize, CatalogError> {
        let _guard = self.lock.lock().await;
        let mut new = 0;
        for table in Table::ALL {
            let dirs = dirs_of(keys, table);
            if dirs.is_empty() {
                continue;
            }
            let path = Self::table_path(table.name());
            let mut file =
                self.read_table(table.name())
                    .await?
                    .ok_or_else(|| CatalogError::Corrupt {
                        path: path.to_string(),
                        reason: "the table is not registered; ensure_table comes first".into(),
                    })?;
            let before = file.partitions.len();
            file.partitions.extend(dirs);
            if file.partitions.len() > before {
                new += file.partitions.len() - before;
                self.write_json(path, &file).await?;
                crate::crash::point("partition-batch");
            }
        }
        Ok(new)
    }

    async fn ensure_view(&self, view: &ViewFile) -> Result<TableChange, CatalogError> {
        let change = self.plan_view(view).await?;
        if change != TableChange::Unchanged {
            let record = ViewRecord {
                name: view.file.name.to_owned(),
                sql: view.file.sql.to_owned(),
                columns: view.columns.to_owned(),
            };
            crate::crash::point("view-update");
            self.write_json(Self::view_path(view), &record).await?;
        }
        Ok(change)
    }

    async fn remove_partitions(&self, keys: &[PartitionKey]) -> Result<usize, CatalogError> {
        let _guard = self.lock.lock().await;
        let mut removed = 0;
        for table in Table::ALL {
            let dirs = dirs_of(keys, table);
            let Some(mut file) = self.read_table(table.name()).await? else {
                continue;
            };
            let before = file.partitions.len();
            for dir in &dirs {
                file.partitions.remove(dir);
            }
            if file.partitions.len() < before {
                removed += before - file.partitions.len();
                self.write_json(Self::table_path(table.name()), &file)
                    .await?;
            }
        }
        Ok(removed)
    }

    async fn current(&self) -> Result<Option<Commit>, CatalogError> {
        Ok(self
            .read_table(&current_albums().name)
            .await?
            .and_then(|f| f.current))
    }

    async fn commit_current(&self, commit: &Commit) -> Result<(), CatalogError> {
        let _guard = self.lock.lock().await;
        let def = current_albums();
        let existing = self.read_table(&def.name).await?;
        compare(def, existing.as_ref().map(registered).as_ref())?;
        let file = TableFile::new(def, BTreeSet::new(), Some(commit.clone()));
        self.write_json(Self::table_path(&def.name), &file).await
    }

    fn updates_need_lease(&self) -> bool {
        true
    }

    async fn partitions(&self, table: Table) -> Result<Vec<PartitionKey>, CatalogError> {
        let Some(file) = self.read_table(table.name()).await? else {
            return Ok(Vec::new());
        };
        file.partitions
            .iter()
            .map(|dir| {
                let path = Path::from(format!("{}/{dir}/{PART_FILE}", table.name()));
                PartitionKey::parse(&path).map_err(|e| CatalogError::Corrupt {
                    path: Self::table_path(table.name()).to_string(),
                    reason: e.to_string(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnDef;
    use object_store::memory::InMemory;

    fn catalog() -> LocalCatalog {
        LocalCatalog::new(Arc::new(InMemory::new()))
    }

    #[tokio::test]
    async fn create_then_rerun_is_unchanged() {
        let c = catalog();
        let def = Table::Albums.def();
        assert_eq!(c.ensure_table(def).await.unwrap(), TableChange::Created);
        assert_eq!(c.ensure_table(def).await.unwrap(), TableChange::Unchanged);
    }

    #[tokio::test]
    async fn added_column_is_applied_and_type_change_refused() {
        let c = catalog();
        let mut def = Table::Artists.def().clone();
        c.ensure_table(&def).await.unwrap();
        def.columns.push(ColumnDef {
            name: "new_col".into(),
            hive_type: HiveType::String,
            nullable: true,
            comment: "x".into(),
        });
        assert_eq!(c.ensure_table(&def).await.unwrap(), TableChange::Updated);
        def.columns[3].hive_type = HiveType::String;
        let err = c.ensure_table(&def).await.unwrap_err().to_string();
        assert!(
            err.contains("artists.followers is registered as bigint but schemas/ now says string"),
            "{err}"
        );
        def.columns.remove(3);
        let err = c.ensure_table(&def).await.unwrap_err().to_string();
        assert!(
            err.contains("artists.followers is registered but no longer"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn partitions_count_new_ones_only() {
        let c = catalog();
        c.ensure_table(Table::Artists.def()).await.unwrap();
        let keys: Vec<PartitionKey> = (1..=3)
            .map(|d| PartitionKey::Artists {
                date: format!("2026-11-0{d}").parse().unwrap(),
            })
            .collect();
        assert_eq!(c.add_partitions(&keys[..2]).await.unwrap(), 2);
        assert_eq!(c.add_partitions(&keys).await.unwrap(), 1);
        assert_eq!(c.partitions(Table::Artists).await.unwrap(), keys);
    }
}
