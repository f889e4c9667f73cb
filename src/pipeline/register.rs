//! Registration: the tables, the written partitions and the views in the
//! catalog, after every file of the load is written (a load that fails
//! while writing registers nothing of its day).
//!
//! The local catalog rewrites whole files in the lake, so its updates hold
//! the lake's catalog lease ([`crate::lease`]): another process's update
//! between a read and a write would be lost. Glue's calls are atomic each
//! and need none.

use crate::Error;
use crate::catalog::{Catalog, TableChange};
use crate::lake::PartitionKey;
use crate::lease::{Lease, LeaseKind, LeaseOptions};
use crate::schema::Table;
use crate::sql::VIEWS;
use crate::store::Location;
use crate::summary::Summary;

/// Ensures the tables, registers `keys` and writes the views, holding the
/// catalog lease when the catalog needs one; `purpose` names the holder.
pub(super) async fn all(
    catalog: &dyn Catalog,
    lake: &Location,
    keys: &[PartitionKey],
    purpose: &str,
    lease: &LeaseOptions,
    summary: &mut Summary,
) -> Result<(), Error> {
    let lease = if catalog.updates_need_lease() {
        Some(Lease::wait(lake, LeaseKind::Catalog, purpose, lease).await?)
    } else {
        None
    };
    let registered = async {
        register(catalog, keys, summary).await?;
        register_views(catalog, summary).await
    }
    .await;
    if let Some(lease) = lease {
        lease.release().await;
    }
    registered
}

/// Ensures the tables and registers the written partitions.
async fn register(
    catalog: &dyn Catalog,
    keys: &[PartitionKey],
    summary: &mut Summary,
) -> Result<(), Error> {
    for table in Table::ALL {
        match catalog.ensure_table(table.def()).await? {
            TableChange::Created => summary.catalog.tables_created += 1,
            TableChange::Updated => summary.catalog.tables_updated += 1,
            TableChange::Unchanged => {}
        }
    }
    let new = catalog.add_partitions(keys).await? as u64;
    summary.partitions.registered += new;
    summary.partitions.existing += keys.len() as u64 - new;
    summary.catalog.calls = catalog.calls();
    Ok(())
}

/// Creates or updates the views. They come before the commit of
/// `current_albums` (which they read), so that the commit is the last
/// step; a view over a table not yet committed reads no rows.
async fn register_views(catalog: &dyn Catalog, summary: &mut Summary) -> Result<(), Error> {
    for view in VIEWS {
        if catalog.ensure_view(view).await? != TableChange::Unchanged {
            summary.catalog.views_written += 1;
        }
    }
    summary.catalog.calls = catalog.calls();
    Ok(())
}
