//! One Arrow builder per column, finished in the order `schemas/` gives.
//!
//! `table_columns!` declares a table's builders once, by column name; its
//! `finish` walks the schema derived from `schemas/<table>.toml` and fails if
//! the file has a column the code does not build, or the code builds one the
//! file does not have. So a column is named once in code and once in its
//! data file, and the unit tests (which build every table) catch any drift.

use super::{Warnings, warn};

macro_rules! table_columns {
    ($name:ident for $table:expr; $($col:ident: $builder:ty = $init:expr),+ $(,)?) => {
        pub(crate) struct $name {
            $(pub(crate) $col: $builder,)+
        }

        impl $name {
            pub(crate) fn new() -> Self {
                Self { $($col: $init,)+ }
            }

            pub(crate) fn finish(
                mut self,
            ) -> Result<arrow::record_batch::RecordBatch, $crate::transform::TransformError> {
                use $crate::transform::TransformError;
                let table = $table;
                let schema = table.arrow_schema();
                let built = [$(stringify!($col)),+].len();
                if built != schema.fields().len() {
                    return Err(TransformError::ColumnCount {
                        table: table.name(),
                        built,
                        declared: schema.fields().len(),
                    });
                }
                let mut columns: Vec<arrow::array::ArrayRef> = Vec::with_capacity(built);
                for field in schema.fields() {
                    let array: arrow::array::ArrayRef = match field.name().as_str() {
                        $(stringify!($col) => std::sync::Arc::new(self.$col.finish()),)+
                        other => {
                            return Err(TransformError::UnknownColumn {
                                table: table.name(),
                                column: other.to_owned(),
                            })
                        }
                    };
                    columns.push(array);
                }
                arrow::record_batch::RecordBatch::try_new(schema, columns)
                    .map_err(|source| TransformError::Arrow { table: table.name(), source })
            }
        }
    };
}

pub(crate) use table_columns;

/// A UTC millisecond timestamp builder, the only timestamp type we write.
pub(crate) fn utc_millis() -> arrow::array::TimestampMillisecondBuilder {
    arrow::array::TimestampMillisecondBuilder::new().with_timezone("UTC")
}

/// A `list<string>` builder with the schema's item field.
pub(crate) fn string_list() -> arrow::array::ListBuilder<arrow::array::StringBuilder> {
    arrow::array::ListBuilder::new(arrow::array::StringBuilder::new())
}

/// Appends the non-null names of a list of artists (null list → null).
pub(crate) fn append_artist_names(
    builder: &mut arrow::array::ListBuilder<arrow::array::StringBuilder>,
    artists: Option<&[Option<crate::raw::model::ArtistRef>]>,
) {
    match artists {
        Some(list) => {
            for name in list.iter().flatten().filter_map(|a| a.name.as_deref()) {
                builder.values().append_value(name);
            }
            builder.append(true);
        }
        None => builder.append(false),
    }
}

/// The first artist's name.
pub(crate) fn first_artist(
    artists: Option<&[Option<crate::raw::model::ArtistRef>]>,
) -> Option<&crate::raw::model::ArtistRef> {
    artists?.iter().flatten().next()
}

/// A count from JSON (a track number, a total, a popularity) as an `int`
/// column: a negative or overflowing value is null, counted under the
/// column's name in `warnings` and logged with `object`, never a silent
/// null.
pub(crate) fn count_i32(
    v: Option<i64>,
    column: &str,
    object: &str,
    warnings: &mut Warnings,
) -> Option<i32> {
    let n = count_i64(v, column, object, warnings)?;
    match i32::try_from(n) {
        Ok(n) => Some(n),
        Err(_) => {
            odd_number(column, object, n, warnings);
            None
        }
    }
}

/// [`count_i32`] for a `bigint` column (followers): negative → null,
/// counted.
pub(crate) fn count_i64(
    v: Option<i64>,
    column: &str,
    object: &str,
    warnings: &mut Warnings,
) -> Option<i64> {
    let n = v?;
    if n < 0 {
        odd_number(column, object, n, warnings);
        return None;
    }
    Some(n)
}

fn odd_number(column: &str, object: &str, value: i64, warnings: &mut Warnings) {
    warn(warnings, column);
    tracing::warn!(
        object,
        column,
        value,
        "A negative or overflowing number stored as null."
    );
}
