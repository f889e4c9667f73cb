//! Artist bodies of one extract → the `artists` batch of its partition.

use arrow::array::{Int32Builder, Int64Builder, StringBuilder};
use arrow::record_batch::RecordBatch;

use super::TransformError;
use super::columns::{string_list, table_columns, to_i32, utc_millis};
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
/// disagrees with its file is a skip.
pub fn artists(mut inputs: Vec<ArtistInput>) -> Result<(RecordBatch, Vec<Skip>), TransformError> {
    inputs.sort_by(|a, b| a.artist_id.cmp(&b.artist_id));
    let mut cols = ArtistColumns::new();
    let mut skipped = Vec::new();
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
        cols.followers
            .append_option(a.followers.as_ref().and_then(|f| f.total));
        cols.popularity.append_option(to_i32(a.popularity));
        cols.extracted_at.append_value(input.extracted_at_ms);
    }
    Ok((cols.finish()?, skipped))
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
        let (batch, skipped) = artists(vec![
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
        assert!(skipped.is_empty());
        assert_eq!(batch.schema(), Table::Artists.arrow_schema());
        assert_eq!(batch.column_by_name("followers").unwrap().null_count(), 1);
        let ids = arrow::array::AsArray::as_string::<i32>(batch.column(0).as_ref());
        assert_eq!(ids.value(0), "a");
    }
}
