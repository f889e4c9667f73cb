//! Property test of the Parquet writer: the batches the transform builds
//! from generated raw bodies (see [`crate::raw::arb`]) read back
//! from [`encode_parquet`]'s bytes with parquet's Arrow reader exactly as
//! they were: every column, null, list, timestamp zone and very long or
//! odd Unicode string.

use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use object_store::path::Path;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use proptest::prelude::*;

use super::encode_parquet;
use crate::raw::arb;
use crate::raw::model::{Album, Artist, Playlist};
use crate::raw::parse_body;
use crate::transform::{self, AlbumInput, ArtistInput, PlaylistInput};

/// Encodes `batch`, reads it back and compares.
fn round_trips(batch: &RecordBatch) -> Result<(), TestCaseError> {
    let bytes: Bytes = encode_parquet(batch, &Path::from("x/part-00000.parquet"))
        .map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
    let fail = |e: &dyn std::fmt::Display| TestCaseError::fail(e.to_string());
    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| fail(&e))?;
    let schema = std::sync::Arc::clone(builder.schema());
    let batches = builder
        .build()
        .map_err(|e| fail(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(&e))?;
    let back = arrow::compute::concat_batches(&schema, &batches).map_err(|e| fail(&e))?;
    prop_assert_eq!(schema.fields(), batch.schema_ref().fields());
    prop_assert_eq!(back.num_rows(), batch.num_rows());
    for (i, field) in batch.schema().fields().iter().enumerate() {
        prop_assert_eq!(
            back.column(i).to_data(),
            batch.column(i).to_data(),
            "column {} differs",
            field.name()
        );
    }
    Ok(())
}

/// The bodies that parse, as the load would pass them on.
fn parsed<T: serde::de::DeserializeOwned>(files: &[(String, Vec<u8>)]) -> Vec<(String, T)> {
    files
        .iter()
        .filter_map(|(id, bytes)| Some((id.clone(), parse_body::<T>(bytes).ok()?)))
        .collect()
}

proptest! {
    #![proptest_config(arb::config(64))]

    /// The four tables' batches, built from generated bodies, read back
    /// equal.
    #[test]
    fn parquet_reads_back_equal_to_the_batches(
        albums in arb::album_files(6),
        artists in (0usize..6).prop_flat_map(|n| (0..n).map(arb::artist_file).collect::<Vec<_>>()),
        playlist in arb::playlist().prop_flat_map(arb::bytes_of),
    ) {
        let inputs = parsed::<Album>(&albums)
            .into_iter()
            .map(|(album_id, album)| AlbumInput {
                album_id,
                album,
                group: "album".into(),
                extracted_at_ms: 1_795_711_320_000,
            })
            .collect();
        let tables = transform::albums_and_tracks(inputs).expect("the code and schemas/ agree");
        round_trips(&tables.albums)?;
        round_trips(&tables.tracks)?;
        let inputs = parsed::<Artist>(&artists)
            .into_iter()
            .map(|(artist_id, artist)| ArtistInput { artist_id, artist, extracted_at_ms: -1 })
            .collect();
        let (batch, _, _) = transform::artists(inputs).expect("the code and schemas/ agree");
        round_trips(&batch)?;
        if let Ok(playlist) = parse_body::<Playlist>(&playlist) {
            let out = transform::playlist_tracks(&PlaylistInput { playlist, extracted_at_ms: 0 })
                .expect("the code and schemas/ agree");
            if let Some(batch) = out.tracks {
                round_trips(&batch)?;
            }
        }
    }
}
