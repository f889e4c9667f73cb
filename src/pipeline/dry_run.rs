//! `run --dry-run`: what a run would fetch (the extraction's plan, from a
//! few listing requests) and what it would change in the catalog (from
//! reads only). Nothing is written anywhere.

use std::fmt;

use crate::Error;
use crate::catalog::{Catalog, TableChange};
use crate::config::Config;
use crate::extract::{self, ExtractOptions, Plan, Session};
use crate::ids::ExtractDate;
use crate::schema::Table;
use crate::sql;
use crate::store::Location;

/// A run's plan, printed by `run --dry-run`.
pub struct DryRun {
    /// What would be fetched, per artist.
    pub plan: Plan,
    /// What the catalog would change (none without a catalog).
    pub catalog: Option<CatalogPlan>,
}

/// The catalog changes a run would make.
pub struct CatalogPlan {
    /// Each table and its change.
    pub tables: Vec<(Table, TableChange)>,
    /// Each view (by name) and its change.
    pub views: Vec<(&'static str, TableChange)>,
    /// Artists whose partitions would be registered.
    pub artists: usize,
}

/// Plans the run `cfg` describes: listing requests to Spotify, reads of the
/// raw zone (what is reusable) and of the catalog; no write.
pub async fn dry_run(
    cfg: &Config,
    session: &Session<'_>,
    raw: &Location,
    catalog: Option<&dyn Catalog>,
) -> Result<DryRun, Error> {
    let opts = ExtractOptions {
        date: cfg.extract_date.unwrap_or_else(ExtractDate::today_utc),
        full: cfg.full,
        progress: false,
    };
    let plan = extract::dry_run(&cfg.spotify, session, raw, &opts).await?;
    let catalog = match catalog {
        Some(catalog) => Some(catalog_plan(catalog, &plan).await?),
        None => None,
    };
    Ok(DryRun { plan, catalog })
}

async fn catalog_plan(catalog: &dyn Catalog, plan: &Plan) -> Result<CatalogPlan, Error> {
    let mut tables = Vec::new();
    for table in Table::ALL {
        tables.push((table, catalog.plan_table(table.def()).await?));
    }
    let mut views = Vec::new();
    for view in sql::VIEWS {
        views.push((view.file.name, catalog.plan_view(view).await?));
    }
    let artists = plan
        .artists
        .iter()
        .filter(|a| a.artist_id.is_some())
        .count();
    Ok(CatalogPlan {
        tables,
        views,
        artists,
    })
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.plan)?;
        if let Some(catalog) = &self.catalog {
            write!(f, "{catalog}")?;
        }
        Ok(())
    }
}

impl fmt::Display for CatalogPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = |c: TableChange| match c {
            TableChange::Created => "create",
            TableChange::Updated => "update (columns added or comments changed)",
            TableChange::Unchanged => "unchanged",
        };
        writeln!(f, "catalog changes:")?;
        for (table, change) in &self.tables {
            writeln!(f, "  table {table}: {}", word(*change))?;
        }
        for (view, change) in &self.views {
            writeln!(f, "  view {view}: {}", word(*change))?;
        }
        writeln!(
            f,
            "  partitions to register: {} (albums and tracks of {} artists, artists) plus one per playlist with items",
            2 * self.artists + 1,
            self.artists
        )
    }
}
