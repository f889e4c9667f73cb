//! Reading the lake's Parquet back with the `parquet` crate's own Arrow
//! reader (not the engine under test): files, whole tables, typed
//! columns, and rows as text for comparing two lakes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray as _};
use arrow::datatypes::{DataType, Float64Type, Int64Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::lake::files_under;

/// The Parquet files of one table, sorted by path.
pub fn parquet_files(lake: &Path, table: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = files_under(&lake.join(table))
        .into_keys()
        .filter(|rel| rel.ends_with(".parquet"))
        .map(|rel| lake.join(table).join(rel))
        .collect();
    files.sort();
    files
}

/// One Parquet file read with the `parquet` crate's Arrow reader: its Arrow
/// schema and its rows as one batch.
pub fn read_parquet(path: &Path) -> (SchemaRef, RecordBatch) {
    let file = std::fs::File::open(path).expect("open a Parquet file");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap_or_else(|e| panic!("{} is not Parquet: {e}", path.display()));
    let schema = Arc::clone(builder.schema());
    let batches: Vec<RecordBatch> = builder
        .build()
        .expect("a Parquet reader")
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let batch = arrow::compute::concat_batches(&schema, &batches).expect("concat batches");
    (schema, batch)
}

/// Every Parquet file of a table, read back: `(path, rows)`.
pub fn read_table(lake: &Path, table: &str) -> Vec<(PathBuf, RecordBatch)> {
    parquet_files(lake, table)
        .into_iter()
        .map(|p| {
            let (_, batch) = read_parquet(&p);
            (p, batch)
        })
        .collect()
}

/// All rows of a table in one batch (files in path order).
pub fn table_rows(lake: &Path, table: &str) -> RecordBatch {
    let parts = read_table(lake, table);
    let schema = match parts.first() {
        Some((_, b)) => b.schema(),
        None => spotify_lake::schema::Table::ALL
            .into_iter()
            .find(|t| t.name() == table)
            .expect("a table name")
            .arrow_schema(),
    };
    let batches: Vec<RecordBatch> = parts.into_iter().map(|(_, b)| b).collect();
    arrow::compute::concat_batches(&schema, &batches).expect("concat batches")
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a ArrayRef {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", batch.schema()))
}

fn cast(batch: &RecordBatch, name: &str, to: &DataType) -> ArrayRef {
    arrow::compute::cast(column(batch, name), to)
        .unwrap_or_else(|e| panic!("cannot cast column {name} to {to}: {e}"))
}

/// A column as strings (any type castable to Utf8).
pub fn strings(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let a = cast(batch, name, &DataType::Utf8);
    let a = a.as_string::<i32>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).to_owned()))
        .collect()
}

/// A column as i64 (any integer type).
pub fn ints(batch: &RecordBatch, name: &str) -> Vec<Option<i64>> {
    let a = cast(batch, name, &DataType::Int64);
    let a = a.as_primitive::<Int64Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

/// A column as f64 (any numeric type).
pub fn floats(batch: &RecordBatch, name: &str) -> Vec<Option<f64>> {
    let a = cast(batch, name, &DataType::Float64);
    let a = a.as_primitive::<Float64Type>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

/// A boolean column.
pub fn bools(batch: &RecordBatch, name: &str) -> Vec<Option<bool>> {
    let a = column(batch, name).as_boolean();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i)))
        .collect()
}

/// Several batches (an engine result) in one.
pub fn concat(schema: &SchemaRef, batches: &[RecordBatch]) -> RecordBatch {
    arrow::compute::concat_batches(schema, batches).expect("concat batches")
}

/// Whether two floats agree to well below the printed precision.
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// A batch's rows as table text (one `| … |` line each), without
/// `extracted_at`: two runs fetch at different times, nothing else differs.
pub fn rows_without_extracted_at(batch: &RecordBatch) -> Vec<String> {
    let keep: Vec<usize> = (0..batch.num_columns())
        .filter(|i| batch.schema().field(*i).name() != "extracted_at")
        .collect();
    let batch = batch.project(&keep).expect("projecting existing columns");
    arrow::util::pretty::pretty_format_batches(&[batch])
        .expect("a batch formats")
        .to_string()
        .lines()
        .skip(3)
        .filter(|l| l.starts_with('|'))
        .map(str::to_owned)
        .collect()
}

/// A Parquet file's rows as text, without `extracted_at` (two runs fetch
/// at different times), sorted.
pub fn rows_text(bytes: bytes::Bytes) -> Vec<String> {
    let reader = ParquetRecordBatchReaderBuilder::try_new(bytes)
        .unwrap()
        .build()
        .unwrap();
    let mut rows: Vec<String> = reader
        .flat_map(|batch| rows_without_extracted_at(&batch.unwrap()))
        .collect();
    rows.sort();
    rows
}

/// A lake's files with Parquet as rows (the catalog's files as bytes).
/// A `current_albums` version is named by a hash of its content, which
/// holds `extracted_at`: two runs that fetched at different times name
/// their versions differently, so version names are compared as `V`.
pub fn lake_view(files: BTreeMap<String, bytes::Bytes>) -> BTreeMap<String, Vec<String>> {
    files
        .into_iter()
        .map(|(path, bytes)| {
            let text = if path.ends_with(".parquet") {
                rows_text(bytes)
            } else {
                vec![without_versions(&String::from_utf8_lossy(&bytes))]
            };
            (without_versions(&path), text)
        })
        .collect()
}

/// `text` with every 16-hex-digit `current_albums` version replaced by `V`.
pub fn without_versions(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(|c: char| c.is_ascii_hexdigit()) {
        out.push_str(&rest[..i]);
        let run = rest[i..]
            .find(|c: char| !c.is_ascii_hexdigit())
            .unwrap_or(rest.len() - i);
        let word = &rest[i..i + run];
        let bounded = !out.ends_with(|c: char| c.is_ascii_alphanumeric());
        out.push_str(if run == 16 && bounded { "V" } else { word });
        rest = &rest[i + run..];
    }
    out.push_str(rest);
    out
}
