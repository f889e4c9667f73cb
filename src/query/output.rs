//! Query results as a terminal table, CSV or a JSON array of objects.

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use super::QueryError;

/// How `query` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// An aligned table for people.
    Table,
    /// CSV with a header row.
    Csv,
    /// A JSON array of objects, one per row.
    Json,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

/// Renders batches; an empty result still shows its columns (table, CSV)
/// or is `[]` (JSON).
pub fn format_batches(
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: Format,
) -> Result<String, QueryError> {
    let err = |source| QueryError::Format {
        format: format.name(),
        source,
    };
    match format {
        Format::Table => {
            let shown = if batches.iter().all(|b| b.num_rows() == 0) {
                vec![RecordBatch::new_empty(schema.clone())]
            } else {
                batches.to_vec()
            };
            arrow::util::pretty::pretty_format_batches(&shown)
                .map(|t| format!("{t}\n"))
                .map_err(err)
        }
        Format::Csv => {
            let mut buf = Vec::new();
            {
                let mut writer = arrow::csv::WriterBuilder::new()
                    .with_header(true)
                    .build(&mut buf);
                if batches.is_empty() {
                    writer
                        .write(&RecordBatch::new_empty(schema.clone()))
                        .map_err(err)?;
                }
                for batch in batches {
                    writer.write(batch).map_err(err)?;
                }
            }
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
        Format::Json => {
            let mut buf = Vec::new();
            {
                // Every object has every column; a SQL null is a JSON null.
                let mut writer = arrow::json::WriterBuilder::new()
                    .with_explicit_nulls(true)
                    .build::<_, arrow::json::writer::JsonArray>(&mut buf);
                let refs: Vec<&RecordBatch> = batches.iter().collect();
                writer.write_batches(&refs).map_err(err)?;
                writer.finish().map_err(err)?;
            }
            let text = String::from_utf8_lossy(&buf).into_owned();
            Ok(if text.is_empty() {
                "[]\n".to_owned()
            } else {
                format!("{text}\n")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Float64Array, Int32Array};
    use arrow::datatypes::{DataType, Field, Schema};
    use std::sync::Arc;

    fn sample() -> (SchemaRef, Vec<RecordBatch>) {
        let schema = Arc::new(Schema::new(vec![
            Field::new("release_year", DataType::Int32, true),
            Field::new("avg_minutes", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(Int32Array::from(vec![Some(2010), None])),
                Arc::new(Float64Array::from(vec![Some(42.5), Some(1.25)])),
            ],
        )
        .unwrap();
        (schema, vec![batch])
    }

    #[test]
    fn json_is_an_array_of_objects() {
        let (schema, batches) = sample();
        let text = format_batches(&schema, &batches, Format::Json).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["release_year"], 2010);
        assert_eq!(v[0]["avg_minutes"], 42.5);
        assert_eq!(
            format_batches(&schema, &[], Format::Json).unwrap().trim(),
            "[]"
        );
    }

    #[test]
    fn csv_and_table_keep_the_header_when_empty() {
        let (schema, batches) = sample();
        let csv = format_batches(&schema, &batches, Format::Csv).unwrap();
        assert_eq!(csv.lines().next(), Some("release_year,avg_minutes"));
        assert_eq!(csv.lines().count(), 3);
        let empty = format_batches(&schema, &[], Format::Csv).unwrap();
        assert_eq!(empty.trim(), "release_year,avg_minutes");
        let table = format_batches(&schema, &[], Format::Table).unwrap();
        assert!(table.contains("release_year"));
    }
}
