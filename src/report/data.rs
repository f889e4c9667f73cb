//! What the report rests on: the queries of `queries/` run on the embedded
//! engine, and their batches turned into plain rows.
//!
//! The three album-length queries run unchanged. Filters (`--from`, `--to`,
//! `--artist`) do not edit them: the session's `latest_albums` view is
//! replaced by the same view with a `WHERE`, so every query sees only the
//! chosen albums. Two more statements read what the charts need besides:
//! the albums themselves (the points of the least-squares fits) and the
//! extract dates they come from.

use arrow::array::{Array, AsArray as _};
use arrow::datatypes::{DataType, Float64Type, Int64Type};
use arrow::record_batch::RecordBatch;
use serde::Serialize;

use super::ReportError;
use crate::ids::{IdKind, SpotifyId};
use crate::query::Engine;
use crate::sql;
use crate::store::Location;

/// Which albums the report covers; empty means every album of the lake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filters {
    /// Only albums released in or after this year.
    pub from: Option<i32>,
    /// Only albums released in or before this year.
    pub to: Option<i32>,
    /// Only albums whose first artist has one of these names (any case),
    /// or that were listed for one of these artist ids.
    pub artists: Vec<String>,
}

impl Filters {
    /// Whether the report covers every album.
    pub fn is_empty(&self) -> bool {
        self.from.is_none() && self.to.is_none() && self.artists.is_empty()
    }

    /// The filters as the flags that set them, e.g. `--from 2000 --artist Drake`
    /// (`none` when empty).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(y) = self.from {
            parts.push(format!("--from {y}"));
        }
        if let Some(y) = self.to {
            parts.push(format!("--to {y}"));
        }
        for a in &self.artists {
            parts.push(format!("--artist {a:?}"));
        }
        if parts.is_empty() {
            "none".to_owned()
        } else {
            parts.join(" ")
        }
    }

    /// The SQL condition on `latest_albums` columns, if any filter is set.
    /// Albums with an unknown release year never match a year filter.
    pub fn condition(&self) -> Option<String> {
        let mut terms = Vec::new();
        if let Some(y) = self.from {
            terms.push(format!("release_year >= {y}"));
        }
        if let Some(y) = self.to {
            terms.push(format!("release_year <= {y}"));
        }
        if !self.artists.is_empty() {
            let any: Vec<String> = self
                .artists
                .iter()
                .map(|a| {
                    let name = format!("lower(artist_name) = lower({})", sql_string(a));
                    // An id (or URI) also matches the artist whose album
                    // list returned the album (the partition's artist).
                    match SpotifyId::parse(IdKind::Artist, a) {
                        Ok(id) => format!("({name} OR artist_id = {})", sql_string(id.as_str())),
                        Err(_) => name,
                    }
                })
                .collect();
            terms.push(format!("({})", any.join(" OR ")));
        }
        (!terms.is_empty()).then(|| terms.join(" AND "))
    }
}

/// A SQL string literal: in single quotes, each quote doubled.
fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A row of `album_length_by_year`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearRow {
    /// Year of release (`None`: the albums with no known release date).
    pub release_year: Option<i32>,
    /// Albums released that year.
    pub albums: i64,
    /// Their mean length in minutes, 2 decimals.
    pub avg_minutes: Option<f64>,
    /// Those that are not deluxe editions.
    pub standard_albums: i64,
    /// Their mean length, 2 decimals (`None` when the year has none).
    pub standard_avg_minutes: Option<f64>,
}

/// A row of `album_length_by_artist`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArtistYearRow {
    /// The albums' first artist.
    pub artist_name: Option<String>,
    /// Year of release.
    pub release_year: Option<i32>,
    /// Albums of that artist released that year.
    pub albums: i64,
    /// Their mean length in minutes, 2 decimals.
    pub avg_minutes: Option<f64>,
}

/// A row of `album_length_trend`, as the query rounds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    /// `all` or `standard`.
    pub variant: String,
    /// Albums in the fit.
    pub albums: i64,
    /// Earliest release year among them.
    pub first_year: Option<i32>,
    /// Latest release year among them.
    pub last_year: Option<i32>,
    /// Fitted change per year, 4 decimals.
    pub slope_minutes_per_year: Option<f64>,
    /// Fitted length at year 0, 4 decimals.
    pub intercept_minutes: Option<f64>,
    /// Coefficient of determination, 4 decimals.
    pub r2: Option<f64>,
}

/// One counted album with a known release year: a point of the fits.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumPoint {
    /// The album's first artist.
    pub artist_name: Option<String>,
    /// Year of release.
    pub year: i32,
    /// Length in minutes (`duration_ms / 60000`, as the queries compute it).
    pub minutes: f64,
    /// Whether it is a deluxe edition.
    pub is_deluxe: bool,
}

/// How many counted albums come from one extract date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtractCount {
    /// The extract date, `YYYY-MM-DD`.
    pub extract_date: String,
    /// Counted albums taken from it.
    pub albums: i64,
}

/// Everything read from the engine.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportData {
    /// The filters the rows were read with.
    pub filters: Filters,
    /// `album_length_by_year`, in its order.
    pub by_year: Vec<YearRow>,
    /// `album_length_by_artist`, in its order.
    pub by_artist: Vec<ArtistYearRow>,
    /// `album_length_trend`: `all` then `standard`.
    pub trend: Vec<TrendRow>,
    /// The counted albums with a known year and length.
    pub points: Vec<AlbumPoint>,
    /// The extract dates of the counted albums, oldest first.
    pub extract_dates: Vec<ExtractCount>,
}

const POINTS_SQL: &str = "SELECT artist_name, release_year, duration_ms / 60000e0 AS minutes, is_deluxe \
     FROM latest_albums WHERE release_year IS NOT NULL AND duration_ms IS NOT NULL \
     ORDER BY release_year, artist_name, album_id";

const EXTRACTS_SQL: &str = "SELECT extract_date, count(*) AS albums FROM latest_albums \
     GROUP BY extract_date ORDER BY extract_date";

/// Opens the engine over `lake`, applies `filters` and reads every row the
/// report needs.
pub async fn gather(
    lake: &Location,
    catalog: Option<std::sync::Arc<dyn crate::catalog::Catalog>>,
    filters: &Filters,
) -> Result<ReportData, ReportError> {
    let engine = Engine::open(lake, catalog).await?;
    if let Some(condition) = filters.condition() {
        // The new view's plan is built from the registered one before it is
        // replaced, so it reads the unfiltered view, not itself.
        engine
            .run(
                "report filter",
                &format!(
                    "CREATE OR REPLACE VIEW latest_albums AS SELECT * FROM latest_albums WHERE {condition}"
                ),
            )
            .await?;
    }
    let by_year = Rows::query(&engine, "album_length_by_year").await?;
    let by_artist = Rows::query(&engine, "album_length_by_artist").await?;
    let trend = Rows::query(&engine, "album_length_trend").await?;
    let points = Rows::run(&engine, "report points", POINTS_SQL).await?;
    let extracts = Rows::run(&engine, "report extract dates", EXTRACTS_SQL).await?;

    let by_year = (0..by_year.len())
        .map(|r| {
            Ok(YearRow {
                release_year: by_year.int("release_year", r)?,
                albums: by_year.count("albums", r)?,
                avg_minutes: by_year.float("avg_minutes", r)?,
                standard_albums: by_year.count("standard_albums", r)?,
                standard_avg_minutes: by_year.float("standard_avg_minutes", r)?,
            })
        })
        .collect::<Result<_, ReportError>>()?;
    let by_artist = (0..by_artist.len())
        .map(|r| {
            Ok(ArtistYearRow {
                artist_name: by_artist.string("artist_name", r)?,
                release_year: by_artist.int("release_year", r)?,
                albums: by_artist.count("albums", r)?,
                avg_minutes: by_artist.float("avg_minutes", r)?,
            })
        })
        .collect::<Result<_, ReportError>>()?;
    let trend = (0..trend.len())
        .map(|r| {
            Ok(TrendRow {
                variant: trend.string("variant", r)?.unwrap_or_default(),
                albums: trend.count("albums", r)?,
                first_year: trend.int("first_year", r)?,
                last_year: trend.int("last_year", r)?,
                slope_minutes_per_year: trend.float("slope_minutes_per_year", r)?,
                intercept_minutes: trend.float("intercept_minutes", r)?,
                r2: trend.float("r2", r)?,
            })
        })
        .collect::<Result<_, ReportError>>()?;
    let points = (0..points.len())
        .filter_map(|r| {
            let point = (|| {
                Ok(
                    match (points.int("release_year", r)?, points.float("minutes", r)?) {
                        (Some(year), Some(minutes)) => Some(AlbumPoint {
                            artist_name: points.string("artist_name", r)?,
                            year,
                            minutes,
                            is_deluxe: points.bool("is_deluxe", r)?.unwrap_or(false),
                        }),
                        _ => None,
                    },
                )
            })();
            point.transpose()
        })
        .collect::<Result<_, ReportError>>()?;
    let extract_dates = (0..extracts.len())
        .map(|r| {
            Ok(ExtractCount {
                extract_date: extracts.string("extract_date", r)?.unwrap_or_default(),
                albums: extracts.count("albums", r)?,
            })
        })
        .collect::<Result<_, ReportError>>()?;
    Ok(ReportData {
        filters: filters.clone(),
        by_year,
        by_artist,
        trend,
        points,
        extract_dates,
    })
}

/// A query's result as one batch, read cell by cell by column name.
struct Rows {
    name: String,
    batch: RecordBatch,
}

impl Rows {
    async fn query(engine: &Engine, name: &str) -> Result<Self, ReportError> {
        let q = sql::query(name).ok_or_else(|| ReportError::Shape {
            query: name.to_owned(),
            reason: "the query is not embedded".to_owned(),
        })?;
        Self::run(engine, name, q.sql).await
    }

    async fn run(engine: &Engine, name: &str, sql: &str) -> Result<Self, ReportError> {
        let (schema, batches) = engine.run(name, sql).await?;
        let batch =
            arrow::compute::concat_batches(&schema, &batches).map_err(|e| ReportError::Shape {
                query: name.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(Rows {
            name: name.to_owned(),
            batch,
        })
    }

    fn len(&self) -> usize {
        self.batch.num_rows()
    }

    fn column(&self, column: &str, to: &DataType) -> Result<arrow::array::ArrayRef, ReportError> {
        let shape = |reason: String| ReportError::Shape {
            query: self.name.clone(),
            reason,
        };
        let array = self
            .batch
            .column_by_name(column)
            .ok_or_else(|| shape(format!("no column {column}")))?;
        arrow::compute::cast(array, to)
            .map_err(|e| shape(format!("column {column} is not {to}: {e}")))
    }

    fn int(&self, column: &str, row: usize) -> Result<Option<i32>, ReportError> {
        self.count_opt(column, row)?
            .map(|v| {
                i32::try_from(v).map_err(|_| ReportError::Shape {
                    query: self.name.clone(),
                    reason: format!("{column} = {v} is out of range"),
                })
            })
            .transpose()
    }

    fn count_opt(&self, column: &str, row: usize) -> Result<Option<i64>, ReportError> {
        let a = self.column(column, &DataType::Int64)?;
        let a = a.as_primitive::<Int64Type>();
        Ok(a.is_valid(row).then(|| a.value(row)))
    }

    fn count(&self, column: &str, row: usize) -> Result<i64, ReportError> {
        Ok(self.count_opt(column, row)?.unwrap_or(0))
    }

    fn float(&self, column: &str, row: usize) -> Result<Option<f64>, ReportError> {
        let a = self.column(column, &DataType::Float64)?;
        let a = a.as_primitive::<Float64Type>();
        // A NaN (a fit over identical lengths) is no figure.
        Ok((a.is_valid(row) && !a.value(row).is_nan()).then(|| a.value(row)))
    }

    fn string(&self, column: &str, row: usize) -> Result<Option<String>, ReportError> {
        let a = self.column(column, &DataType::Utf8)?;
        let a = a.as_string::<i32>();
        Ok(a.is_valid(row).then(|| a.value(row).to_owned()))
    }

    fn bool(&self, column: &str, row: usize) -> Result<Option<bool>, ReportError> {
        let a = self.column(column, &DataType::Boolean)?;
        let a = a.as_boolean();
        Ok(a.is_valid(row).then(|| a.value(row)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_filter_no_condition() {
        let f = Filters::default();
        assert!(f.is_empty());
        assert_eq!(f.condition(), None);
        assert_eq!(f.describe(), "none");
    }

    #[test]
    fn filters_become_one_condition_with_quoted_strings() {
        let f = Filters {
            from: Some(2000),
            to: Some(2010),
            artists: vec!["Guns N' Roses".into(), "3TVXtAsR1Inumwj472S9r4".into()],
        };
        assert_eq!(
            f.condition().unwrap(),
            "release_year >= 2000 AND release_year <= 2010 AND \
             (lower(artist_name) = lower('Guns N'' Roses') OR \
             (lower(artist_name) = lower('3TVXtAsR1Inumwj472S9r4') OR artist_id = '3TVXtAsR1Inumwj472S9r4'))"
        );
        assert_eq!(
            f.describe(),
            "--from 2000 --to 2010 --artist \"Guns N' Roses\" --artist \"3TVXtAsR1Inumwj472S9r4\""
        );
    }
}
