//! Query results as a terminal table, CSV or a JSON array of objects.
//!
//! CSV has no list type, and arrow's CSV writer refuses one, so list
//! columns (`artist_names`, `genres`) and any other nested column go out
//! as JSON text in their cell (`["A","B"]`; a null stays an empty cell):
//! `SELECT *` exports, and the text reads back with any JSON parser.

use std::sync::Arc;

use arrow::array::{Array as _, ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
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
                        .write(&RecordBatch::new_empty(csv_schema(schema)))
                        .map_err(err)?;
                }
                for batch in batches {
                    writer
                        .write(&nested_as_json(batch).map_err(err)?)
                        .map_err(err)?;
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

/// `schema` with every nested column as text (what [`nested_as_json`]
/// makes of it).
fn csv_schema(schema: &SchemaRef) -> SchemaRef {
    if !schema.fields().iter().any(|f| f.data_type().is_nested()) {
        return schema.clone();
    }
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type().is_nested() {
            true => Field::new(f.name(), DataType::Utf8, true),
            false => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// `batch` with each nested column replaced by its values as JSON text
/// (null stays null).
fn nested_as_json(batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    if !schema.fields().iter().any(|f| f.data_type().is_nested()) {
        return Ok(batch.clone());
    }
    let columns = schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| match field.data_type().is_nested() {
            true => json_texts(field, column),
            false => Ok(Arc::clone(column)),
        })
        .collect::<Result<Vec<ArrayRef>, ArrowError>>()?;
    RecordBatch::try_new(csv_schema(&schema), columns)
}

/// One nested column as JSON text per row, through arrow's JSON writer
/// (one object per row, nulls explicit), so every nested type arrow
/// writes as JSON is covered.
fn json_texts(field: &Field, column: &ArrayRef) -> Result<ArrayRef, ArrowError> {
    let one = RecordBatch::try_new(
        Arc::new(Schema::new(vec![field.clone()])),
        vec![Arc::clone(column)],
    )?;
    let mut buf = Vec::new();
    {
        let mut writer = arrow::json::WriterBuilder::new()
            .with_explicit_nulls(true)
            .build::<_, arrow::json::writer::LineDelimited>(&mut buf);
        writer.write(&one)?;
        writer.finish()?;
    }
    let texts = buf
        .split(|b| *b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| {
            let row: serde_json::Value =
                serde_json::from_slice(line).map_err(|e| ArrowError::JsonError(e.to_string()))?;
            Ok(match row.get(field.name()) {
                None | Some(serde_json::Value::Null) => None,
                Some(value) => Some(value.to_string()),
            })
        })
        .collect::<Result<Vec<Option<String>>, ArrowError>>()?;
    if texts.len() != column.len() {
        return Err(ArrowError::JsonError(format!(
            "column {}: {} JSON rows for {} values",
            field.name(),
            texts.len(),
            column.len()
        )));
    }
    Ok(Arc::new(StringArray::from(texts)))
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

    /// Regression (issue "Nothing fails silently"): `query --format csv`
    /// failed on `SELECT *` over albums ("CSV Writer does not support List
    /// data type"): list columns are JSON text now.
    #[test]
    fn csv_writes_list_columns_as_json_text() {
        use arrow::array::{ListBuilder, StringBuilder};
        let mut names = ListBuilder::new(StringBuilder::new());
        names.values().append_value("A");
        names.values().append_value("B, \"the\" C");
        names.append(true);
        names.append(false);
        names.append(true);
        let schema = Arc::new(Schema::new(vec![
            Field::new("album_id", DataType::Utf8, false),
            Field::new(
                "artist_names",
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
                true,
            ),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(StringArray::from(vec!["x", "y", "z"])),
                Arc::new(names.finish()),
            ],
        )
        .unwrap();
        let csv = format_batches(&schema, &[batch], Format::Csv).unwrap();
        // Read back as text columns by arrow's own CSV reader.
        let text = Arc::new(Schema::new(vec![
            Field::new("album_id", DataType::Utf8, false),
            Field::new("artist_names", DataType::Utf8, true),
        ]));
        let back = arrow::csv::ReaderBuilder::new(text)
            .with_header(true)
            .build(std::io::Cursor::new(csv.clone()))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let cells = back
            .column(1)
            .as_any()
            .downcast_ref::<StringArray>()
            .unwrap();
        assert_eq!(cells.value(0), r#"["A","B, \"the\" C"]"#, "{csv}");
        assert!(cells.is_null(1), "a null list is an empty cell: {csv}");
        assert_eq!(cells.value(2), "[]");
        let parsed: Vec<String> = serde_json::from_str(cells.value(0)).unwrap();
        assert_eq!(parsed, ["A", "B, \"the\" C"]);
        let header = format_batches(&schema, &[], Format::Csv).unwrap();
        assert_eq!(header.trim(), "album_id,artist_names");
    }
}
