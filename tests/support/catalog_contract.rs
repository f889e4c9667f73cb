//! One suite for every `Catalog` implementation (CONVENTIONS.md §10):
//! idempotence, schema evolution, partitions in batches, views.

use spotify_lake::catalog::{Catalog, TableChange};
use spotify_lake::ids::{IdKind, SpotifyId};
use spotify_lake::lake::PartitionKey;
use spotify_lake::schema::{ColumnDef, HiveType, Table};
use spotify_lake::sql::VIEWS;

/// Runs the contract; `table_prefix`-free: the catalog must be empty.
pub async fn catalog_contract(catalog: &dyn Catalog) {
    // A plan changes nothing; then create, then re-run: nothing changes.
    for table in Table::ALL {
        assert_eq!(
            catalog.plan_table(table.def()).await.unwrap(),
            TableChange::Created,
            "{table}"
        );
        assert_eq!(
            catalog.plan_table(table.def()).await.unwrap(),
            TableChange::Created,
            "{table}"
        );
    }
    for table in Table::ALL {
        assert_eq!(
            catalog.ensure_table(table.def()).await.unwrap(),
            TableChange::Created,
            "{table}"
        );
    }
    for table in Table::ALL {
        assert_eq!(
            catalog.ensure_table(table.def()).await.unwrap(),
            TableChange::Unchanged,
            "{table}"
        );
    }

    // An added column is applied; a type change and a removal are refused
    // with a message that says what differs.
    let mut def = Table::Artists.def().clone();
    def.columns.push(ColumnDef {
        name: "country".into(),
        hive_type: HiveType::String,
        nullable: true,
        comment: "A column added later.".into(),
    });
    assert_eq!(
        catalog.ensure_table(&def).await.unwrap(),
        TableChange::Updated
    );
    assert_eq!(
        catalog.ensure_table(&def).await.unwrap(),
        TableChange::Unchanged
    );
    let mut changed = def.clone();
    changed.columns[3].hive_type = HiveType::String;
    let err = catalog
        .ensure_table(&changed)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("artists.followers is registered as bigint but schemas/ now says string"),
        "{err}"
    );
    let mut removed = def.clone();
    removed.columns.retain(|c| c.name != "genres");
    let err = catalog
        .ensure_table(&removed)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("artists.genres is registered but no longer"),
        "{err}"
    );

    // 250 partitions: registered once, then all already there.
    let date = "2026-11-26".parse().unwrap();
    let keys: Vec<PartitionKey> = (0..250)
        .map(|i| PartitionKey::Albums {
            date,
            artist: SpotifyId::parse(IdKind::Artist, &format!("{i:0>22}")).unwrap(),
        })
        .collect();
    assert_eq!(catalog.add_partitions(&keys).await.unwrap(), 250);
    assert_eq!(catalog.add_partitions(&keys[..10]).await.unwrap(), 0);
    let mut listed = catalog.partitions(Table::Albums).await.unwrap();
    listed.sort();
    assert_eq!(listed, keys);
    assert!(catalog.partitions(Table::Tracks).await.unwrap().is_empty());

    // Views: created, then unchanged.
    for view in VIEWS {
        assert_eq!(
            catalog.ensure_view(view).await.unwrap(),
            TableChange::Created
        );
        assert_eq!(
            catalog.ensure_view(view).await.unwrap(),
            TableChange::Unchanged
        );
    }
}
