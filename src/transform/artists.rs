//! Artist bodies of one extract → the `artists` batch of its partition.

use arrow::array::{Int32Builder, Int64Builder, StringBuilder};
use arrow::record_batch::RecordBatch;

use super::columns::{count_i32, count_i64, string_list, table_columns, utc_millis};
use super::{TransformError, Warnings};
use crate::raw::model::Artist;
use crate::schema::Table;
use crate::summary::Skip;

table_columns!(ArtistColumns for Table::Artists;
    artist_id: StringBuilder = StringBuilder::new(),
    artist_name: StringBuilder = StringBuilder::new(),
    genres: arrow::array::ListBuilder<StringBuilder> = string_list(),
    followers: Int64Builder = Int64Builder::new(),
    popularity: Int32Builder = Int32Builder::new(),
    extracted_at: arrow::array::TimestampMillisecondBuilder = utc_millis(),
);

/// One artist body.
#[derive(Debug, Clone)]
pub struct ArtistInput {
    /// The id its file is named by; the body must agree.
    pub artist_id: String,
    /// The parsed body.
    pub artist: Artist,
    /// When it was fetched, UTC milliseconds.
    pub extracted_at_ms: i64,
}

/// Builds the `artists` batch, sorted by artist_id; a body whose id
/// disagrees with its file is a skip; negative or overflowing figures are
/// null and counted in the warnings.
pub fn artists(
    mut inputs: Vec<ArtistInput>,
) -> Result<(RecordBatch, Vec<Skip>, Warnings), TransformError> {
    inputs.sort_by(|a, b| a.artist_id.cmp(&b.artist_id));
    let mut cols = ArtistColumns::new();
    let mut skipped = Vec::new();
    let mut warnings = Warnings::new();
    for input in &inputs {
        let a = &input.artist;
        if a.id != input.artist_id {
            skipped.push(Skip::new(
                "artist",
                input.artist_id.as_str(),
                format!(
                    "the body is artist {:?} but its file is named {}",
                    a.id.chars().take(40).collect::<String>(),
                    input.artist_id
                ),
            ));
            continue;
        }
        cols.artist_id.append_value(&a.id);
        cols.artist_name.append_value(&a.name);
        match &a.genres {
            Some(genres) => {
                for g in genres.iter().flatten() {
                    cols.genres.values().append_value(g);
                }
                cols.genres.append(true);
            }
            None => cols.genres.append(false),
        }
        let followers = a.followers.as_ref().and_then(|f| f.total);
        cols.followers
            .append_option(count_i64(followers, "followers", &a.id, &mut warnings));
        cols.popularity
            .append_option(count_i32(a.popularity, "popularity", &a.id, &mut warnings));
        cols.extracted_at.append_value(input.extracted_at_ms);
    }
    Ok((cols.finish()?, skipped, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_mode_artists_have_null_followers_and_popularity() {
        let artist: Artist = serde_json::from_str(r#"{"id":"b","name":"Bruno Mars"}"#).unwrap();
        let ext: Artist = serde_json::from_str(
            r#"{"id":"a","name":"Drake","genres":["rap"],"followers":{"total":5},"popularity":90}"#,
        )
        .unwrap();
        let (batch, skipped, warnings) = artists(vec![
            ArtistInput {
                artist_id: "b".into(),
                artist,
                extracted_at_ms: 0,
            },
            ArtistInput {
                artist_id: "a".into(),
                artist: ext,
                extracted_at_ms: 0,
            },
        ])
        .unwrap();
        assert!(skipped.is_empty() && warnings.is_empty(), "{warnings:?}");
        assert_eq!(batch.schema(), Table::Artists.arrow_schema());
        assert_eq!(batch.column_by_name("followers").unwrap().null_count(), 1);
        let ids = arrow::array::AsArray::as_string::<i32>(batch.column(0).as_ref());
        assert_eq!(ids.value(0), "a");
    }

    #[test]
    fn negative_or_overflowing_figures_are_null_and_counted() {
        let odd: Artist = serde_json::from_str(
            r#"{"id":"a","name":"Odd","followers":{"total":-3},"popularity":3000000000}"#,
        )
        .unwrap();
        let input = ArtistInput {
            artist_id: "a".into(),
            artist: odd,
            extracted_at_ms: 0,
        };
        let (batch, _, warnings) = artists(vec![input]).unwrap();
        assert_eq!(warnings.get("followers"), Some(&1));
        assert_eq!(warnings.get("popularity"), Some(&1));
        for column in ["followers", "popularity"] {
            assert_eq!(batch.column_by_name(column).unwrap().null_count(), 1);
        }
    }
}
