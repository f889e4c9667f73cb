//! The AWS Glue Data Catalog: external Parquet tables, partitions and Athena
//! views, so Athena (engine 3) and BI tools see the lake.
//!
//! Tables are Hive external tables over `<lake>/<table>/` with the Parquet
//! SerDe and the columns, comments and description of `schemas/`;
//! partitions are registered after their files are written
//! (BatchCreatePartition, at most 100 a call; an existing partition counts
//! as done); views are Glue `VIRTUAL_VIEW`s in the Presto view format with
//! the columns declared beside their SQL. See ATHENA_GLUE.md for the
//! formats. Throttling and 5xx are retried by the SDK (standard mode, 5
//! attempts), with every call bounded by an operation timeout; concurrent
//! modifications and per-partition errors are retried here.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_glue::Client;
use aws_sdk_glue::error::ProvideErrorMetadata as _;
use aws_sdk_glue::types::{
    Column, DatabaseInput, PartitionIndex, PartitionInput, SerDeInfo, StorageDescriptor,
    Table as GlueTable, TableInput,
};
use base64::Engine as _;

use super::{Catalog, CatalogError, Registered, TableChange, compare};
use crate::aws::Aws;
use crate::lake::current::{Commit, version_of};
use crate::lake::{PART_FILE, PartitionKey};
use crate::schema::{HiveType, Table, TableDef, current_albums};
use crate::sql::ViewFile;

const INPUT_FORMAT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
const OUTPUT_FORMAT: &str = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
const SERDE: &str = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
/// BatchCreatePartition takes at most this many partitions.
pub const PARTITION_BATCH: usize = 100;
/// BatchDeletePartition takes at most this many partitions.
const DELETE_BATCH: usize = 25;
/// The table parameter naming the version before the committed one.
const PREVIOUS_VERSION: &str = "spotify_lake.previous_version";
/// Tries for partitions whose batch entry failed with a retryable error.
const PARTITION_TRIES: u32 = 4;
/// Every Glue call gives up after this long.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(60);
/// Partition projection's first date.
const PROJECTION_START: &str = "2020-01-01";

/// Tables and views in one Glue database, over a lake at an `s3://` URL.
pub struct GlueCatalog {
    client: Client,
    database: String,
    lake_url: String,
    projection: bool,
    calls: AtomicU64,
}

fn glue_error(
    action: &str,
    what: &str,
    e: impl std::error::Error + Send + Sync + 'static,
) -> CatalogError {
    CatalogError::Glue {
        action: action.to_owned(),
        what: what.to_owned(),
        source: Box::new(e),
    }
}

/// The Trino (Athena view) name of a Hive type.
pub fn trino_type(t: HiveType) -> &'static str {
    match t {
        HiveType::String => "varchar",
        HiveType::Int => "integer",
        HiveType::Bigint => "bigint",
        HiveType::Double => "double",
        HiveType::Boolean => "boolean",
        HiveType::Date => "date",
        HiveType::Timestamp => "timestamp(3)",
        HiveType::ArrayString => "array(varchar)",
    }
}

fn column(name: &str, t: HiveType, comment: Option<&str>) -> Column {
    // `name` and `type` are set, the only required fields.
    Column::builder()
        .name(name)
        .r#type(t.hive_name())
        .set_comment(comment.map(str::to_owned))
        .build()
        .expect("a column with name and type builds")
}

impl GlueCatalog {
    /// A catalog in `database` for the lake at `lake_url` (`s3://…/`).
    pub fn new(aws: &Aws, database: &str, lake_url: &str, projection: bool) -> Self {
        let config = aws_sdk_glue::config::Builder::from(&aws.sdk)
            .retry_config(aws_sdk_glue::config::retry::RetryConfig::standard().with_max_attempts(5))
            .timeout_config(
                aws_sdk_glue::config::timeout::TimeoutConfig::builder()
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            )
            .build();
        let lake_url = if lake_url.ends_with('/') {
            lake_url.to_owned()
        } else {
            format!("{lake_url}/")
        };
        GlueCatalog {
            client: Client::from_conf(config),
            database: database.to_owned(),
            lake_url,
            projection,
            calls: AtomicU64::new(0),
        }
    }

    /// A view's declared columns and its Presto view text (what Athena
    /// reads and what tells whether the view changed).
    fn view_texts(
        &self,
        view: &ViewFile,
    ) -> Result<(Vec<(String, HiveType)>, String), CatalogError> {
        let columns = view
            .declared_columns()
            .map_err(|reason| CatalogError::Corrupt {
                path: format!("{}.columns", view.source()),
                reason,
            })?;
        let original = self.presto_view(view, &columns);
        Ok((columns, original))
    }

    fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// The Glue client, for one call, which is counted.
    fn glue(&self) -> &aws_sdk_glue::Client {
        self.call();
        &self.client
    }

    /// Whether `table` keeps projection keys that `projection = false`
    /// must remove (an earlier load had it on).
    fn stale_projection(&self, table: &GlueTable) -> bool {
        !self.projection
            && table
                .parameters()
                .is_some_and(|p| p.keys().any(|k| is_projection_key(k)))
    }

    fn location(&self, table: &str) -> String {
        format!("{}{table}/", self.lake_url)
    }

    /// Creates the database if it is missing.
    pub async fn ensure_database(&self) -> Result<(), CatalogError> {
        match self.glue().get_database().name(&self.database).send().await {
            Ok(_) => return Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_entity_not_found_exception()) => {}
            Err(e) => {
                return Err(glue_error(
                    "read",
                    &format!("database {}", self.database),
                    e,
                ));
            }
        }
        let input = DatabaseInput::builder()
            .name(&self.database)
            .description("Spotify catalog data landed by spotify-lake (tables from schemas/, views from queries/views/).")
            .build()
            .expect("a database input with a name builds");
        match self
            .glue()
            .create_database()
            .database_input(input)
            .send()
            .await
        {
            Ok(_) => {
                tracing::info!(database = %self.database, "Glue database created.");
                Ok(())
            }
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_already_exists_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(glue_error(
                "create",
                &format!("database {}", self.database),
                e,
            )),
        }
    }

    async fn get_table(&self, name: &str) -> Result<Option<GlueTable>, CatalogError> {
        match self
            .glue()
            .get_table()
            .database_name(&self.database)
            .name(name)
            .send()
            .await
        {
            Ok(out) => Ok(out.table),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_entity_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(glue_error(
                "read",
                &format!("table {}.{name}", self.database),
                e,
            )),
        }
    }

    /// The Parquet storage of a table (`location` = its folder) or of one
    /// of its partitions (the partition's folder).
    fn storage(&self, def: &TableDef, location: String) -> StorageDescriptor {
        StorageDescriptor::builder()
            .set_columns(Some(
                def.columns
                    .iter()
                    .map(|c| column(&c.name, c.hive_type, Some(&c.comment)))
                    .collect(),
            ))
            .location(location)
            .input_format(INPUT_FORMAT)
            .output_format(OUTPUT_FORMAT)
            .serde_info(
                SerDeInfo::builder()
                    .serialization_library(SERDE)
                    .parameters("serialization.format", "1")
                    .build(),
            )
            .compressed(false)
            .number_of_buckets(-1)
            .stored_as_sub_directories(false)
            .build()
    }

    fn table_input(&self, def: &TableDef, extra: &BTreeMap<String, String>) -> TableInput {
        // Parameters set elsewhere (people, projection values) are kept;
        // the ones this program owns are always its own. With projection
        // off, an earlier load's projection keys go: Athena would go on
        // projecting (and ignore the registered partitions) while any
        // `projection.enabled` stays.
        let mut params = extra.clone();
        if !self.projection {
            params.retain(|k, _| !is_projection_key(k));
        }
        params.extend([
            ("classification".to_owned(), "parquet".to_owned()),
            ("EXTERNAL".into(), "TRUE".into()),
            ("parquet.compression".into(), "SNAPPY".into()),
            ("partition_filtering.enabled".into(), "true".into()),
        ]);
        if self.projection {
            params.extend(self.projection_params(def, None));
        }
        TableInput::builder()
            .name(&def.name)
            .description(&def.description)
            .table_type("EXTERNAL_TABLE")
            .set_parameters(Some(params.into_iter().collect()))
            .set_partition_keys(Some(
                def.partition_keys
                    .iter()
                    .map(|k| column(&k.name, k.hive_type, Some(&k.comment)))
                    .collect(),
            ))
            .storage_descriptor(self.storage(def, self.location(&def.name)))
            .build()
            .expect("a table input with a name builds")
    }

    /// Partition projection: extract_date as a date range, the id key as an
    /// enum of the ids registered so far (rewritten each run).
    fn projection_params(
        &self,
        def: &TableDef,
        ids: Option<&BTreeSet<String>>,
    ) -> BTreeMap<String, String> {
        let mut p = BTreeMap::from([
            ("projection.enabled".to_owned(), "true".to_owned()),
            ("projection.extract_date.type".into(), "date".into()),
            (
                "projection.extract_date.range".into(),
                format!("{PROJECTION_START},NOW"),
            ),
            ("projection.extract_date.format".into(), "yyyy-MM-dd".into()),
            ("projection.extract_date.interval".into(), "1".into()),
            (
                "projection.extract_date.interval.unit".into(),
                "DAYS".into(),
            ),
        ]);
        let mut template = format!("{}extract_date=${{extract_date}}", self.location(&def.name));
        if let Some(key) = def.partition_keys.get(1) {
            p.insert(format!("projection.{}.type", key.name), "enum".into());
            if let Some(ids) = ids {
                p.insert(
                    format!("projection.{}.values", key.name),
                    ids.iter().cloned().collect::<Vec<_>>().join(","),
                );
            }
            template.push_str(&format!("/{}=${{{}}}", key.name, key.name));
        }
        p.insert("storage.location.template".into(), format!("{template}/"));
        p
    }

    async fn update_table(&self, input: TableInput) -> Result<(), CatalogError> {
        let name = input.name().to_owned();
        self.glue()
            .update_table()
            .database_name(&self.database)
            .table_input(input)
            .skip_archive(true)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| glue_error("update", &format!("table {}.{name}", self.database), e))
    }

    fn partition_input(&self, key: &PartitionKey, def: &TableDef) -> PartitionInput {
        let sd = self.storage(def, format!("{}{}/", self.lake_url, key.dir()));
        PartitionInput::builder()
            .set_values(Some(key.values()))
            .storage_descriptor(sd)
            .build()
    }

    /// Registers one table's partitions in batches; returns how many were new.
    async fn add_table_partitions(
        &self,
        table: Table,
        keys: &[&PartitionKey],
    ) -> Result<usize, CatalogError> {
        let def = table.def();
        let mut new = 0;
        for batch in keys.chunks(PARTITION_BATCH) {
            let mut pending: Vec<&PartitionKey> = batch.to_vec();
            for attempt in 1..=PARTITION_TRIES {
                let inputs: Vec<PartitionInput> = pending
                    .iter()
                    .map(|k| self.partition_input(k, def))
                    .collect();
                let out = match self
                    .glue()
                    .batch_create_partition()
                    .database_name(&self.database)
                    .table_name(table.name())
                    .set_partition_input_list(Some(inputs))
                    .send()
                    .await
                {
                    Ok(out) => out,
                    Err(e) if attempt < PARTITION_TRIES && e.code().is_some_and(retryable) => {
                        tracing::warn!(%table, attempt, error = %e, "BatchCreatePartition failed; retrying.");
                        tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                        continue;
                    }
                    Err(e) => {
                        return Err(glue_error(
                            "register partitions of",
                            &format!("table {}.{table}", self.database),
                            e,
                        ));
                    }
                };
                let mut retry = Vec::new();
                let mut failed = Vec::new();
                let mut existing = 0;
                for err in out.errors() {
                    let code = error_code(err);
                    let values = err.partition_values().to_vec();
                    let Some(key) = pending.iter().find(|k| k.values() == values) else {
                        continue;
                    };
                    if code == "AlreadyExistsException" {
                        existing += 1;
                    } else if retryable(code) && attempt < PARTITION_TRIES {
                        retry.push(*key);
                    } else {
                        let message = err
                            .error_detail()
                            .and_then(|d| d.error_message())
                            .unwrap_or_default();
                        failed.push(format!("{} ({code}: {message})", key.dir()));
                    }
                }
                all_registered(table, &failed)?;
                new += pending.len() - existing - retry.len();
                if retry.is_empty() {
                    break;
                }
                tracing::warn!(%table, partitions = retry.len(), attempt, "Some partitions were not registered; retrying them.");
                tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                pending = retry;
            }
            crate::crash::point("partition-batch");
        }
        if self.projection {
            self.update_projection(table, keys).await?;
        }
        Ok(new)
    }

    /// Rewrites the id enum of partition projection with every id seen.
    async fn update_projection(
        &self,
        table: Table,
        keys: &[&PartitionKey],
    ) -> Result<(), CatalogError> {
        let def = table.def();
        let Some(key) = def.partition_keys.get(1) else {
            return Ok(());
        };
        let Some(current) = self.get_table(table.name()).await? else {
            return Ok(());
        };
        let param = format!("projection.{}.values", key.name);
        let params = current.parameters().cloned().unwrap_or_default();
        let mut ids: BTreeSet<String> = params
            .get(&param)
            .map(|v| {
                v.split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let before = ids.len();
        ids.extend(keys.iter().filter_map(|k| k.values().get(1).cloned()));
        if ids.len() == before {
            return Ok(());
        }
        let mut extra: BTreeMap<String, String> = params.into_iter().collect();
        extra.extend(self.projection_params(def, Some(&ids)));
        self.update_table(self.table_input(def, &extra)).await
    }

    /// The Presto view JSON Athena reads from `ViewOriginalText`.
    fn presto_view(&self, view: &ViewFile, columns: &[(String, HiveType)]) -> String {
        let json = serde_json::json!({
            "originalSql": view.file.sql.trim().trim_end_matches(';').trim_end(),
            "catalog": "awsdatacatalog",
            "schema": self.database,
            "columns": columns.iter().map(|(n, t)| serde_json::json!({"name": n, "type": trino_type(*t)})).collect::<Vec<_>>(),
            "comment": null,
            "owner": null,
            "runAsInvoker": false,
            "path": [],
        });
        let encoded = base64::engine::general_purpose::STANDARD.encode(json.to_string());
        format!("/* Presto View: {encoded} */")
    }
}

/// A table parameter of partition projection: every `projection.*` key
/// and `storage.location.template`.
fn is_projection_key(key: &str) -> bool {
    key.starts_with("projection.") || key == "storage.location.template"
}

/// Glue error codes worth another try.
fn retryable(code: &str) -> bool {
    matches!(
        code,
        "ConcurrentModificationException"
            | "OperationTimeoutException"
            | "InternalServiceException"
            | "ThrottlingException"
            | "ResourceNotReadyException"
    )
}

fn registered(t: &GlueTable) -> Registered {
    let column = |c: &Column| {
        (
            c.name().to_owned(),
            c.r#type().unwrap_or_default().to_owned(),
            c.comment().map(str::to_owned),
        )
    };
    Registered {
        description: t.description().map(str::to_owned),
        columns: t
            .storage_descriptor()
            .map(|sd| sd.columns().iter().map(column).collect())
            .unwrap_or_default(),
        keys: t
            .partition_keys()
            .iter()
            .map(|c| {
                (
                    c.name().to_owned(),
                    c.r#type().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        key_comments: t
            .partition_keys()
            .iter()
            .map(|c| c.comment().map(str::to_owned))
            .collect(),
    }
}

#[async_trait]
impl Catalog for GlueCatalog {
    async fn ensure_table(&self, def: &TableDef) -> Result<TableChange, CatalogError> {
        self.ensure_database().await?;
        let Some(existing) = self.get_table(&def.name).await? else {
            let index = PartitionIndex::builder()
                .set_keys(Some(
                    def.partition_keys.iter().map(|k| k.name.clone()).collect(),
                ))
                .index_name(format!("{}_partition_keys", def.name))
                .build()
                .expect("an index with keys and a name builds");
            return match self
                .glue()
                .create_table()
                .database_name(&self.database)
                .table_input(self.table_input(def, &BTreeMap::new()))
                .partition_indexes(index)
                .send()
                .await
            {
                Ok(_) => {
                    tracing::info!(database = %self.database, table = %def.name, "Glue table created.");
                    Ok(TableChange::Created)
                }
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_already_exists_exception()) =>
                {
                    Ok(TableChange::Unchanged)
                }
                Err(e) => Err(glue_error(
                    "create",
                    &format!("table {}.{}", self.database, def.name),
                    e,
                )),
            };
        };
        if compare(def, Some(&registered(&existing)))? == TableChange::Unchanged
            && !self.stale_projection(&existing)
        {
            return Ok(TableChange::Unchanged);
        }
        // UpdateTable replaces the whole input: keep the parameters we do
        // not own (projection values, ones set by people).
        let extra: BTreeMap<String, String> = existing
            .parameters()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        self.update_table(self.table_input(def, &extra)).await?;
        if self.stale_projection(&existing) {
            tracing::info!(database = %self.database, table = %def.name, "Partition projection removed (projection = false); Athena reads the registered partitions again.");
        }
        Ok(TableChange::Updated)
    }

    async fn plan_table(&self, def: &TableDef) -> Result<TableChange, CatalogError> {
        let existing = self.get_table(&def.name).await?;
        let change = compare(def, existing.as_ref().map(registered).as_ref())?;
        Ok(match existing {
            Some(t) if change == TableChange::Unchanged && self.stale_projection(&t) => {
                TableChange::Updated
            }
            _ => change,
        })
    }

    async fn plan_view(&self, view: &ViewFile) -> Result<TableChange, CatalogError> {
        let (_, original) = self.view_texts(view)?;
        Ok(match self.get_table(view.file.name).await? {
            None => TableChange::Created,
            Some(t) if t.view_original_text() == Some(original.as_str()) => TableChange::Unchanged,
            Some(_) => TableChange::Updated,
        })
    }

    async fn add_partitions(&self, keys: &[PartitionKey]) -> Result<usize, CatalogError> {
        let mut new = 0;
        for table in Table::ALL {
            let of_table: Vec<&PartitionKey> = keys.iter().filter(|k| k.table() == table).collect();
            if !of_table.is_empty() {
                new += self.add_table_partitions(table, &of_table).await?;
            }
        }
        Ok(new)
    }

    async fn ensure_view(&self, view: &ViewFile) -> Result<TableChange, CatalogError> {
        let name = view.file.name;
        let (columns, original) = self.view_texts(view)?;
        let existing = self.get_table(name).await?;
        if existing.as_ref().and_then(|t| t.view_original_text()) == Some(original.as_str()) {
            return Ok(TableChange::Unchanged);
        }
        crate::crash::point("view-update");
        let sd = StorageDescriptor::builder()
            .set_columns(Some(
                columns.iter().map(|(n, t)| column(n, *t, None)).collect(),
            ))
            .location("")
            .serde_info(SerDeInfo::builder().build())
            .build();
        let input = TableInput::builder()
            .name(name)
            .description(format!("Athena view from {}.sql", view.source()))
            .table_type("VIRTUAL_VIEW")
            .parameters("presto_view", "true")
            .parameters("comment", "Presto View")
            .view_original_text(original)
            .view_expanded_text("/* Presto View */")
            .set_partition_keys(Some(Vec::new()))
            .storage_descriptor(sd)
            .build()
            .expect("a view input with a name builds");
        if existing.is_some() {
            self.update_table(input).await?;
            tracing::info!(view = name, "Glue view updated.");
            return Ok(TableChange::Updated);
        }
        self.glue()
            .create_table()
            .database_name(&self.database)
            .table_input(input)
            .send()
            .await
            .map_err(|e| glue_error("create", &format!("view {}.{name}", self.database), e))?;
        tracing::info!(view = name, "Glue view created.");
        Ok(TableChange::Created)
    }

    async fn partitions(&self, table: Table) -> Result<Vec<PartitionKey>, CatalogError> {
        let mut out = Vec::new();
        let mut pages = self
            .client
            .get_partitions()
            .database_name(&self.database)
            .table_name(table.name())
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            self.call();
            let page = page.map_err(|e| {
                glue_error(
                    "list partitions of",
                    &format!("table {}.{table}", self.database),
                    e,
                )
            })?;
            for p in page.partitions() {
                let mut dir = table.name().to_owned();
                for (k, v) in table.def().partition_keys.iter().zip(p.values()) {
                    dir.push_str(&format!("/{}={v}", k.name));
                }
                let path = object_store::path::Path::from(format!("{dir}/{PART_FILE}"));
                out.push(
                    PartitionKey::parse(&path).map_err(|e| CatalogError::Corrupt {
                        path: format!("glue:{}.{table}", self.database),
                        reason: e.to_string(),
                    })?,
                );
            }
        }
        out.sort();
        Ok(out)
    }

    async fn remove_partitions(&self, keys: &[PartitionKey]) -> Result<usize, CatalogError> {
        let mut removed = 0;
        for table in Table::ALL {
            let of_table: Vec<&PartitionKey> = keys.iter().filter(|k| k.table() == table).collect();
            for batch in of_table.chunks(DELETE_BATCH) {
                let values = batch
                    .iter()
                    .map(|k| {
                        aws_sdk_glue::types::PartitionValueList::builder()
                            .set_values(Some(k.values()))
                            .build()
                            .expect("partition values build")
                    })
                    .collect();
                let out = self
                    .glue()
                    .batch_delete_partition()
                    .set_partitions_to_delete(Some(values))
                    .database_name(&self.database)
                    .table_name(table.name())
                    .send()
                    .await
                    .map_err(|e| {
                        glue_error(
                            "delete partitions of",
                            &format!("table {}.{table}", self.database),
                            e,
                        )
                    })?;
                let mut failed = Vec::new();
                let mut missing = 0;
                for err in out.errors() {
                    let code = error_code(err);
                    if code == "EntityNotFoundException" {
                        missing += 1;
                    } else {
                        failed.push(format!("{:?} ({code})", err.partition_values()));
                    }
                }
                all_registered(table, &failed)?;
                removed += batch.len() - missing;
            }
        }
        Ok(removed)
    }

    async fn current(&self) -> Result<Option<Commit>, CatalogError> {
        let Some(table) = self.get_table(&current_albums().name).await? else {
            return Ok(None);
        };
        let location = table
            .storage_descriptor()
            .and_then(|sd| sd.location())
            .unwrap_or_default();
        let Some(version) = version_of(location) else {
            return Err(CatalogError::Corrupt {
                path: format!("glue:{}.{}", self.database, current_albums().name),
                reason: format!(
                    "its location {location:?} is not a version folder of this program"
                ),
            });
        };
        let previous = table
            .parameters()
            .and_then(|p| p.get(PREVIOUS_VERSION))
            .filter(|v| !v.is_empty())
            .cloned();
        Ok(Some(Commit { version, previous }))
    }

    async fn commit_current(&self, commit: &Commit) -> Result<(), CatalogError> {
        self.ensure_database().await?;
        let def = current_albums();
        let existing = self.get_table(&def.name).await?;
        compare(def, existing.as_ref().map(registered).as_ref())?;
        let mut params: BTreeMap<String, String> = existing
            .as_ref()
            .and_then(|t| t.parameters().cloned())
            .unwrap_or_default()
            .into_iter()
            .collect();
        params.extend([
            ("classification".to_owned(), "parquet".to_owned()),
            ("EXTERNAL".into(), "TRUE".into()),
            ("parquet.compression".into(), "SNAPPY".into()),
            (
                PREVIOUS_VERSION.into(),
                commit.previous.clone().unwrap_or_default(),
            ),
        ]);
        let input = TableInput::builder()
            .name(&def.name)
            .description(&def.description)
            .table_type("EXTERNAL_TABLE")
            .set_parameters(Some(params.into_iter().collect()))
            .set_partition_keys(Some(Vec::new()))
            .storage_descriptor(self.storage(def, format!("{}{}/", self.lake_url, commit.dir())))
            .build()
            .expect("a table input with a name builds");
        if existing.is_some() {
            return self.update_table(input).await;
        }
        match self
            .glue()
            .create_table()
            .database_name(&self.database)
            .table_input(input.clone())
            .send()
            .await
        {
            Ok(_) => Ok(()),
            // Created meanwhile by another load: point it here all the same.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_already_exists_exception()) =>
            {
                self.update_table(input).await
            }
            Err(e) => Err(glue_error(
                "create",
                &format!("table {}.{}", self.database, def.name),
                e,
            )),
        }
    }

    fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }
}

/// The Glue error code of one partition's failure in a batch call.
fn error_code(err: &aws_sdk_glue::types::PartitionError) -> &str {
    err.error_detail()
        .and_then(|d| d.error_code())
        .unwrap_or_default()
}

/// A batch call's partitions that failed for good, as one error.
fn all_registered(table: Table, failed: &[String]) -> Result<(), CatalogError> {
    if failed.is_empty() {
        return Ok(());
    }
    Err(CatalogError::Partitions {
        table: table.name().to_owned(),
        failed: failed.join("; "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_carry_trino_types_in_presto_json() {
        let aws = Aws {
            sdk: aws_config::SdkConfig::builder().build(),
        };
        let glue = GlueCatalog::new(&aws, "spotify_lake", "s3://b/lake", false);
        let view = crate::sql::VIEWS[0];
        let cols = view.declared_columns().unwrap();
        let text = glue.presto_view(&view, &cols);
        let encoded = text
            .strip_prefix("/* Presto View: ")
            .and_then(|t| t.strip_suffix(" */"))
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .unwrap(),
        )
        .unwrap();
        assert_eq!(json["schema"], "spotify_lake");
        assert_eq!(json["catalog"], "awsdatacatalog");
        let types: Vec<&str> = json["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect();
        assert!(
            types.contains(&"array(varchar)")
                && types.contains(&"timestamp(3)")
                && !types.contains(&"string")
        );
        assert!(!json["originalSql"].as_str().unwrap().ends_with(';'));
        assert_eq!(glue.location("albums"), "s3://b/lake/albums/");
    }

    #[test]
    fn projection_templates_name_every_key() {
        let aws = Aws {
            sdk: aws_config::SdkConfig::builder().build(),
        };
        let glue = GlueCatalog::new(&aws, "db", "s3://b/lake/", true);
        let ids = BTreeSet::from(["a".to_owned(), "b".to_owned()]);
        let p = glue.projection_params(Table::Albums.def(), Some(&ids));
        assert_eq!(
            p["storage.location.template"],
            "s3://b/lake/albums/extract_date=${extract_date}/artist_id=${artist_id}/"
        );
        assert_eq!(p["projection.artist_id.values"], "a,b");
        let p = glue.projection_params(Table::Artists.def(), None);
        assert_eq!(
            p["storage.location.template"],
            "s3://b/lake/artists/extract_date=${extract_date}/"
        );
    }

    #[test]
    fn with_projection_off_a_table_update_drops_the_projection_keys_only() {
        let aws = Aws {
            sdk: aws_config::SdkConfig::builder().build(),
        };
        let on = GlueCatalog::new(&aws, "db", "s3://b/lake/", true);
        let off = GlueCatalog::new(&aws, "db", "s3://b/lake/", false);
        let def = Table::Albums.def();
        let mut extra = on.projection_params(def, Some(&BTreeSet::from(["a".to_owned()])));
        extra.insert("owner_note".into(), "set by a person".into());
        let params = off.table_input(def, &extra).parameters().cloned().unwrap();
        assert!(params.keys().all(|k| !is_projection_key(k)), "{params:?}");
        assert_eq!(params["owner_note"], "set by a person");
        assert_eq!(params["classification"], "parquet");
        let params = on.table_input(def, &extra).parameters().cloned().unwrap();
        assert_eq!(params["projection.enabled"], "true");
        assert_eq!(params["projection.artist_id.values"], "a");
    }
}
